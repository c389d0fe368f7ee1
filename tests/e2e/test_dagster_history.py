"""One history: steps run from the CLI appear in Dagster (the `artifact_history` sensor), and a Dagster run on
unchanged inputs reuses every artifact version and leaves the healthy deployment alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance, build_sensor_context, materialize

from pipelines.definitions import build_definitions
from tests.conftest import run_cli
from vitesse.artifacts import ArtifactStore, read_status
from vitesse.deploy.process import _alive, stop_pid

pytestmark = pytest.mark.slow
STEPS = ("ingest", "map", "test", "deploy")


def keys(name: str) -> list[AssetKey]:
    return [AssetKey(["integ", name, step]) for step in STEPS]


def tick(defs, instance: DagsterInstance, cursor: str | None) -> tuple[list, str | None]:
    """One evaluation of the sensor, its events stored the way the sensor daemon stores them."""
    sensor = next(s for s in defs.sensors if s.name == "artifact_history")
    result = sensor(build_sensor_context(instance=instance, cursor=cursor))
    for event in result.asset_events:
        instance.report_runless_asset_event(event)
    return list(result.asset_events), result.cursor


def stop_deployment(project: Path, name: str) -> None:
    record = project / ".vitesse/deploy" / name / "process.json"
    if record.exists():
        pid = json.loads(record.read_text())["pid"]
        stop_pid(pid)
        assert not _alive(pid)


def test_cli_steps_show_in_dagster_and_a_run_on_unchanged_inputs_changes_nothing(project: Path) -> None:
    from dagster._core.definitions.data_version import StaleStatus
    from dagster._utils.test.data_versions import get_stale_status_resolver

    name = "crm-to-mailwave"
    done = run_cli("run", name, cwd=project)
    assert done.returncode == 0, done.stderr
    store = ArtifactStore.for_project(project)
    try:
        before = {step: store.latest_version(name, step) for step in STEPS}
        url = store.latest(name, "deploy").data["service_url"]
        defs = build_definitions(project)
        instance = DagsterInstance.ephemeral(tempdir=str(project / "dagster"))

        events, cursor = tick(defs, instance, None)
        assert len(events) == 5  # four materializations and the health-score check
        for key, step in zip(keys(name), STEPS, strict=True):
            event = instance.get_latest_materialization_event(key)
            assert event is not None, f"{step} from the CLI is not in Dagster"
            tags = event.asset_materialization.tags
            assert tags["dagster/data_version"] == before[step]
            assert event.asset_materialization.metadata["artifact_version"].value == before[step]
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [AssetCheckKey(keys(name)[2], "health_score")]
        )
        [execution] = check.values()
        evaluation = execution.event.dagster_event.event_specific_data
        assert evaluation.passed and evaluation.metadata["overall"].value == 100.0
        assert {"success_rate", "endpoint_coverage", "data_quality", "reliability", "p95_latency_ms"} <= set(
            evaluation.metadata
        )
        resolver = get_stale_status_resolver(instance, list(defs.assets))
        assert [resolver.get_status(k) for k in keys(name)] == [StaleStatus.FRESH] * 4
        assert tick(defs, instance, cursor)[0] == []  # nothing is reported twice

        result = materialize(list(defs.assets), instance=instance, selection=keys(name))
        assert result.success
        assert {step: store.latest_version(name, step) for step in STEPS} == before
        assert store.latest(name, "deploy").data["service_url"] == url  # the same service, left alone
        assert read_status(store, name).status == "active"
        reused = {
            e.asset_key.path[-1]: e.materialization.metadata["reused"].value
            for e in result.get_asset_materialization_events()
        }
        assert reused == dict.fromkeys(STEPS, True)
        assert tick(defs, instance, cursor)[0] == []  # the run's materializations are Dagster's own
        assert tick(defs, instance, None)[0] == []  # even with no cursor, by their data versions

        manifest = project / "integrations" / f"{name}.yaml"
        manifest.write_text(manifest.read_text().replace("  sample_size: 10\n", "  sample_size: 12\n"))
        done = run_cli("test", name, cwd=project)
        assert done.returncode == 0, done.stderr
        defs = build_definitions(project)
        events, cursor = tick(defs, instance, cursor)
        assert [getattr(e, "asset_key", None) for e in events] == [keys(name)[2], keys(name)[2]]
        resolver = get_stale_status_resolver(instance, list(defs.assets))
        assert resolver.get_status(keys(name)[2]) == StaleStatus.FRESH
        assert resolver.get_status(keys(name)[3]) == StaleStatus.STALE  # deploy was built on the old test
    finally:
        stop_deployment(project, name)


def test_progress_lines_durations_and_the_seed_message_in_the_event_log(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.6\n  ignore: [email_address]\n")
    )
    defs = build_definitions(project)
    instance = DagsterInstance.ephemeral(tempdir=str(project / "dagster"))
    result = materialize(list(defs.assets), instance=instance, selection=keys("crm-to-mailwave"), raise_on_error=False)
    assert not result.success
    logs = [e.message for e in instance.all_logs(result.run_id) if e.user_message and not e.is_dagster_event]
    assert any("ingesting source spec" in line for line in logs), logs
    assert any(line.startswith("crm-to-mailwave: map done in ") for line in logs), logs
    for event in result.get_asset_materialization_events():
        assert event.materialization.metadata["duration_seconds"].value >= 0
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and "Integration tests failed: health_score = " in check.metadata["error"].value
    [failure] = [e for e in result.all_events if e.is_step_failure]
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith("crm-to-mailwave: Integration tests failed: health_score = ")
    assert description.endswith("deploy not run")
