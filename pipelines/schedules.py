"""Re-tests of active integrations: per integration with `test.retest`, a schedule over ingest, map and test."""

from __future__ import annotations

from typing import Any

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    ScheduleDefinition,
    define_asset_job,
    run_failure_sensor,
)

from pipelines.assets import asset_key
from vitesse.alerts import alert, mark_degraded
from vitesse.manifest import ManifestFile


def retest_schedules(manifests: list[ManifestFile]) -> list[ScheduleDefinition]:
    schedules = []
    for mf in manifests:
        if not mf.manifest.test.retest:
            continue
        name = mf.name.replace("-", "_")
        keys = [asset_key(mf.name, step) for step in ("ingest", "map", "test")]
        job = define_asset_job(
            f"retest_{name}",
            selection=AssetSelection.assets(*keys),
            tags={"integration": mf.name, "vitesse/retest": "true"},
        )
        schedules.append(
            ScheduleDefinition(
                name=f"retest_{name}",
                job=job,
                cron_schedule=mf.manifest.test.retest,
                default_status=DefaultScheduleStatus.RUNNING,
            )
        )
    return schedules


def retest_alert_sensor(project: Any) -> Any:
    """On a failed re-test run: mark the integration degraded and raise an alert (log + optional webhook)."""

    @run_failure_sensor(name="retest_alerts", default_status=DefaultSensorStatus.RUNNING)
    def retest_alerts(context: RunFailureSensorContext) -> None:
        tags = context.dagster_run.tags
        integration = tags.get("integration")
        if not integration or tags.get("vitesse/retest") != "true":
            return
        payload = mark_degraded(project.store, integration)
        payload["run_id"] = context.dagster_run.run_id
        context.log.warning(f"{integration} is degraded: {payload['error']}")
        alert(payload)

    return retest_alerts
