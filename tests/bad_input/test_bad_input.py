"""Bad and hostile input through the real `vitesse` command: one clear line, exit 1, no traceback, no artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.params_specs import SPEC as PARAMS_SPEC

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


def nested_properties(levels: int) -> str:
    schema = "{type: string}"
    for _ in range(levels):
        schema = f"{{type: object, properties: {{a: {schema}}}}}"
    return schema


def spec_with(top_level: str) -> str:
    """A spec whose top-level sections are ``top_level`` (YAML lines), with a version and an info block."""
    return f"openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\n{top_level}"


TRUSTING = "  spec_access: {remote_refs: true, private_hosts: true}\n"


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


ISSUES = "GET /projects/{project}/issues"


def both_sides(source: str = "", destination: str = "", rest: str = "") -> str:
    """A manifest whose two sides read the case's spec (specs/source.yaml); extra lines for each side, then the rest."""
    return (
        f"version: 1\nname: {NAME}\nsource:\n  api: Tracker\n  spec: specs/source.yaml\n{source}"
        f"destination:\n  api: Tracker\n  spec: specs/source.yaml\n{destination}{rest}"
    )


def upsert(lookup: str = "GET /contacts?email={email}", update: str = "PATCH /contacts/{id}", **keys: str) -> str:
    write = {"mode": "upsert", "match_key": "email", "lookup": lookup, "update": update, **keys}
    return "  endpoint: POST /contacts\n  write: {" + ", ".join(f"{k}: '{v}'" for k, v in write.items() if v) + "}\n"


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
    # issue 13 item 5: link-local is refused in every spelling, even when private hosts and remote refs are trusted
    (
        "ref-mapped-metadata",
        manifest(extra=TRUSTING),
        spec_with_record("{$ref: 'http://[::ffff:169.254.169.254]/x.yaml'}"),
        "points to a link-local address, 169.254.169.254 (written ::ffff:169.254.169.254)",
        "ingest",
    ),
    (
        "ref-6to4-metadata",
        manifest(extra=TRUSTING),
        spec_with_record("{$ref: 'http://[2002:a9fe:a9fe::]/x.yaml'}"),
        "points to a link-local address, 169.254.169.254 (written 2002:a9fe:a9fe::)",
        "ingest",
    ),
    (
        "ref-decimal-metadata",
        manifest(extra=TRUSTING),
        spec_with_record("{$ref: 'http://2852039166/latest/meta-data/'}"),
        "points to a link-local address, 169.254.169.254 (written 2852039166)",
        "ingest",
    ),
    (
        "ref-short-loopback",
        manifest(extra="  spec_access: {remote_refs: true}\n"),
        spec_with_record("{$ref: 'http://127.1:2375/containers/json'}"),
        "points to a private or loopback address",
        "ingest",
    ),
    (
        "spec-url-hex-metadata",
        manifest(spec="http://0xa9fea9fe/openapi.yaml", extra=TRUSTING),
        None,
        "refers to the link-local address 169.254.169.254 (written 0xa9fea9fe)",
        "ingest",
    ),
    # issue 13 item 6: named errors where there were internal errors (or silently misread specs)
    (
        "schema-too-deep",
        manifest(),
        spec_with_record(nested_properties(130)),
        "source.yaml: paths./things.get.responses.200.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a: "
        "schema nests deeper than vitesse reads (64 levels of JSON",
        "ingest",
    ),
    ("info-not-a-mapping", manifest(), "openapi: 3.0.3\ninfo: x\npaths: {}\n", "info: must be a mapping", "ingest"),
    ("paths-a-list", manifest(), spec_with("paths: [1, 2]\n"), "paths: must be a mapping (got a list)", "ingest"),
    (
        "components-a-list",
        manifest(),
        spec_with("paths: {}\ncomponents: []\n"),
        "components: must be a mapping (got a list)",
        "ingest",
    ),
    (
        "component-schemas-a-string",
        manifest(),
        spec_with("paths: {}\ncomponents: {schemas: x}\n"),
        "components.schemas: must be a mapping (got a string)",
        "ingest",
    ),
    (
        "security-a-mapping",
        manifest(),
        spec_with("security: {a: []}\npaths: {}\n"),
        "security: must be a list",
        "ingest",
    ),
    (
        "every-problem-at-once",
        manifest(),
        "openapi: 3.0.3\ninfo: 5\npaths: true\nsecurity: {}\n",
        "info: must be a mapping (got a number); paths: must be a mapping (got a boolean); security: must be a list",
        "ingest",
    ),
    (
        "swagger-host-and-definitions",
        manifest(),
        "swagger: '2.0'\ninfo: {title: T, version: '1'}\nhost: 5\npaths: {}\ndefinitions: []\n",
        "host: must be a string (got a number); definitions: must be a mapping (got a list)",
        "ingest",
    ),
    ("spec-url-bad-port", manifest(spec="http://example.com:99999/x.yaml"), None, "the port must be", "ingest"),
    ("spec-url-bad-ipv6", manifest(spec="http://[::1/x.yaml"), None, "not a valid URL (Invalid IPv6 URL)", "ingest"),
    (
        "spec-url-long-label",
        manifest(spec=f"https://{'a' * 64}.example.com/x.yaml"),
        None,
        "(not a valid host name)",
        "ingest",
    ),
    # issue 14: params, incremental reads, write modes and constants, checked before anything runs
    (
        "param-unknown",
        both_sides(f"  endpoint: {ISSUES}\n  params: {{project: web, stat: all}}\n"),
        PARAMS_SPEC,
        f"hostile.yaml:7:26: source.params.stat: {ISSUES} has no parameter 'stat'; did you mean 'state'? "
        "[manifest.unknown_param]",
        "ingest",
    ),
    (
        "param-missing-path",
        both_sides(f"  endpoint: {ISSUES}\n"),
        PARAMS_SPEC,
        f"hostile.yaml:6:13: source.params: {ISSUES} needs project; add source.params: {{project: ...}} "
        "[manifest.missing_param]",
        "ingest",
    ),
    (
        "param-missing-required-query",
        both_sides("  endpoint: GET /reports\n  auth: {type: api_key, in: query, name: api_key, key_env: KEY}\n"),
        PARAMS_SPEC,
        "source.params: GET /reports needs account (query); add source.params: {account: ...} [manifest.missing_param]",
        "ingest",
    ),
    (
        "param-bad-enum",
        both_sides(f"  endpoint: {ISSUES}\n  params: {{project: web, state: every}}\n"),
        PARAMS_SPEC,
        f"source.params.state: 'every' does not fit: {ISSUES} expects one of 'open', 'closed', 'all' for state "
        "[manifest.bad_param_value]",
        "ingest",
    ),
    (
        "param-bad-type",
        both_sides(f"  endpoint: {ISSUES}\n  params: {{project: web, per_page: many}}\n"),
        PARAMS_SPEC,
        f"source.params.per_page: 'many' does not fit: {ISSUES} expects an integer for per_page "
        "[manifest.bad_param_value]",
        "ingest",
    ),
    (
        "param-left-as-scaffolded",
        both_sides(f"  endpoint: {ISSUES}\n  params: {{project: '<project>'}}\n"),
        PARAMS_SPEC,
        "source.params.project: still '<project>' from `vitesse new`; set the real value [manifest.param_unset]",
        "ingest",
    ),
    (
        "incremental-unknown-param",
        both_sides(
            f"  endpoint: {ISSUES}\n  params: {{project: web}}\n  incremental: {{cursor_field: id, param: snce}}\n"
        ),
        PARAMS_SPEC,
        f"source.incremental.param: {ISSUES} has no query parameter 'snce'; did you mean 'since'? "
        "[manifest.unknown_param]",
        "ingest",
    ),
    (
        "constant-wrong-type",
        both_sides(
            f"  endpoint: {ISSUES}\n  params: {{project: web}}\n",
            "  endpoint: POST /contacts\n",
            "mapping: {constants: {name: 5}, hints: {email: email}}\n",
        ),
        PARAMS_SPEC,
        "error: mapping.constants.name: 5 does not fit: expected string, got integer",
        "run",
    ),
    (
        "lookup-names-no-field",
        both_sides(destination=upsert(lookup="GET /contacts?email={emial}")),
        PARAMS_SPEC,
        "destination.write.lookup: {emial} names no field of the record (the POST /contacts request) nor a "
        "destination.params entry; did you mean 'email'? [manifest.unknown_field]",
        "ingest",
    ),
    (
        "update-without-id",
        both_sides(destination=upsert(update="PATCH /contacts")),
        PARAMS_SPEC,
        "destination.write: update 'PATCH /contacts' has no {id} in its path; e.g. 'PATCH /contacts/{id}' "
        "[manifest.invalid_value]",
        "ingest",
    ),
    (
        "upsert-without-lookup",
        both_sides(destination=upsert(lookup="")),
        PARAMS_SPEC,
        "destination.write: mode upsert needs lookup [manifest.invalid_value]",
        "ingest",
    ),
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
    failed = "map" if command == "run" else "ingest"  # run: ingest passes, the map step refuses
    assert not (tmp_path / ".vitesse" / "artifacts" / NAME / failed).exists()


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
