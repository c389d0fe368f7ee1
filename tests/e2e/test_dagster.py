"""Real Dagster runs over the vitesse steps: `dagster.materialize` with an ephemeral instance."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance, build_schedule_context, materialize

from pipelines.definitions import build_definitions
from tests.e2e.conftest import failed_retest
from vitesse.artifacts import ArtifactStore, record_success
from vitesse.deploy.process import _alive

pytestmark = pytest.mark.slow


def everything(defs):
    return list(defs.assets)  # each integration's checks live on its multi-asset


def code_versions(defs) -> dict[tuple[str, ...], str | None]:
    return {tuple(key.path): version for a in defs.assets for key, version in a.code_versions_by_key.items()}


def keys(name: str, *steps: str) -> list[AssetKey]:
    return [AssetKey(["integ", name, step]) for step in steps]


def test_demo_integration_materializes_to_deploy(project: Path) -> None:
    defs = build_definitions(project)
    instance = DagsterInstance.ephemeral(tempdir=str(project / "dagster"))
    selection = keys("crm-to-mailwave", "ingest", "map", "test", "deploy")
    result = materialize(everything(defs), instance=instance, selection=selection)
    try:
        assert result.success
        for key, step in zip(selection, ("ingest", "map", "test", "deploy"), strict=True):
            event = instance.get_latest_materialization_event(key)
            version = (project / ".vitesse/artifacts/crm-to-mailwave" / step / "latest").read_text()
            assert event.asset_materialization.tags["dagster/data_version"] == version
        checks = result.get_asset_check_evaluations()
        assert [(c.check_name, c.passed) for c in checks] == [("health_score", True)]
        status = json.loads((project / ".vitesse/artifacts/crm-to-mailwave/status.json").read_text())
        assert status["status"] == "active"
    finally:
        record = project / ".vitesse/deploy/crm-to-mailwave/process.json"
        if record.exists():
            from vitesse.deploy.process import stop_pid

            pid = json.loads(record.read_text())["pid"]
            stop_pid(pid)
            assert not _alive(pid)


def test_failing_integration_stops_at_the_check(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.6\n  ignore: [email_address]\n")
    )
    defs = build_definitions(project)
    instance = DagsterInstance.ephemeral(tempdir=str(project / "dagster"))
    selection = keys("crm-to-mailwave", "ingest", "map", "test", "deploy")
    result = materialize(everything(defs), instance=instance, selection=selection, raise_on_error=False)
    assert not result.success
    assert [(c.check_name, c.passed) for c in result.get_asset_check_evaluations()] == [("health_score", False)]
    assert instance.get_latest_materialization_event(selection[2]) is not None  # the results are kept
    assert instance.get_latest_materialization_event(selection[3]) is None  # deploy did not happen
    # materializing deploy on its own does not get around the gate
    alone = materialize(everything(defs), instance=instance, selection=selection[3:], raise_on_error=False)
    assert not alone.success
    assert instance.get_latest_materialization_event(selection[3]) is None
    assert not (project / ".vitesse/artifacts/crm-to-mailwave/deploy").exists()


def test_the_check_runs_on_its_own(project: Path) -> None:
    from dagster import AssetCheckKey, AssetSelection

    defs = build_definitions(project)
    instance = DagsterInstance.ephemeral(tempdir=str(project / "dagster"))
    selection = keys("crm-to-mailwave", "ingest", "map", "test")
    assert materialize(everything(defs), instance=instance, selection=selection).success
    check = AssetCheckKey(selection[2], "health_score")
    alone = materialize(everything(defs), instance=instance, selection=AssetSelection.checks(check))
    assert alone.success
    assert [(c.check_name, c.passed) for c in alone.get_asset_check_evaluations()] == [("health_score", True)]
    assert alone.asset_materializations_for_node("integ_crm_to_mailwave") == []  # nothing re-materialized


def test_broken_manifest_does_not_take_the_location_down(project: Path) -> None:
    (project / "integrations" / "broken.yaml").write_text("version: 1\nname: broken\nsource: [\n")
    defs = build_definitions(project)
    names = {tuple(key.path) for a in defs.assets for key in a.keys}
    assert ("integ", "crm-to-mailwave", "deploy") in names
    assert ("integ", "invalid", "broken") in names
    invalid = next(a for a in defs.assets if a.keys == {AssetKey(["integ", "invalid", "broken"])})
    assert "broken.yaml:4:1: invalid YAML" in (invalid.descriptions_by_key[invalid.key] or "")


def test_editing_a_manifest_changes_only_the_affected_code_versions(project: Path) -> None:
    before = code_versions(build_definitions(project))
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text().replace("  sample_size: 10\n", "  sample_size: 12\n"))
    after = code_versions(build_definitions(project))
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {("integ", "crm-to-mailwave", "test")}


def test_editing_a_manifest_marks_exactly_the_affected_steps_unsynced(project: Path) -> None:
    """Dagster's own staleness resolver (what the UI shows as unsynced) after a real run and an edit."""
    from dagster._core.definitions.data_version import StaleStatus
    from dagster._utils.test.data_versions import get_stale_status_resolver

    instance = DagsterInstance.ephemeral(tempdir=str(project / "dagster"))
    selection = keys("crm-to-mailwave", "ingest", "map", "test")
    assert materialize(everything(build_definitions(project)), instance=instance, selection=selection).success
    resolver = get_stale_status_resolver(instance, everything(build_definitions(project)))
    assert [resolver.get_status(k) for k in selection] == [StaleStatus.FRESH] * 3

    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text().replace("  sample_size: 10\n", "  sample_size: 12\n"))
    resolver = get_stale_status_resolver(instance, everything(build_definitions(project)))
    assert [resolver.get_status(k) for k in selection] == [StaleStatus.FRESH, StaleStatus.FRESH, StaleStatus.STALE]
    causes = resolver.get_stale_causes(selection[2])
    assert any("code version" in cause.reason for cause in causes), causes
    other = AssetKey(["integ", "mailwave-to-crm", "ingest"])
    assert resolver.get_status(other) == StaleStatus.MISSING  # never materialized; untouched by the edit


def test_retest_schedule_requests_ingest_map_and_test(project: Path) -> None:
    defs = build_definitions(project)
    schedule = next(s for s in defs.schedules if s.name == "retest_crm_to_mailwave")
    assert schedule.cron_schedule == "0 */6 * * *"
    graph = defs.get_repository_def().asset_graph
    assert schedule.job.selection.resolve(graph) == set(keys("crm-to-mailwave", "ingest", "map", "test"))
    check = AssetCheckKey(AssetKey(["integ", "crm-to-mailwave", "test"]), "health_score")
    assert schedule.job.selection.resolve_checks(graph) == {check}
    # a tick while the integration is not deployed skips; once it is active, it requests the re-test run
    with build_schedule_context(scheduled_execution_time=datetime(2026, 11, 29, 6, tzinfo=UTC)) as context:
        skipped = schedule.evaluate_tick(context)
        assert not skipped.run_requests and "re-tests run once it is deployed" in skipped.skip_message
        record_success(ArtifactStore.for_project(project), "crm-to-mailwave", "deploy")
        due = schedule.evaluate_tick(context)
    [request] = due.run_requests
    assert request.tags["integration"] == "crm-to-mailwave" and request.tags["vitesse/retest"] == "true"


def test_dagster_cli_materializes(project: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "VITESSE_PROJECT": str(project), "DAGSTER_HOME": str(project / "dagster-home")}
    (project / "dagster-home").mkdir()
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "asset",
            "materialize",
            "-m",
            "pipelines.definitions",
            "--working-directory",
            str(ROOT),
            "--select",
            "integ/crm-to-mailwave/ingest,integ/crm-to-mailwave/map",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "RUN_SUCCESS" in done.stderr + done.stdout
    for step in ("ingest", "map"):
        assert (project / ".vitesse/artifacts/crm-to-mailwave" / step / "latest").exists()


def test_failing_retest_marks_degraded_and_alerts(project: Path, webhook: list[dict]) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.6\n  ignore: [email_address]\n")
    )
    failed_retest(project, "crm-to-mailwave")
    status = json.loads((project / ".vitesse/artifacts/crm-to-mailwave/status.json").read_text())
    assert status["status"] == "degraded" and status["error"].startswith("re-test failed: health_score = ")
    assert webhook and webhook[0]["integration"] == "crm-to-mailwave" and webhook[0]["status"] == "degraded"
