"""The artifact_history sensor's events, without a run: provenance tags, and artifacts from older versions."""

from __future__ import annotations

import shutil
from pathlib import Path

from dagster import AssetKey, DagsterInstance

from pipelines.history import provenance_tags, unrecorded_events
from tests.conftest import EXAMPLES
from vitesse.artifacts import ArtifactStore
from vitesse.manifest import load_manifest
from vitesse.project import Project


def test_provenance_names_the_upstream_version_the_step_was_built_on(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    mapped = store.write("crm", "map", {"mapping_logic": {}}, {"manifest": "m1", "ingest": "i1"})
    tags = provenance_tags(mapped)
    assert tags["dagster/data_version"] == mapped.version
    assert tags["dagster/code_version"] == "m1"
    assert tags["dagster/input_data_version/integ/crm/ingest"] == "i1"
    assert tags["dagster/input_event_pointer/integ/crm/ingest"] == "NULL"
    assert not any("input" in key for key in provenance_tags(store.write("crm", "ingest", {}, {"manifest": "m0"})))


def test_an_artifact_of_an_unknown_shape_is_reported_by_its_version_alone(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "integrations")
    project = Project(tmp_path)
    mf = load_manifest(tmp_path / "integrations" / "crm-to-mailwave.yaml")
    old = project.store.write(mf.name, "map", {"something": "else"}, {"manifest": "m1", "ingest": "i1"})
    seen: dict[str, str] = {}
    with DagsterInstance.ephemeral() as instance:
        [event] = unrecorded_events(project, [mf], instance, seen)
        assert event.asset_key == AssetKey(["integ", mf.name, "map"])
        assert event.metadata["artifact_version"].value == old.version and "mapping" not in event.metadata
        assert seen == {f"{mf.name}/map": old.version}
        assert unrecorded_events(project, [mf], instance, seen) == []
