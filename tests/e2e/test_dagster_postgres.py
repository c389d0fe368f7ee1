"""`dagster.yaml.example` on a real PostgreSQL: the Dagster CLI materializes one integration through it.

The instance is the project's own example, read here and adapted only where it cannot run on this machine; run,
event-log and schedule storage stay on PostgreSQL, and every assertion reads PostgreSQL itself (psycopg), not
Dagster's API over it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.conftest import ROOT, run_cli
from vitesse.deploy.process import _alive

pytestmark = pytest.mark.postgres

NAME = "crm-to-mailwave"
SCHEDULE = "retest_crm_to_mailwave"
STEPS = ("ingest", "map", "test", "deploy")


def adapted_example() -> dict:
    """The example, with the run launcher swapped for Dagster's default (everything else as users get it)."""
    config = yaml.safe_load((ROOT / "dagster.yaml.example").read_text())
    postgres = config["storage"]["postgres"]["postgres_db"]
    assert {key: postgres[key] for key in ("hostname", "port", "username", "password")} == {
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "port": {"env": "DAGSTER_PG_PORT"},
        "username": {"env": "DAGSTER_PG_USER"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
    }, "the test points the example at its server through these env vars"
    assert config["run_launcher"]["class"] == "K8sRunLauncher"
    # No Kubernetes cluster here (and dagster-k8s is not installed): runs launched by the daemon would start as
    # local processes. `dagster asset materialize` launches nothing anyway: it executes the run in its own process,
    # so neither the launcher nor the QueuedRunCoordinator (kept as is) takes part in this run.
    config["run_launcher"] = {"module": "dagster.core.launcher", "class": "DefaultRunLauncher"}
    return config


def _process_group(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def dagster(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the real `dagster` CLI on the code location; also waits for the code server it may start to exit."""
    command = [str(Path(sys.executable).parent / "dagster"), *args]
    command += ["-m", "pipelines.definitions", "--working-directory", str(ROOT)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        deadline = time.monotonic() + 30
        while _process_group(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _process_group(process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        assert not left, f"`dagster {args[0]} {args[1]}` left processes behind: {left}"
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def stop_deployment(project: Path) -> None:
    record = project / ".vitesse" / "deploy" / NAME / "process.json"
    if not record.exists():
        return
    pid = json.loads(record.read_text())["pid"]
    done = run_cli("deploy", NAME, "--stop", "--project", str(project), cwd=project)
    assert done.returncode == 0, done.stderr
    assert not _alive(pid)


def test_example_instance_materializes_on_postgres(project: Path, postgres, tmp_path: Path) -> None:
    url = postgres.create_database("dagster")  # the example's db_name
    home = tmp_path / "dagster-home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(adapted_example(), sort_keys=False))
    env = {k: v for k, v in os.environ.items() if k not in ("VITESSE_HOME", "VITESSE_DEBUG")}
    env |= {
        "DAGSTER_HOME": str(home),
        "VITESSE_PROJECT": str(project),
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(postgres.port),
        "DAGSTER_PG_USER": postgres.user,
        "DAGSTER_PG_PASSWORD": postgres.password,
    }

    try:
        done = dagster("asset", "materialize", "--select", f'key:"integ/{NAME}/*"', env=env)
    finally:
        stop_deployment(project)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not list(home.rglob("*.db"))  # nothing fell back to SQLite

    with psycopg.connect(url) as conn:
        [(run_id, status)] = conn.execute("SELECT run_id, status FROM runs").fetchall()
        assert status == "SUCCESS"
        events = conn.execute(
            "SELECT dagster_event_type, asset_key, event FROM event_logs WHERE run_id = %s ORDER BY id", (run_id,)
        ).fetchall()
        types = [kind for kind, _, _ in events]
        assert types.index("PIPELINE_START") < types.index("STEP_START") < types.index("PIPELINE_SUCCESS")
        assert "STEP_FAILURE" not in types
        materialized = [(json.loads(key), event) for kind, key, event in events if kind == "ASSET_MATERIALIZATION"]
        assert [key for key, _ in materialized] == [["integ", NAME, step] for step in STEPS]
        for (_, event), step in zip(materialized, STEPS, strict=True):
            version = (project / ".vitesse" / "artifacts" / NAME / step / "latest").read_text()
            assert f'"dagster/data_version": "{version}"' in event  # the artifact's content hash
        keys = {json.loads(key)[-1] for (key,) in conn.execute("SELECT asset_key FROM asset_keys")}
        assert keys == set(STEPS)
        checks = conn.execute("SELECT asset_key, check_name, execution_status, run_id FROM asset_check_executions")
        assert checks.fetchall() == [(json.dumps(["integ", NAME, "test"]), "health_score", "SUCCEEDED", run_id)]
        # the example's pool default (one op at a time per integration) reached the instance's storage
        pools = conn.execute('SELECT concurrency_key, "limit" FROM concurrency_limits').fetchall()
        assert pools == [("integ_crm_to_mailwave", 1)]

    # The schedule runs by default (nothing stored yet); stopping and starting it writes schedule storage.
    for command, expected in (("stop", "STOPPED"), ("start", "RUNNING")):
        done = dagster("schedule", command, SCHEDULE, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        with psycopg.connect(url) as conn:
            [(state, kind, body)] = conn.execute(
                "SELECT status, instigator_type, instigator_body FROM instigators"
            ).fetchall()
        assert (state, kind) == (expected, "SCHEDULE")
        body = json.loads(body)
        assert body["origin"]["job_name"] == SCHEDULE
        assert body["job_specific_data"]["cron_schedule"] == "0 */6 * * *"
