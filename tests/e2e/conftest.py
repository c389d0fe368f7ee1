"""Real components for end-to-end tests: Stoplight Prism mock servers on 127.0.0.1 (installed by `npm ci`)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES, ROOT

PRISM = ROOT / "node_modules" / ".bin" / "prism"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrismServer:
    def __init__(self, spec: Path) -> None:
        self.spec = spec
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="prism-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(PRISM), "mock", str(spec), "-h", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = Path(self.log.name).read_text(errors="replace")
                raise RuntimeError(f"prism exited for {self.spec}: {output[-2000:]}")
            try:
                httpx.get(self.url + "/__vitesse_probe__", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"prism did not start on {self.url} for {self.spec} within {timeout} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def prism() -> Iterator[Callable[[Path], str]]:
    """Start (once per spec) a Prism mock of ``spec`` and return its URL. Missing Prism is a failure, not a skip."""
    if not PRISM.exists():
        pytest.fail(f"Prism is not installed at {PRISM}: run `npm ci` (the CI script does)")
    servers: dict[Path, PrismServer] = {}

    def start(spec: Path) -> str:
        if spec not in servers:
            server = PrismServer(spec)
            servers[spec] = server
            server.wait()
        return servers[spec].url

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture
def empty_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with the example specs and no manifests: integrations are created through the API."""
    monkeypatch.delenv("VITESSE_HOME", raising=False)
    shutil.copytree(EXAMPLES / "specs", tmp_path / "integrations" / "specs")
    return tmp_path


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """What a webhook at ``$VITESSE_ALERT_WEBHOOK`` receives."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("VITESSE_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_address[1]}/alerts")
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def failed_retest(project: Path, name: str):
    """Run the integration's re-test job (its schedule's) in process, assert that it failed, and evaluate the
    `retest_alerts` run-failure sensor on that failure, as the sensor daemon would; the run's result."""
    from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context

    from pipelines.definitions import build_definitions

    defs = build_definitions(project)
    instance = DagsterInstance.ephemeral(tempdir=str(project / "dagster"))
    job = defs.resolve_job_def(f"retest_{name.replace('-', '_')}")
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(
        e
        for e in instance.all_logs(result.run_id)
        if e.dagster_event and e.dagster_event.event_type == DagsterEventType.RUN_FAILURE
    )
    sensor = next(s for s in defs.sensors if s.name == "retest_alerts")
    context = build_run_status_sensor_context(
        sensor_name="retest_alerts",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    )
    sensor(context.for_run_failure())
    return result
