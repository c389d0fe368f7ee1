"""The ecs target against a moto server on 127.0.0.1 (AWS's API, locally): create, then update with revision 2.

Two shapes of state: PostgreSQL (several tasks and autoscaling, the URL as a secret ARN, rolling start-first) and
SQLite on an EFS file system and access point created in moto (one task, replaced stop-first).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from click.testing import CliRunner

from tests.e2e.conftest import free_port
from vitesse.cli import cli
from vitesse.project import Project

pytestmark = pytest.mark.network
SECRETS = {
    "ACME_CRM_TOKEN": "crm-very-secret-1",
    "MAILWAVE_API_KEY": "mw-very-secret-2",
    "VITESSE_STATE_URL": "postgresql://vitesse:pg-very-secret-3@db.internal/vitesse",
}
ARNS = {
    "ACME_CRM_TOKEN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme-crm-token",
    "MAILWAVE_API_KEY": "arn:aws:ssm:us-east-1:123456789012:parameter/mailwave-api-key",
}
STATE_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:vitesse-state-url"


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    port = free_port()
    binary = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/moto-api/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("moto_server did not start")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def aws(moto: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        **SECRETS,
    }.items():
        monkeypatch.setenv(key, value)
    ec2 = boto3.client("ec2", endpoint_url=moto, region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName=f"vitesse-{time.time_ns()}", Description="t", VpcId=vpc)["GroupId"]
    elbv2 = boto3.client("elbv2", endpoint_url=moto, region_name="us-east-1")
    alb = elbv2.create_load_balancer(
        Name=f"alb-{time.time_ns() % 10**8}", Subnets=subnets, SecurityGroups=[group], Type="application"
    )["LoadBalancers"][0]
    listener = elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
    )["Listeners"][0]["ListenerArn"]
    return {
        "endpoint": moto,
        "vpc": vpc,
        "subnets": json.dumps(subnets),
        "group": group,
        "listener": listener,
        "dns": alb["DNSName"],
    }


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def test_ecs_create_then_update(project: Path, aws: dict[str, str]) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "deploy:\n  target: process\n  environment: local\n",
            f"""deploy:
  target: ecs
  environment: ecs
  replicas: 2
  memory_mb: 1024
  cpu_cores: 0.5
  auto_scale: true
  ecs:
    endpoint_url: {aws["endpoint"]}
    cluster: integrations
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/vitesse:latest
    subnets: {aws["subnets"]}
    security_groups: [{aws["group"]}]
    vpc_id: {aws["vpc"]}
    listener_arn: {aws["listener"]}
    load_balancer_dns: {aws["dns"]}
    execution_role_arn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
    secrets:
      ACME_CRM_TOKEN: {ARNS["ACME_CRM_TOKEN"]}
      MAILWAVE_API_KEY: {ARNS["MAILWAVE_API_KEY"]}
      VITESSE_STATE_URL: {STATE_ARN}
""",
        )
        + "runtime:\n  state: {type: postgresql}\n"
    )
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    first = invoke(project, "deploy", "crm-to-mailwave", "--json")
    assert first.exit_code == 0, first.stderr
    data = json.loads(first.stdout)["data"]
    assert data["service_url"].startswith(f"http://{aws['dns']}/vitesse-")

    ecs = boto3.client("ecs", endpoint_url=aws["endpoint"], region_name="us-east-1")
    service = ecs.describe_services(cluster="integrations", services=["vitesse-crm-to-mailwave"])["services"][0]
    assert service["desiredCount"] == 2 and service["taskDefinition"].endswith(":1")
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert (task["cpu"], task["memory"], task["networkMode"]) == ("512", "1024", "awsvpc")
    assert task["requiresCompatibilities"] == ["FARGATE"]
    container = task["containerDefinitions"][0]
    assert {s["name"]: s["valueFrom"] for s in container["secrets"]} == {**ARNS, "VITESSE_STATE_URL": STATE_ARN}
    assert "--state" not in container["command"][0] and not task.get("volumes") and not container.get("mountPoints")
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/vitesse/crm-to-mailwave"
    logs = boto3.client("logs", endpoint_url=aws["endpoint"], region_name="us-east-1")
    assert logs.describe_log_groups(logGroupNamePrefix="/vitesse/crm-to-mailwave")["logGroups"]
    elbv2 = boto3.client("elbv2", endpoint_url=aws["endpoint"], region_name="us-east-1")
    rules = elbv2.describe_rules(ListenerArn=aws["listener"])["Rules"]
    assert any(c.get("Values", [""])[0].startswith("/vitesse-") for r in rules for c in r.get("Conditions", []))
    scaling = boto3.client("application-autoscaling", endpoint_url=aws["endpoint"], region_name="us-east-1")
    targets = scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert [(t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [(2, 8)]

    manifest.write_text(manifest.read_text().replace("  memory_mb: 1024\n", "  memory_mb: 2048\n"))
    second = invoke(project, "deploy", "crm-to-mailwave", "--json")
    assert second.exit_code == 0, second.stderr
    service = ecs.describe_services(cluster="integrations", services=["vitesse-crm-to-mailwave"])["services"][0]
    assert service["taskDefinition"].endswith(":2")
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert task["memory"] == "2048"
    assert service["deploymentConfiguration"] == {"maximumPercent": 200, "minimumHealthyPercent": 100}
    rules_after = elbv2.describe_rules(ListenerArn=aws["listener"])["Rules"]
    assert len(rules_after) == len(rules)  # the route is not added twice

    texts = "".join(p.read_text() for p in (project / ".vitesse").rglob("*.json"))
    for secret in SECRETS.values():
        assert secret not in texts and secret not in json.dumps(task)


def test_ecs_refuses_secrets_without_arns(project: Path, aws: dict[str, str]) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "deploy:\n  target: process\n",
            f"deploy:\n  target: ecs\n  ecs: {{endpoint_url: '{aws['endpoint']}', efs_file_system_id: fs-0123abcd}}\n",
        )
    )
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    result = invoke(project, "deploy", "crm-to-mailwave")
    assert result.exit_code == 1
    assert "deploy.ecs.secrets must name an SSM parameter or Secrets Manager ARN for ACME_CRM_TOKEN" in result.stderr


def ecs_manifest(project: Path, aws: dict[str, str], ecs: str, runtime: str = "") -> str:
    """Deploy on a cluster of its own (the moto server is shared by the module); the cluster's name."""
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "deploy:\n  target: process\n  environment: local\n",
            f"""deploy:
  target: ecs
  environment: ecs
  ecs:
    endpoint_url: {aws["endpoint"]}
    cluster: state-{time.time_ns()}
    subnets: {aws["subnets"]}
    security_groups: [{aws["group"]}]
    secrets: {json.dumps(ARNS)}
{ecs}""",
        )
        + runtime
    )
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    return Project(project).load("crm-to-mailwave").manifest.deploy.ecs.cluster


def test_ecs_sqlite_state_on_efs(project: Path, aws: dict[str, str]) -> None:
    efs = boto3.client("efs", endpoint_url=aws["endpoint"], region_name="us-east-1")
    file_system = efs.create_file_system(CreationToken=f"vitesse-{time.time_ns()}", Encrypted=True)["FileSystemId"]
    access_point = efs.create_access_point(
        FileSystemId=file_system,
        PosixUser={"Uid": 0, "Gid": 0},
        RootDirectory={"Path": "/vitesse/crm-to-mailwave"},
    )["AccessPointId"]
    cluster = ecs_manifest(
        project, aws, f"    efs_file_system_id: {file_system}\n    efs_access_point_id: {access_point}\n"
    )
    first = invoke(project, "deploy", "crm-to-mailwave", "--json")
    assert first.exit_code == 0, first.stderr
    ecs = boto3.client("ecs", endpoint_url=aws["endpoint"], region_name="us-east-1")
    service = ecs.describe_services(cluster=cluster, services=["vitesse-crm-to-mailwave"])["services"][0]
    assert service["desiredCount"] == 1
    revision = int(service["taskDefinition"].rsplit(":", 1)[1])
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (volume,) = task["volumes"]
    assert volume["name"] == "state"
    assert volume["efsVolumeConfiguration"]["fileSystemId"] == file_system
    assert volume["efsVolumeConfiguration"]["transitEncryption"] == "ENABLED"
    assert volume["efsVolumeConfiguration"]["authorizationConfig"]["accessPointId"] == access_point
    container = task["containerDefinitions"][0]
    assert container["mountPoints"] == [
        {"sourceVolume": "state", "containerPath": "/var/lib/vitesse", "readOnly": False}
    ]
    assert container["entryPoint"] == ["sh", "-c"]
    assert container["command"][0].endswith(" --state /var/lib/vitesse/state.sqlite")
    assert "VITESSE_STATE_URL" not in {s["name"] for s in container["secrets"]}

    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text().replace("  environment: ecs\n", "  environment: ecs\n  memory_mb: 2048\n"))
    second = invoke(project, "deploy", "crm-to-mailwave", "--json")
    assert second.exit_code == 0, second.stderr
    service = ecs.describe_services(cluster=cluster, services=["vitesse-crm-to-mailwave"])["services"][0]
    assert service["taskDefinition"].endswith(f":{revision + 1}")
    assert service["deploymentConfiguration"] == {"maximumPercent": 100, "minimumHealthyPercent": 0}  # stop-first
    assert ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["volumes"]


def test_ecs_refuses_state_that_would_not_survive(project: Path, aws: dict[str, str]) -> None:
    ecs = boto3.client("ecs", endpoint_url=aws["endpoint"], region_name="us-east-1")
    registered = ecs.list_task_definitions(familyPrefix="vitesse-crm-to-mailwave")["taskDefinitionArns"]
    cluster = ecs_manifest(project, aws, "")
    result = invoke(project, "deploy", "crm-to-mailwave")
    assert result.exit_code == 1
    assert "runtime.state is sqlite and an ECS task's disk does not survive a restart" in result.stderr
    assert "deploy.ecs.efs_file_system_id" in result.stderr and "type: postgresql" in result.stderr
    assert ecs.list_task_definitions(familyPrefix="vitesse-crm-to-mailwave")["taskDefinitionArns"] == registered
    assert not ecs.describe_clusters(clusters=[cluster])["clusters"]  # nothing was applied

    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text() + "runtime: {state: {type: postgresql}}\n")
    result = invoke(project, "deploy", "crm-to-mailwave")
    assert result.exit_code == 1
    assert "deploy.ecs.secrets must name an SSM parameter or Secrets Manager ARN for VITESSE_STATE_URL" in result.stderr
