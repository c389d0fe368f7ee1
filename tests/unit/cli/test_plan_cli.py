"""`vitesse plan` through the CLI runner: every step planned on a fresh project, "no changes" after a run, a hint
edit (map, test and deploy stale, the mapping change, the versions map would store), a threshold edit that flips the
predicted gate, specs edited on disk (contract drift), a Kubernetes diff without secret values, a manifest that does
not load; and nothing under .vitesse/ or integrations/ changes. The process target's live run is tests/e2e/test_plan.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vitesse.cli import cli

NAME = "crm-to-mailwave"
SECRETS = {
    "ACME_CRM_TOKEN": "crm-very-secret-1",
    "MAILWAVE_API_KEY": "mw-very-secret-2",
    "VITESSE_STATE_URL": "postgresql://vitesse:pg-very-secret-3@db.internal/vitesse",
}


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def plan(project: Path, *args: str) -> dict:
    result = invoke(project, "plan", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def edit(project: Path, old: str, new: str, name: str = NAME) -> None:
    manifest = project / "integrations" / f"{name}.yaml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new, 1))


def snapshot(project: Path) -> dict[str, tuple[int, str] | None]:
    """Every path under .vitesse/ and integrations/: a folder's mtime, a file's mtime and content hash."""
    found: dict[str, tuple[int, str] | None] = {}
    for top in (".vitesse", "integrations"):
        root = project / top
        if not root.exists():
            continue
        for path in sorted([root, *root.rglob("*")]):
            stat = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            found[str(path.relative_to(project))] = (stat.st_mtime_ns, digest)
    return found


def run_all(project: Path, name: str = NAME) -> None:
    result = invoke(project, "run", name, "--dry-run")  # the deploy renders only: nothing to stop
    assert result.exit_code == 0, result.output


def one(document: dict) -> dict:
    assert len(document["integrations"]) == 1
    return document["integrations"][0]


def test_a_fresh_project_plans_every_step_and_plan_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    document = plan(project)
    assert snapshot(project) == before and not (project / ".vitesse").exists()
    assert document["format"] == 1 and document["changes"] is True and document["errors"] == 0
    names = [p["name"] for p in document["integrations"]]
    assert names == ["crm-to-mailwave", "issues-to-tasks", "mailwave-to-crm"]
    first = document["integrations"][0]
    assert list(first)[:6] == ["name", "manifest", "errors", "changes", "rerun", "commands"]
    assert first["rerun"] == ["create", "ingest", "map", "test", "deploy"]
    assert first["commands"] == [f"vitesse {step} {NAME}" for step in ("ingest", "map", "test", "deploy")]
    assert all(s["reason"] == "not run yet" for s in first["steps"])
    assert [c["change"] for c in first["mapping"]["diff"]["fields"]] == ["added"] * 16
    assert first["gate"]["test"] is None and first["deploy"]["bundle"] == {
        "before": None,
        "after": "(known after test)",
    }
    text = invoke(project, "plan", NAME)
    assert text.exit_code == 0
    assert text.stdout.startswith(f"{NAME}: create, ingest, map, test, deploy will run for the first time\n")
    assert "    + external_id <- id (mapping, confidence 1)" in text.stdout
    assert invoke(project, "plan", NAME, "--detailed-exitcode").exit_code == 2
    assert snapshot(project) == before


def test_no_changes_after_a_run_then_a_hint_edit_stales_map_test_and_deploy(project: Path) -> None:
    run_all(project)
    quiet = invoke(project, "plan", NAME, "--detailed-exitcode")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout.startswith(f"{NAME}: no changes (every step is current)\n")
    assert one(plan(project, NAME))["changes"] is False

    edit(project, "    id: external_id\n", "    id: external_id\n    phone: phone_number\n")
    before = snapshot(project)
    text = invoke(project, "plan", NAME)
    found = one(plan(project, NAME))
    assert snapshot(project) == before
    assert text.exit_code == 0
    assert text.stdout.startswith(f"{NAME}: map, test, deploy will re-run\n")
    assert "mapping.hints changed in the manifest" in text.stdout
    assert "    ~ phone_number: confidence 0.94 -> 1" in text.stdout
    assert "gate: would pass, predicted from test " in text.stdout and "not a new test" in text.stdout
    assert found["rerun"] == ["map", "test", "deploy"]
    steps = {s["step"]: s for s in found["steps"]}
    assert steps["map"]["reason"] == "mapping.hints changed in the manifest"
    assert steps["deploy"]["reason"] == "test is stale (map: mapping.hints changed in the manifest)"
    assert found["commands"] == [f"vitesse map {NAME}", f"vitesse test {NAME}", f"vitesse deploy {NAME}"]
    (field,) = found["mapping"]["diff"]["fields"]
    assert (field["dest_field"], field["change"], field["aspects"]) == ("phone_number", "changed", ["confidence"])
    gate = found["gate"]
    assert (gate["passed"], gate["would_pass"], gate["threshold"], gate["reruns"]) == (True, True, 70, True)
    assert found["deploy"]["bundle"]["after"] == "(known after test)" and found["deploy"]["settings"] == {}
    assert invoke(project, "plan", NAME, "--detailed-exitcode").exit_code == 2

    assert invoke(project, "map", NAME).exit_code == 0  # the version plan said map would store
    stored = (project / ".vitesse/artifacts" / NAME / "map/latest").read_text().strip()
    assert stored == found["mapping"]["version"]
    after_map = one(plan(project, NAME))
    assert after_map["rerun"] == ["test", "deploy"] and after_map["mapping"] is None
    run_all(project)
    assert one(plan(project, NAME))["changes"] is False


def test_a_threshold_edit_flips_the_predicted_gate(project: Path) -> None:
    edit(project, "  min_confidence: 0.6\n", "  min_confidence: 0.6\n  ignore: [email_address]\n")
    failed = invoke(project, "run", NAME, "--dry-run")
    assert failed.exit_code == 1 and "Integration tests failed" in failed.stderr
    stuck = one(plan(project, NAME))
    assert stuck["rerun"] == ["deploy"] and stuck["gate"] is None
    assert "did not pass" in stuck["deploy"]["refused"]

    edit(project, "  threshold: 70\n", "  threshold: 5\n")
    found = one(plan(project, NAME))
    steps = {s["step"]: s for s in found["steps"]}
    assert steps["test"]["reason"] == "test.threshold changed in the manifest" and found["mapping"] is None
    gate = found["gate"]
    assert gate["passed"] is False and gate["would_pass"] is True and gate["threshold_was"] == 70
    assert gate["score"] < 70
    assert "test.threshold changes from 70 to 5 (the gate flips)" in gate["notes"]
    assert found["deploy"]["refused"] is None
    text = invoke(project, "plan", NAME).stdout
    assert f"gate: would pass, predicted from test {gate['test']}'s results" in text
    assert f"health score {gate['score']:g} >= threshold 5; that test failed at threshold 70" in text


def test_a_spec_edited_on_disk_is_contract_drift_and_a_new_mapping(project: Path) -> None:
    run_all(project)
    spec = project / "integrations/specs/mailwave.yaml"
    spec.write_text(spec.read_text().replace('        organization: {type: [string, "null"]}\n', ""))
    found = one(plan(project, NAME))
    steps = {s["step"]: s for s in found["steps"]}
    assert steps["ingest"]["reason"].startswith("the destination spec changed on disk (specs/mailwave.yaml: sha256 ")
    assert steps["map"]["reason"].startswith("ingest is stale (the destination spec changed on disk")
    assert found["rerun"] == ["ingest", "map", "test", "deploy"]
    source, destination = found["specs"]["sides"]
    assert not source["changed"] and destination["changed"]
    (change,) = found["specs"]["drift"]["changes"]
    assert (change["field"], change["change"], change["breaking"], change["mapped"]) == (
        "organization",
        "removed",
        True,
        True,
    )
    assert [(f["dest_field"], f["change"]) for f in found["mapping"]["diff"]["fields"]] == [("organization", "removed")]
    text = invoke(project, "plan", NAME).stdout
    assert "BREAKING destination POST /contacts field `organization` was removed (the mapping uses it)" in text
    assert "    - organization (was <- company_name, mapping, confidence 0.93)" in text


KUBERNETES = (
    "deploy:\n  target: kubernetes\n  environment: eks\n  replicas: 2\n"
    "  kubernetes: {namespace: integrations, host: integrations.example.com}\n"
)


@pytest.fixture
def kubernetes_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    manifest = project / "integrations" / f"{NAME}.yaml"
    text = manifest.read_text().replace("deploy:\n  target: process\n  environment: local\n", KUBERNETES)
    manifest.write_text(text + "runtime:\n  state: {type: postgresql}\n")
    return project


def test_kubernetes_renders_a_diff_of_the_manifests_and_never_a_secret_value(kubernetes_project: Path) -> None:
    project = kubernetes_project
    first = invoke(project, "plan", NAME)
    assert first.exit_code == 0, first.output
    assert "+++ b/deployment.yaml (planned)" in first.stdout and "secretKeyRef" in first.stdout
    assert "cannot render" not in first.stdout  # "(known after test)" versions pass strict validation
    assert '+    vitesse.dev/test-version: "(known after test)"' in first.stdout
    for env in SECRETS:
        assert f"+            - name: {env}\n" in first.stdout
    assert "+  replicas: 2\n" in first.stdout
    assert all(value not in first.stdout for value in SECRETS.values())  # whole files: names, never values

    assert invoke(project, "deploy", NAME, "--dry-run").exit_code == 1  # the gate: nothing tested yet
    run_all(project)
    edit(project, "  replicas: 2\n", "  replicas: 3\n  memory_mb: 1024\n")
    before = snapshot(project)
    text = invoke(project, "plan", NAME)
    found = one(plan(project, NAME))
    assert snapshot(project) == before
    assert found["rerun"] == ["deploy"]
    deploy = found["deploy"]
    assert deploy["settings"] == {
        "replicas": {"before": 2, "after": 3},
        "memory_mb": {"before": 512, "after": 1024},
    }
    assert deploy["bundle"] == {} and deploy["last_dry_run"] is True
    assert list(deploy["manifests"]) == ["deployment.yaml"]  # the same bundle: the ConfigMap has not one byte changed
    diff = deploy["manifests"]["deployment.yaml"]
    assert "-  replicas: 2\n+  replicas: 3\n" in diff
    assert "-              memory: 512Mi\n+              memory: 1024Mi\n" in diff
    assert "    ~ replicas: 2 -> 3" in text.stdout and "    --- a/deployment.yaml (deploy " in text.stdout
    everything = text.stdout + json.dumps(found)
    for value in SECRETS.values():
        assert value not in everything
    stored = json.loads(
        (project / ".vitesse/artifacts" / NAME / "deploy" / f"{deploy['compared_with']}.json").read_text()
    )
    assert stored["data"]["settings"]["env"] == sorted(SECRETS)
    rendered = json.dumps(stored["data"]["manifests"])
    assert all(value not in rendered for value in SECRETS.values())


def test_a_manifest_that_does_not_load_is_its_place_and_exit_1(project: Path) -> None:
    (project / "integrations" / "broken.yaml").write_text("version: 1\nname: broken\ntest: {sample_size: 500}\n")
    result = invoke(project, "plan", "broken")
    assert result.exit_code == 1
    assert "broken.yaml:3:21: test.sample_size: must be <= 100 (got 500) [manifest.out_of_range]" in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.stdout.startswith("broken: the manifest does not load (3 problems, on stderr)\n")
    every = invoke(project, "plan", "--json")
    assert every.exit_code == 1
    document = json.loads(every.stdout)
    assert document["errors"] == 1
    broken = next(p for p in document["integrations"] if p["name"] == "broken")
    assert any(":3:21: test.sample_size" in problem for problem in broken["errors"]) and broken["steps"] == []
    assert {p["name"] for p in document["integrations"] if not p["errors"]} == {
        "crm-to-mailwave",
        "issues-to-tasks",
        "mailwave-to-crm",
    }
    unknown = invoke(project, "plan", "nosuch")
    assert unknown.exit_code == 1 and "no such integration 'nosuch'" in unknown.stderr
