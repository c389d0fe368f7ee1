"""The REST API end to end: `vitesse api` as a subprocess over real HTTP, and the seed's requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import free_port
from tests.support.processes import stop

API = "/api/v1/vitesse/integrations"
SEED_CREATE = {
    "name": "Acme CRM to Mailwave Sync",
    "source_discovery": {
        "api_name": "Acme CRM",
        "description": "CRM Platform",
        "base_url": "https://api.acme-crm.example",
        "documentation_url": "https://docs.acme-crm.example",
        "confidence_score": 0.95,
        "source": "catalog",
    },
    "dest_discovery": {
        "api_name": "Mailwave",
        "description": "Marketing Platform",
        "base_url": "https://api.mailwave.example",
        "documentation_url": "https://docs.mailwave.example",
        "confidence_score": 0.95,
        "source": "catalog",
    },
    "user_intent": "Sync contacts between platforms",
    "deployment_target": "local",
}
SPECS = {"source_spec_url": "specs/acme-crm.yaml", "dest_spec_url": "specs/mailwave.yaml"}


class ApiServer:
    """`vitesse api --project DIR --port N` in its own process group."""

    def __init__(self, project: Path, env: dict[str, str] | None = None, *args: str) -> None:
        self.project = project
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = project / "api.log"
        environment = {k: v for k, v in os.environ.items() if k not in ("VITESSE_HOME", "VITESSE_DEBUG")}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "vitesse"),
                    "api",
                    "--project",
                    str(project),
                    "--port",
                    str(self.port),
                    *args,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environment | (env or {}),
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vitesse api exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"vitesse api did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        stop(self.process, grace=15)
        from vitesse.deploy.process import stop_pid

        for record in (self.project / ".vitesse" / "deploy").glob("*/process.json"):
            stop_pid(json.loads(record.read_text())["pid"])


def assert_failed(response: httpx.Response, status: int, *words: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"status", "error", "http_status", "code"}
    assert body["status"] == "failed" and body["http_status"] == status
    assert "Traceback" not in body["error"]
    for word in words:
        assert word in body["error"], body["error"]
    return body


def create_and_ingest(api: httpx.Client, name: str, **extra: object) -> str:
    created = api.post(API, json={**SEED_CREATE, "name": name, **extra})
    assert created.status_code == 201, created.text
    iid = created.json()["integration_id"]
    assert api.post(f"{API}/{iid}/ingest", json=SPECS).status_code == 200
    return iid
