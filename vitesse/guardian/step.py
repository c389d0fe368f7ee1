"""The test step over a manifest: map artifact -> the seed's test results; the health-score gate."""

from __future__ import annotations

from typing import Any

from vitesse.artifacts import Artifact, ArtifactStore, record_failure, record_success
from vitesse.artifacts.steps import upstream
from vitesse.errors import GateError, SpecError, VitesseError
from vitesse.fixtures.loader import fixtures_of
from vitesse.fixtures.paths import INPUT_KEY as FIXTURES_INPUT
from vitesse.guardian.run import Sides, run_tests
from vitesse.guardian.shadow import SandboxTarget
from vitesse.ingest.drift import relevant_drift
from vitesse.ingest.fetch import check_public_host
from vitesse.ingest.step import specs_of
from vitesse.manifest import ManifestFile
from vitesse.manifest.sections import manifest_inputs
from vitesse.mapping.endpoints import named_endpoint
from vitesse.mapping.models import MappingLogic


def gate_message(results: dict[str, Any]) -> str:
    """The seed's error text for a run below the threshold; with contract drift (`vitesse.ingest.drift`), what
    changed under the mapping."""
    score = f"health_score = {results['health_score']['overall']:g}"
    changes = results.get("contract_drift") or []
    drift = "contract drift: " + "; ".join(c["message"].removeprefix("contract drift: ") for c in changes)
    if not changes:
        return f"Integration tests failed: {score} (threshold: {results['threshold']:g})"
    if results["health_score"]["overall"] < results["threshold"]:
        return f"Integration tests failed: {score} (threshold: {results['threshold']:g}); {drift}"
    return f"Integration tests failed: {drift} ({score}, threshold: {results['threshold']:g})"


def request_sandboxes(mf: ManifestFile, urls: dict[str, str | None]) -> dict[str, SandboxTarget]:
    """Sandboxes named by a request (``{"source": url, "destination": url}``), checked by the side's spec-fetch host
    policy (``spec_access``: link-local always refused, private and loopback only with ``private_hosts``); they
    get placeholder credentials only, never the real ones."""
    targets = {}
    for label, url in urls.items():
        if not url:
            continue
        side = mf.manifest.source if label == "source" else mf.manifest.destination
        try:
            check_public_host(url, side.spec_access)
        except SpecError as exc:
            raise VitesseError(f"{label} sandbox {exc.message}", code="test.sandbox_refused") from None
        targets[label] = SandboxTarget(url, trusted=False)
    return targets


def test_integration(
    mf: ManifestFile,
    store: ArtifactStore,
    *,
    sample_size: int | None = None,
    seed: int | None = None,
    sandboxes: dict[str, SandboxTarget] | None = None,
    retest: bool = False,
) -> Artifact:
    """Run the test step. The results are stored either way; below the threshold the status is ``failed`` with
    the seed's message and `GateError` is raised (after the artifact is written, so the report can be read).
    ``sandboxes`` (from `request_sandboxes`) replace the manifest's for this run, with placeholder credentials.
    The cases of the fixture file beside the manifest (`vitesse.fixtures`) are tests too; a malformed fixture file
    fails the step with its file:line:col problems, and the file's hash is in the artifact's inputs.

    A breaking contract change in the ingest to a field the mapping uses fails the run whatever the score, one
    failed test per field; a ``retest`` (the scheduled re-test) also holds the changes against the mapping of the
    latest passed test, which its own map step may have re-proposed away (`vitesse.ingest.drift.relevant_drift`)."""
    sandboxes = sandboxes or {}
    mapped = upstream(store, mf, "map", needed_by="test")
    ingested = upstream(store, mf, "ingest", needed_by="test")
    name = mf.name
    with store.lock(name):
        try:
            logic = MappingLogic.model_validate(mapped.data["mapping_logic"])
            source_spec, dest_spec = specs_of(ingested)
            sides = Sides(
                source_spec=source_spec,
                source_endpoint=named_endpoint(source_spec, f"{logic.source_method} {logic.source_endpoint}", "source"),
                source=mf.manifest.source,
                dest_spec=dest_spec,
                dest_endpoint=named_endpoint(dest_spec, f"{logic.dest_method} {logic.dest_endpoint}", "destination"),
                destination=mf.manifest.destination,
                source_sandbox=sandboxes.get("source"),
                dest_sandbox=sandboxes.get("destination"),
            )
            drift, notes, held_against = relevant_drift(store, mf, logic, ingested, dest_spec, retest=retest)
            fixtures = fixtures_of(mf.path)  # integrations/<name>.tests.yaml: each case is a test
            results = run_tests(
                sides,
                logic,
                mf.manifest.test,
                sample_size=sample_size,
                seed=seed,
                name=mf.name,
                drift=drift,
                fixtures=fixtures,
            )
            results["notes"] += notes
        except VitesseError as exc:
            record_failure(store, name, "test", exc.message, exc.http_status)
            raise
        inputs = {**manifest_inputs(mf.manifest, "test"), "map": mapped.version, "ingest": ingested.version}
        if fixtures is not None:  # an edit of the fixture file makes the test stale (vitesse.artifacts.freshness)
            inputs[FIXTURES_INPUT] = fixtures.digest
        if sandboxes:
            inputs["request_sandboxes"] = {label: target.url for label, target in sorted(sandboxes.items())}
        if held_against:  # a re-test: the drift was held against that mapping too
            inputs["retest_map"] = held_against
        artifact = store.write(name, "test", results, inputs)
        if results["passed"]:
            record_success(store, name, "test")
        else:
            record_failure(store, name, "test", gate_message(results), 400)
    if not results["passed"]:
        below = results["health_score"]["overall"] < results["threshold"]
        raise GateError(gate_message(results), code="gate.below_threshold" if below else "gate.contract_drift")
    return artifact


test_integration.__test__ = False  # type: ignore[attr-defined] - not a pytest test
