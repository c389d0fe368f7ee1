"""Running a step: produce its data, store the artifact, record the outcome; the same for CLI, API and Dagster."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vitesse.artifacts.freshness import commands, freshness
from vitesse.artifacts.status import record_failure, record_success
from vitesse.artifacts.store import Artifact, ArtifactStore
from vitesse.errors import StepOrderError, VitesseError
from vitesse.manifest import ManifestFile
from vitesse.manifest.sections import manifest_inputs

Produce = Callable[[], tuple[dict[str, Any], dict[str, Any]]]


def run_step(
    store: ArtifactStore, mf: ManifestFile, step: str, produce: Produce, *, status: str | None = None
) -> Artifact:
    """Call ``produce`` -> (data, extra inputs) under the integration's lock and store the result as a new version.

    A `VitesseError` records the step as failed (the seed's envelope) and propagates; nothing is written for it.
    """
    name = mf.name
    with store.lock(name):
        try:
            data, inputs = produce()
        except VitesseError as exc:
            record_failure(store, name, step, exc.message, exc.http_status)
            raise
        artifact = store.write(name, step, data, {**manifest_inputs(mf.manifest, step), **inputs})
        record_success(store, name, step, status=status)
    return artifact


def upstream(store: ArtifactStore, mf: ManifestFile, step: str, needed_by: str) -> Artifact:
    """The latest artifact of ``step``, which ``needed_by`` builds on; `StepOrderError` if it is missing or not
    current by `vitesse.artifacts.freshness` (the rule `vitesse status` shows, with the same reason)."""
    state = freshness(store, mf, until=step)[step]
    if state.artifact is None:
        raise StepOrderError(f"{mf.name}: run `vitesse {step} {mf.name}` before {needed_by}")
    if not state.current:
        raise StepOrderError(
            f"{mf.name}: the latest {step} is stale: {state.reason}; run {commands(mf.name, state, step)} "
            f"before {needed_by}",
            code="step.stale",
        )
    return state.artifact
