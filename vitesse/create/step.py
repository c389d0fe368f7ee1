"""The create step: the integration record and the discovery results the manifest carries.

It reads exactly `vitesse.manifest.sections.create_sections` (name, description, intent, each side's api and
discovery, ``deploy.environment``): editing anything else leaves it current. `vitesse ingest` (and `run`) record it
again when those change (`ensure_created`)."""

from __future__ import annotations

from typing import Any

from vitesse.artifacts import Artifact, ArtifactStore, integration_id
from vitesse.artifacts.freshness import freshness
from vitesse.artifacts.steps import run_step
from vitesse.manifest import ManifestFile
from vitesse.manifest.models import Side


def _discovery(side: Side) -> dict[str, Any]:
    found = side.discovery.model_dump(mode="json") if side.discovery else {}
    return {"api_name": side.api, **found}


def create(mf: ManifestFile, store: ArtifactStore) -> Artifact:
    """Record the integration (the seed's Integration record) as the ``create`` artifact."""
    m = mf.manifest

    def produce() -> tuple[dict[str, Any], dict[str, Any]]:
        integration = {
            "id": integration_id(m.name),
            "name": m.name,
            "description": m.description,
            "user_intent": m.intent,
            "deployment_target": m.deploy.environment,
        }
        data = {
            "integration": integration,
            "source_discovery": _discovery(m.source),
            "dest_discovery": _discovery(m.destination),
        }
        return data, {}

    return run_step(store, mf, "create", produce)


def ensure_created(mf: ManifestFile, store: ArtifactStore) -> Artifact:
    """The current ``create`` artifact, recording it first if it is missing or stale (the sections it reads changed);
    the rule is `vitesse.artifacts.freshness`'s, the one `vitesse status` shows."""
    state = freshness(store, mf, until="create")["create"]
    if state.current and state.artifact is not None:
        return state.artifact
    return create(mf, store)
