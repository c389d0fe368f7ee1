"""Kubernetes manifests: rendered from the bundle, strictly valid for 1.30 and 1.34, secrets only by reference.

Applying them needs an API server, which cannot run here; these tests cover rendering, validation and --dry-run
(test_kubernetes_apply.py applies them to a stand-in). Two shapes of state: PostgreSQL (several replicas, HPA, the
URL as a Secret reference, no volume) and SQLite (one replica, a PersistentVolumeClaim, strategy Recreate).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from vitesse.cli import cli
from vitesse.deploy.kubernetes import validate_manifests
from vitesse.errors import DeployError

SECRETS = {
    "ACME_CRM_TOKEN": "crm-very-secret-1",
    "MAILWAVE_API_KEY": "mw-very-secret-2",
    "VITESSE_STATE_URL": "postgresql://vitesse:pg-very-secret-3@db.internal/vitesse",
}
STATE_ARGS = ["--state", "/var/lib/vitesse/state.sqlite"]


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


@pytest.fixture
def kubernetes_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "deploy:\n  target: process\n  environment: local\n",
            "deploy:\n  target: kubernetes\n  environment: eks\n  replicas: 2\n  memory_mb: 256\n  cpu_cores: 0.25\n"
            "  auto_scale: true\n  kubernetes: {namespace: integrations, host: integrations.example.com}\n",
        )
        + "runtime:\n  state: {type: postgresql}\n"
    )
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    return project


@pytest.fixture
def sqlite_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One replica on SQLite state (the default), with a sized claim on a named storage class."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "deploy:\n  target: process\n  environment: local\n",
            "deploy:\n  target: kubernetes\n  environment: eks\n"
            "  kubernetes: {namespace: integrations, state_size: 5Gi, storage_class: gp3}\n",
        )
    )
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    return project


def rendered(project: Path) -> dict[str, str]:
    result = invoke(project, "deploy", "crm-to-mailwave", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    version = json.loads(result.stdout)["data"]["version"]
    return json.loads((project / ".vitesse/artifacts/crm-to-mailwave/deploy" / f"{version}.json").read_text())


def test_dry_run_renders_every_manifest(kubernetes_project: Path) -> None:
    artifact = rendered(kubernetes_project)
    manifests = artifact["data"]["manifests"]
    assert sorted(manifests) == ["configmap.yaml", "deployment.yaml", "hpa.yaml", "ingress.yaml", "service.yaml"]
    deployment = yaml.safe_load(manifests["deployment.yaml"])
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert deployment["spec"]["replicas"] == 2
    assert container["resources"]["limits"] == {"cpu": "250m", "memory": "256Mi"}
    assert container["readinessProbe"]["httpGet"]["path"] == "/health"
    # the PostgreSQL URL is a Secret reference like the auth secrets, and the runtime gets no --state
    assert {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]} == {
        name: {"name": "vitesse-crm-to-mailwave-secrets", "key": name} for name in SECRETS
    }
    assert container["command"] == ["python3", "-m", "vitesse"]
    assert container["args"] == [
        *("runtime", "serve", "--bundle", "/etc/vitesse/bundle.json", "--host", "0.0.0.0", "--port", "8080")
    ]
    assert [v["name"] for v in pod["volumes"]] == ["bundle"]
    assert [m["mountPath"] for m in container["volumeMounts"]] == ["/etc/vitesse"]
    assert deployment["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    labels = deployment["metadata"]["labels"]
    assert labels["vitesse.dev/integration"] == "crm-to-mailwave" and "vitesse.dev/map-version" in labels
    ingress = yaml.safe_load(manifests["ingress.yaml"])
    assert ingress["spec"]["rules"][0]["host"] == "integrations.example.com"
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["path"].startswith("/vitesse-")
    bundle = json.loads(yaml.safe_load(manifests["configmap.yaml"])["data"]["bundle.json"])
    assert bundle["integration"] == "crm-to-mailwave"
    assert yaml.safe_load(manifests["hpa.yaml"])["spec"]["maxReplicas"] == 8
    assert artifact["data"]["dry_run"] is True and artifact["data"]["target"] == "kubernetes"


def test_sqlite_state_lives_on_a_claim(sqlite_project: Path) -> None:
    manifests = rendered(sqlite_project)["data"]["manifests"]
    assert sorted(manifests) == ["configmap.yaml", "deployment.yaml", "ingress.yaml", "pvc.yaml", "service.yaml"]
    assert list(manifests).index("pvc.yaml") < list(manifests).index("deployment.yaml")  # applied in this order
    claim = yaml.safe_load(manifests["pvc.yaml"])
    assert claim["metadata"] == {
        "name": "vitesse-crm-to-mailwave-state",
        "namespace": "integrations",
        "labels": {
            "app.kubernetes.io/name": "vitesse",
            "app.kubernetes.io/instance": "vitesse-crm-to-mailwave",
            "app.kubernetes.io/managed-by": "vitesse",
            "vitesse.dev/integration": "crm-to-mailwave",
        },  # no version labels: the claim outlives every bundle
    }
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "gp3",
        "resources": {"requests": {"storage": "5Gi"}},
    }
    deployment = yaml.safe_load(manifests["deployment.yaml"])
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}  # an RWO volume: old pod out before the new one
    assert container["args"][-2:] == STATE_ARGS
    assert {v["name"]: v for v in pod["volumes"]}["state"] == {
        "name": "state",
        "persistentVolumeClaim": {"claimName": "vitesse-crm-to-mailwave-state"},
    }
    assert {"name": "state", "mountPath": "/var/lib/vitesse"} in container["volumeMounts"]
    assert "emptyDir" not in manifests["deployment.yaml"]
    assert {e["name"] for e in container["env"]} == {"ACME_CRM_TOKEN", "MAILWAVE_API_KEY"}  # no state URL


def test_claim_defaults(sqlite_project: Path) -> None:
    manifest = sqlite_project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text().replace(", state_size: 5Gi, storage_class: gp3", ""))
    claim = yaml.safe_load(rendered(sqlite_project)["data"]["manifests"]["pvc.yaml"])
    assert claim["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}


@pytest.mark.parametrize("version", ["1.30", "1.34"])
def test_manifests_pass_strict_validation(kubernetes_project: Path, version: str) -> None:
    validate_manifests(rendered(kubernetes_project)["data"]["manifests"], version)


@pytest.mark.parametrize("version", ["1.30", "1.34"])
def test_sqlite_manifests_pass_strict_validation(sqlite_project: Path, version: str) -> None:
    manifests = rendered(sqlite_project)["data"]["manifests"]
    validate_manifests(manifests, version)
    broken = dict(manifests, **{"pvc.yaml": manifests["pvc.yaml"].replace("accessModes", "accessMode")})
    with pytest.raises(DeployError, match=r"pvc\.yaml: .*accessMode"):
        validate_manifests(broken, version)


def test_replicas_on_sqlite_are_refused_before_rendering(sqlite_project: Path) -> None:
    manifest = sqlite_project / "integrations" / "crm-to-mailwave.yaml"
    text = manifest.read_text()
    for setting, named in (
        ("  replicas: 3\n", "deploy.replicas: 3"),
        ("  auto_scale: true\n", "deploy.auto_scale: true"),
    ):
        manifest.write_text(text.replace("  environment: eks\n", "  environment: eks\n" + setting))
        result = invoke(sqlite_project, "deploy", "crm-to-mailwave", "--dry-run")
        assert result.exit_code == 1
        assert f"{named} needs a state all replicas share, but runtime.state is sqlite" in result.stderr
        assert "runtime.state: {type: postgresql, url_env: VITESSE_STATE_URL}" in result.stderr
    assert not (sqlite_project / ".vitesse/artifacts/crm-to-mailwave/deploy").exists()
    assert not (sqlite_project / ".vitesse/deploy/crm-to-mailwave").exists()  # not even a bundle was written


def test_a_typo_is_caught(kubernetes_project: Path) -> None:
    manifests = rendered(kubernetes_project)["data"]["manifests"]
    broken = dict(
        manifests, **{"deployment.yaml": manifests["deployment.yaml"].replace("  replicas: 2", "  replica: 2")}
    )
    with pytest.raises(DeployError, match=r"deployment.yaml: .*replica"):
        validate_manifests(broken, "1.34")
    wrong_type = dict(manifests, **{"service.yaml": manifests["service.yaml"].replace("port: 80", "port: eighty")})
    with pytest.raises(DeployError, match=r"service\.yaml"):
        validate_manifests(wrong_type, "1.30")


def test_secret_values_appear_nowhere(kubernetes_project: Path) -> None:
    artifact_text = json.dumps(rendered(kubernetes_project))
    bundles = "".join(p.read_text() for p in (kubernetes_project / ".vitesse").rglob("*.json"))
    for secret in SECRETS.values():
        assert secret not in artifact_text
        assert secret not in bundles


def test_no_cluster_is_a_clear_error(kubernetes_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubernetes_project / "missing-kubeconfig"))
    monkeypatch.setenv("HOME", str(kubernetes_project))
    result = invoke(kubernetes_project, "deploy", "crm-to-mailwave")
    assert result.exit_code == 1
    assert "no Kubernetes cluster configured" in result.stderr and "--dry-run" in result.stderr


def test_deploy_refused_without_a_passing_test(project: Path) -> None:
    for step in ("ingest", "map"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    result = invoke(project, "deploy", "crm-to-mailwave")
    assert result.exit_code == 1 and "run `vitesse test crm-to-mailwave` before deploy" in result.stderr
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.6\n  ignore: [email_address]\n")
    )
    invoke(project, "map", "crm-to-mailwave")
    assert invoke(project, "test", "crm-to-mailwave").exit_code == 1
    refused = invoke(project, "deploy", "crm-to-mailwave")
    assert refused.exit_code == 1 and "the latest test did not pass" in refused.stderr
    assert not (project / ".vitesse/artifacts/crm-to-mailwave/deploy").exists()


@pytest.mark.parametrize(
    ("cores", "memory", "expected"),
    [
        (0.25, 256, (256, 512)),
        (0.5, 1024, (512, 1024)),
        (0.5, 1500, (512, 2048)),
        (1, 512, (1024, 2048)),
        (0.25, 4096, (512, 4096)),
        (3, 8192, (4096, 8192)),
    ],
)
def test_fargate_sizes(cores: float, memory: int, expected: tuple[int, int]) -> None:
    from vitesse.deploy.ecs import fargate_size

    assert fargate_size(cores, memory) == expected
