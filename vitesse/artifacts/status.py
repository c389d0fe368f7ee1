"""Integration status, derived the seed's way from the last step run.

create -> discovering, ingest -> mapping, map -> testing, test (passed) -> deploying, deploy -> active;
any failed step (or a test below the threshold) -> failed, with the seed's error envelope.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel

from vitesse.artifacts.store import ArtifactStore, utc_now

STATUS_AFTER = {
    "create": "discovering",
    "ingest": "mapping",
    "map": "testing",
    "test": "deploying",
    "deploy": "active",
}
NEXT_STEP = {"create": "ingest", "ingest": "map", "map": "test", "test": "deploy", "deploy": None}
_NAMESPACE = uuid.UUID("6f1c1b8e-6a53-4f0e-9d2e-7a2f1d5b9c01")
STATUS_FILE = "status.json"


def integration_id(name: str) -> str:
    """The integration's stable UUID: the same name gives the same id on every machine."""
    return str(uuid.uuid5(_NAMESPACE, name))


class IntegrationStatus(BaseModel):
    """What `vitesse status` and ``GET /integrations/{id}`` report."""

    integration: str
    id: str
    status: str
    step: str | None = None
    error: str | None = None
    http_status: int | None = None
    created_at: str | None = None
    updated_at: str | None = None


def record_success(store: ArtifactStore, integration: str, step: str, *, status: str | None = None) -> None:
    """Record that ``step`` succeeded; ``status`` overrides the seed's default for that step."""
    _record(store, integration, step, status or STATUS_AFTER[step], None, None)


def record_failure(store: ArtifactStore, integration: str, step: str, error: str, http_status: int = 400) -> None:
    """Record that ``step`` failed with ``error`` (the seed's envelope: status failed, error, http_status)."""
    _record(store, integration, step, "failed", error, http_status)


def _record(
    store: ArtifactStore, integration: str, step: str, status: str, error: str | None, http_status: int | None
) -> None:
    previous = store.read_json(integration, STATUS_FILE) or {}
    now = utc_now()
    store.write_json(
        integration,
        STATUS_FILE,
        {
            "integration": integration,
            "id": integration_id(integration),
            "status": status,
            "step": step,
            "error": error,
            "http_status": http_status,
            "created_at": previous.get("created_at", now),
            "updated_at": now,
        },
    )


def read_status(store: ArtifactStore, integration: str) -> IntegrationStatus:
    """The integration's current status; ``new`` when no step has run yet."""
    raw: dict[str, Any] | None = store.read_json(integration, STATUS_FILE)
    if raw is None:
        return IntegrationStatus(integration=integration, id=integration_id(integration), status="new")
    return IntegrationStatus.model_validate(raw)
