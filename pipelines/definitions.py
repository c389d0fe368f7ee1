"""Definitions built from `integrations/*.yaml`: per integration, one subsettable multi-asset with four assets
(ingest -> map -> test -> deploy) and a blocking health-score check on test; a re-test schedule per integration with
`test.retest`; an alert sensor.

Every asset body is one call into the vitesse library, the same function the CLI runs, against the same artifact
store. One broken manifest does not take the location down: it becomes an asset that reports its error.
"""

import os
import time
from collections.abc import Callable, Iterator
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
    MetadataValue,
    asset,
    in_process_executor,
    multi_asset,
)

from pipelines.assets import DESCRIPTIONS, RETEST_TAG, StepSpec, asset_key, group_name, op_name, step_specs
from pipelines.history import artifact_history_sensor
from pipelines.metadata import check_metadata, step_metadata
from vitesse.artifacts import record_failure, record_success
from vitesse.artifacts.summary import step_summary
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
        retest = context.run.tags.get(RETEST_TAG) == "true"
        for spec in specs:
            if spec.key in context.selected_asset_keys:
                started = time.monotonic()
                context.log.info(f"{mf.name}: {spec.step} started")
                artifact, reused = run_step(spec, project, log=context.log.info, retest=retest)
                seconds = round(time.monotonic() - started, 3)
                context.log.info(
                    f"{mf.name}: {spec.step} {'reused' if reused else 'done'} in {seconds:g} s, "
                    f"version {artifact.version}: {step_summary(spec.step, artifact.data)}"
                )
                yield MaterializeResult(
                    asset_key=spec.key,
                    data_version=DataVersion(artifact.version),
                    metadata={
                        "artifact_version": artifact.version,
                        "duration_seconds": MetadataValue.float(seconds),
                        "reused": reused,
                        **step_metadata(spec.step, artifact.data, mf.name),
                    },
                )
            if spec.step == "test" and check.key in context.selected_asset_check_keys:
                result = health_score(project, mf.name)
                yield result
                if not result.passed:  # what a blocking check does between ops, done inside the one op
                    error = result.metadata.get("error")
                    message = error.value if error is not None else "no test results"
                    raise Failure(description=f"{mf.name}: {message}; deploy not run", allow_retries=False)

    return integration


def _current_test(project: Project, mf: ManifestFile) -> Any:
    """The latest test when it is current (`vitesse.artifacts.freshness`: run on the latest map and ingest with the
    manifest's test settings as they are), else None."""
    from vitesse.artifacts.freshness import freshness

    state = freshness(project.store, mf, until="test")["test"]
    return state.artifact if state.current else None


def run_step(
    spec: StepSpec, project: Project, *, log: Callable[[str], None] | None = None, retest: bool = False
) -> tuple[Any, bool]:
    """The library call behind each asset -> (artifact, reused). The manifest is re-read so the run uses the file
    as it is now. On unchanged inputs a run reuses what is there: ingest and map give the same versions by
    content, the test is not re-run (unless this is a re-test run) and a healthy deployment is left alone."""
    from vitesse.deploy import deploy
    from vitesse.guardian import test_integration
    from vitesse.guardian.step import gate_message
    from vitesse.ingest import ingest
    from vitesse.mapping import map_integration

    store = project.store
    try:
        mf = project.load(spec.mf.name)
        if spec.step == "ingest":
            before = store.latest_version(mf.name, "ingest")
            artifact = ingest(mf, store, progress=log)
            return artifact, artifact.version == before
        if spec.step == "map":
            before = store.latest_version(mf.name, "map")
            artifact = map_integration(mf, store, peers=project.peers(exclude=mf.name))
            return artifact, artifact.version == before
        if spec.step == "test":
            if not retest and (current := _current_test(project, mf)) is not None:
                if current.data["passed"]:
                    record_success(store, mf.name, "test")
                else:
                    record_failure(store, mf.name, "test", gate_message(current.data))
                return current, True
            try:
                return test_integration(mf, store, retest=retest), False
            except GateError:  # the results are stored; the blocking check decides
                return store.latest(mf.name, "test"), False
        before = store.latest_version(mf.name, "deploy")
        artifact = deploy(mf, store, reuse_running=True)
        return artifact, artifact.version == before
    except VitesseError as exc:
        raise Failure(description=exc.message, allow_retries=False) from None


def health_score(project: Project, name: str) -> AssetCheckResult:
    """The check's verdict from the latest test results: passed when the score reached the threshold; the
    metadata carries every component of the score."""
    latest = project.store.latest(name, "test")
    if latest is None:
        passed, metadata = False, {"error": "no test results"}
    else:
        passed, metadata = bool(latest.data["passed"]), check_metadata(latest.data)
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
    sensors = [artifact_history_sensor(project, manifests)]
    sensors += [retest_alert_sensor(project)] if schedules else []
    # In-process: a subprocess per step re-imports everything (83 s vs 30 s measured for one run among 500).
    return Definitions(assets=assets, schedules=schedules, sensors=sensors, executor=in_process_executor)


defs = build_definitions()
__all__ = ["asset_key", "build_definitions", "defs"]
