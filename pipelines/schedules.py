"""Re-tests of active integrations: per integration with `test.retest`, a schedule over ingest, map and test."""

from __future__ import annotations

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from pipelines.assets import asset_key
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
