"""The docker target against a real dockerd started by this test (own data-root, exec-root, pidfile and socket;
overlay2; no iptables, no bridge) and a base image built with mmdebstrap, as DESIGN.md section 8 describes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.e2e import fake_apis
from vitesse.artifacts import ArtifactStore
from vitesse.cli import cli
from vitesse.deploy.service import service_state

pytestmark = pytest.mark.docker
SECRETS = {"ACME_CRM_TOKEN": "crm-secret-token-123", "MAILWAVE_API_KEY": "mw-secret-key-456"}
BASE = "vitesse-base:bookworm"


def run(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture(scope="module")
def dockerd() -> Iterator[str]:
    for tool in ("dockerd", "docker", "mmdebstrap"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (CI installs docker.io and mmdebstrap)")
    root = Path(tempfile.mkdtemp(prefix="vitesse-dockerd-"))
    socket = root / "docker.sock"
    host = f"unix://{socket}"
    log = (root / "dockerd.log").open("wb")
    daemon = subprocess.Popen(
        [
            "dockerd",
            "--data-root",
            str(root / "data"),
            "--exec-root",
            str(root / "exec"),
            "--pidfile",
            str(root / "docker.pid"),
            "-H",
            host,
            "--storage-driver",
            "overlay2",
            "--iptables=false",
            "--bridge=none",
        ],
        stdout=log,
        stderr=log,
    )
    env = {**os.environ, "DOCKER_HOST": host}
    deadline = time.monotonic() + 60
    while run("docker", "info", env=env).returncode != 0:
        if time.monotonic() > deadline or daemon.poll() is not None:
            daemon.kill()
            pytest.fail(f"dockerd did not start: {(root / 'dockerd.log').read_text()[-2000:]}")
        time.sleep(0.5)
    # the base image: a minimal Debian with python3 and CA certificates (plus libstdc++ for numpy/scipy wheels)
    mm = subprocess.Popen(
        [
            "mmdebstrap",
            "--variant=essential",
            "--include=python3,python3-pip,python3-venv,ca-certificates,libstdc++6",
            "bookworm",
            "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    imported = subprocess.run(
        ["docker", "import", "-", BASE], stdin=mm.stdout, env=env, capture_output=True, check=False
    )
    mm.stdout.close()
    mm.wait()
    if imported.returncode != 0 or mm.returncode != 0:
        daemon.kill()
        pytest.fail(f"building the base image failed: {imported.stderr.decode()[-1000:]}")
    try:
        yield host
    finally:
        containers = run("docker", "ps", "-aq", env=env).stdout.split()
        if containers:
            run("docker", "rm", "-f", *containers, env=env)
        images = run("docker", "images", "-q", env=env).stdout.split()
        if images:
            run("docker", "rmi", "-f", *set(images), env=env)
        daemon.terminate()
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def test_docker_deploy_sync_redeploy_and_broken_build(
    project: Path, dockerd: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    env = {**os.environ, "DOCKER_HOST": dockerd}
    records = fake_apis.customers(60)
    with fake_apis.source(records) as src, fake_apis.destination() as dst:
        manifest = project / "integrations" / "crm-to-mailwave.yaml"
        text = manifest.read_text().replace("deploy:\n  target: process\n", "deploy:\n  target: docker\n")
        text = text.replace("  spec: specs/acme-crm.yaml\n", f"  spec: specs/acme-crm.yaml\n  base_url: {src.url}\n")
        text = text.replace("  spec: specs/mailwave.yaml\n", f"  spec: specs/mailwave.yaml\n  base_url: {dst.url}\n")
        manifest.write_text(text)
        first = invoke(project, "run", "crm-to-mailwave", "--json")
        assert first.exit_code == 0, first.stderr
        url = json.loads(first.stdout)["data"]["service_url"]
        assert httpx.get(url + "/health").json()["status"] == "ok"
        synced = httpx.post(url + "/sync", timeout=120).json()["data"]
        assert (synced["read"], synced["written"]) == (60, 60) and len(dst.applied) == 60
        record = json.loads((project / ".vitesse/deploy/crm-to-mailwave/docker.json").read_text())
        inspect = json.loads(run("docker", "inspect", record["container_id"], env=env).stdout)[0]
        assert inspect["HostConfig"]["Init"] is True
        assert inspect["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
        labels = inspect["Config"]["Labels"]
        assert labels["traefik.enable"] == "true" and any("PathPrefix(`/vitesse-" in v for v in labels.values())
        assert "ACME_CRM_TOKEN=crm-secret-token-123" in inspect["Config"]["Env"]  # given at run time ...
        image = json.loads(run("docker", "image", "inspect", record["image"], env=env).stdout)[0]
        assert not any("secret" in e for e in image["Config"]["Env"])  # ... never baked into the image
        state = service_state(ArtifactStore.for_project(project), "crm-to-mailwave")
        assert state.state == "running" and record["container_id"][:12] in state.detail, state  # asked the daemon
        assert "did not answer" not in state.detail

        manifest.write_text(manifest.read_text() + "runtime: {concurrency: 4}\n")
        second = invoke(project, "deploy", "crm-to-mailwave", "--json")
        assert second.exit_code == 0, second.stderr
        new = json.loads((project / ".vitesse/deploy/crm-to-mailwave/docker.json").read_text())
        assert new["container_id"] != record["container_id"]
        assert run("docker", "inspect", record["container_id"], env=env).returncode != 0  # the old one is gone
        serving = json.loads(second.stdout)["data"]["service_url"]
        assert httpx.get(serving + "/health").status_code == 200
        again = httpx.post(serving + "/sync", timeout=120).json()["data"]
        assert (again["read"], again["written"], again["skipped"]) == (60, 0, 60)  # the state outlived the container
        mounts = json.loads(run("docker", "inspect", new["container_id"], env=env).stdout)[0]["Mounts"]
        assert [(m["Source"], m["Destination"]) for m in mounts] == [
            (str(project / ".vitesse/deploy/crm-to-mailwave/state"), "/data")
        ]

        manifest.write_text(
            manifest.read_text().replace(
                "  target: docker\n", "  target: docker\n  docker: {base_image: 'no-such:image'}\n"
            )
        )
        broken = invoke(project, "deploy", "crm-to-mailwave")
        assert broken.exit_code == 1 and "Docker image build failed" in broken.stderr
        assert "previous deployment keeps running" in broken.stderr
        assert httpx.get(serving + "/health").status_code == 200  # the previous container still serves
        assert run("docker", "kill", new["container_id"], env=env).returncode == 0
        killed = service_state(ArtifactStore.for_project(project), "crm-to-mailwave")
        assert killed.state == "unhealthy" and "exited" in killed.detail, killed

        manifest.write_text(manifest.read_text().replace("  docker: {base_image: 'no-such:image'}\n", ""))
        assert invoke(project, "deploy", "crm-to-mailwave", "--stop").exit_code == 0
        assert run("docker", "inspect", new["container_id"], env=env).returncode != 0
        assert service_state(ArtifactStore.for_project(project), "crm-to-mailwave").state == "stopped"
        artifacts = "".join(p.read_text() for p in (project / ".vitesse").rglob("*.json"))
        for secret in SECRETS.values():
            assert secret not in artifacts


@pytest.mark.postgres
def test_docker_postgresql_state(project: Path, dockerd: str, monkeypatch: pytest.MonkeyPatch, postgres) -> None:
    """The URL's env var is given to the container at run time (host networking reaches the loopback server)."""
    url = postgres.create_database("deploy_docker")
    monkeypatch.setenv("DOCKER_HOST", dockerd)
    for name, value in {**SECRETS, "VITESSE_STATE_URL": url}.items():
        monkeypatch.setenv(name, value)
    env = {**os.environ, "DOCKER_HOST": dockerd}
    with fake_apis.source(fake_apis.customers(30)) as src, fake_apis.destination() as dst:
        manifest = project / "integrations" / "crm-to-mailwave.yaml"
        text = manifest.read_text().replace("deploy:\n  target: process\n", "deploy:\n  target: docker\n")
        text = text.replace("  spec: specs/acme-crm.yaml\n", f"  spec: specs/acme-crm.yaml\n  base_url: {src.url}\n")
        text = text.replace("  spec: specs/mailwave.yaml\n", f"  spec: specs/mailwave.yaml\n  base_url: {dst.url}\n")
        manifest.write_text(text + "runtime: {state: {type: postgresql}}\n")
        first = invoke(project, "run", "crm-to-mailwave", "--json")
        assert first.exit_code == 0, first.stderr
        try:
            url_one = json.loads(first.stdout)["data"]["service_url"]
            synced = httpx.post(url_one + "/sync", timeout=120).json()["data"]
            assert (synced["read"], synced["written"]) == (30, 30) and len(dst.applied) == 30
            record = json.loads((project / ".vitesse/deploy/crm-to-mailwave/docker.json").read_text())
            inspect = json.loads(run("docker", "inspect", record["container_id"], env=env).stdout)[0]
            assert f"VITESSE_STATE_URL={url}" in inspect["Config"]["Env"] and inspect["Mounts"] == []
            assert "--state" not in inspect["Args"]
            image = json.loads(run("docker", "image", "inspect", record["image"], env=env).stdout)[0]
            assert not any(postgres.password in e for e in image["Config"]["Env"])
        finally:
            assert invoke(project, "deploy", "crm-to-mailwave", "--stop").exit_code == 0
        artifacts = "".join(p.read_text() for p in (project / ".vitesse").rglob("*.json"))
        assert postgres.password not in artifacts
