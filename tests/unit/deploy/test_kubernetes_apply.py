"""Applying to Kubernetes, against a local HTTP stand-in of the API server.

No real API server can run on this machine, so this stand-in accepts server-side apply PATCHes, stores the objects
and reports the Deployment as rolled out after a couple of reads; it checks what vitesse sends, not Kubernetes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from vitesse.cli import cli


class ApiServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.objects: dict[str, dict] = {}
        self.patches: list[tuple[str, str, str]] = []
        self.deletes: list[tuple[str, int]] = []
        self.reads = 0


class Handler(BaseHTTPRequestHandler):
    server: ApiServer

    def log_message(self, *args: object) -> None:
        pass

    def do_PATCH(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        document = yaml.safe_load(body)
        path = self.path.split("?")[0]
        self.server.patches.append((path, self.headers["Content-Type"], self.path.split("?")[1]))
        document.setdefault("metadata", {})["generation"] = 1
        self.server.objects[path] = document
        self.send(200, document)

    def do_DELETE(self) -> None:
        path = self.path.split("?")[0]
        found = self.server.objects.pop(path, None)
        self.server.deletes.append((path, 200 if found else 404))
        self.send(200 if found else 404, {"kind": "Status", "code": 200 if found else 404})

    def do_GET(self) -> None:
        path = self.path.split("?")[0].removesuffix("/status")
        found = self.server.objects.get(path)
        if found is None:
            return self.send(404, {"kind": "Status", "code": 404})
        self.server.reads += 1
        replicas = found["spec"]["replicas"] if self.server.reads >= 2 else 0
        self.send(
            200,
            {
                **found,
                "status": {
                    "observedGeneration": 1,
                    "replicas": replicas,
                    "updatedReplicas": replicas,
                    "availableReplicas": replicas,
                },
            },
        )

    def send(self, code: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def api_server() -> Iterator[ApiServer]:
    server = ApiServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_server_side_apply_and_rollout(project: Path, api_server: ApiServer) -> None:
    kubeconfig = project / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "test",
                "clusters": [
                    {"name": "test", "cluster": {"server": f"http://127.0.0.1:{api_server.server_address[1]}"}}
                ],
                "users": [{"name": "test", "user": {"token": "stand-in-token"}}],
                "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}],
            }
        )
    )
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "deploy:\n  target: process\n",
            f"deploy:\n  target: kubernetes\n  replicas: 2\n  kubernetes: {{namespace: integrations, "
            f"kubeconfig: '{kubeconfig}'}}\n",
        )
    )
    runner = CliRunner()
    for step in ("ingest", "map", "test"):
        assert runner.invoke(cli, [step, "crm-to-mailwave", "--project", str(project)]).exit_code == 0
    result = runner.invoke(cli, ["deploy", "crm-to-mailwave", "--project", str(project), "--json"])
    assert result.exit_code == 0, result.stderr
    paths = [p for p, _, _ in api_server.patches]
    assert paths == [
        "/api/v1/namespaces/integrations/configmaps/vitesse-crm-to-mailwave-bundle",
        "/apis/apps/v1/namespaces/integrations/deployments/vitesse-crm-to-mailwave",
        "/api/v1/namespaces/integrations/services/vitesse-crm-to-mailwave",
        "/apis/networking.k8s.io/v1/namespaces/integrations/ingresses/vitesse-crm-to-mailwave",
    ]
    assert all(
        ct == "application/apply-patch+yaml" and "fieldManager=vitesse" in q and "force=true" in q
        for _, ct, q in api_server.patches
    )
    assert api_server.reads >= 2  # it waited for the rollout
    envelope = json.loads(result.stdout)
    assert envelope["current_step"] == "ACTIVE"
    status = json.loads(runner.invoke(cli, ["status", "crm-to-mailwave", "--json", "--project", str(project)]).stdout)
    assert status["status"] == "active"

    # --stop deletes what was applied (the Deployment first); stopping again finds nothing and is fine
    for _ in range(2):
        stopped = runner.invoke(cli, ["deploy", "crm-to-mailwave", "--stop", "--project", str(project)])
        assert stopped.exit_code == 0, stopped.stderr
    assert api_server.objects == {}
    first = [path for path, _ in api_server.deletes[:5]]
    assert first[0] == "/apis/apps/v1/namespaces/integrations/deployments/vitesse-crm-to-mailwave"
    assert set(first) == set(paths) | {
        "/apis/autoscaling/v2/namespaces/integrations/horizontalpodautoscalers/vitesse-crm-to-mailwave"
    }
    assert all(code == 404 for _, code in api_server.deletes[5:])
    status = json.loads(runner.invoke(cli, ["status", "crm-to-mailwave", "--json", "--project", str(project)]).stdout)
    assert status["status"] == "stopped"
