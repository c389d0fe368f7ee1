"""Versioned step artifacts and the integration status derived from them."""

from vitesse.artifacts.status import (
    NEXT_STEP,
    STATUS_AFTER,
    IntegrationStatus,
    integration_id,
    read_status,
    record_failure,
    record_success,
)
from vitesse.artifacts.store import Artifact, ArtifactStore, utc_now, write_atomic

__all__ = [
    "NEXT_STEP",
    "STATUS_AFTER",
    "Artifact",
    "ArtifactStore",
    "IntegrationStatus",
    "integration_id",
    "read_status",
    "record_failure",
    "record_success",
    "utc_now",
    "write_atomic",
]
