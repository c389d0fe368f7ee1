"""The Dagster UI in headless Chromium: `dagster dev` on 127.0.0.1 shows an integration's four step assets and its
health-score check. The screenshot is kept in ci-artifacts/ for people to look at."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import free_port
from tests.support.chromium import chromium

pytestmark = pytest.mark.browser


def test_asset_graph_in_the_browser(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "dagster-home"
    home.mkdir()
    (home / "dagster.yaml").write_text("nux:\n  enabled: false\ntelemetry:\n  enabled: false\n")  # no modal
    port = free_port()
    env = {**os.environ, "VITESSE_PROJECT": str(project), "DAGSTER_HOME": str(home)}
    with (tmp_path / "dagster-dev.log").open("wb") as log:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "dagster"),
                "dev",
                "-m",
                "pipelines.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            pytest.fail(f"dagster dev did not start: {(tmp_path / 'dagster-dev.log').read_text()[-2000:]}")
        graph = f"{url}/locations/pipelines.definitions/asset-groups/integ_crm_to_mailwave"
        dom = chromium(tmp_path / "profile-1", "--dump-dom", graph).stdout
        for step in ("ingest", "map", "test", "deploy"):
            assert f">{step}<" in dom, f"the asset graph does not show {step}"
        checks = chromium(
            tmp_path / "profile-2", "--dump-dom", f"{url}/assets/integ/crm-to-mailwave/test?view=checks"
        ).stdout
        assert "health_score" in checks
        shots = ROOT / "ci-artifacts"
        shots.mkdir(exist_ok=True)
        shot = shots / "dagster-asset-graph.png"
        chromium(tmp_path / "profile-3", f"--screenshot={shot}", graph)
        assert shot.exists() and shot.stat().st_size > 10_000
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
