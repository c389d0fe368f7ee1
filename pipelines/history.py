"""One history: steps run outside Dagster (the CLI, the REST API) appear as their assets' latest materializations.

The `artifact_history` sensor walks the artifact store every `INTERVAL` seconds. For each integration step whose
latest artifact Dagster has not recorded (the asset's latest materialization has another data version), it reports
a runless materialization carrying what a run would: the artifact's version as the data version, the step's code
version (the hash of the manifest sections it read), the upstream versions it was built on (so Dagster's staleness
agrees with vitesse's), and the same metadata. A test artifact also reports the health-score check's evaluation.
Materializations a Dagster run made are recognized by their data version and never reported twice.
"""

from __future__ import annotations

import json
import os
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetMaterialization,
    DefaultSensorStatus,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from dagster._core.definitions.data_version import (
    CODE_VERSION_TAG,
    DATA_VERSION_IS_USER_PROVIDED_TAG,
    DATA_VERSION_TAG,
    NULL_EVENT_POINTER,
    get_input_data_version_tag,
    get_input_event_pointer_tag,
)

from pipelines.assets import STEPS, asset_key, step_code_version
from pipelines.metadata import check_metadata, step_metadata
from vitesse.artifacts import Artifact
from vitesse.errors import VitesseError
from vitesse.fixtures.paths import INPUT_KEY as FIXTURES_INPUT
from vitesse.manifest import ManifestFile
from vitesse.project import Project

INTERVAL = int(os.environ.get("VITESSE_HISTORY_INTERVAL", "30"))
"""Seconds between walks of the artifact store (``$VITESSE_HISTORY_INTERVAL``)."""
UPSTREAM = {"map": "ingest", "test": "map", "deploy": "test"}


def provenance_tags(artifact: Artifact) -> dict[str, str]:
    """The tags Dagster reads a materialization's provenance from: data version, code version, input versions."""
    tags = {
        DATA_VERSION_TAG: artifact.version,
        DATA_VERSION_IS_USER_PROVIDED_TAG: "true",
        CODE_VERSION_TAG: step_code_version(
            artifact.step, str(artifact.inputs.get("manifest", "")), artifact.inputs.get(FIXTURES_INPUT)
        ),
    }
    parent = UPSTREAM.get(artifact.step)
    if parent and artifact.inputs.get(parent):
        key = asset_key(artifact.integration, parent)
        tags[get_input_data_version_tag(key)] = str(artifact.inputs[parent])
        tags[get_input_event_pointer_tag(key)] = NULL_EVENT_POINTER
    return tags


def recorded_version(instance: Any, integration: str, step: str) -> str | None:
    """The data version of the asset's latest materialization in Dagster, if any."""
    event = instance.get_latest_materialization_event(asset_key(integration, step))
    if event is None or event.asset_materialization is None:
        return None
    return event.asset_materialization.tags.get(DATA_VERSION_TAG)


def unrecorded_events(
    project: Project, manifests: list[ManifestFile], instance: Any, seen: dict[str, str]
) -> list[AssetMaterialization | AssetCheckEvaluation]:
    """Events for the latest artifacts Dagster has not recorded; ``seen`` (name/step -> version) is updated."""
    store = project.store
    events: list[AssetMaterialization | AssetCheckEvaluation] = []
    for mf in manifests:
        for step in STEPS:
            try:
                artifact = store.latest(mf.name, step)
            except VitesseError:  # a corrupt artifact: the step's own run reports it
                continue
            where = f"{mf.name}/{step}"
            if artifact is None or seen.get(where) == artifact.version:
                continue
            seen[where] = artifact.version
            if recorded_version(instance, mf.name, step) == artifact.version:
                continue  # a Dagster run made it
            try:
                details = step_metadata(step, artifact.data, mf.name)
            except (KeyError, TypeError, ValueError):  # an artifact from an older vitesse: its version still counts
                details = {}
            events.append(
                AssetMaterialization(
                    asset_key=asset_key(mf.name, step),
                    description=f"{step} run outside Dagster (CLI or REST API) at {artifact.created_at}",
                    metadata={"artifact_version": artifact.version, "created_at": artifact.created_at, **details},
                    tags=provenance_tags(artifact),
                )
            )
            if step == "test" and "health_score" in artifact.data:
                events.append(
                    AssetCheckEvaluation(
                        asset_key=asset_key(mf.name, "test"),
                        check_name="health_score",
                        passed=bool(artifact.data.get("passed")),
                        metadata=check_metadata(artifact.data),
                    )
                )
    return events


def artifact_history_sensor(project: Project, manifests: list[ManifestFile]) -> Any:
    @sensor(
        name="artifact_history",
        minimum_interval_seconds=INTERVAL,
        default_status=DefaultSensorStatus.RUNNING,
        description="Reports steps run from the CLI or the REST API as their assets' materializations",
    )
    def artifact_history(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        seen = json.loads(context.cursor) if context.cursor else {}
        events = unrecorded_events(project, manifests, context.instance, seen)
        if not events:
            return SensorResult(skip_reason=SkipReason("every artifact is recorded"), cursor=json.dumps(seen))
        return SensorResult(asset_events=events, cursor=json.dumps(seen, sort_keys=True))

    return artifact_history
