"""Parameters where users meet them: `vitesse fields` lists them, `vitesse new` scaffolds them, `vitesse map`
proposes incremental reads and write modes, ingest refuses what does not fit."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.support.params_specs import SPEC
from vitesse.cli import cli

ISSUES = "GET /projects/{project}/issues"


def tracker_project(tmp_path: Path) -> Path:
    (tmp_path / "integrations" / "specs").mkdir(parents=True)
    (tmp_path / "integrations" / "specs" / "tracker.yaml").write_text(SPEC)
    return tmp_path


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def test_fields_lists_the_endpoint_parameters(tmp_path: Path) -> None:
    spec = str(tracker_project(tmp_path) / "integrations" / "specs" / "tracker.yaml")
    result = CliRunner().invoke(cli, ["fields", spec, ISSUES])
    assert result.exit_code == 0, result.output
    assert "updated_at" in result.output  # the fields first
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()[1:] if line.strip()}
    assert lines["project"] == ["project", "path", "required", "string"]
    assert lines["state"] == ["state", "query", "string", "open,", "closed,", "all"]
    assert lines["since"] == ["since", "query", "string/date-time"]
    as_json = CliRunner().invoke(cli, ["fields", spec, ISSUES, "--parameters", "--json"])
    parameters = {p["name"]: p for p in json.loads(as_json.output)}
    assert parameters["state"] == {
        "name": "state",
        "location": "query",
        "required": False,
        "type": "string",
        "enum": ["open", "closed", "all"],
        "default": "open",
    }
    fields = json.loads(CliRunner().invoke(cli, ["fields", spec, ISSUES, "--json"]).output)
    assert {f["path"] for f in fields} >= {"id", "updated_at"}  # the JSON of fields is as it was


def test_new_scaffolds_the_required_parameters_for_the_user_to_fill(tmp_path: Path) -> None:
    project = tracker_project(tmp_path)
    result = invoke(
        project, "new", "tracker-sync", "--source-spec", "specs/tracker.yaml", "--source-endpoint", ISSUES,
        "--dest-spec", "specs/tracker.yaml", "--dest-endpoint", "POST /contacts",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (project / "integrations" / "tracker-sync.yaml").read_text()
    assert f'  endpoint: "{ISSUES}"\n  params: {{project: "<project>"}}   # required by the endpoint' in text
    assert '  endpoint: "POST /contacts"\n  # auth:' in text  # nothing required there
    assert "fill in source.params.project in " in result.stderr
    assert invoke(project, "validate").exit_code == 0  # it validates...
    refused = invoke(project, "ingest", "tracker-sync")  # ...but nothing runs with the placeholder
    assert refused.exit_code == 1
    assert "source.params.project: still '<project>' from `vitesse new`; set the real value" in refused.stderr
    assert not (project / ".vitesse" / "artifacts" / "tracker-sync" / "ingest").exists()


def test_new_with_an_endpoint_the_spec_lacks_says_which_it_has(tmp_path: Path) -> None:
    project = tracker_project(tmp_path)
    result = invoke(project, "new", "x", "--source-spec", "specs/tracker.yaml", "--source-endpoint", "GET /contact")
    assert result.exit_code == 1
    assert "source.endpoint 'GET /contact' is not in the Tracker spec; did you mean 'GET /contacts'" in result.stderr
    assert not (project / "integrations" / "x.yaml").exists()


def test_new_without_endpoints_writes_the_template_as_before(tmp_path: Path) -> None:
    result = invoke(tmp_path, "new", "plain")
    assert result.exit_code == 0 and "fill in" not in result.stderr
    text = (tmp_path / "integrations" / "plain.yaml").read_text()
    assert "  # endpoint: GET /customers   # optional: the mapper proposes one\n" in text
    assert "  # endpoint: POST /contacts\n" in text and "params" not in text


def test_map_prints_proposals_and_never_applies_them(tmp_path: Path) -> None:
    project = tracker_project(tmp_path)
    manifest = (
        "version: 1\nname: t\nsource:\n  api: Tracker\n  spec: specs/tracker.yaml\n"
        f"  endpoint: {ISSUES}\n  params: {{project: web}}\n"
        "destination:\n  api: Tracker\n  spec: specs/tracker.yaml\n  endpoint: POST /contacts\n"
        "mapping: {hints: {email: email, title: name}}\n"
    )
    (project / "integrations" / "t.yaml").write_text(manifest)
    assert invoke(project, "ingest", "t").exit_code == 0
    result = invoke(project, "map", "t")
    assert result.exit_code == 0, result.output
    assert (
        "proposal: add source.incremental: {cursor_field: updated_at, param: since} "
        f"({ISSUES} takes since and its records carry updated_at" in result.stdout
    )
    assert (
        'proposal: add destination.write: {mode: upsert, match_key: email, lookup: "GET /contacts?email={email}", '
        'update: "PATCH /contacts/{id}"} (GET /contacts filters by email' in result.stdout
    )
    assert (project / "integrations" / "t.yaml").read_text() == manifest


def test_ingest_refuses_params_the_spec_does_not_declare(tmp_path: Path) -> None:
    project = tracker_project(tmp_path)
    (project / "integrations" / "t.yaml").write_text(
        "version: 1\nname: t\nsource:\n  api: Tracker\n  spec: specs/tracker.yaml\n"
        f"  endpoint: {ISSUES}\n  params: {{project: web, stat: all}}\n"
        "destination:\n  api: Tracker\n  spec: specs/tracker.yaml\n"
    )
    result = invoke(project, "ingest", "t", "--json")
    assert result.exit_code == 1
    envelope = json.loads(result.stdout)
    assert envelope["code"] == "manifest.params" and envelope["http_status"] == 400
    assert "source.params.stat: " + ISSUES + " has no parameter 'stat'; did you mean 'state'?" in envelope["error"]
    assert not (project / ".vitesse" / "artifacts" / "t" / "create").exists()
