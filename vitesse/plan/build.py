"""Building one integration's plan from its manifest, the specs as they are on disk and the artifact store.

Nothing is written, locked, started or applied: ingest runs in memory (`vitesse.ingest.step.ingest_data`), the
mapping is proposed in memory (`vitesse.mapping.step.build_mapping`), the bundle is built in memory
(`vitesse.runtime.bundle.bundle_from`) and the target only renders (`render(ctx)` on `context_for`'s context, which
names the bundle file without writing it). Versions that the steps would store are computed as the store computes
them (`vitesse.artifacts.store.artifact_version`); the test's results cannot be known, so the test version and the
bundle built on it read `UNKNOWN`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vitesse.artifacts.freshness import COMMAND, UPSTREAM, Freshness, freshness
from vitesse.artifacts.store import Artifact, ArtifactStore, artifact_version
from vitesse.errors import DeployError, ManifestError, MappingError, VitesseError
from vitesse.ingest.drift import drift_against, explain_mapping_error, no_drift
from vitesse.ingest.models import ApiSpec
from vitesse.ingest.step import SIDES, ingest_data, specs_of
from vitesse.manifest import STEPS, ManifestFile, display_path
from vitesse.manifest.sections import manifest_inputs, section_parts
from vitesse.mapping.models import MappingLogic
from vitesse.plan.deploy_diff import manifest_diff, settings_diff
from vitesse.plan.mapping_diff import diff_mappings
from vitesse.plan.model import (
    UNKNOWN,
    DeployPlan,
    GatePlan,
    IntegrationPlan,
    MappingPlan,
    SpecSide,
    SpecsPlan,
    StepPlan,
)
from vitesse.project import Project

if TYPE_CHECKING:
    from vitesse.runtime.bundle import Bundle

Specs = tuple[ApiSpec, ApiSpec]


def plan_project(project: Project, names: list[str] | None = None) -> list[IntegrationPlan]:
    """The plan of each named integration (default: every manifest in ``integrations/``), in that order; a
    manifest that does not load is a plan with its ``errors`` and nothing else."""
    plans = []
    for name in dict.fromkeys(names or project.names()):
        try:
            mf = project.load(name)
        except ManifestError as exc:
            path = display_path(project.manifest_path(name))
            plans.append(IntegrationPlan(name=name, manifest=path, errors=exc.problems))
            continue
        plans.append(plan_integration(mf, project.store, project.peers(exclude=mf.name)))
    return plans


def plan_integration(mf: ManifestFile, store: ArtifactStore, peers: list[ManifestFile]) -> IntegrationPlan:
    """What the next run of each step would change for ``mf``, and why it would run (``peers``: the project's
    other manifests, the mapper's evidence as `vitesse map` gives it)."""
    states = freshness(store, mf)
    latest_ingest = states["ingest"].artifact
    specs_plan, ingested = _specs(mf, store, latest_ingest)
    steps = _steps(states, specs_plan)
    plan = IntegrationPlan(
        name=mf.name, manifest=display_path(mf.path), steps=steps, specs=specs_plan, commands=_commands(mf.name, steps)
    )
    runs = {s.step for s in steps if s.runs}
    if not runs & {"map", "test", "deploy"}:
        return plan

    specs: Specs | None = None  # what map (and the bundle) would read: the new ingest's, else the latest's
    if ingested is not None and (latest_ingest is None or specs_plan.ingest_version != latest_ingest.version):
        specs = (
            ApiSpec.model_validate(ingested["source_api_spec"]),
            ApiSpec.model_validate(ingested["dest_api_spec"]),
        )
    elif ingested is not None and latest_ingest is not None:
        specs = specs_of(latest_ingest)
    drift = ingested.get("drift") if ingested is not None else None

    latest_map = states["map"].artifact
    logic: dict[str, Any] | None = latest_map.data.get("mapping_logic") if latest_map else None
    map_version = latest_map.version if latest_map else None
    if "map" in runs:
        plan.mapping, logic, map_version = _mapping(mf, peers, specs, specs_plan, latest_map, drift)

    tested = states["test"].artifact
    if "test" in runs:
        plan.gate = _gate(mf, tested, plan.mapping, drift)
    if "deploy" in runs:
        versions = {"ingest": specs_plan.ingest_version, "map": map_version}
        versions["test"] = UNKNOWN if "test" in runs or tested is None else tested.version
        plan.deploy = _deploy(mf, store, specs, logic, versions, _refusal(plan.gate, tested))
    return plan


# ---- steps -----------------------------------------------------------------------------------------------------


def _short(digest: str | None) -> str:
    return digest[:12] if digest else "none"


def _steps(states: dict[str, Freshness], specs: SpecsPlan) -> list[StepPlan]:
    """Each step by `vitesse.artifacts.freshness`'s rule; and where the rule sees ingest current but the specs on
    disk would give it a new version (a spec file edited, which no manifest section shows) or make it fail, ingest
    is not current and the steps built on it inherit that, as the rule words it (``ingest is stale (...)``)."""
    latest = states["ingest"].artifact
    disk = None
    if states["ingest"].current and latest is not None:
        if specs.error is not None:
            disk = f"ingest would fail now: {specs.error}"
        elif specs.ingest_version != latest.version:
            changed = [
                f"the {s.side} spec changed on disk ({s.location}: sha256 {_short(s.before)} -> {_short(s.after)})"
                for s in specs.sides
                if s.changed
            ]
            disk = "; ".join(changed) or f"ingest would store a new version ({specs.ingest_version})"
    judged: dict[str, StepPlan] = {}
    for step in STEPS:
        state = states[step]
        reason, root = state.reason, state.root
        if state.current:
            if step == "ingest" and disk is not None:
                reason, root = disk, "ingest"
            for parent in UPSTREAM[step]:
                above = judged[parent]
                if reason is None and above.runs:
                    origin = judged[above.root or parent]
                    cause = origin.reason if origin.step == parent else f"{origin.step}: {origin.reason}"
                    reason, root = f"{parent} is stale ({cause})", above.root or parent
        version = state.artifact.version if state.artifact is not None else None
        judged[step] = StepPlan(step, version, state.artifact is not None and reason is None, reason, root)
    return list(judged.values())


def _commands(name: str, steps: list[StepPlan]) -> list[str]:
    """The commands that make every step current, from where the earliest staleness starts to the last stale step
    (`vitesse.artifacts.freshness.commands`'s, as a list)."""
    runs = [s for s in steps if s.runs]
    if not runs:
        return []
    start = min(STEPS.index(s.root or s.step) for s in runs)
    end = max(STEPS.index(s.step) for s in runs)
    return list(dict.fromkeys(f"vitesse {COMMAND.get(s, s)} {name}" for s in STEPS[start : end + 1]))


# ---- specs -----------------------------------------------------------------------------------------------------


def _specs(mf: ManifestFile, store: ArtifactStore, latest: Artifact | None) -> tuple[SpecsPlan, dict[str, Any] | None]:
    """Both specs ingested now, in memory, against the latest ingest: the version ingest would store, each side's
    digest before and after, and the contract drift between them."""
    recorded = (latest.inputs.get("spec_sha256") or {}) if latest is not None else {}
    locations = {side: str(getattr(mf.manifest, side).spec or "-") for side, _, _ in SIDES}
    try:
        data, inputs, specs = ingest_data(mf, store)
    except VitesseError as exc:
        sides = [SpecSide(side, locations[side], recorded.get(side), None) for side, _, _ in SIDES]
        return SpecsPlan(None, sides, no_drift(latest.version if latest else None), error=exc.message), None
    version = artifact_version(mf.name, "ingest", data, {**manifest_inputs(mf.manifest, "ingest"), **inputs})
    now = inputs["spec_sha256"]
    sides = [SpecSide(side, locations[side], recorded.get(side), now.get(side)) for side, _, _ in SIDES]
    if latest is not None and any(s.changed for s in sides):
        drift = drift_against(store, mf, latest, specs)
    else:
        drift = no_drift(latest.version if latest else None)
    return SpecsPlan(version, sides, drift), data


# ---- mapping ---------------------------------------------------------------------------------------------------


def _mapping(
    mf: ManifestFile,
    peers: list[ManifestFile],
    specs: Specs | None,
    specs_plan: SpecsPlan,
    latest: Artifact | None,
    drift: dict[str, Any] | None,
) -> tuple[MappingPlan, dict[str, Any] | None, str | None]:
    """The mapping `vitesse map` would propose now, its version and its diff against the latest map."""
    from vitesse.mapping.step import build_mapping  # scipy: only when a mapping is proposed

    plan = MappingPlan(compared_with=latest.version if latest else None)
    if specs is None or specs_plan.ingest_version is None:
        plan.error = f"ingest would fail, so map cannot run: {specs_plan.error or 'no ingest'}"
        return plan, None, None
    try:
        logic = build_mapping(mf, specs[0], specs[1], peers)
    except VitesseError as exc:
        plan.error = explain_mapping_error(exc.message, drift) if isinstance(exc, MappingError) else exc.message
        return plan, None, None
    dumped = logic.model_dump(mode="json")
    inputs = {**manifest_inputs(mf.manifest, "map"), "ingest": specs_plan.ingest_version}
    plan.version = artifact_version(mf.name, "map", {"mapping_logic": dumped}, inputs)
    plan.diff = diff_mappings(latest.data.get("mapping_logic") if latest else None, dumped)
    return plan, dumped, plan.version


# ---- gate ------------------------------------------------------------------------------------------------------


def _gate(
    mf: ManifestFile, tested: Artifact | None, mapping: MappingPlan | None, drift: dict[str, Any] | None
) -> GatePlan:
    """The latest test's score against the threshold the manifest sets now: a prediction, not a test."""
    threshold = mf.manifest.test.threshold
    if tested is None:
        return GatePlan(None, threshold=threshold, notes=["no test has run yet: the first `vitesse test` decides"])
    data = tested.data
    score = data["health_score"]["overall"]
    was = data.get("threshold")
    failures = [c["message"] for c in data.get("contract_drift") or []]
    gate = GatePlan(
        tested.version,
        score=score,
        threshold=threshold,
        threshold_was=was,
        passed=bool(data.get("passed")),
        would_pass=score >= threshold and not failures,
    )
    if was is not None and was != threshold:
        flips = " (the gate flips)" if (score >= was) != (score >= threshold) else ""
        gate.notes.append(f"test.threshold changes from {was:g} to {threshold:g}{flips}")
    if failures:
        gate.notes.append("the last test failed on " + "; ".join(failures))
    diff = mapping.diff if mapping is not None else None
    if diff is not None and diff.fields:
        gate.notes.append(f"the mapping changes ({len(diff.fields)} field(s)): the new test's score may differ")
    if diff is not None and diff.needs_review:
        gate.notes.append(
            f"{len(diff.needs_review)} proposed field(s) need review ({', '.join(diff.needs_review)}): each counts "
            f"as a failed test until accepted (`vitesse map {mf.name} --accept`)"
        )
    if drift and drift.get("breaking"):
        gate.notes.append(
            f"{drift['breaking']} breaking contract change(s) since ingest {drift.get('baseline')}: the test fails "
            "on those the mapping it tests still uses as before"
        )
    return gate


# ---- deploy ----------------------------------------------------------------------------------------------------


def _deploy(
    mf: ManifestFile,
    store: ArtifactStore,
    specs: Specs | None,
    logic: dict[str, Any] | None,
    versions: dict[str, str | None],
    refusal: str | None,
) -> DeployPlan:
    """What a deploy would set and render against the latest deploy artifact; renders, applies nothing."""
    from vitesse.deploy.service import service_state
    from vitesse.deploy.state import check_replicas
    from vitesse.deploy.step import context_for, settings_of, target_for
    from vitesse.runtime.bundle import bundle_from

    latest = store.latest(mf.name, "deploy")
    plan = DeployPlan(target=mf.manifest.deploy.target, compared_with=latest.version if latest else None)
    service = service_state(store, mf.name, docker_host=mf.manifest.deploy.docker.host)
    plan.service = {"state": service.state, "detail": service.detail}
    before: dict[str, Any] = {}
    if latest is not None:
        plan.last_dry_run = bool(latest.data.get("dry_run"))
        if plan.last_dry_run:
            plan.notes.append(f"the latest deploy ({latest.version}) was a dry run: rendered, nothing applied")
        recorded = latest.data.get("settings")
        plan.settings_recorded = isinstance(recorded, dict)
        before = recorded if isinstance(recorded, dict) else {"target": latest.data.get("target")}
        if not plan.settings_recorded:
            was, now = latest.inputs.get("manifest_sections") or {}, section_parts(mf.manifest, "deploy")
            plan.changed_keys = sorted(k for k in was.keys() | now.keys() if was.get(k) != now.get(k))
    try:
        check_replicas(mf)
    except DeployError as exc:
        plan.refused = exc.message
    plan.refused = plan.refused or refusal
    known = {step: version for step, version in versions.items() if version is not None}
    if specs is None or logic is None or len(known) < len(versions):
        plan.error = "nothing to render: " + ("map would fail" if specs is not None else "ingest would fail")
        return plan
    try:
        bundle = bundle_from(mf, specs[0], specs[1], MappingLogic.model_validate(logic), known)
        if UNKNOWN in known.values():
            bundle = bundle.model_copy(update={"version": UNKNOWN})
        bundle = bundle.model_copy(update={"created_at": _created(store, mf, bundle, latest)})
        ctx = context_for(mf, store, bundle)
        target = target_for(mf.manifest.deploy.target)
        after = settings_of(target, ctx)
        plan.settings = settings_diff(before, after if plan.settings_recorded else {"target": after["target"]})
        if latest is None or bundle.version != latest.data.get("bundle_version"):
            plan.bundle = {"before": latest.data.get("bundle_version") if latest else None, "after": bundle.version}
        rendered = target.render(ctx)
    except VitesseError as exc:
        plan.error = exc.message
        return plan
    label = f"deploy {latest.version}" if latest is not None else "deployed"
    plan.manifests = manifest_diff((latest.data.get("manifests") or {}) if latest else {}, rendered, before_label=label)
    return plan


def _created(store: ArtifactStore, mf: ManifestFile, bundle: Bundle, latest: Artifact | None) -> str:
    """The bundle's ``created_at``: the deployed file's when it is the very bundle deployed (a rendered manifest
    that carries the bundle then differs only where something changed), else when deploy builds it."""
    from vitesse.deploy.step import context_for
    from vitesse.runtime.bundle import load_bundle

    if latest is not None and bundle.version == latest.data.get("bundle_version"):
        try:
            return load_bundle(context_for(mf, store, bundle).bundle_path).created_at
        except VitesseError:
            pass
    return "(known after deploy)"


def _refusal(gate: GatePlan | None, tested: Artifact | None) -> str | None:
    """Why the gate would refuse the deploy as things stand: predicted from the latest test when it re-runs, that
    test's verdict when it does not; None when it would pass or no test has run yet."""
    if gate is not None:
        if gate.would_pass is not False or gate.score is None:
            return None
        if gate.score < gate.threshold:
            return (
                f"the gate would refuse it (predicted from test {gate.test}): health score {gate.score:g} is below "
                f"the threshold {gate.threshold:g}"
            )
        return f"the gate would refuse it (predicted from test {gate.test}): it failed on contract drift"
    if tested is not None and not tested.data.get("passed"):
        score = tested.data.get("health_score", {}).get("overall")
        return f"the latest test ({tested.version}) did not pass (health score {score}); deploy is refused"
    return None
