"""`vitesse status` through the CLI runner: staleness down the chain (the gate's rule, with its reasons), create's own
sections, deleted manifests, the drift column. The service column of a running process is in tests/e2e."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from vitesse.cli import cli

NAME = "crm-to-mailwave"


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def steps(project: Path) -> dict[str, dict]:
    result = invoke(project, "status", NAME, "--json")
    assert result.exit_code == 0, result.stderr
    return {s["step"]: s for s in json.loads(result.stdout)["steps"]}


def latest(project: Path, step: str) -> str:
    return (project / ".vitesse/artifacts" / NAME / step / "latest").read_text().strip()


def edit(project: Path, old: str, new: str) -> None:
    manifest = project / "integrations" / f"{NAME}.yaml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new, 1))


def stored(project: Path, step: str) -> dict:
    return json.loads((project / ".vitesse/artifacts" / NAME / step / f"{latest(project, step)}.json").read_text())


def built_on(project: Path) -> str:
    return stored(project, "deploy")["inputs"]["test"]


def run_all(project: Path) -> None:
    result = invoke(project, "run", NAME, "--dry-run")  # every step; the deploy renders only (nothing to stop)
    assert result.exit_code == 0, result.stderr
    assert all(s["current"] and s["stale_reason"] is None for s in steps(project).values())


def test_a_hint_edit_makes_map_test_and_deploy_stale_and_the_gate_says_the_same(project: Path) -> None:
    run_all(project)
    edit(project, "    id: external_id\n", "    id: external_id\n    phone: phone_number\n")
    state = steps(project)
    assert state["create"]["current"] and state["ingest"]["current"]
    assert not state["map"]["current"]
    assert state["map"]["stale_reason"] == "mapping.hints changed in the manifest"
    assert state["test"]["stale_reason"] == "map is stale (mapping.hints changed in the manifest)"
    assert state["deploy"]["stale_reason"] == "test is stale (map: mapping.hints changed in the manifest)"
    refused = invoke(project, "deploy", NAME, "--dry-run")
    assert refused.exit_code == 1
    assert f"the latest test is stale: {state['test']['stale_reason']}" in refused.stderr
    assert f"run `vitesse map {NAME}`, then `vitesse test {NAME}`, before deploy" in refused.stderr
    table = invoke(project, "status", NAME).stdout
    assert "why not" in table and "mapping.hints changed in the manifest" in table

    old_map = latest(project, "map")
    assert invoke(project, "map", NAME).exit_code == 0
    new_map = latest(project, "map")
    state = steps(project)
    assert state["map"]["current"] and not state["test"]["current"] and not state["deploy"]["current"]
    assert state["test"]["stale_reason"] == f"built on map {old_map}, latest is {new_map}"
    assert state["deploy"]["stale_reason"] == f"test is stale (built on map {old_map}, latest is {new_map})"
    refused = invoke(project, "deploy", NAME, "--dry-run", "--json")
    assert refused.exit_code == 1
    envelope = json.loads(refused.stdout)
    assert envelope["code"] == "step.stale" and envelope["http_status"] == 409
    assert envelope["error"] == (
        f"{NAME}: the latest test is stale: built on map {old_map}, latest is {new_map}; "
        f"run `vitesse test {NAME}` before deploy"
    )
    listing = json.loads(invoke(project, "status", "--json").stdout)
    assert {i["manifest_name"]: i["stale"] for i in listing["data"]}[NAME] == ["test", "deploy"]

    assert invoke(project, "test", NAME).exit_code == 0
    state = steps(project)
    assert state["test"]["current"]
    assert state["deploy"]["stale_reason"] == f"built on test {built_on(project)}, latest is {latest(project, 'test')}"
    assert invoke(project, "deploy", NAME, "--dry-run").exit_code == 0
    assert all(s["current"] for s in steps(project).values())


def test_editing_only_deploy_settings_leaves_the_other_steps_current(project: Path) -> None:
    run_all(project)
    edit(project, "  target: process\n", "  target: process\n  replicas: 2\n")
    state = steps(project)
    assert [s for s in state if state[s]["current"]] == ["create", "ingest", "map", "test"]
    assert state["deploy"]["stale_reason"] == "deploy.replicas changed in the manifest"
    create = latest(project, "create")
    assert invoke(project, "ingest", NAME).exit_code == 0
    assert latest(project, "create") == create  # nothing create reads changed: not recorded again


def test_create_is_stale_only_for_what_it_reads_and_ingest_records_it_again(project: Path) -> None:
    assert invoke(project, "ingest", NAME).exit_code == 0
    assert invoke(project, "map", NAME).exit_code == 0
    create, ingested = latest(project, "create"), latest(project, "ingest")
    edit(project, "  min_confidence: 0.6\n", "  min_confidence: 0.5\n")  # map reads it, create does not
    assert steps(project)["create"]["current"]
    edit(project, "\ndescription: ", "\ndescription: Now -- ")
    state = steps(project)
    assert state["create"]["stale_reason"] == "description changed in the manifest"
    assert state["ingest"]["current"]  # create only describes the integration: nothing builds on it
    assert state["map"]["stale_reason"] == "mapping.min_confidence changed in the manifest"
    assert "records step 1 (create) again" in invoke(project, "ingest", "--help").stdout

    assert invoke(project, "ingest", NAME).exit_code == 0
    state = steps(project)
    assert state["create"]["current"] and state["ingest"]["current"]
    assert latest(project, "create") != create
    assert latest(project, "ingest") == ingested  # the same specs: the same version
    assert state["map"]["stale_reason"] == "mapping.min_confidence changed in the manifest"


def test_a_deleted_manifest_leaves_status_and_its_artifacts_stay(project: Path) -> None:
    assert invoke(project, "ingest", NAME).exit_code == 0
    (project / "integrations" / "broken.yaml").write_text("version: 2\nname: broken\n")
    (project / "integrations" / f"{NAME}.yaml").unlink()
    listing = json.loads(invoke(project, "status", "--json").stdout)
    names = [i["manifest_name"] for i in listing["data"]]
    assert names == ["broken", "issues-to-tasks", "mailwave-to-crm"] and listing["count"] == 3
    broken = listing["data"][0]
    assert broken["error"].startswith("the manifest does not load: ") and broken["service"] == "-"
    assert (project / ".vitesse/artifacts" / NAME / "ingest" / "latest").exists()
    table = invoke(project, "status").stdout
    assert NAME not in table and "broken" in table


def test_the_drift_the_latest_ingest_found(project: Path) -> None:
    assert invoke(project, "ingest", NAME).exit_code == 0
    table = invoke(project, "status", NAME).stdout
    assert "contract drift" not in table  # nothing changed (or an ingest from before drift detection)
    assert not (json.loads(invoke(project, "status", NAME, "--json").stdout)["drift"] or {}).get("changes")
    drift = {
        "baseline": "0123456789abcdef",
        "breaking": 1,
        "changes": [
            {"side": "destination", "endpoint": "POST /contacts", "field": "email", "change": "removed",
             "before": "string", "after": None, "breaking": True, "mapped": True},
            {"side": "source", "endpoint": "GET /customers", "field": "nickname", "change": "added",
             "before": None, "after": "string", "breaking": False, "mapped": False},
            {"side": "source", "endpoint": "GET /customers", "field": "age", "change": "type",
             "before": "string", "after": "integer", "breaking": False, "mapped": False},
        ],
    }  # fmt: skip
    path = project / ".vitesse/artifacts" / NAME / "ingest" / f"{latest(project, 'ingest')}.json"
    artifact = json.loads(path.read_text())
    artifact["data"]["drift"] = drift  # as the ingest step's contract drift records it
    path.write_text(json.dumps(artifact))
    table = invoke(project, "status", NAME).stdout
    assert (
        "contract drift since ingest 0123456789ab: 3 changes, 1 breaking: destination POST /contacts `email` "
        "removed (mapped)"
    ) in table
    assert json.loads(invoke(project, "status", NAME, "--json").stdout)["drift"] == drift
    listing = json.loads(invoke(project, "status", "--json").stdout)
    item = {i["manifest_name"]: i for i in listing["data"]}[NAME]
    assert item["drift"] == {"baseline": "0123456789abcdef", "change_count": 3, "breaking": 1}
    row = next(line for line in invoke(project, "status").stdout.splitlines() if line.startswith(NAME))
    assert "1 breaking" in row


def test_drift_lines_name_the_breaking_changes_first() -> None:
    from vitesse.cli.status import drift_cell, drift_line

    gone = {"side": "source", "endpoint": "GET /customers", "field": "", "change": "endpoint_removed"}
    typed = {"side": "source", "endpoint": "GET /customers", "field": "age", "change": "type"}
    typed |= {"before": "string", "after": "integer"}
    assert drift_line({"baseline": None, "changes": [typed]}) == (
        "contract drift: 1 change, none breaking: source GET /customers `age` type changed (string -> integer)"
    )
    line = drift_line({"baseline": "abc", "changes": [typed, gone | {"breaking": True}], "breaking": 1})
    assert line == "contract drift since ingest abc: 2 changes, 1 breaking: source GET /customers removed"
    assert drift_line({"baseline": None, "changes": [], "breaking": 0}) is None and drift_line(None) is None
    assert drift_cell({"change_count": 2, "breaking": 0}) == "2 changes" and drift_cell(None) == ""
