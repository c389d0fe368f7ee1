"""The kubernetes target (the seed's EKS): render, validate strictly, server-side apply, wait for the rollout.

State (`vitesse.deploy.state`): with SQLite (one replica) the runtime's file lives on a ReadWriteOnce
PersistentVolumeClaim ``<resource>-state`` (``deploy.kubernetes.state_size``, ``storage_class``) and the Deployment
uses ``strategy: Recreate``, since old and new pod cannot both attach the volume. With PostgreSQL there is no claim
and no state volume; the URL's env var is a ``secretKeyRef`` into ``<resource>-secrets`` like the auth secrets, and
the Deployment rolls (one extra pod, none unavailable) while the sync lease moves between replicas.
"""

from __future__ import annotations

import time
from typing import Any

import yaml

from vitesse.deploy.render import DeployContext, render
from vitesse.deploy.result import DeployResult
from vitesse.errors import DeployError

MANIFESTS = ("configmap", "pvc", "deployment", "service", "ingress", "hpa")
"""In the order they are applied: the claim exists before the Deployment whose pod mounts it."""


def render_manifests(ctx: DeployContext) -> dict[str, str]:
    """The manifests as YAML text, by file name (the claim only for SQLite state, the HPA only with auto_scale)."""
    variables = ctx.variables()
    out = {}
    for name in MANIFESTS:
        if name == "hpa" and not variables["auto_scale"]:
            continue
        if name == "pvc" and variables["state_url_env"]:
            continue
        out[f"{name}.yaml"] = render(f"kubernetes/{name}.yaml.j2", variables)
    return out


def validate_manifests(manifests: dict[str, str], version: str) -> None:
    """`kubernetes-validate` in strict mode (unknown fields are errors) for Kubernetes ``version``."""
    import kubernetes_validate  # here: it loads jsonschema, which a deploy on another target does not need

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

    def image(self, ctx: DeployContext) -> str | None:
        return ctx.mf.manifest.deploy.kubernetes.image or ctx.default_image

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
            document = yaml.safe_load(text)
            if document["kind"] == "Deployment" and document["spec"]["strategy"]["type"] == "Recreate":
                _drop_rolling_update(api, document)
            _server_side_apply(api, document)
        ready = _wait_for_rollout(api, k8s.namespace, ctx.resource, ctx.mf.manifest.deploy.health_timeout_seconds)
        return DeployResult(
            container_id=ctx.resource, service_url=url, details={"namespace": k8s.namespace, "ready_replicas": ready}
        )

    def stop(self, ctx: DeployContext) -> None:
        """Delete what deploy applied (Deployment first, so no pod outlives its config); already gone is fine.

        The state's PersistentVolumeClaim ``<resource>-state`` is kept: a later deploy mounts it again and resumes
        (delivered records are not sent twice, dead letters stay replayable). To drop the state for good:
        ``kubectl delete pvc <resource>-state -n <namespace>`` once the integration is stopped.
        """
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
    "PersistentVolumeClaim": "/api/v1/namespaces/{ns}/persistentvolumeclaims/{name}",
    "Service": "/api/v1/namespaces/{ns}/services/{name}",
    "Deployment": "/apis/apps/v1/namespaces/{ns}/deployments/{name}",
    "Ingress": "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses/{name}",
    "HorizontalPodAutoscaler": "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers/{name}",
}


def _drop_rolling_update(api: Any, document: dict[str, Any]) -> None:
    """Switch a live Deployment to Recreate with a merge patch that also removes ``rollingUpdate``.

    A Deployment created with the default strategy carries a defaulted ``rollingUpdate`` that no field manager owns,
    so a server-side apply of ``type: Recreate`` alone would be refused ("may not be specified when strategy type is
    'Recreate'"). No Deployment yet (404) is fine: the apply creates it.
    """
    meta = document["metadata"]
    _call(
        api,
        "PATCH",
        "Deployment",
        meta["namespace"],
        meta["name"],
        query=[("fieldManager", "vitesse")],
        content_type="application/merge-patch+json",
        body={"spec": {"strategy": {"type": "Recreate", "rollingUpdate": None}}},
        missing_ok=True,
    )


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
    body: str | dict[str, Any] | None = None,
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
