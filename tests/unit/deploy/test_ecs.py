"""The ECS task definition as rendered (--dry-run): state on EFS or PostgreSQL, never on the task's own disk.

Each rendering is checked against botocore's model of RegisterTaskDefinition (the request AWS would receive);
tests/e2e/test_deploy_ecs.py registers them with a moto server.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from click.testing import CliRunner

from vitesse.cli import cli
from vitesse.deploy.ecs import _rollout, _service

SECRETS = {
    "ACME_CRM_TOKEN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme-crm-token",
    "MAILWAVE_API_KEY": "arn:aws:ssm:us-east-1:123456789012:parameter/mailwave-api-key",
}
STATE_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:vitesse-state-url"


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


@pytest.fixture
def ecs_project(project: Path) -> Path:
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    return project


def configure(project: Path, ecs: dict[str, Any], runtime: str = "", deploy: str = "") -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    text = manifest.read_text().split("deploy:\n")[0]
    manifest.write_text(f"{text}deploy:\n  target: ecs\n{deploy}  ecs: {json.dumps(ecs)}\n{runtime}")


def task_definition(project: Path) -> dict[str, Any]:
    result = invoke(project, "deploy", "crm-to-mailwave", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    version = json.loads(result.stdout)["data"]["version"]
    artifact = json.loads((project / ".vitesse/artifacts/crm-to-mailwave/deploy" / f"{version}.json").read_text())
    task = json.loads(artifact["data"]["manifests"]["ecs-task-definition.json"])
    model = botocore.session.get_session().get_service_model("ecs")
    report = ParamValidator().validate(task, model.operation_model("RegisterTaskDefinition").input_shape)
    assert not report.has_errors(), report.generate_report()
    return task


def served(container: dict[str, Any]) -> list[str]:
    """The runtime's argv inside the container's ``sh -c`` line."""
    assert container["entryPoint"] == ["sh", "-c"]
    (line,) = container["command"]
    words = shlex.split(line)
    return words[words.index("exec") + 1 :]


def test_sqlite_state_on_efs(ecs_project: Path) -> None:
    configure(
        ecs_project,
        {"secrets": SECRETS, "efs_file_system_id": "fs-0123abcd", "efs_access_point_id": "fsap-0123456789abcdef0"},
    )
    task = task_definition(ecs_project)
    assert task["volumes"] == [
        {
            "name": "state",
            "efsVolumeConfiguration": {
                "fileSystemId": "fs-0123abcd",
                "transitEncryption": "ENABLED",
                "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0"},
            },
        }
    ]
    container = task["containerDefinitions"][0]
    assert container["mountPoints"] == [
        {"sourceVolume": "state", "containerPath": "/var/lib/vitesse", "readOnly": False}
    ]
    assert served(container) == [
        *("python3", "-m", "vitesse", "runtime", "serve", "--bundle", "/tmp/bundle.json"),
        *("--host", "0.0.0.0", "--port", "8080", "--state", "/var/lib/vitesse/state.sqlite"),
    ]
    assert container["command"][0].startswith("printf '%s' \"$VITESSE_BUNDLE\" > /tmp/bundle.json && exec ")
    assert {s["name"] for s in container["secrets"]} == set(SECRETS)


def test_efs_without_an_access_point(ecs_project: Path) -> None:
    configure(ecs_project, {"secrets": SECRETS, "efs_file_system_id": "fs-0123abcd"})
    (volume,) = task_definition(ecs_project)["volumes"]
    assert volume["efsVolumeConfiguration"] == {"fileSystemId": "fs-0123abcd", "transitEncryption": "ENABLED"}


def test_sqlite_without_efs_is_refused_naming_both_ways_out(ecs_project: Path) -> None:
    configure(ecs_project, {"secrets": SECRETS})
    result = invoke(ecs_project, "deploy", "crm-to-mailwave", "--dry-run", "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)
    assert error["code"] == "deploy.ecs_state"
    assert "runtime.state: {type: postgresql, url_env: VITESSE_STATE_URL}" in error["error"]
    assert "deploy.ecs.secrets" in error["error"] and "deploy.ecs.efs_file_system_id" in error["error"]
    assert "\n" not in error["error"]


def test_postgresql_state_url_is_a_secret_reference(ecs_project: Path) -> None:
    configure(
        ecs_project,
        {"secrets": {**SECRETS, "CRM_STATE_URL": STATE_ARN}},
        runtime="runtime:\n  state: {type: postgresql, url_env: CRM_STATE_URL}\n",
        deploy="  replicas: 3\n  auto_scale: true\n",
    )
    task = task_definition(ecs_project)
    container = task["containerDefinitions"][0]
    assert {s["name"]: s["valueFrom"] for s in container["secrets"]} == {**SECRETS, "CRM_STATE_URL": STATE_ARN}
    assert "--state" not in served(container) and served(container)[-1] == "8080"
    assert "volumes" not in task and "mountPoints" not in container
    assert "postgresql://" not in json.dumps(task)


def test_postgresql_state_url_needs_an_arn(ecs_project: Path) -> None:
    configure(
        ecs_project,
        {"secrets": SECRETS, "efs_file_system_id": "fs-0123abcd"},
        runtime="runtime:\n  state: {type: postgresql}\n",
    )
    result = invoke(ecs_project, "deploy", "crm-to-mailwave", "--dry-run")
    assert result.exit_code == 1
    assert "deploy.ecs.secrets must name an SSM parameter or Secrets Manager ARN for VITESSE_STATE_URL" in result.stderr


def test_an_access_point_needs_its_file_system(ecs_project: Path) -> None:
    configure(ecs_project, {"secrets": SECRETS, "efs_access_point_id": "fsap-0123456789abcdef0"})
    result = invoke(ecs_project, "deploy", "crm-to-mailwave", "--dry-run")
    assert result.exit_code == 1
    assert "deploy.ecs: efs_access_point_id needs efs_file_system_id" in result.stderr


class RecordingEcs:
    """Answers describe/create/update_service like ECS would and keeps the keyword arguments it was called with."""

    def __init__(self, existing: bool) -> None:
        self.existing = existing
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def describe_services(self, **kwargs: Any) -> dict[str, Any]:
        return {"services": [{"status": "ACTIVE"}] if self.existing else []}

    def create_service(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("create", kwargs))
        return {"service": {"serviceArn": "arn:created"}}

    def update_service(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("update", kwargs))
        return {"service": {"serviceArn": "arn:updated"}}


@pytest.mark.parametrize("existing", [False, True])
@pytest.mark.parametrize(
    ("shared", "expected"),
    [
        (True, {"maximumPercent": 200, "minimumHealthyPercent": 100}),
        (False, {"maximumPercent": 100, "minimumHealthyPercent": 0}),
    ],
)
def test_rollout_replaces_the_sqlite_task_stop_first(existing: bool, shared: bool, expected: dict[str, int]) -> None:
    from vitesse.manifest.models import EcsConfig

    client = RecordingEcs(existing)
    _service(client, EcsConfig(), "vitesse-x", "arn:task:1", 1, [], _rollout(shared_state=shared))
    ((kind, kwargs),) = client.calls
    assert kind == ("update" if existing else "create")
    assert kwargs["deploymentConfiguration"] == expected
