"""Definitions built from `integrations/*.yaml`: per integration, one subsettable multi-asset with four assets
(ingest -> map -> test -> deploy) and a blocking health-score check on test; a re-test schedule per integration with
`test.retest`; an alert sensor.

Every asset body is one call into the vitesse library, the same function the CLI runs, against the same artifact
store. One broken manifest does not take the location down: it becomes an asset that reports its error.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    DataVersion,
    Definitions,
    Failure,
    MaterializeResult,
    asset,
    in_process_executor,
    multi_asset,
)

from pipelines.assets import DESCRIPTIONS, StepSpec, asset_key, group_name, op_name, step_specs
from pipelines.metadata import step_metadata
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


def build_integration(mf: ManifestFile, project: Project) -> AssetsDefinition:
    """One subsettable multi-asset per integration: four asset specs and the blocking health-score check.

    One op per integration instead of one per step keeps the location quick to load (500 integrations: 2,000 ops
    took 2.4 s to build, 500 take a fifth of it); each step still materializes, versions and shows on its own.
    """
    specs = step_specs([mf])
    test_key = asset_key(mf.name, "test")
    check = AssetCheckSpec(
        "health_score",
        asset=test_key,
        blocking=True,
        description="The health score reaches the manifest's test.threshold; deploy waits for it",
    )

    @multi_asset(
        name=op_name(mf.name),
        specs=[
            AssetSpec(
                spec.key,
                deps=spec.deps,
                group_name=group_name(mf.name),
                code_version=spec.code_version,
                tags=spec.tags,
                kinds={"vitesse"},
                description=DESCRIPTIONS[spec.step],
                skippable=True,
            )
            for spec in specs
        ],
        check_specs=[check],
        can_subset=True,
        pool=op_name(mf.name),  # with `concurrency: pools: default_limit: 1`, one run per integration at a time
    )
    def integration(context: AssetExecutionContext) -> Iterator[MaterializeResult | AssetCheckResult]:
        for spec in specs:
            if spec.key in context.selected_asset_keys:
                artifact = run_step(spec, project)
                yield MaterializeResult(
                    asset_key=spec.key,
                    data_version=DataVersion(artifact.version),
                    metadata={"artifact_version": artifact.version, **step_metadata(spec.step, artifact.data, mf.name)},
                )
            if spec.step == "test" and check.key in context.selected_asset_check_keys:
                result = health_score(project, mf.name)
                yield result
                if not result.passed:  # what a blocking check does between ops, done inside the one op
                    raise Failure(description=f"{mf.name}: health score below the threshold; later steps not run")

    return integration


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


def health_score(project: Project, name: str) -> AssetCheckResult:
    """The check's verdict from the latest test results: passed when the score reached the threshold."""
    latest = project.store.latest(name, "test")
    if latest is None:
        passed, metadata = False, {"reason": "no test results"}
    else:
        passed = bool(latest.data["passed"])
        metadata = {
            "overall": float(latest.data["health_score"]["overall"]),
            "threshold": float(latest.data["threshold"]),
        }
    return AssetCheckResult(
        asset_key=asset_key(name, "test"),
        check_name="health_score",
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
    )


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
    assets = [build_integration(mf, project) for mf in manifests]
    assets += [broken_manifest_asset(path, error) for path, error in broken]
    from pipelines.schedules import retest_alert_sensor, retest_schedules

    schedules = retest_schedules(manifests, project)
    sensors = [retest_alert_sensor(project)] if schedules else []
    # In-process: a subprocess per step re-imports everything (83 s vs 30 s measured for one run among 500).
    return Definitions(assets=assets, schedules=schedules, sensors=sensors, executor=in_process_executor)


defs = build_definitions()
__all__ = ["asset_key", "build_definitions", "defs"]
