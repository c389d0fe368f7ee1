"""The public API is exactly what `vitesse.__all__` lists (sorted), and each name is importable."""

import vitesse

EXPECTED = [
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


def test_exported_members() -> None:
    assert vitesse.__all__ == EXPECTED
    assert sorted(vitesse.__all__) == vitesse.__all__
    for name in vitesse.__all__:
        assert getattr(vitesse, name) is not None


def test_error_hierarchy() -> None:
    for name in (
        "ManifestError",
        "SpecError",
        "ArtifactError",
        "StepOrderError",
        "MappingError",
        "GateError",
        "DeployError",
        "RuntimeSyncError",
    ):
        assert issubclass(getattr(vitesse, name), vitesse.VitesseError)
    assert vitesse.StepOrderError("x").http_status == 409
    assert vitesse.DeployError("x").http_status == 500
