"""The create step: the manifest as stored, and the discovery results it carries."""

from __future__ import annotations

from typing import Any

from vitesse.artifacts import Artifact, ArtifactStore, integration_id
from vitesse.artifacts.steps import run_step
from vitesse.manifest import ManifestFile, section_hash
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
            "manifest": m.model_dump(mode="json", by_alias=True),
        }
        data = {
            "integration": integration,
            "source_discovery": _discovery(m.source),
            "dest_discovery": _discovery(m.destination),
        }
        return data, {}

    return run_step(store, mf, "create", produce)


def ensure_created(mf: ManifestFile, store: ArtifactStore) -> Artifact:
    """The current ``create`` artifact, recording it first if the manifest is new or changed."""
    latest = store.latest(mf.name, "create")
    if latest is not None and latest.inputs.get("manifest") == section_hash(mf.manifest, "create"):
        return latest
    return create(mf, store)
