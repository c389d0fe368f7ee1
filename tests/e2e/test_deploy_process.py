"""The process target end to end: deploy the demo integration, sync through it, redeploy, stop."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.e2e import fake_apis
from vitesse.cli import cli
from vitesse.deploy.process import _alive

pytestmark = pytest.mark.network
SECRETS = {"ACME_CRM_TOKEN": "crm-secret-token-123", "MAILWAVE_API_KEY": "mw-secret-key-456"}


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def test_deploy_sync_redeploy_stop(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    records = fake_apis.customers(120)
    with fake_apis.source(records) as src, fake_apis.destination() as dst:
        manifest = project / "integrations" / "crm-to-mailwave.yaml"
        text = manifest.read_text()
        text = text.replace("  spec: specs/acme-crm.yaml\n", f"  spec: specs/acme-crm.yaml\n  base_url: {src.url}\n")
        text = text.replace("  spec: specs/mailwave.yaml\n", f"  spec: specs/mailwave.yaml\n  base_url: {dst.url}\n")
        # a cold start on a loaded CI machine (no .pyc yet) may take longer than the 30 s default
        text = text.replace("  target: process\n", "  target: process\n  health_timeout_seconds: 180\n")
        manifest.write_text(text)
        for step in ("ingest", "map", "test"):
            assert invoke(project, step, "crm-to-mailwave").exit_code == 0
        first = invoke(project, "deploy", "crm-to-mailwave", "--json")
        assert first.exit_code == 0, first.stderr
        data = json.loads(first.stdout)
        assert data["current_step"] == "ACTIVE" and data["data"]["target"] == "process"
        assert data["data"]["container_id"].startswith("vitesse-")
        url = data["data"]["service_url"]
        assert httpx.get(url + "/health").json()["status"] == "ok"
        synced = httpx.post(url + "/sync", timeout=60).json()["data"]
        assert (synced["read"], synced["written"]) == (120, 120)
        assert len(dst.applied) == 120
        status = json.loads(invoke(project, "status", "crm-to-mailwave", "--json").stdout)
        assert status["status"] == "active"
        old_pid = json.loads((project / ".vitesse/deploy/crm-to-mailwave/process.json").read_text())["pid"]

        manifest.write_text(manifest.read_text() + "runtime: {concurrency: 4}\n")
        second = json.loads(invoke(project, "deploy", "crm-to-mailwave", "--json").stdout)["data"]
        new_pid = json.loads((project / ".vitesse/deploy/crm-to-mailwave/process.json").read_text())["pid"]
        assert new_pid != old_pid and not _alive(old_pid) and _alive(new_pid)
        assert second["service_url"] != url
        again = httpx.post(second["service_url"] + "/sync", timeout=60).json()["data"]
        assert (again["read"], again["written"], again["skipped"]) == (120, 0, 120)  # state carried over

        stopped = invoke(project, "deploy", "crm-to-mailwave", "--stop")
        assert stopped.exit_code == 0 and not _alive(new_pid)
        logs = (project / ".vitesse/deploy/crm-to-mailwave/runtime.log").read_text()
        artifacts = "".join(p.read_text() for p in (project / ".vitesse").rglob("*.json"))
        for secret in SECRETS.values():
            assert secret not in logs and secret not in artifacts


def test_unhealthy_new_deployment_keeps_the_old_one(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    first = json.loads(invoke(project, "deploy", "crm-to-mailwave", "--json").stdout)["data"]
    pid = json.loads((project / ".vitesse/deploy/crm-to-mailwave/process.json").read_text())["pid"]
    try:
        manifest = project / "integrations" / "crm-to-mailwave.yaml"
        manifest.write_text(
            manifest.read_text().replace("  target: process\n", "  target: process\n  health_timeout_seconds: 0.05\n")
        )
        failed = invoke(project, "deploy", "crm-to-mailwave")
        assert failed.exit_code == 1 and "did not become healthy" in failed.stderr
        assert _alive(pid) and httpx.get(first["service_url"] + "/health").status_code == 200
    finally:
        invoke(project, "deploy", "crm-to-mailwave", "--stop")
    assert not _alive(pid)


@pytest.mark.postgres
def test_postgresql_state_reaches_the_process_by_environment(
    project: Path, monkeypatch: pytest.MonkeyPatch, postgres
) -> None:
    """No --state: the process inherits the URL's env var; the delivery marks live in PostgreSQL across redeploys."""
    url = postgres.create_database("deploy_process")
    for name, value in {**SECRETS, "CRM_STATE_URL": url}.items():
        monkeypatch.setenv(name, value)
    records = fake_apis.customers(40)
    with fake_apis.source(records) as src, fake_apis.destination() as dst:
        manifest = project / "integrations" / "crm-to-mailwave.yaml"
        text = manifest.read_text()
        text = text.replace("  spec: specs/acme-crm.yaml\n", f"  spec: specs/acme-crm.yaml\n  base_url: {src.url}\n")
        text = text.replace("  spec: specs/mailwave.yaml\n", f"  spec: specs/mailwave.yaml\n  base_url: {dst.url}\n")
        manifest.write_text(text + "runtime:\n  state: {type: postgresql, url_env: CRM_STATE_URL}\n")
        for step in ("ingest", "map", "test"):
            assert invoke(project, step, "crm-to-mailwave").exit_code == 0
        workdir = project / ".vitesse/deploy/crm-to-mailwave"
        try:
            first = invoke(project, "deploy", "crm-to-mailwave", "--json")
            assert first.exit_code == 0, first.stderr
            pid = json.loads((workdir / "process.json").read_text())["pid"]
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            assert b"--state" not in argv
            url_one = json.loads(first.stdout)["data"]["service_url"]
            synced = httpx.post(url_one + "/sync", timeout=60).json()["data"]
            assert (synced["read"], synced["written"]) == (40, 40)

            manifest.write_text(manifest.read_text().replace("runtime:\n", "runtime:\n  concurrency: 4\n"))
            second = invoke(project, "deploy", "crm-to-mailwave", "--json")
            assert second.exit_code == 0, second.stderr
            again = httpx.post(json.loads(second.stdout)["data"]["service_url"] + "/sync", timeout=60).json()["data"]
            assert (again["read"], again["written"], again["skipped"]) == (40, 0, 40)  # the marks are in PostgreSQL
            assert len(dst.applied) == 40 and not (workdir / "state.sqlite").exists()
        finally:
            invoke(project, "deploy", "crm-to-mailwave", "--stop")
        texts = (workdir / "runtime.log").read_text() + "".join(p.read_text() for p in project.rglob("*.json"))
        assert postgres.password not in texts
