"""The kubernetes target (the seed's EKS): render, validate strictly, server-side apply, wait for the rollout."""

from __future__ import annotations

import time
from typing import Any

import kubernetes_validate
import yaml

from vitesse.deploy.render import DeployContext, render
from vitesse.deploy.result import DeployResult
from vitesse.errors import DeployError

MANIFESTS = ("configmap", "deployment", "service", "ingress", "hpa")


def render_manifests(ctx: DeployContext) -> dict[str, str]:
    """The manifests as YAML text, by file name (the HPA only with auto_scale)."""
    variables = ctx.variables()
    out = {}
    for name in MANIFESTS:
        if name == "hpa" and not variables["auto_scale"]:
            continue
        out[f"{name}.yaml"] = render(f"kubernetes/{name}.yaml.j2", variables)
    return out


def validate_manifests(manifests: dict[str, str], version: str) -> None:
    """`kubernetes-validate` in strict mode (unknown fields are errors) for Kubernetes ``version``."""
    problems = []
    for filename, text in manifests.items():
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problems.append(f"{filename}: not YAML: {str(exc).splitlines()[0]}")
            continue
        try:
            kubernetes_validate.validate(document, f"{version}.0" if version.count(".") == 1 else version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(p) for p in exc.path) or "(document)"
            problems.append(f"{filename}: {where}: {exc.message}")
        except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as exc:
            problems.append(f"{filename}: cannot validate for Kubernetes {version}: {exc}")
    if problems:
        raise DeployError("invalid Kubernetes manifests: " + "; ".join(problems), code="deploy.invalid_manifest")


class KubernetesTarget:
    name = "kubernetes"

    def render(self, ctx: DeployContext) -> dict[str, str]:
        manifests = render_manifests(ctx)
        validate_manifests(manifests, ctx.mf.manifest.deploy.kubernetes.version)
        return manifests

    def apply(self, ctx: DeployContext, manifests: dict[str, str], *, dry_run: bool) -> DeployResult:
        k8s = ctx.mf.manifest.deploy.kubernetes
        host = k8s.host or "<ingress host>"
        url = f"http://{host}/vitesse-{ctx.short_id}"
        if dry_run:
            return DeployResult(container_id=ctx.resource, service_url=url, details={"dry_run": True})
        api = _client(k8s.kubeconfig)
        for text in manifests.values():
            _server_side_apply(api, yaml.safe_load(text))
        ready = _wait_for_rollout(api, k8s.namespace, ctx.resource, ctx.mf.manifest.deploy.health_timeout_seconds)
        return DeployResult(
            container_id=ctx.resource, service_url=url, details={"namespace": k8s.namespace, "ready_replicas": ready}
        )

    def stop(self, ctx: DeployContext) -> None:
        """Delete what deploy applied (Deployment first, so no pod outlives its config); already gone is fine."""
        k8s = ctx.mf.manifest.deploy.kubernetes
        api = _client(k8s.kubeconfig)
        for kind, name in (
            ("Deployment", ctx.resource),
            ("HorizontalPodAutoscaler", ctx.resource),
            ("Ingress", ctx.resource),
            ("Service", ctx.resource),
            ("ConfigMap", f"{ctx.resource}-bundle"),
        ):
            _call(
                api, "DELETE", kind, k8s.namespace, name, query=[("propagationPolicy", "Background")], missing_ok=True
            )


def _client(kubeconfig: str | None) -> Any:
    from kubernetes import client, config

    try:
        if kubeconfig:
            config.load_kube_config(config_file=kubeconfig)
        else:
            try:
                config.load_incluster_config()
            except config.ConfigException:
                config.load_kube_config()
    except Exception as exc:  # the client raises several unrelated types for a missing/broken kubeconfig
        raise DeployError(
            f"no Kubernetes cluster configured ({type(exc).__name__}: {exc}); use --dry-run to only "
            "render the manifests",
            code="deploy.no_cluster",
        ) from None
    return client.ApiClient()


def _wait_for_rollout(api: Any, namespace: str, name: str, timeout: float) -> int:
    """Wait until the Deployment's new generation is observed and all its replicas are updated and available."""
    from kubernetes import client

    apps = client.AppsV1Api(api)
    deadline = time.monotonic() + timeout
    last = "no status yet"
    while time.monotonic() < deadline:
        try:
            deployment = apps.read_namespaced_deployment_status(name, namespace)
        except Exception as exc:
            raise DeployError(f"reading the rollout of {name} failed: {exc}", code="deploy.apply") from None
        spec, status = deployment.spec, deployment.status
        wanted = spec.replicas or 0
        if (
            (status.observed_generation or 0) >= (deployment.metadata.generation or 0)
            and (status.updated_replicas or 0) >= wanted
            and (status.available_replicas or 0) >= wanted
        ):
            return wanted
        last = f"{status.updated_replicas or 0}/{wanted} updated, {status.available_replicas or 0} available"
        time.sleep(1)
    raise DeployError(f"the rollout of {name} did not finish in {timeout:g} s ({last})", code="deploy.rollout")


_PATHS = {
    "ConfigMap": "/api/v1/namespaces/{ns}/configmaps/{name}",
    "Service": "/api/v1/namespaces/{ns}/services/{name}",
    "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments/{name}",
    "Ingress": "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses/{name}",
    "HorizontalPodAutoscaler": "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers/{name}",
}


def _server_side_apply(api: Any, document: dict[str, Any]) -> None:
    """PATCH with application/apply-patch+yaml, the field manager 'vitesse', forcing conflicts."""
    meta = document["metadata"]
    _call(
        api,
        "PATCH",
        document["kind"],
        meta["namespace"],
        meta["name"],
        query=[("fieldManager", "vitesse"), ("force", "true")],
        content_type="application/apply-patch+yaml",
        body=yaml.safe_dump(document, sort_keys=False),
    )


def _call(
    api: Any,
    method: str,
    kind: str,
    namespace: str,
    name: str,
    *,
    query: list[tuple[str, str]],
    content_type: str = "application/json",
    body: str | None = None,
    missing_ok: bool = False,
) -> None:
    """One request to the API server for one object; a `DeployError` naming it when the server refuses."""
    action = {"PATCH": "applying", "DELETE": "deleting"}[method]
    try:
        method, url, headers, payload, post = api.param_serialize(
            method=method,
            resource_path=_PATHS[kind].format(ns=namespace, name=name),
            query_params=query,
            header_params={"Content-Type": content_type, "Accept": "application/json"},
            body=body,
            auth_settings=["BearerToken"],
        )
        response = api.call_api(method, url, header_params=headers, body=payload, post_params=post)
        response.read()
        if response.status == 404 and missing_ok:
            return
        if not 200 <= response.status < 300:
            raise DeployError(
                f"{action} {kind} {name}: HTTP {response.status} {response.data[:300]!r}", code="deploy.apply"
            )
    except DeployError:
        raise
    except Exception as exc:
        raise DeployError(f"{action} {kind} {name} failed: {exc}", code="deploy.apply") from None
