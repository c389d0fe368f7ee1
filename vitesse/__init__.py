"""vitesse: declarative API-to-API integrations.

The steps are plain functions over a loaded manifest and an artifact store; the CLI, the REST API and Dagster call
these same functions. Names are imported on first use, so `import vitesse.manifest` (the Dagster code location, the
runtime image) does not pay for scipy, boto3 or the Kubernetes client.
"""

# Light names are bound now (``create`` and ``ingest`` must shadow their subpackages); heavy ones on first use.
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
from vitesse.lazy import lazy_names
from vitesse.manifest import Manifest, ManifestFile, load_manifest
from vitesse.project import Project

_LAZY = {
    "Bundle": "vitesse.runtime",
    "CompiledMapping": "vitesse.mapping",
    "MappingLogic": "vitesse.mapping",
    "Syncer": "vitesse.runtime",
    "build_bundle": "vitesse.runtime",
    "compile_mapping": "vitesse.mapping",
    "map_integration": "vitesse.mapping",
    "propose_mapping": "vitesse.mapping",
    "test_integration": "vitesse.guardian",
}

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


__getattr__, __dir__ = lazy_names("vitesse", globals(), _LAZY, __all__)
