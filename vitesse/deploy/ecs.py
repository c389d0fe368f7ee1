"""The ecs target (the seed's ECS): Fargate task definition, service create-or-update, ALB routing, autoscaling.

Secrets reach the task only as references (``deploy.ecs.secrets``: env var -> SSM / Secrets Manager ARN); the
bundle goes in as an environment value (it holds env-var names, never values).

State: a task's own disk does not survive a restart, so SQLite state needs an EFS file system
(``deploy.ecs.efs_file_system_id``, optionally ``efs_access_point_id``; transit encryption on) mounted at
/var/lib/vitesse, and the service replaces its one task stop-first (maximumPercent 100) so two tasks never share the
file. PostgreSQL state needs its URL's env var in ``deploy.ecs.secrets`` like any secret; rollouts then start the
new tasks first (the sync lease moves over).
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from vitesse.deploy.render import PORT, DeployContext, render
from vitesse.deploy.result import DeployResult
from vitesse.deploy.state import STATE_DIR, state_url_env
from vitesse.errors import DeployError

# Fargate's valid (cpu units -> memory MiB range) combinations.
FARGATE = ((256, 512, 2048), (512, 1024, 4096), (1024, 2048, 8192), (2048, 4096, 16384), (4096, 8192, 30720))


def fargate_size(cpu_cores: float, memory_mb: int) -> tuple[int, int]:
    """The smallest valid Fargate (cpu, memory) that gives at least the requested cores and memory."""
    wanted_cpu = cpu_cores * 1024
    for cpu, low, high in FARGATE:
        if cpu < wanted_cpu:
            continue
        memory = max(memory_mb, low)
        if memory > 1024:
            memory = -(-memory // 1024) * 1024
        if memory <= high:
            return cpu, memory
    raise DeployError(f"no Fargate size fits {cpu_cores} cores and {memory_mb} MB", code="deploy.size")


class EcsTarget:
    name = "ecs"

    def image(self, ctx: DeployContext) -> str | None:
        return ctx.mf.manifest.deploy.ecs.image or ctx.mf.manifest.deploy.kubernetes.image or ctx.default_image

    def render(self, ctx: DeployContext) -> dict[str, str]:
        ecs = ctx.mf.manifest.deploy.ecs
        variables = ctx.variables()
        if variables["state_url_env"] is None and not ecs.efs_file_system_id:
            raise DeployError(
                "runtime.state is sqlite and an ECS task's disk does not survive a restart (every record would be "
                "sent again): set runtime.state: {type: postgresql, url_env: VITESSE_STATE_URL} and name that env "
                "var in deploy.ecs.secrets, or deploy.ecs.efs_file_system_id (an EFS file system for "
                f"{STATE_DIR}, optionally deploy.ecs.efs_access_point_id)",
                code="deploy.ecs_state",
            )
        missing = [name for name in variables["secrets"] if name not in ecs.secrets]
        if missing:
            raise DeployError(
                f"deploy.ecs.secrets must name an SSM parameter or Secrets Manager ARN for "
                f"{', '.join(missing)} (secrets reach ECS tasks only by reference)",
                code="deploy.ecs_secrets",
            )
        cpu, memory = fargate_size(variables["cpu_cores"], variables["memory_mb"])
        variables.update(
            ecs_cpu=cpu,
            ecs_memory=memory,
            ecs_secrets=dict(sorted(ecs.secrets.items())),
            execution_role_arn=ecs.execution_role_arn,
            task_role_arn=ecs.task_role_arn,
            region=ecs.region,
            log_group=f"/vitesse/{ctx.mf.name}",
            image=self.image(ctx),
            command_json=json.dumps([shell_command(variables["state_args"])]),  # readable: no HTML-safe escapes
            efs_file_system_id=None if variables["state_url_env"] else ecs.efs_file_system_id,
            efs_access_point_id=ecs.efs_access_point_id,
        )
        text = render("ecs-task-definition.json.j2", variables)
        try:
            json.loads(text)
        except ValueError as exc:
            raise DeployError(
                f"ecs-task-definition.json does not render to JSON: {exc}", code="deploy.template"
            ) from None
        return {"ecs-task-definition.json": text}

    def apply(self, ctx: DeployContext, manifests: dict[str, str], *, dry_run: bool) -> DeployResult:
        ecs = ctx.mf.manifest.deploy.ecs
        deploy = ctx.mf.manifest.deploy
        path = f"/vitesse-{ctx.short_id}"
        url = f"http://{ecs.load_balancer_dns or '<load balancer>'}{path}"
        if dry_run:
            return DeployResult(container_id=ctx.resource, service_url=url, details={"dry_run": True})
        clients = _clients(ecs)
        task = json.loads(manifests["ecs-task-definition.json"])
        try:
            _log_group(clients["logs"], f"/vitesse/{ctx.mf.name}")
            if not [
                c
                for c in clients["ecs"].describe_clusters(clusters=[ecs.cluster])["clusters"]
                if c.get("status") == "ACTIVE"
            ]:
                clients["ecs"].create_cluster(clusterName=ecs.cluster)
            registered = clients["ecs"].register_task_definition(**task)["taskDefinition"]
            task_arn = registered["taskDefinitionArn"]
            balancers = []
            target_group = None
            if ecs.vpc_id:
                target_group = _target_group(clients["elbv2"], f"vitesse-{ctx.short_id}", ecs.vpc_id)
                balancers = [{"targetGroupArn": target_group, "containerName": "runtime", "containerPort": 8080}]
                if ecs.listener_arn:
                    _route(clients["elbv2"], ecs.listener_arn, target_group, path)
            rollout = _rollout(shared_state=state_url_env(ctx.mf.manifest) is not None)
            service = _service(clients["ecs"], ecs, ctx.resource, task_arn, deploy.replicas, balancers, rollout)
            if deploy.auto_scale:
                _autoscale(clients["application-autoscaling"], ecs.cluster, ctx.resource, deploy.replicas)
        except DeployError:
            raise
        except Exception as exc:  # botocore's ClientError and connection errors
            raise DeployError(f"ECS deploy failed: {type(exc).__name__}: {exc}", code="deploy.ecs") from None
        return DeployResult(
            container_id=ctx.resource,
            service_url=url,
            details={
                "cluster": ecs.cluster,
                "service_arn": service,
                "task_definition_arn": task_arn,
                "revision": registered["revision"],
                "target_group_arn": target_group,
            },
        )

    def stop(self, ctx: DeployContext) -> None:
        ecs = ctx.mf.manifest.deploy.ecs
        client = _clients(ecs)["ecs"]
        try:
            client.update_service(cluster=ecs.cluster, service=ctx.resource, desiredCount=0)
            client.delete_service(cluster=ecs.cluster, service=ctx.resource, force=True)
        except Exception as exc:
            raise DeployError(f"stopping the ECS service failed: {exc}", code="deploy.ecs") from None


def shell_command(state_args: list[str]) -> str:
    """The container's ``sh -c`` line: write the bundle from its env value, then exec the runtime."""
    serve = ["python3", "-m", "vitesse", "runtime", "serve", "--bundle", "/tmp/bundle.json"]
    serve += ["--host", "0.0.0.0", "--port", str(PORT), *state_args]
    return f"printf '%s' \"$VITESSE_BUNDLE\" > /tmp/bundle.json && exec {shlex.join(serve)}"


def _rollout(*, shared_state: bool) -> dict[str, int]:
    """How the service replaces tasks: new first with shared (PostgreSQL) state; with SQLite on EFS, the old task
    stops before the new one opens the file (ECS's counterpart of Kubernetes' Recreate)."""
    if shared_state:
        return {"maximumPercent": 200, "minimumHealthyPercent": 100}
    return {"maximumPercent": 100, "minimumHealthyPercent": 0}


def _clients(ecs: Any) -> dict[str, Any]:
    import boto3

    session = boto3.session.Session(region_name=ecs.region)
    kwargs = {"endpoint_url": ecs.endpoint_url} if ecs.endpoint_url else {}
    return {name: session.client(name, **kwargs) for name in ("ecs", "logs", "elbv2", "application-autoscaling")}


def _log_group(logs: Any, name: str) -> None:
    if not logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups"):
        logs.create_log_group(logGroupName=name)


def _target_group(elbv2: Any, name: str, vpc_id: str) -> str:
    try:
        found = elbv2.describe_target_groups(Names=[name])["TargetGroups"]
    except Exception:  # TargetGroupNotFound
        found = []
    if found:
        return found[0]["TargetGroupArn"]
    created = elbv2.create_target_group(
        Name=name,
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc_id,
        TargetType="ip",
        HealthCheckPath="/health",
        HealthCheckProtocol="HTTP",
    )
    return created["TargetGroups"][0]["TargetGroupArn"]


def _route(elbv2: Any, listener_arn: str, target_group: str, path: str) -> None:
    rules = elbv2.describe_rules(ListenerArn=listener_arn)["Rules"]
    for rule in rules:
        for condition in rule.get("Conditions", []):
            if condition.get("Field") == "path-pattern" and f"{path}*" in condition.get("Values", []):
                return
    priorities = [int(r["Priority"]) for r in rules if str(r.get("Priority", "")).isdigit()]
    elbv2.create_rule(
        ListenerArn=listener_arn,
        Priority=max(priorities, default=0) + 1,
        Conditions=[{"Field": "path-pattern", "Values": [f"{path}*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": target_group}],
    )


def _service(
    client: Any,
    ecs: Any,
    name: str,
    task_arn: str,
    replicas: int,
    balancers: list[dict[str, Any]],
    rollout: dict[str, int],
) -> str:
    existing = [
        s
        for s in client.describe_services(cluster=ecs.cluster, services=[name])["services"]
        if s.get("status") == "ACTIVE"
    ]
    if existing:
        updated = client.update_service(
            cluster=ecs.cluster,
            service=name,
            taskDefinition=task_arn,
            desiredCount=replicas,
            deploymentConfiguration=rollout,
            forceNewDeployment=True,
        )
        return updated["service"]["serviceArn"]
    network = {
        "awsvpcConfiguration": {
            "subnets": ecs.subnets,
            "securityGroups": ecs.security_groups,
            "assignPublicIp": "ENABLED" if ecs.assign_public_ip else "DISABLED",
        }
    }
    created = client.create_service(
        cluster=ecs.cluster,
        serviceName=name,
        taskDefinition=task_arn,
        desiredCount=replicas,
        launchType="FARGATE",
        networkConfiguration=network,
        loadBalancers=balancers,
        deploymentConfiguration=rollout,
        healthCheckGracePeriodSeconds=30 if balancers else 0,
    )
    return created["service"]["serviceArn"]


def _autoscale(client: Any, cluster: str, service: str, replicas: int) -> None:
    resource = f"service/{cluster}/{service}"
    client.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=replicas,
        MaxCapacity=replicas * 4,
    )
    client.put_scaling_policy(
        PolicyName=f"{service}-cpu",
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        },
    )
