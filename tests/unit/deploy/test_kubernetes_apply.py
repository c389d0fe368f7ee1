"""Applying to Kubernetes, against a local HTTP stand-in of the API server.

No real API server can run on this machine, so this stand-in accepts server-side apply and merge PATCHes, stores the
objects and reports the Deployment as rolled out after a couple of reads; it checks what vitesse sends, not
Kubernetes. Two behaviours of the real server are copied because vitesse depends on them: an apply is merged into
the live object (fields no manager owns, such as defaults, stay), a Deployment gets the default RollingUpdate
strategy, and a Deployment with ``type: Recreate`` and a ``rollingUpdate`` is refused with 422.
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
        path = self.path.split("?")[0]
        content_type = self.headers["Content-Type"]
        self.server.patches.append((path, content_type, self.path.split("?")[1]))
        live = self.server.objects.get(path)
        if content_type == "application/merge-patch+json":
            if live is None:
                return self.send(404, {"kind": "Status", "code": 404})
            document = merge_patch(live, json.loads(body))
        else:
            document = merge(live, yaml.safe_load(body)) if live else yaml.safe_load(body)
        if document["kind"] == "Deployment":
            strategy = document["spec"].setdefault("strategy", {"type": "RollingUpdate"})
            if strategy["type"] == "RollingUpdate":
                strategy.setdefault("rollingUpdate", {"maxSurge": "25%", "maxUnavailable": "25%"})
            elif "rollingUpdate" in strategy:
                message = (
                    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
                )
                return self.send(422, {"kind": "Status", "code": 422, "message": message})
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


def merge(live: dict, applied: dict) -> dict:
    """Roughly what server-side apply does to fields no one else owns: maps merge, everything else is replaced."""
    out = dict(live)
    for key, value in applied.items():
        out[key] = merge(live[key], value) if isinstance(value, dict) and isinstance(live.get(key), dict) else value
    return out


def merge_patch(live: dict, patch: dict) -> dict:
    """RFC 7386: null deletes, maps merge, everything else is replaced."""
    out = dict(live)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(live.get(key), dict):
            out[key] = merge_patch(live[key], value)
        else:
            out[key] = value
    return out


@pytest.fixture
def api_server() -> Iterator[ApiServer]:
    server = ApiServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def kubernetes_manifest(project: Path, api_server: ApiServer, deploy: str = "", runtime: str = "") -> Path:
    """Point the example integration at the stand-in, with extra ``deploy`` lines and a ``runtime`` section."""
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
            f"deploy:\n  target: kubernetes\n{deploy}  kubernetes: {{namespace: integrations, "
            f"kubeconfig: '{kubeconfig}'}}\n",
        )
        + runtime
    )
    return manifest


NS = "/api/v1/namespaces/integrations"
DEPLOYMENT = "/apis/apps/v1/namespaces/integrations/deployments/vitesse-crm-to-mailwave"
CLAIM = f"{NS}/persistentvolumeclaims/vitesse-crm-to-mailwave-state"


def test_server_side_apply_and_rollout(project: Path, api_server: ApiServer) -> None:
    kubernetes_manifest(project, api_server, deploy="  replicas: 2\n", runtime="runtime: {state: {type: postgresql}}\n")
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
    assert status["service"] == "deployed"  # status calls no remote API: applied, not checked
    assert "not checked" in status["service_detail"]

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
    assert status["status"] == "stopped" and status["service"] == "stopped"


def deploy_ok(project: Path) -> None:
    result = CliRunner().invoke(cli, ["deploy", "crm-to-mailwave", "--project", str(project)])
    assert result.exit_code == 0, result.stderr


def test_sqlite_state_claim_is_applied_first_and_kept_on_stop(project: Path, api_server: ApiServer) -> None:
    kubernetes_manifest(project, api_server, deploy="  health_timeout_seconds: 20\n")
    runner = CliRunner()
    for step in ("ingest", "map", "test"):
        assert runner.invoke(cli, [step, "crm-to-mailwave", "--project", str(project)]).exit_code == 0
    deploy_ok(project)
    assert [(p, ct.split("/")[1]) for p, ct, _ in api_server.patches] == [
        (f"{NS}/configmaps/vitesse-crm-to-mailwave-bundle", "apply-patch+yaml"),
        (CLAIM, "apply-patch+yaml"),
        (DEPLOYMENT, "merge-patch+json"),  # no Deployment yet: 404, and the apply creates it
        (DEPLOYMENT, "apply-patch+yaml"),
        (f"{NS}/services/vitesse-crm-to-mailwave", "apply-patch+yaml"),
        ("/apis/networking.k8s.io/v1/namespaces/integrations/ingresses/vitesse-crm-to-mailwave", "apply-patch+yaml"),
    ]
    claim = api_server.objects[CLAIM]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert api_server.objects[DEPLOYMENT]["spec"]["strategy"] == {"type": "Recreate"}

    # --stop deletes everything but the claim: the state outlives the deployment and a redeploy resumes from it
    stopped = runner.invoke(cli, ["deploy", "crm-to-mailwave", "--stop", "--project", str(project)])
    assert stopped.exit_code == 0, stopped.stderr
    assert list(api_server.objects) == [CLAIM]
    assert CLAIM not in [path for path, _ in api_server.deletes]
    deploy_ok(project)
    assert DEPLOYMENT in api_server.objects and api_server.objects[CLAIM]["spec"] == claim["spec"]


def test_switching_state_kinds_changes_the_strategy(project: Path, api_server: ApiServer) -> None:
    """A Deployment with the default rolling strategy (an older vitesse, or PostgreSQL state) becomes Recreate."""
    manifest = kubernetes_manifest(project, api_server, runtime="runtime: {state: {type: postgresql}}\n")
    runner = CliRunner()
    for step in ("ingest", "map", "test"):
        assert runner.invoke(cli, [step, "crm-to-mailwave", "--project", str(project)]).exit_code == 0
    api_server.objects[DEPLOYMENT] = {  # what the previous vitesse left: emptyDir, a defaulted strategy nobody owns
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "vitesse-crm-to-mailwave", "namespace": "integrations"},
        "spec": {
            "replicas": 1,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {"spec": {"volumes": [{"name": "state", "emptyDir": {}}]}},
        },
    }
    deploy_ok(project)
    spec = api_server.objects[DEPLOYMENT]["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    assert [v["name"] for v in spec["template"]["spec"]["volumes"]] == ["bundle"]
    assert CLAIM not in api_server.objects

    manifest.write_text(manifest.read_text().replace("runtime: {state: {type: postgresql}}\n", ""))
    deploy_ok(project)
    spec = api_server.objects[DEPLOYMENT]["spec"]
    assert spec["strategy"] == {"type": "Recreate"}
    assert {v["name"]: v for v in spec["template"]["spec"]["volumes"]}["state"] == {
        "name": "state",
        "persistentVolumeClaim": {"claimName": "vitesse-crm-to-mailwave-state"},
    }
    assert CLAIM in api_server.objects
