"""vitesse: declarative API-to-API integrations.

The steps are plain functions over a loaded manifest and an artifact store; the CLI, the REST API and Dagster call
these same functions.
"""

from vitesse.artifacts import Artifact, ArtifactStore, IntegrationStatus, read_status
from vitesse.create import create
from vitesse.errors import (
    ArtifactError,
    DeployError,
    GateError,
    ManifestError,
    MappingError,
    RuntimeSyncError,
    SpecError,
    StepOrderError,
    VitesseError,
)
from vitesse.ingest import ApiSpec, Endpoint, ingest, ingest_spec
from vitesse.manifest import Manifest, ManifestFile, load_manifest
from vitesse.project import Project

__all__ = [
    "ApiSpec",
    "Artifact",
    "ArtifactError",
    "ArtifactStore",
    "DeployError",
    "Endpoint",
    "GateError",
    "IntegrationStatus",
    "Manifest",
    "ManifestError",
    "ManifestFile",
    "MappingError",
    "Project",
    "RuntimeSyncError",
    "SpecError",
    "StepOrderError",
    "VitesseError",
    "create",
    "ingest",
    "ingest_spec",
    "load_manifest",
    "read_status",
]
