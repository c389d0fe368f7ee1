"""Bad and hostile input through the real `vitesse` command: one clear line, exit 1, no traceback, no artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

NAME = "hostile"
GOOD_SPEC = (Path(__file__).resolve().parents[2] / "integrations" / "specs" / "mailwave.yaml").read_text()


def manifest(spec: str = "specs/source.yaml", extra: str = "") -> str:
    return (
        f"version: 1\nname: {NAME}\nsource:\n  api: Source\n  spec: {spec}\n{extra}"
        "destination:\n  api: Destination\n  spec: specs/destination.yaml\n"
    )


def spec_with_record(record: str) -> str:
    return (
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers: [{url: 'https://api.example.com'}]\n"
        "paths:\n  /things:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        f"          content:\n            application/json:\n              schema: {record}\n"
    )


def alias_bomb() -> str:
    lines = [
        "openapi: 3.0.3",
        'info: {title: T, version: "1"}',
        "paths: {}",
        'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for i in range(1, 9):
        prev, cur = f"x{i - 1}" if i > 1 else "a", f"x{i}"
        lines.append(f"x-{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# (case id, manifest text or None for "no manifest", source spec text or None, expected message, command)
CASES = [
    (
        "malformed-yaml",
        f"version: 1\nname: {NAME}\nsource: {{api: [A\n",
        None,
        "integrations/hostile.yaml:4:1: invalid YAML",
        "ingest",
    ),
    (
        "unknown-key",
        manifest(extra="  endpont: GET /x\n"),
        None,
        "source.endpont: unknown key 'endpont'; did you mean 'endpoint'?",
        "ingest",
    ),
    (
        "wrong-type",
        manifest() + "test: {sample_size: many}\n",
        None,
        "test.sample_size: expected an integer (got string 'many')",
        "ingest",
    ),
    ("missing-manifest", None, None, "no such integration 'hostile'", "ingest"),
    ("missing-spec-file", manifest(spec="specs/nope.yaml"), None, "specs/nope.yaml: no such file", "ingest"),
    ("huge-document", manifest(), "HUGE", "over the 20 MB limit", "ingest"),
    ("alias-bomb", manifest(), alias_bomb(), "alias bomb", "ingest"),
    ("recursive-alias", manifest(), "openapi: 3.0.3\npaths: &p\n  /x: *p\n", "refers to itself", "ingest"),
    (
        "ref-etc-passwd",
        manifest(),
        spec_with_record("{$ref: '/etc/passwd'}"),
        "$ref '/etc/passwd' leaves the spec's folder",
        "ingest",
    ),
    (
        "ref-file-url",
        manifest(),
        spec_with_record("{$ref: 'file:///etc/passwd#/x'}"),
        "leaves the spec's folder (/etc/passwd)",
        "ingest",
    ),
    (
        "ref-metadata",
        manifest(),
        spec_with_record("{$ref: 'http://169.254.169.254/latest/meta-data/'}"),
        "points to a link-local address",
        "ingest",
    ),
    (
        "ref-loopback",
        manifest(),
        spec_with_record("{$ref: 'http://127.0.0.1:2375/containers/json'}"),
        "points to a private or loopback address",
        "ingest",
    ),
    (
        "spec-url-loopback",
        manifest(spec="http://127.0.0.1:9/openapi.yaml"),
        None,
        "refers to a private or loopback address",
        "ingest",
    ),
    ("not-openapi", manifest(), "Pet:\n  type: object\n", "not an OpenAPI document", "ingest"),
    ("bad-json", manifest(spec="specs/source.json"), '{"openapi": "3.0.0", "paths": {,}}', "invalid JSON", "ingest"),
    ("too-deep", manifest(), "[" * 100_000, "document is nested deeper than 512 levels", "ingest"),
    (
        "too-deep-yaml",
        manifest(),
        "a:\n" + "".join("  " * i + "- \n" for i in range(1, 3000)),
        "invalid YAML: exceeded maximum nesting depth",
        "ingest",
    ),
    ("swagger-1.2", manifest(), "swagger: '1.2'\napis: []\n", "swagger '1.2' is not supported", "ingest"),
]


@pytest.mark.parametrize(
    ("manifest_text", "spec_text", "expected", "command"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_clear_line(
    tmp_path: Path, manifest_text: str | None, spec_text: str | None, expected: str, command: str
) -> None:
    specs = tmp_path / "integrations" / "specs"
    specs.mkdir(parents=True)
    (specs / "destination.yaml").write_text(GOOD_SPEC)
    if manifest_text is not None:
        (tmp_path / "integrations" / f"{NAME}.yaml").write_text(manifest_text)
    source = specs / ("source.json" if "source.json" in (manifest_text or "") else "source.yaml")
    if spec_text == "HUGE":
        with source.open("w") as handle:
            handle.write("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n")
            line = "# " + "x" * 998 + "\n"
            for _ in range(50_000):
                handle.write(line)
    elif spec_text is not None:
        source.write_text(spec_text)

    result = run_cli(command, NAME, cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    messages = [line for line in result.stderr.splitlines() if not line.startswith(f"{NAME}: ")]
    assert len(messages) == 1, result.stderr
    assert expected in messages[0], messages[0]
    assert not (tmp_path / ".vitesse" / "artifacts" / NAME / "ingest").exists()


def test_json_flag_prints_the_seed_error_envelope(tmp_path: Path) -> None:
    (tmp_path / "integrations" / "specs").mkdir(parents=True)
    (tmp_path / "integrations" / f"{NAME}.yaml").write_text(manifest(spec="specs/nope.yaml"))
    result = run_cli("ingest", NAME, "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert '"status": "failed"' in result.stdout and '"http_status": 400' in result.stdout


# (case id, --state value or None, what to prepare, expected message); the bundle is the demo integration's
STATE_CASES = [
    ("corrupt-file", "junk.sqlite", "junk", "junk.sqlite is not a usable vitesse state database"),
    ("folder-is-a-file", "blocker/state.sqlite", "blocker", "cannot create the state file blocker/state.sqlite"),
    ("unknown-scheme", "mysql://u:p@db/state", None, "unknown kind of state store"),
    ("unreachable-postgres", "postgresql://u:hunter2@127.0.0.1:9/db", None, "postgresql://u:***@127.0.0.1:9/db"),
    ("newer-schema", "new.sqlite", "newer", "written by a newer vitesse"),
    ("url-env-unset", None, "postgres-bundle", "environment variable NO_SUCH_STATE_URL is not set"),
]


@pytest.mark.parametrize(
    ("state", "prepare", "expected"), [c[1:] for c in STATE_CASES], ids=[c[0] for c in STATE_CASES]
)
def test_bad_runtime_state_is_one_clear_line(
    project: Path, state: str | None, prepare: str | None, expected: str
) -> None:
    import sqlite3

    from tests.e2e.runtime_support import make_bundle

    extra = "  state: {type: postgresql, url_env: NO_SUCH_STATE_URL}\n" if prepare == "postgres-bundle" else ""
    bundle = make_bundle(project, "http://127.0.0.1:9", "http://127.0.0.1:9", extra=extra)
    if prepare == "junk":
        (project / "junk.sqlite").write_bytes(b"not a database at all " * 200)
    elif prepare == "blocker":
        (project / "blocker").write_text("a file where the state folder should be")
    elif prepare == "newer":
        db = sqlite3.connect(project / "new.sqlite")
        db.execute("CREATE TABLE vitesse_schema (version INTEGER PRIMARY KEY, description TEXT, applied_at TEXT)")
        db.execute("INSERT INTO vitesse_schema VALUES (99, 'future', '-')")
        db.commit()
        db.close()
    for command in ("sync", "serve", "dead-letters"):
        argv = ["runtime", command, "--bundle", str(bundle)] + (["--state", state] if state else [])
        result = run_cli(*argv, cwd=project, env={"ACME_CRM_TOKEN": "t", "MAILWAVE_API_KEY": "k"}, timeout=60)
        assert result.returncode == 1, (command, result.stderr)
        output = result.stderr + result.stdout
        assert "Traceback" not in output and "hunter2" not in output
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and expected in lines[0], (command, result.stderr)
