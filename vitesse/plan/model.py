"""What `vitesse plan` finds for one integration, as plain dataclasses; ``as_json`` gives the stable shape the
package docstring (`vitesse.plan`) documents."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

UNKNOWN = "(known after test)"
"""A version no one can know before the step runs (a test's results, and so the bundle built on them)."""


@dataclass
class StepPlan:
    """One step: its latest version, whether it is current and, if not, why (`vitesse.artifacts.freshness`'s rule,
    plus the specs on disk: an ingest of changed spec files would store a new version)."""

    step: str
    version: str | None
    current: bool
    reason: str | None = None
    root: str | None = None
    """The step re-running has to start at: this one or the upstream step whose change it inherits."""

    @property
    def runs(self) -> bool:
        return not self.current


@dataclass
class SpecSide:
    side: str
    location: str
    before: str | None
    """The sha256 of the spec the latest ingest read (None before the first)."""
    after: str | None
    """The sha256 of the spec as it is now (None when it cannot be read)."""

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class SpecsPlan:
    """Both specs as they are now against the latest ingest: what ingest would store, and the contract drift."""

    ingest_version: str | None
    """The version ingest would store now (the latest one when nothing changed)."""
    sides: list[SpecSide] = field(default_factory=list)
    drift: dict[str, Any] = field(default_factory=dict)
    """`vitesse.ingest.drift`'s block from the latest ingest to the specs now: baseline, changes, breaking."""
    error: str | None = None
    """Why ingest would fail now (then nothing downstream is proposed)."""


@dataclass
class FieldChange:
    """One destination field whose mapping changes: ``added``, ``removed`` or ``changed`` (``aspects`` saying what:
    source, transform, confidence, needs_review)."""

    dest_field: str
    change: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    aspects: list[str] = field(default_factory=list)


@dataclass
class MappingDiff:
    """The mapping proposed now against the latest map artifact's ``mapping_logic``."""

    endpoints: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Side -> {before, after}, for each side whose endpoint changes."""
    fields: list[FieldChange] = field(default_factory=list)
    unmapped_required: list[str] = field(default_factory=list)
    """Required destination fields nothing fills in the proposed mapping."""
    unmapped_required_before: list[str] = field(default_factory=list)
    needs_review: list[str] = field(default_factory=list)
    """Fields of the proposed mapping still to be reviewed (each a failed test until accepted)."""

    @property
    def changes(self) -> bool:
        return bool(self.endpoints or self.fields or self.unmapped_required != self.unmapped_required_before)


@dataclass
class MappingPlan:
    compared_with: str | None
    """The latest map version (None before the first map)."""
    version: str | None = None
    """The version map would store (None when it would fail)."""
    diff: MappingDiff | None = None
    error: str | None = None


@dataclass
class GatePlan:
    """Whether the gate would pass, predicted from the latest test's results: its score against the threshold the
    manifest sets now. Not a new test: ``vitesse test`` re-runs it (``reruns``) and decides."""

    test: str | None
    score: float | None = None
    threshold: float = 0
    threshold_was: float | None = None
    passed: bool | None = None
    """Whether the latest test passed."""
    would_pass: bool | None = None
    """Its score against the threshold now (and its contract drift failures); None without a test."""
    reruns: bool = True
    notes: list[str] = field(default_factory=list)


@dataclass
class DeployPlan:
    target: str
    compared_with: str | None
    """The latest deploy version (None before the first)."""
    last_dry_run: bool | None = None
    service: dict[str, str] = field(default_factory=dict)
    """{state, detail}: what runs now (`vitesse.deploy.service`: running, unhealthy, stopped, deployed, -)."""
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Setting -> {before, after}, the ones that change (target, image, replicas, memory_mb, cpu_cores, auto_scale,
    env: env var names only, state)."""
    settings_recorded: bool = True
    """False when the latest deploy did not record its settings (made before `vitesse plan`): ``changed_keys``
    then names the manifest keys that changed instead."""
    changed_keys: list[str] = field(default_factory=list)
    bundle: dict[str, str | None] = field(default_factory=dict)
    """{before, after}: the bundle version deployed and the one deploy would ship."""
    manifests: dict[str, str] = field(default_factory=dict)
    """File name -> unified diff of the rendered manifests (kubernetes, ecs, docker), the changed files only."""
    refused: str | None = None
    """Why deploy would be refused as things stand (the gate as predicted, replicas on SQLite)."""
    error: str | None = None
    """Why rendering failed."""
    notes: list[str] = field(default_factory=list)


@dataclass
class IntegrationPlan:
    name: str
    manifest: str
    errors: list[str] = field(default_factory=list)
    """The manifest's problems (``file:line:col: key: message [code]``) when it does not load; nothing else is
    planned then."""
    steps: list[StepPlan] = field(default_factory=list)
    specs: SpecsPlan | None = None
    mapping: MappingPlan | None = None
    gate: GatePlan | None = None
    deploy: DeployPlan | None = None
    commands: list[str] = field(default_factory=list)
    """What makes every step current again, in order."""

    @property
    def rerun(self) -> list[str]:
        return [s.step for s in self.steps if s.runs]

    @property
    def changes(self) -> bool:
        return bool(self.rerun)

    def as_json(self) -> dict[str, Any]:
        plain = asdict(self)
        data = {k: plain.pop(k) for k in ("name", "manifest", "errors")}
        data.update(changes=self.changes, rerun=self.rerun, commands=plain.pop("commands"), **plain)
        if self.specs is not None:
            for side, plain in zip(self.specs.sides, data["specs"]["sides"], strict=True):
                plain["changed"] = side.changed
        if self.mapping is not None and self.mapping.diff is not None:
            data["mapping"]["diff"]["changes"] = self.mapping.diff.changes
        return data


def plan_json(plans: list[IntegrationPlan]) -> dict[str, Any]:
    """The whole `vitesse plan --json` document."""
    return {
        "format": 1,
        "changes": any(p.changes for p in plans),
        "errors": sum(bool(p.errors) for p in plans),
        "integrations": [p.as_json() for p in plans],
    }
