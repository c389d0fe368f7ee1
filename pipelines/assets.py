"""Asset specs for every integration manifest; naming (keys, groups, tags) is decided here and only here."""

from __future__ import annotations

from dataclasses import dataclass

from dagster import AssetKey

from vitesse.fixtures.paths import fixture_hash
from vitesse.hashing import content_hash
from vitesse.manifest import ManifestFile, section_hash

STEPS = ("ingest", "map", "test", "deploy")
RETEST_TAG = "vitesse/retest"
"""The run tag of re-test runs: they re-run the test even when its inputs are unchanged."""
DESCRIPTIONS = {
    "ingest": "Both OpenAPI specs, normalized (endpoints, record schemas, pagination, auth, warnings)",
    "map": "The proposed field mapping (the seed's mapping_logic), explainable and compiled",
    "test": "Synthetic records, schema validation, shadow calls and the health score",
    "deploy": "The running service on the manifest's deploy target",
}


def step_code_version(step: str, sections: str, fixtures: str | None) -> str:
    """An asset's code version from the hash of the manifest sections its step reads and, for test, the hash of the
    fixture file it runs (None without one); the same for the definitions and for the artifacts' provenance."""
    return content_hash([sections, fixtures]) if step == "test" and fixtures is not None else sections


def asset_key(name: str, step: str) -> AssetKey:
    return AssetKey(["integ", name, step])


def group_name(name: str) -> str:
    return "integ_" + name.replace("-", "_")


def op_name(name: str) -> str:
    """The op that runs an integration's steps (one per integration)."""
    return group_name(name)


@dataclass(frozen=True)
class StepSpec:
    """How one step of one integration appears in Dagster."""

    mf: ManifestFile
    step: str

    @property
    def key(self) -> AssetKey:
        return asset_key(self.mf.name, self.step)

    @property
    def deps(self) -> list[AssetKey]:
        index = STEPS.index(self.step)
        return [asset_key(self.mf.name, STEPS[index - 1])] if index else []

    @property
    def code_version(self) -> str:
        """The hash of the manifest sections the step reads: editing them marks the step unsynced. The test's also
        covers the fixture file whose cases it runs (`vitesse.fixtures`), as `vitesse status` does."""
        fixtures = fixture_hash(self.mf.path) if self.step == "test" else None
        return step_code_version(self.step, section_hash(self.mf.manifest, self.step), fixtures)

    @property
    def tags(self) -> dict[str, str]:
        return {"integration": self.mf.name, "step": self.step}


def step_specs(manifests: list[ManifestFile]) -> list[StepSpec]:
    return [StepSpec(mf, step) for mf in manifests for step in STEPS]
