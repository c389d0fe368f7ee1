"""Whether each step's latest artifact is current: one rule, for `vitesse status`, the REST API and the gate.

A step is current when

1. the manifest sections it reads (`vitesse.manifest.sections`) hash as they did when it ran (for test, also the
   fixture file beside the manifest, `vitesse.fixtures`: ``integrations/x.tests.yaml changed``),
2. every upstream artifact it was built from (its ``inputs``: map <- ingest, test <- map and ingest,
   deploy <- test) is still that step's latest version, and
3. each of those upstream steps is current itself.

So staleness runs down the chain: a mapping edit makes map stale and, through it, test and deploy; a new
`vitesse map` makes test stale (built on the previous map) and deploy with it, until `vitesse test` runs. Each stale
step says why: ``mapping.hints changed in the manifest``, ``built on map 3f2a1b2c3d4e5f60, latest is 9c1d...``,
``map is stale (mapping.hints changed in the manifest)``. `vitesse.artifacts.steps.upstream` refuses a step whose
upstream is not current with that same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vitesse.artifacts.store import Artifact, ArtifactStore
from vitesse.manifest import STEPS, ManifestFile, section_hash
from vitesse.manifest.sections import create_sections, parts_of, section_parts

UPSTREAM: dict[str, tuple[str, ...]] = {
    "create": (),
    "ingest": (),  # create only describes the integration: its edits make nothing else stale
    "map": ("ingest",),
    "test": ("map", "ingest"),
    "deploy": ("test",),
}
"""The upstream steps whose versions each step's artifact records in its ``inputs``."""

COMMAND = {"create": "ingest"}
"""The command that refreshes a step, where it is not the step's own: `vitesse ingest` records create again."""

READS = {
    "create": "name, description, intent, the APIs or deploy.environment",
    "ingest": "the specs (api, spec, base_url, spec_access)",
    "map": "intent, endpoints, mapping, params, incremental or write",
    "test": "test settings, sandbox URLs or auth",
    "deploy": "deploy, runtime or auth settings",
}
"""What each step reads, for artifacts that did not record their parts (`manifest_sections`)."""


@dataclass(frozen=True)
class Freshness:
    """One step's latest artifact and why it is not current (``reason`` None: it is)."""

    step: str
    artifact: Artifact | None
    reason: str | None = None
    root: str | None = None
    """The step the staleness starts at: this one, or the upstream step whose change it inherits."""

    @property
    def current(self) -> bool:
        return self.artifact is not None and self.reason is None

    @property
    def stale(self) -> bool:
        """Run once, and no longer current (a step never run is not stale, only missing)."""
        return self.artifact is not None and self.reason is not None


def freshness(store: ArtifactStore, mf: ManifestFile, *, until: str | None = None) -> dict[str, Freshness]:
    """Each step's freshness in pipeline order, from create up to ``until`` (default: deploy)."""
    judged: dict[str, Freshness] = {}
    for step in STEPS:
        judged[step] = _judge(store, mf, step, judged)
        if step == until:
            break
    return judged


def commands(name: str, state: Freshness, step: str) -> str:
    """The commands that make ``step`` current again, from where its staleness starts: "`vitesse map x`, then
    `vitesse test x`,"."""
    start = STEPS.index(state.root or step)
    wanted = list(dict.fromkeys(COMMAND.get(s, s) for s in STEPS[start : STEPS.index(step) + 1]))
    listed = ", then ".join(f"`vitesse {command} {name}`" for command in wanted)
    return listed + ("," if len(wanted) > 1 else "")


def _judge(store: ArtifactStore, mf: ManifestFile, step: str, judged: dict[str, Freshness]) -> Freshness:
    artifact = store.latest(mf.name, step)
    reason = "not run yet" if artifact is None else _reason(artifact, mf, step, judged)
    if reason is None:
        return Freshness(step, artifact)
    # where re-running has to start: this step, or further up if an upstream step is not current either
    roots = [step] + [judged[p].root or p for p in UPSTREAM[step] if not judged[p].current]
    return Freshness(step, artifact, reason, root=min(roots, key=STEPS.index))


def _reason(artifact: Artifact, mf: ManifestFile, step: str, judged: dict[str, Freshness]) -> str | None:
    """Why ``artifact`` is not current: its manifest sections, then the upstream versions it was built on, then
    whether those are current (the first that fails)."""
    changed = _manifest_change(artifact, mf, step)
    if changed is not None:
        return changed
    if step == "test" and (edited := _fixtures_change(artifact, mf)) is not None:
        return edited
    for parent in UPSTREAM[step]:
        built_on = artifact.inputs.get(parent)
        latest = judged[parent].artifact
        latest_version = latest.version if latest else None
        if built_on != latest_version:
            return f"built on {parent} {built_on or 'none'}, latest is {latest_version or 'none'}"
    for parent in UPSTREAM[step]:
        above = judged[parent]
        if not above.current:
            root = judged[above.root or parent]
            cause = root.reason if root.step == parent else f"{root.step}: {root.reason}"
            return f"{parent} is stale ({cause})"
    return None


def _manifest_change(artifact: Artifact, mf: ManifestFile, step: str) -> str | None:
    """Why the manifest sections ``step`` reads differ from those it ran on; None when they do not."""
    if artifact.inputs.get("manifest") == section_hash(mf.manifest, step):
        return None
    recorded = artifact.inputs.get("manifest_sections")
    if step == "create" and recorded is None:
        legacy = _legacy_create_sections(artifact)
        if legacy is not None:
            if legacy == create_sections(mf.manifest.model_dump(mode="json", by_alias=True)):
                return None  # recorded when create hashed the whole manifest; what it reads is unchanged
            recorded = parts_of(legacy)
    if isinstance(recorded, dict):
        now = section_parts(mf.manifest, step)
        places = sorted(p for p in recorded.keys() | now.keys() if recorded.get(p) != now.get(p))
        if places:
            listed = ", ".join(places[:4]) + (f" and {len(places) - 4} more" if len(places) > 4 else "")
            return f"{listed} changed in the manifest"
    return f"the manifest changed ({READS[step]}, which {step} reads)"


def _fixtures_change(artifact: Artifact, mf: ManifestFile) -> str | None:
    """Why the fixture file beside the manifest (`vitesse.fixtures`) differs from the one the test ran; its cases are
    tests, so an edit makes the test stale (never the map). None when unchanged, or absent then and now."""
    from vitesse.fixtures.paths import INPUT_KEY, fixture_hash, fixture_path, shown

    recorded, now = artifact.inputs.get(INPUT_KEY), fixture_hash(mf.path)
    if recorded == now:
        return None
    label = shown(fixture_path(mf.path), mf.project_root)
    return f"{label} was added" if recorded is None else f"{label} was removed" if now is None else f"{label} changed"


def _legacy_create_sections(artifact: Artifact) -> dict[str, Any] | None:
    """The sections create reads, from a create artifact that stored the whole manifest (before it recorded only what
    it reads)."""
    stored = artifact.data.get("integration", {}).get("manifest")
    if not isinstance(stored, dict):
        return None
    try:
        return create_sections(stored)
    except (KeyError, TypeError):
        return None
