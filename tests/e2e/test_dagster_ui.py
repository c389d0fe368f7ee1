"""The Dagster UI in headless Chromium: `dagster dev` on 127.0.0.1, started the way README says (nux and telemetry
off), after `vitesse run` from the CLI. The artifact_history sensor brings the CLI's steps into Dagster: the asset
page shows the materialization with the artifact's version as its data version, and the health-score check's page
plots every component of the score. Screenshots are kept in ci-artifacts/ for people to look at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, run_cli
from tests.e2e.conftest import free_port
from tests.support.chromium import chromium
from tests.support.processes import stop
from vitesse.artifacts import ArtifactStore
from vitesse.deploy.process import stop_pid

pytestmark = pytest.mark.browser
NAME = "crm-to-mailwave"
DAGSTER = Path(sys.executable).parent / "dagster"
LATEST = """query ($path: [String!]!) {
  assetOrError(assetKey: {path: $path}) {
    ... on Asset { assetMaterializations(limit: 1) { tags { key value } } }
  }
}"""


def dev_instance(home: Path) -> None:
    """The README's `make dagster` instance: nux (the community modal) and telemetry off."""
    home.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["make", "-s", "dagster-home", f"DAGSTER_HOME={home}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    config = (home / "dagster.yaml").read_text()
    assert "nux:\n  enabled: false" in config and "telemetry:\n  enabled: false" in config


def latest_data_version(url: str, step: str) -> str | None:
    answer = httpx.post(
        url + "/graphql", json={"query": LATEST, "variables": {"path": ["integ", NAME, step]}}, timeout=10
    ).json()
    found = (answer.get("data") or {}).get("assetOrError") or {}
    for event in found.get("assetMaterializations") or []:
        return {t["key"]: t["value"] for t in event["tags"]}.get("dagster/data_version")
    return None


def test_cli_run_shows_in_the_dagster_ui(project: Path, tmp_path: Path) -> None:
    done = run_cli("run", NAME, cwd=project)
    assert done.returncode == 0, done.stderr
    store = ArtifactStore.for_project(project)
    versions = {step: store.latest_version(NAME, step) for step in ("ingest", "map", "test", "deploy")}
    home = tmp_path / "dagster-home"
    dev_instance(home)
    port = free_port()
    env = {**os.environ, "VITESSE_PROJECT": str(project), "DAGSTER_HOME": str(home), "VITESSE_HISTORY_INTERVAL": "5"}
    log_path = tmp_path / "dagster-dev.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [DAGSTER, "dev", "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    shots = ROOT / "ci-artifacts"
    shots.mkdir(exist_ok=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if all(latest_data_version(url, step) == v for step, v in versions.items()):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(2)
        else:
            pytest.fail(f"the CLI's steps did not reach Dagster: {log_path.read_text()[-3000:]}")

        graph = f"{url}/locations/pipelines.definitions/asset-groups/integ_crm_to_mailwave"
        dom = chromium(tmp_path / "profile-1", "--dump-dom", graph).stdout
        for step in ("ingest", "map", "test", "deploy"):
            assert f">{step}<" in dom, f"the asset graph does not show {step}"
        chromium(tmp_path / "profile-2", f"--screenshot={shots / 'dagster-asset-graph.png'}", graph)

        test_page = f"{url}/assets/integ/{NAME}/test"
        dom = chromium(tmp_path / "profile-3", "--dump-dom", test_page).stdout
        assert versions["test"] in dom, "the test asset's page does not show the artifact version"
        chromium(tmp_path / "profile-4", f"--screenshot={shots / 'dagster-test-asset.png'}", test_page)
        check_page = f"{test_page}?view=checks"  # the health-score check: its latest metadata and its plots
        checks = chromium(tmp_path / "profile-5", "--dump-dom", check_page).stdout
        assert "health_score" in checks and ">Plots<" in checks, "the check's page has no plots"
        plotted = checks[checks.index(">Plots<") :]
        for component in ("overall", "success_rate", "endpoint_coverage", "data_quality", "reliability"):
            assert f">{component}<" in plotted, f"the check's page does not plot {component}"
        chromium(tmp_path / "profile-6", f"--screenshot={shots / 'dagster-health-check.png'}", check_page)
        for shot in shots.glob("dagster-*.png"):
            assert shot.stat().st_size > 10_000, shot
    finally:
        stop(server, grace=60)
        record = project / ".vitesse" / "deploy" / NAME / "process.json"
        if record.exists():
            stop_pid(json.loads(record.read_text())["pid"])
