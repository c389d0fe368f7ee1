"""Re-tests of deployed integrations: per integration with `test.retest`, a schedule over ingest, map and test (with
the health-score check) that runs while the integration is deployed (status active or degraded) and skips otherwise.
"""

from __future__ import annotations

from typing import Any

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    define_asset_job,
    run_failure_sensor,
)

from pipelines.assets import RETEST_TAG, asset_key
from vitesse.alerts import alert, mark_degraded
from vitesse.artifacts import read_status
from vitesse.manifest import ManifestFile

DEPLOYED = ("active", "degraded")


def retest_schedules(manifests: list[ManifestFile], project: Any) -> list[ScheduleDefinition]:
    schedules = []
    for mf in manifests:
        if not mf.manifest.test.retest:
            continue
        name = mf.name.replace("-", "_")
        keys = [asset_key(mf.name, step) for step in ("ingest", "map", "test")]
        job = define_asset_job(
            f"retest_{name}",
            selection=AssetSelection.assets(*keys),
            tags={"integration": mf.name, RETEST_TAG: "true"},
        )
        schedules.append(
            ScheduleDefinition(
                name=f"retest_{name}",
                job=job,
                cron_schedule=mf.manifest.test.retest,
                default_status=DefaultScheduleStatus.RUNNING,
                execution_fn=_when_deployed(project, mf.name),
            )
        )
    return schedules


def _when_deployed(project: Any, integration: str) -> Any:
    def evaluate(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        status = read_status(project.store, integration).status
        if status not in DEPLOYED:
            return SkipReason(f"{integration} is {status}: re-tests run once it is deployed")
        return RunRequest(tags={"integration": integration, RETEST_TAG: "true"})

    return evaluate


def retest_alert_sensor(project: Any) -> Any:
    """On a failed re-test run: mark the integration degraded and raise an alert (log + optional webhook)."""

    @run_failure_sensor(name="retest_alerts", default_status=DefaultSensorStatus.RUNNING)
    def retest_alerts(context: RunFailureSensorContext) -> None:
        tags = context.dagster_run.tags
        integration = tags.get("integration")
        if not integration or tags.get(RETEST_TAG) != "true":
            return
        payload = mark_degraded(project.store, integration)
        payload["run_id"] = context.dagster_run.run_id
        context.log.warning(f"{integration} is degraded: {payload['error']}")
        alert(payload)

    return retest_alerts
