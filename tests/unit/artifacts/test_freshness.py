"""The freshness rule on hand-made artifacts: reasons, the commands a refusal names, create's older artifacts.
Through the CLI (the demo project, edits and re-runs): tests/unit/cli/test_status_cli.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from vitesse.artifacts import ArtifactStore
from vitesse.artifacts.freshness import commands, freshness
from vitesse.artifacts.steps import upstream
from vitesse.errors import StepOrderError
from vitesse.fixtures.paths import fixture_inputs, fixture_path
from vitesse.hashing import content_hash
from vitesse.manifest import ManifestFile, load_manifest, section_hash
from vitesse.manifest.sections import manifest_inputs, section_parts

NAME = "crm-to-mailwave"


@pytest.fixture
def mf(tmp_path: Path) -> ManifestFile:
    shutil.copytree(EXAMPLES, tmp_path / "integrations")
    return load_manifest(tmp_path / "integrations" / f"{NAME}.yaml")


def edited(mf: ManifestFile, old: str, new: str) -> ManifestFile:
    text = mf.path.read_text()
    assert old in text
    mf.path.write_text(text.replace(old, new, 1))
    return load_manifest(mf.path)


def chain(store: ArtifactStore, mf: ManifestFile) -> dict[str, str]:
    versions: dict[str, str] = {}
    for step, parents in (("create", ()), ("ingest", ("create",)), ("map", ("ingest",)), ("test", ("map", "ingest"))):
        inputs = {**manifest_inputs(mf.manifest, step), **{p: versions[p] for p in parents}}
        if step == "test":  # what the test step records of integrations/<name>.tests.yaml
            inputs.update(fixture_inputs(mf.path))
        versions[step] = store.write(NAME, step, {"step": step}, inputs).version
    return versions


def test_a_chain_built_in_order_is_current_and_a_missing_step_is_not_stale(tmp_path: Path, mf: ManifestFile) -> None:
    store = ArtifactStore(tmp_path / ".vitesse")
    chain(store, mf)
    judged = freshness(store, mf)
    assert [s for s, f in judged.items() if f.current] == ["create", "ingest", "map", "test"]
    assert (judged["deploy"].reason, judged["deploy"].stale) == ("not run yet", False)
    assert list(freshness(store, mf, until="map")) == ["create", "ingest", "map"]


def test_a_new_upstream_version_and_its_commands(tmp_path: Path, mf: ManifestFile) -> None:
    store = ArtifactStore(tmp_path / ".vitesse")
    versions = chain(store, mf)
    newer = store.write(NAME, "ingest", {"step": "ingest", "again": True}, store.latest(NAME, "ingest").inputs)
    judged = freshness(store, mf)
    assert judged["map"].reason == f"built on ingest {versions['ingest']}, latest is {newer.version}"
    assert judged["test"].reason == f"built on ingest {versions['ingest']}, latest is {newer.version}"
    assert commands(NAME, judged["test"], "test") == f"`vitesse map {NAME}`, then `vitesse test {NAME}`,"
    with pytest.raises(StepOrderError, match=r"the latest map is stale: built on ingest") as refused:
        upstream(store, mf, "map", needed_by="test")
    assert refused.value.code == "step.stale" and refused.value.http_status == 409
    store.write(NAME, "map", {"again": True}, {**manifest_inputs(mf.manifest, "map"), "ingest": newer.version})
    judged = freshness(store, mf)
    assert judged["test"].reason.startswith("built on map")  # the fix is test alone
    assert commands(NAME, judged["test"], "test") == f"`vitesse test {NAME}`"


def test_an_artifact_without_its_parts_still_says_what_changed(tmp_path: Path, mf: ManifestFile) -> None:
    store = ArtifactStore(tmp_path / ".vitesse")
    store.write(NAME, "create", {}, manifest_inputs(mf.manifest, "create"))
    store.write(NAME, "ingest", {}, {"manifest": "an older hash", "create": store.latest_version(NAME, "create")})
    reason = freshness(store, mf)["ingest"].reason
    assert reason == "the manifest changed (the specs (api, spec, base_url, spec_access), which ingest reads)"


def test_a_create_that_hashed_the_whole_manifest_is_judged_by_what_create_reads(
    tmp_path: Path, mf: ManifestFile
) -> None:
    """Before create recorded only what it reads, its artifact held (and hashed) the whole manifest."""
    store = ArtifactStore(tmp_path / ".vitesse")
    whole = mf.manifest.model_dump(mode="json", by_alias=True)
    store.write(NAME, "create", {"integration": {"manifest": whole}}, {"manifest": content_hash(whole)})
    mf = edited(mf, "  min_confidence: 0.6\n", "  min_confidence: 0.5\n")  # what create reads is unchanged
    assert section_hash(mf.manifest, "create") != content_hash(whole)
    assert freshness(store, mf, until="create")["create"].current
    mf = edited(mf, "\ndescription: ", "\ndescription: Another ")
    assert freshness(store, mf, until="create")["create"].reason == "description changed in the manifest"


def test_parts_are_named_by_their_place_in_the_manifest(mf: ManifestFile) -> None:
    assert set(section_parts(mf.manifest, "create")) == {
        "name",
        "description",
        "intent",
        "source.api",
        "source.discovery",
        "destination.api",
        "destination.discovery",
        "deploy.environment",
    }
    assert {"source.endpoint", "destination.endpoint", "mapping.hints", "intent"} <= set(
        section_parts(mf.manifest, "map")
    )
    assert {"source.auth", "destination.auth", "test.sample_size"} <= set(section_parts(mf.manifest, "test"))
    assert {"deploy.replicas", "deploy.target", "source.auth"} <= set(section_parts(mf.manifest, "deploy"))


def test_an_edited_fixture_file_makes_the_test_stale_and_nothing_above_it(tmp_path: Path, mf: ManifestFile) -> None:
    store = ArtifactStore(tmp_path / ".vitesse")
    chain(store, mf)
    fixtures = fixture_path(mf.path)
    text = fixtures.read_text()
    fixtures.write_text("# a comment and blank lines change nothing\n\n" + text)
    assert freshness(store, mf)["test"].current
    fixtures.write_text(text.replace("given_name: Jenny", "given_name: Jennifer", 1))
    judged = freshness(store, mf)
    assert [s for s, f in judged.items() if f.current] == ["create", "ingest", "map"]
    assert judged["test"].reason == "integrations/crm-to-mailwave.tests.yaml changed"
    assert commands(NAME, judged["test"], "test") == f"`vitesse test {NAME}`"
    fixtures.unlink()
    assert freshness(store, mf)["test"].reason == "integrations/crm-to-mailwave.tests.yaml was removed"
    latest = store.latest(NAME, "test")
    assert latest is not None
    store.write(NAME, "test", {"step": "test", "again": 1}, {k: v for k, v in latest.inputs.items() if k != "fixtures"})
    assert freshness(store, mf)["test"].current  # none then, none now
    fixtures.write_text(text)
    assert freshness(store, mf)["test"].reason == "integrations/crm-to-mailwave.tests.yaml was added"
