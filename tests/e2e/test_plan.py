"""The issue's check for `vitesse plan`, with the real command: after a full `vitesse run` (a real process on the
process target), a hint edit makes plan name map, test and deploy stale with the key that changed and the mapping
change; after `vitesse run` again the plan is empty. And a Kubernetes copy of the manifest, dry-run deployed, whose
replicas and memory change shows as a diff of the rendered manifests (no cluster: rendering is all plan does)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.network  # the deployed runtime listens on a loopback port
NAME = "crm-to-mailwave"
SECRETS = {"ACME_CRM_TOKEN": "crm-secret-token-123", "MAILWAVE_API_KEY": "mw-secret-key-456"}


def vitesse(project: Path, *args: str):
    return run_cli(*args, "--project", str(project), cwd=project, env=SECRETS)


def artifacts(project: Path) -> dict[str, str]:
    """The artifact store and the manifests, by content (the running service writes its own log and state)."""
    found = {}
    for top in (".vitesse/artifacts", "integrations"):
        for path in sorted((project / top).rglob("*")):
            if path.is_file() and path.name != ".lock":
                found[str(path.relative_to(project))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def test_a_hint_edit_after_a_run_then_no_changes_after_the_next(project: Path) -> None:
    manifest = project / "integrations" / f"{NAME}.yaml"
    # a cold start on a loaded CI machine (no .pyc yet) may take longer than the 30 s default
    manifest.write_text(
        manifest.read_text().replace("  target: process\n", "  target: process\n  health_timeout_seconds: 180\n")
    )
    try:
        ran = vitesse(project, "run", NAME)
        assert ran.returncode == 0, ran.stderr
        assert "active at http://127.0.0.1:" in ran.stdout
        quiet = vitesse(project, "plan", NAME, "--detailed-exitcode")
        assert quiet.returncode == 0, quiet.stderr
        assert quiet.stdout.startswith(f"{NAME}: no changes (every step is current)\n")

        manifest.write_text(
            manifest.read_text().replace("    id: external_id\n", "    id: external_id\n    phone: phone_number\n")
        )
        before = artifacts(project)
        planned = vitesse(project, "plan", NAME)
        assert planned.returncode == 0, planned.stderr
        out = planned.stdout
        assert out.startswith(f"{NAME}: map, test, deploy will re-run\n")
        assert "    map     " in out and "mapping.hints changed in the manifest" in out
        assert "test is stale (map: mapping.hints changed in the manifest)" in out
        assert "    ~ phone_number: confidence 0.94 -> 1" in out
        assert "gate: would pass, predicted from test " in out and "(not a new test" in out
        assert "deploy (process; against deploy " in out and "~ bundle: " in out and "(known after test)" in out
        assert "    service now: running (pid " in out
        assert f"to apply: `vitesse map {NAME}`, then `vitesse test {NAME}`, then `vitesse deploy {NAME}`" in out
        assert all(value not in out for value in SECRETS.values())
        assert vitesse(project, "plan", NAME, "--detailed-exitcode").returncode == 2
        assert artifacts(project) == before  # plan wrote nothing, deployed nothing

        again = vitesse(project, "run", NAME)
        assert again.returncode == 0, again.stderr
        empty = vitesse(project, "plan", "--json")
        assert empty.returncode == 0, empty.stderr
        document = json.loads(empty.stdout)
        mine = next(p for p in document["integrations"] if p["name"] == NAME)
        assert mine["changes"] is False and mine["rerun"] == [] and mine["commands"] == []
        assert vitesse(project, "plan", NAME).stdout.startswith(f"{NAME}: no changes")
    finally:
        vitesse(project, "deploy", NAME, "--stop")


def test_a_kubernetes_copy_dry_run_then_replicas_and_memory_change(project: Path) -> None:
    copy = project / "integrations" / "crm-to-cluster.yaml"
    text = (project / "integrations" / f"{NAME}.yaml").read_text()
    text = text.replace(f"name: {NAME}\n", "name: crm-to-cluster\n").replace(
        "deploy:\n  target: process\n  environment: local\n",
        "deploy:\n  target: kubernetes\n  environment: eks\n  kubernetes: {namespace: integrations}\n",
    )
    copy.write_text(text)
    for step in ("ingest", "map", "test"):
        done = vitesse(project, step, "crm-to-cluster")
        assert done.returncode == 0, done.stderr
    dry = vitesse(project, "deploy", "crm-to-cluster", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert vitesse(project, "plan", "crm-to-cluster").stdout.startswith("crm-to-cluster: no changes")

    copy.write_text(
        copy.read_text().replace("  environment: eks\n", "  environment: eks\n  memory_mb: 1024\n  cpu_cores: 1\n")
    )
    planned = vitesse(project, "plan", "crm-to-cluster")
    assert planned.returncode == 0, planned.stderr
    out = planned.stdout
    assert out.startswith("crm-to-cluster: deploy will re-run\n")
    assert "deploy.cpu_cores, deploy.memory_mb changed in the manifest" in out
    assert "    ~ memory_mb: 512 -> 1024\n" in out and "    ~ cpu_cores: 0.5 -> 1.0\n" in out
    assert "note: the latest deploy (" in out and "was a dry run" in out
    assert "    --- a/deployment.yaml (deploy " in out and "    +++ b/deployment.yaml (planned)" in out
    resources = "    -              cpu: 500m\n    -              memory: 512Mi\n"
    resources += "    +              cpu: 1000m\n    +              memory: 1024Mi\n"
    assert out.count(resources) == 2  # requests and limits
    assert "configmap.yaml" not in out  # the bundle is the same
