"""Dagster's code location reads `integrations/*.yaml` manifests, never their fixture files, and the test asset's
code version covers the fixture file (its cases are tests), as `vitesse status` does."""

from __future__ import annotations

from pathlib import Path

from pipelines.assets import StepSpec
from pipelines.definitions import load_manifests
from vitesse.manifest import section_hash
from vitesse.project import Project


def test_fixture_files_are_not_manifests_and_version_the_test_asset(project: Path) -> None:
    fixtures = project / "integrations" / "crm-to-mailwave.tests.yaml"
    assert fixtures.is_file()
    loaded, broken = load_manifests(Project(project))
    assert sorted(mf.name for mf in loaded) == ["crm-to-mailwave", "issues-to-tasks", "mailwave-to-crm"]
    assert broken == []
    (mf,) = [m for m in loaded if m.name == "crm-to-mailwave"]
    before = {step: StepSpec(mf, step).code_version for step in ("ingest", "map", "test", "deploy")}
    assert before["map"] == section_hash(mf.manifest, "map")
    assert before["test"] != section_hash(mf.manifest, "test")
    fixtures.write_text(fixtures.read_text().replace("given_name: Jenny", "given_name: Jennifer", 1))
    after = {step: StepSpec(mf, step).code_version for step in ("ingest", "map", "test", "deploy")}
    assert [step for step in before if before[step] != after[step]] == ["test"]
    fixtures.unlink()
    assert StepSpec(mf, "test").code_version == section_hash(mf.manifest, "test")
