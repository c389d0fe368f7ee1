"""Where each target keeps the runtime's state, and the refusal of several replicas on SQLite (issue 12).

The refusal comes before the gate, the bundle or any rendering, on every target. PostgreSQL state reaches the
runtime as an env var like the auth secrets; the docker and process targets take it from the deploying shell and
refuse to start without it. (The docker target's container itself is run in tests/e2e/test_deploy_docker.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import run_cli
from vitesse.cli import cli
from vitesse.deploy import TARGETS
from vitesse.deploy.docker import DockerTarget, run_options
from vitesse.deploy.process import ProcessTarget
from vitesse.deploy.render import DeployContext
from vitesse.errors import DeployError
from vitesse.project import Project
from vitesse.runtime.bundle import build_bundle, write_bundle

SECRETS = {"ACME_CRM_TOKEN": "crm-very-secret-1", "MAILWAVE_API_KEY": "mw-very-secret-2"}
STATE_URL = "postgresql://vitesse:pg-very-secret-3@127.0.0.1:5432/vitesse"


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def configure(project: Path, deploy: str, runtime: str = "") -> Path:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    text = manifest.read_text().split("deploy:\n")[0]
    manifest.write_text(f"{text}deploy:\n{deploy}{runtime}")
    return manifest


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize(
    ("settings", "asked", "fix"),
    [
        ("  replicas: 3\n", "deploy.replicas: 3", "or deploy.replicas: 1"),
        ("  auto_scale: true\n", "deploy.auto_scale: true", "or deploy.auto_scale: false"),
        (
            "  replicas: 2\n  auto_scale: true\n",
            "deploy.replicas: 2 and deploy.auto_scale: true",
            "or deploy.replicas: 1 and deploy.auto_scale: false",
        ),
    ],
)
def test_several_replicas_on_sqlite_are_refused_on_every_target(
    project: Path, target: str, settings: str, asked: str, fix: str
) -> None:
    configure(project, f"  target: {target}\n{settings}")
    result = invoke(project, "deploy", "crm-to-mailwave", "--json")  # no test yet: this comes before the gate
    assert result.exit_code == 1
    error = json.loads(result.stdout)
    assert (error["code"], error["http_status"]) == ("deploy.sqlite_replicas", 400)  # bad settings, not a failure
    assert error["error"] == (
        f"{project / 'integrations' / 'crm-to-mailwave.yaml'}: {asked} needs a state all replicas share, but "
        "runtime.state is sqlite (each replica would sync on its own file and write every record once per replica); "
        "set runtime.state: {type: postgresql, url_env: VITESSE_STATE_URL} with the postgresql:// URL in that env "
        f"var, {fix}"
    )
    assert not (project / ".vitesse" / "deploy").exists()  # no bundle, nothing rendered


def test_the_refusal_is_one_line_from_the_real_command(project: Path) -> None:
    configure(project, "  target: kubernetes\n  replicas: 3\n")
    result = run_cli("deploy", "crm-to-mailwave", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith("crm-to-mailwave: ")]
    assert errors == [
        "error: integrations/crm-to-mailwave.yaml: deploy.replicas: 3 needs a state all replicas share, but "
        "runtime.state is sqlite (each replica would sync on its own file and write every record once per replica); "
        "set runtime.state: {type: postgresql, url_env: VITESSE_STATE_URL} with the postgresql:// URL in that env "
        "var, or deploy.replicas: 1"
    ]


def test_postgresql_state_allows_replicas(project: Path) -> None:
    configure(
        project, "  target: kubernetes\n  replicas: 3\n  auto_scale: true\n", "runtime: {state: {type: postgresql}}\n"
    )
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    result = invoke(project, "deploy", "crm-to-mailwave", "--dry-run")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("deploy", "expected"),
    [
        ("  kubernetes: {state_size: lots}\n", "deploy.kubernetes.state_size"),
        ("  kubernetes: {state_size: 0Gi}\n", "deploy.kubernetes.state_size"),
        ("  kubernetes: {storage_class: Fast_SSD}\n", "deploy.kubernetes.storage_class"),
        ("  ecs: {efs_file_system_id: my-volume}\n", "deploy.ecs.efs_file_system_id"),
        ("  ecs: {efs_file_system_id: fs-0123abcd, efs_access_point_id: ap-1}\n", "deploy.ecs.efs_access_point_id"),
    ],
)
def test_new_deploy_keys_are_checked_with_their_place(project: Path, deploy: str, expected: str) -> None:
    configure(project, f"  target: process\n{deploy}")
    result = invoke(project, "deploy", "crm-to-mailwave")
    assert result.exit_code == 1
    assert "integrations/crm-to-mailwave.yaml:37:" in result.stderr and f"{expected}:" in result.stderr


def context(project: Path) -> DeployContext:
    for step in ("ingest", "map"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    proj = Project(project)
    mf = proj.load("crm-to-mailwave")
    bundle = build_bundle(mf, proj.store)
    workdir = proj.store.home / "deploy" / mf.name
    workdir.mkdir(parents=True, exist_ok=True)
    return DeployContext(mf, bundle, write_bundle(bundle, workdir / f"bundle-{bundle.version}.json"), workdir)


def test_docker_sqlite_state_is_a_host_folder_that_outlives_containers(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**SECRETS, "VITESSE_STATE_URL": STATE_URL}.items():
        monkeypatch.setenv(name, value)
    configure(project, "  target: docker\n")
    first = context(project)
    options = run_options(first, 18080)
    folder = project / ".vitesse" / "deploy" / "crm-to-mailwave" / "state"
    assert folder.is_dir()
    assert options["volumes"] == {str(folder): {"bind": "/data", "mode": "rw"}}
    assert options["command"][-2:] == ["--state", "/data/state.sqlite"]
    assert options["environment"] == {**SECRETS, "VITESSE_PORT": "18080"}  # the state URL is not SQLite's business
    assert options["restart_policy"] == {"Name": "unless-stopped"} and options["init"] is True

    # a changed bundle (a redeploy) gets a new container on the same folder
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text() + "runtime: {concurrency: 4}\n")
    second = context(project)
    assert second.bundle.version != first.bundle.version
    again = run_options(second, 18081)
    assert again["volumes"] == options["volumes"] and again["name"] != options["name"]


def test_docker_postgresql_state_url_comes_from_the_shell(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**SECRETS, "CRM_STATE_URL": STATE_URL}.items():
        monkeypatch.setenv(name, value)
    configure(project, "  target: docker\n", "runtime: {state: {type: postgresql, url_env: CRM_STATE_URL}}\n")
    ctx = context(project)
    options = run_options(ctx, 18080)
    assert options["volumes"] == {}
    assert "--state" not in options["command"] and options["command"][-2:] == ["--port", "18080"]
    assert options["environment"] == {**SECRETS, "CRM_STATE_URL": STATE_URL, "VITESSE_PORT": "18080"}
    assert STATE_URL not in DockerTarget().render(ctx)["Dockerfile"]  # at run time, never in the image
    assert not (project / ".vitesse" / "deploy" / "crm-to-mailwave" / "state").exists()


@pytest.mark.parametrize("target", [DockerTarget, ProcessTarget])
def test_postgresql_without_its_url_is_refused_before_starting_anything(
    project: Path, monkeypatch: pytest.MonkeyPatch, target: type
) -> None:
    monkeypatch.delenv("VITESSE_STATE_URL", raising=False)
    configure(
        project,
        f"  target: {target.name}\n  docker: {{host: 'unix://{project}/no-docker.sock'}}\n",
        "runtime: {state: {type: postgresql}}\n",
    )
    ctx = context(project)
    manifests = target().render(ctx)
    with pytest.raises(DeployError, match=r"runtime.state is postgresql but VITESSE_STATE_URL is not set") as caught:
        target().apply(ctx, manifests, dry_run=False)
    assert caught.value.code == "deploy.state_url_missing"
    assert not (ctx.workdir / "process.json").exists() and not (ctx.workdir / "runtime.log").exists()
    assert target().apply(ctx, manifests, dry_run=True).details == {"dry_run": True}  # rendering needs no URL
