"""The deploy step: the gate again (outside Dagster too), a bundle, the target's render and apply; status active."""

from __future__ import annotations

import time
from typing import Any, Protocol

from vitesse.artifacts import Artifact, ArtifactStore, record_failure, record_success, utc_now
from vitesse.artifacts.steps import upstream
from vitesse.deploy.docker import DockerTarget
from vitesse.deploy.ecs import EcsTarget
from vitesse.deploy.kubernetes import KubernetesTarget
from vitesse.deploy.process import ProcessTarget
from vitesse.deploy.render import DeployContext
from vitesse.deploy.result import DeployResult
from vitesse.deploy.service import record_service, service_state
from vitesse.deploy.state import check_replicas
from vitesse.errors import DeployError, GateError, VitesseError
from vitesse.manifest import ManifestFile
from vitesse.manifest.sections import manifest_inputs
from vitesse.runtime.bundle import Bundle, build_bundle, write_bundle


class Target(Protocol):
    name: str

    def image(self, ctx: DeployContext) -> str | None: ...

    def render(self, ctx: DeployContext) -> dict[str, str]: ...

    def apply(self, ctx: DeployContext, manifests: dict[str, str], *, dry_run: bool) -> DeployResult: ...

    def stop(self, ctx: DeployContext) -> None: ...


TARGETS: dict[str, type] = {
    "process": ProcessTarget,
    "docker": DockerTarget,
    "kubernetes": KubernetesTarget,
    "ecs": EcsTarget,
}


def target_for(name: str) -> Target:
    """The target class registered under ``name``; a clear error lists the known ones."""
    found = TARGETS.get(name)
    if found is None:
        raise DeployError(
            f"deploy target {name!r} is not available in this build (available: {', '.join(sorted(TARGETS))})",
            code="deploy.unknown_target",
        )
    return found()


def check_gate(mf: ManifestFile, store: ArtifactStore) -> Artifact:
    """The latest test must be current and passed: the gate holds outside Dagster too. Current is
    `vitesse.artifacts.freshness`'s rule, the one `vitesse status` shows: its manifest sections unchanged, built on the
    latest map and ingest, and those current in turn (a refusal gives the same reason as status)."""
    tested = upstream(store, mf, "test", needed_by="deploy")
    if not tested.data.get("passed"):
        score = tested.data.get("health_score", {}).get("overall")
        drift = [c["message"] for c in tested.data.get("contract_drift") or []]
        raise GateError(
            f"{mf.name}: the latest test did not pass (health_score = {score}, threshold: "
            f"{tested.data.get('threshold')}" + (f"; {'; '.join(drift)}" if drift else "") + "); deploy refused",
            code="gate.contract_drift" if drift else "gate.below_threshold",
        )
    return tested


def context_for(mf: ManifestFile, store: ArtifactStore, bundle: Bundle) -> DeployContext:
    """The deploy context of ``bundle``, writing nothing: its ``bundle_path`` is where deploy writes the bundle
    (`vitesse plan` renders the targets' manifests with it)."""
    workdir = store.home / "deploy" / mf.name
    return DeployContext(mf=mf, bundle=bundle, bundle_path=workdir / f"bundle-{bundle.version}.json", workdir=workdir)


def settings_of(target: Target, ctx: DeployContext) -> dict[str, Any]:
    """What a deployment sets, as the deploy artifact records it (``settings``) and `vitesse plan` compares it: the
    target, image, replicas, resources, autoscaling and the names (never the values) of the env vars it passes."""
    deploy = ctx.mf.manifest.deploy
    return {
        "target": target.name,
        "image": target.image(ctx),
        "replicas": deploy.replicas,
        "memory_mb": deploy.memory_mb,
        "cpu_cores": deploy.cpu_cores,
        "auto_scale": deploy.auto_scale,
        "env": ctx.secrets(),
        "state": ctx.mf.manifest.runtime.state.type,
    }


def _context(mf: ManifestFile, store: ArtifactStore) -> DeployContext:
    ctx = context_for(mf, store, build_bundle(mf, store))
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    write_bundle(ctx.bundle, ctx.bundle_path)
    return ctx


def deploy(mf: ManifestFile, store: ArtifactStore, *, dry_run: bool = False, reuse_running: bool = False) -> Artifact:
    """Deploy the integration on its manifest's target; the artifact is the seed's deployment record.

    With ``reuse_running``, a deployment of the same bundle and settings that is active and answers /health is
    returned as it is instead of being redone (a retried request gets the same service). Several replicas (or
    autoscaling) on SQLite state are refused first, on every target, before the gate or anything else.
    """
    started = time.monotonic()
    name = mf.name
    check_replicas(mf)
    tested = check_gate(mf, store)
    with store.lock(name):
        try:
            ctx = _context(mf, store)
            if reuse_running and not dry_run and (running := _running(mf, store, tested, ctx)) is not None:
                record_success(store, name, "deploy")
                return running
            target = target_for(mf.manifest.deploy.target)
            manifests = target.render(ctx)
            result = target.apply(ctx, manifests, dry_run=dry_run)
        except VitesseError as exc:
            record_failure(store, name, "deploy", exc.message, exc.http_status)
            raise
        data: dict[str, Any] = {
            "container_id": result.container_id,
            "service_url": result.service_url,
            "deployed_at": utc_now(),
            "deployment_duration_seconds": round(time.monotonic() - started, 3),
            "target": target.name,
            "dry_run": dry_run,
            "bundle_version": ctx.bundle.version,
            "manifests": manifests,
            "settings": settings_of(target, ctx),
            "details": result.details,
        }
        inputs = {**manifest_inputs(mf.manifest, "deploy"), "test": tested.version, "bundle": ctx.bundle.version}
        artifact = store.write(name, "deploy", data, inputs)
        if not dry_run:
            record_success(store, name, "deploy")
            record_service(store, name, "deployed", artifact)
    return artifact


def _running(mf: ManifestFile, store: ArtifactStore, tested: Artifact, ctx: DeployContext) -> Artifact | None:
    """The latest deployment if it is this very one (same settings, test and bundle), not stopped
    (`vitesse.deploy.service`, not the pipeline's status, which moves on with every step run), and its /health
    answers."""
    latest = store.latest(mf.name, "deploy")
    if latest is None or service_state(store, mf.name).state in ("-", "stopped", "unhealthy"):
        return None  # never deployed (or a dry run), stopped, or its process or container is gone
    wanted = {**manifest_inputs(mf.manifest, "deploy"), "test": tested.version, "bundle": ctx.bundle.version}
    if latest.inputs != wanted or not latest.data.get("service_url"):
        return None
    import httpx

    try:
        healthy = httpx.get(latest.data["service_url"].rstrip("/") + "/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        healthy = False
    return latest if healthy else None


def stop(mf: ManifestFile, store: ArtifactStore) -> None:
    """Stop the integration's deployment on its target."""
    workdir = store.home / "deploy" / mf.name
    target = target_for(mf.manifest.deploy.target)
    ctx = DeployContext(mf=mf, bundle=None, bundle_path=workdir, workdir=workdir)  # type: ignore[arg-type]
    target.stop(ctx)
    record_success(store, mf.name, "deploy", status="stopped")
    record_service(store, mf.name, "stopped", store.latest(mf.name, "deploy"), target=target.name)
