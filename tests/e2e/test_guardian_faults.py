"""The test step against a destination sandbox that misbehaves: timeouts, 429 with Retry-After, 500s.
Reliability drops and each code is reported; the step stays within its time budget and never crashes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vitesse.errors import GateError
from vitesse.guardian import test_integration
from vitesse.ingest import ingest
from vitesse.mapping import map_integration
from vitesse.project import Project

pytestmark = pytest.mark.network


class FaultServer(ThreadingHTTPServer):
    mode = "ok"
    requests = 0


class Handler(BaseHTTPRequestHandler):
    server: FaultServer

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests += 1
        mode = self.server.mode
        if mode == "timeout":
            time.sleep(2)
            self.send(201)
        elif mode == "429":
            self.send(429, {"Retry-After": "1"})
        elif mode == "429-then-ok":
            self.send(429, {"Retry-After": "0.2"}) if self.server.requests % 2 == 1 else self.send(201)
        elif mode == "500":
            self.send(500)
        elif mode == "mixed":
            self.send((201, 500, 503)[self.server.requests % 3])
        else:
            self.send(201)

    def send(self, code: int, headers: dict[str, str] | None = None) -> None:
        body = b'{"id": "3f0e4a52-8d0b-4e3c-9a57-2c1de6a1b0c4"}'
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    httpd = FaultServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def project_with_sandbox(project: Path, url: str) -> Project:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    text = (
        manifest.read_text()
        .replace(
            "  auth: {type: api_key, in: header, name: X-Mailwave-Key, key_env: MAILWAVE_API_KEY}\n",
            f"  auth: {{type: api_key, in: header, name: X-Mailwave-Key, key_env: MAILWAVE_API_KEY}}\n"
            f"  sandbox_url: {url}\n",
        )
        .replace("  sample_size: 10\n", "  sample_size: 6\n  timeout_seconds: 0.5\n  budget_seconds: 8\n")
    )
    manifest.write_text(text)
    proj = Project(project)
    mf = proj.load("crm-to-mailwave")
    ingest(mf, proj.store)
    map_integration(mf, proj.store)
    return proj


def run(proj: Project) -> dict:
    mf = proj.load("crm-to-mailwave")
    started = time.monotonic()
    try:
        results = test_integration(mf, proj.store).data
    except GateError:
        results = proj.store.latest("crm-to-mailwave", "test").data
    results["wall_seconds"] = time.monotonic() - started
    return results


def server_url(server: FaultServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_healthy_sandbox_baseline(project: Path, server: FaultServer) -> None:
    results = run(project_with_sandbox(project, server_url(server)))
    assert results["status_codes"] == {"201": 6}
    assert results["health_score"]["reliability"] == 100 and results["passed"]


@pytest.mark.parametrize(("mode", "code"), [("timeout", "timeout"), ("429", "429"), ("500", "500")])
def test_faults_lower_reliability_and_are_reported_per_code(
    project: Path, server: FaultServer, mode: str, code: str
) -> None:
    server.mode = mode
    results = run(project_with_sandbox(project, server_url(server)))
    assert results["health_score"]["reliability"] == 0
    assert results["status_codes"] == {code: 6}
    assert not results["passed"]
    assert results["failures"][0]["field"] == "(sandbox)" and results["failures"][0]["problem"] == code
    assert results["failures"][0]["suggestion"]
    assert results["wall_seconds"] < 8 + 3  # the budget, plus slack for this shared machine


def test_429_is_retried_after_retry_after(project: Path, server: FaultServer) -> None:
    server.mode = "429-then-ok"
    results = run(project_with_sandbox(project, server_url(server)))
    assert results["status_codes"] == {"201": 6}
    assert server.requests == 12  # every record: one 429, then a retry that succeeded
    assert results["passed"]


def test_mixed_faults_partially_lower_reliability(project: Path, server: FaultServer) -> None:
    server.mode = "mixed"
    results = run(project_with_sandbox(project, server_url(server)))
    assert results["status_codes"] == {"201": 2, "500": 2, "503": 2}
    assert results["health_score"]["reliability"] == pytest.approx(33.3, abs=0.1)


def test_unreachable_sandbox_is_a_result_not_a_crash(project: Path) -> None:
    results = run(project_with_sandbox(project, "http://127.0.0.1:9"))
    assert results["status_codes"] == {"connection": 6}
    assert "could not be reached" in results["failures"][0]["suggestion"]
