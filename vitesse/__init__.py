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
from vitesse.guardian import test_integration
from vitesse.ingest import ApiSpec, Endpoint, ingest, ingest_spec
from vitesse.manifest import Manifest, ManifestFile, load_manifest
from vitesse.mapping import CompiledMapping, MappingLogic, compile_mapping, map_integration, propose_mapping
from vitesse.project import Project
from vitesse.runtime import Bundle, Syncer, build_bundle

__all__ = [
    "ApiSpec",
    "Artifact",
    "ArtifactError",
    "ArtifactStore",
    "Bundle",
    "CompiledMapping",
    "DeployError",
    "Endpoint",
    "GateError",
    "IntegrationStatus",
    "Manifest",
    "ManifestError",
    "ManifestFile",
    "MappingError",
    "MappingLogic",
    "Project",
    "RuntimeSyncError",
    "SpecError",
    "StepOrderError",
    "Syncer",
    "VitesseError",
    "build_bundle",
    "compile_mapping",
    "create",
    "ingest",
    "ingest_spec",
    "load_manifest",
    "map_integration",
    "propose_mapping",
    "read_status",
    "test_integration",
]
