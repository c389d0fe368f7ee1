"""Definitions built from `integrations/*.yaml`: four assets per integration (ingest -> map -> test -> deploy),
a blocking health-score check on test, a re-test schedule per integration with `test.retest`, an alert sensor.

Every asset body is one call into the vitesse library, the same function the CLI runs, against the same artifact
store. One broken manifest does not take the location down: it becomes an asset that reports its error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    AssetsDefinition,
    DataVersion,
    Definitions,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    in_process_executor,
)

from pipelines.assets import DESCRIPTIONS, StepSpec, asset_key, group_name, step_specs
from vitesse.errors import GateError, ManifestError, VitesseError
from vitesse.manifest import ManifestFile, find_manifests, load_manifest
from vitesse.project import Project


def project_root() -> Path:
    """The vitesse project the location serves: ``$VITESSE_PROJECT``, else this repository."""
    return Path(os.environ.get("VITESSE_PROJECT", Path(__file__).resolve().parents[1]))


def load_manifests(project: Project) -> tuple[list[ManifestFile], list[tuple[Path, str]]]:
    loaded, broken = [], []
    folder = project.integrations_dir
    for path in find_manifests([folder]) if folder.is_dir() else []:
        try:
            loaded.append(load_manifest(path))
        except ManifestError as exc:
            broken.append((path, str(exc)))
    return loaded, broken


def _metadata(step: str, data: dict[str, Any]) -> dict[str, Any]:
    if step == "ingest":
        return {
            side: MetadataValue.int(len(data[f"{prefix}_api_spec"]["endpoints"]))
            for side, prefix in (("source_endpoints", "source"), ("dest_endpoints", "dest"))
        } | {
            "warnings": MetadataValue.int(
                len(data["source_api_spec"]["warnings"]) + len(data["dest_api_spec"]["warnings"])
            )
        }
    if step == "map":
        logic = data["mapping_logic"]
        rows = ["| source | destination | type | confidence | reason |", "|---|---|---|---|---|"]
        rows += [
            f"| {', '.join(t['source_fields'] or []) or t['source_field'] or '-'} | {t['dest_field']} | "
            f"{t['transform_type']} | {t['confidence']:.2f} | {t['reason']} |"
            for t in logic["transformations"]
        ]
        return {
            "mapping": MetadataValue.md("\n".join(rows)),
            "complexity_score": logic["complexity_score"],
            "transformations": len(logic["transformations"]),
            "unmapped_required": MetadataValue.json(logic["unmapped_required"]),
        }
    if step == "test":
        score = data["health_score"]
        return {
            **{k: MetadataValue.float(float(v)) for k, v in score.items()},
            "passed": data["passed"],
            "test_count": data["test_count"],
            "failures": MetadataValue.json(data["failures"][:10]),
        }
    return {
        "service_url": MetadataValue.url(data["service_url"]) if data.get("service_url") else "",
        "target": data["target"],
        "container_id": data["container_id"],
    }


def build_asset(spec: StepSpec, project: Project) -> AssetsDefinition:
    @asset(
        key=spec.key,
        deps=spec.deps,
        group_name=group_name(spec.mf.name),
        code_version=spec.code_version,
        tags=spec.tags,
        kinds={"vitesse"},
        description=DESCRIPTIONS[spec.step],
    )
    def step_asset() -> MaterializeResult:
        artifact = run_step(spec, project)
        return MaterializeResult(
            data_version=DataVersion(artifact.version),
            metadata={"artifact_version": artifact.version, **_metadata(spec.step, artifact.data)},
        )

    return step_asset


def run_step(spec: StepSpec, project: Project) -> Any:
    """The library call behind each asset (the manifest is re-read so the run uses the file as it is now)."""
    from vitesse.deploy import deploy
    from vitesse.guardian import test_integration
    from vitesse.ingest import ingest
    from vitesse.mapping import map_integration

    store = project.store
    try:
        mf = project.load(spec.mf.name)
        if spec.step == "ingest":
            return ingest(mf, store)
        if spec.step == "map":
            return map_integration(mf, store, peers=project.peers(exclude=mf.name))
        if spec.step == "test":
            try:
                return test_integration(mf, store)
            except GateError:  # the results are stored; the blocking check decides
                return store.latest(mf.name, "test")
        return deploy(mf, store)
    except VitesseError as exc:
        raise Failure(description=exc.message) from None


def build_check(spec: StepSpec, project: Project) -> Any:
    @asset_check(
        asset=spec.key,
        name="health_score",
        blocking=True,
        description="The health score reaches the manifest's test.threshold; deploy waits for it",
    )
    def health_score_check() -> AssetCheckResult:
        latest = project.store.latest(spec.mf.name, "test")
        if latest is None:
            return AssetCheckResult(
                passed=False, severity=AssetCheckSeverity.ERROR, metadata={"reason": "no test results"}
            )
        score = latest.data["health_score"]["overall"]
        return AssetCheckResult(
            passed=bool(latest.data["passed"]),
            severity=AssetCheckSeverity.ERROR,
            metadata={"overall": float(score), "threshold": float(latest.data["threshold"])},
        )

    return health_score_check


def broken_manifest_asset(path: Path, error: str) -> AssetsDefinition:
    @asset(
        key=AssetKey(["integ", "invalid", path.stem.replace(".", "_")]),
        group_name="integ_invalid",
        description=f"{path.name} does not load:\n\n{error}",
        kinds={"vitesse"},
    )
    def invalid() -> None:
        raise Failure(description=error)

    return invalid


def build_definitions(root: Path | None = None) -> Definitions:
    project = Project(root or project_root())
    manifests, broken = load_manifests(project)
    specs = step_specs(manifests)
    assets = [build_asset(spec, project) for spec in specs]
    assets += [broken_manifest_asset(path, error) for path, error in broken]
    checks = [build_check(spec, project) for spec in specs if spec.step == "test"]
    from pipelines.schedules import retest_alert_sensor, retest_schedules

    schedules = retest_schedules(manifests)
    sensors = [retest_alert_sensor(project)] if schedules else []
    # In-process: a subprocess per step re-imports everything (83 s vs 30 s measured for one run among 500).
    return Definitions(
        assets=assets, asset_checks=checks, schedules=schedules, sensors=sensors, executor=in_process_executor
    )


defs = build_definitions()
__all__ = ["asset_key", "build_definitions", "defs"]
