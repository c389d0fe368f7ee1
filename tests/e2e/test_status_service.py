"""`vitesse status`'s service column for a real process deployment: running, unhealthy, stopped; never the pipeline's
status (which moves on with every step run)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from vitesse.cli import cli
from vitesse.deploy.process import _alive

pytestmark = pytest.mark.network
NAME = "crm-to-mailwave"
SECRETS = {"ACME_CRM_TOKEN": "crm-secret-token-123", "MAILWAVE_API_KEY": "mw-secret-key-456"}


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def service(project: Path) -> tuple[str, dict]:
    """The list view's service cell and the single view's JSON."""
    listing = json.loads(invoke(project, "status", "--json").stdout)
    single = json.loads(invoke(project, "status", NAME, "--json").stdout)
    return {i["manifest_name"]: i["service"] for i in listing["data"]}[NAME], single


def kill(pid: int) -> None:
    """The runtime runs in a session of its own (setsid) and is not our child: kill its group, wait until gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGCONT)
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_service_column_follows_the_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    manifest = project / "integrations" / f"{NAME}.yaml"
    # a cold start on a loaded CI machine (no .pyc yet) may take longer than the 30 s default
    manifest.write_text(
        manifest.read_text().replace("  target: process\n", "  target: process\n  health_timeout_seconds: 180\n")
    )
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, NAME).exit_code == 0
    assert service(project)[1]["service"] == "-"
    assert invoke(project, "deploy", NAME, "--dry-run").exit_code == 0
    cell, single = service(project)
    assert (cell, single["service"], single["service_detail"]) == ("-", "-", "never deployed")  # a dry run

    pid = 0
    try:
        deployed = invoke(project, "deploy", NAME, "--json")
        assert deployed.exit_code == 0, deployed.stderr
        url = json.loads(deployed.stdout)["data"]["service_url"]
        pid = json.loads((project / ".vitesse/deploy" / NAME / "process.json").read_text())["pid"]
        cell, single = service(project)
        assert (cell, single["service"], single["service_url"]) == ("running", "running", url)
        assert f"pid {pid}" in single["service_detail"]
        assert f"service: running (pid {pid}, {url}/health answers)" in invoke(project, "status", NAME).stdout

        os.killpg(pid, signal.SIGSTOP)  # alive, but /health cannot answer
        try:
            started = time.monotonic()
            cell, single = service(project)
            assert (cell, single["service"]) == ("unhealthy", "unhealthy")
            assert "/health does not answer" in single["service_detail"]
            assert time.monotonic() - started < 10  # a short timeout, not a hang
        finally:
            os.killpg(pid, signal.SIGCONT)
        assert service(project)[0] == "running"

        stopped = invoke(project, "deploy", NAME, "--stop")
        assert stopped.exit_code == 0, stopped.stderr
        assert not _alive(pid)
        cell, single = service(project)
        assert (cell, single["service"], single["status"]) == ("stopped", "stopped", "stopped")
        # the pipeline's status moves on with the next step run; the service stays stopped
        edit = manifest.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.5\n")
        manifest.write_text(edit)
        assert invoke(project, "map", NAME).exit_code == 0
        cell, single = service(project)
        assert (cell, single["service"], single["status"]) == ("stopped", "stopped", "testing")
    finally:
        if pid and _alive(pid):
            invoke(project, "deploy", NAME, "--stop")
            kill(pid)
    assert not _alive(pid)
