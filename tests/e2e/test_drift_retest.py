"""The scheduled re-test catches contract drift: a real Dagster run of the re-test job after the destination spec
dropped a field the deployed mapping writes, the health-score check, and the run-failure alert with its webhook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import failed_retest
from vitesse.guardian import test_integration
from vitesse.ingest import ingest
from vitesse.mapping import map_integration
from vitesse.project import Project

pytestmark = pytest.mark.slow

NAME = "crm-to-mailwave"
ORGANIZATION = '        organization: {type: [string, "null"]}\n'


def run_until_tested(project: Path) -> Project:
    """The demo integration ingested, mapped and tested (passed) through the library."""
    proj = Project(project)
    for step in (ingest, map_integration, test_integration):
        step(proj.load(NAME), proj.store)
    assert proj.store.latest(NAME, "test").data["passed"]
    return proj


def drop_organization(project: Path) -> None:
    spec = project / "integrations" / "specs" / "mailwave.yaml"
    assert ORGANIZATION in spec.read_text()
    spec.write_text(spec.read_text().replace(ORGANIZATION, ""))


def status(project: Path) -> dict:
    return json.loads((project / ".vitesse" / "artifacts" / NAME / "status.json").read_text())


def test_a_dropped_destination_field_fails_the_retest_and_alerts(project: Path, webhook: list[dict]) -> None:
    proj = run_until_tested(project)
    deployed = proj.store.latest_version(NAME, "map")
    drop_organization(project)

    result = failed_retest(project, NAME)
    ingested = proj.store.latest(NAME, "ingest")
    assert [(c["field"], c["change"], c["breaking"], c["mapped"]) for c in ingested.data["drift"]["changes"]] == [
        ("organization", "removed", True, True)
    ]
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == "health_score" and not check.passed
    error = check.metadata["error"].value
    assert "contract drift: destination POST /contacts field `organization` was removed" in error
    results = proj.store.latest(NAME, "test")
    assert results.inputs["retest_map"] == deployed  # held against the deployed mapping
    assert results.data["passed"] is False and results.data["health_score"]["overall"] >= results.data["threshold"]
    assert [t["errors"] for t in results.data["test_details"] if t["kind"] == "drift"] == [
        ["contract drift: destination POST /contacts field `organization` was removed"]
    ]
    assert any("the deployed mapping" in note for note in results.data["notes"])

    state = status(project)
    assert state["status"] == "degraded"
    assert "`organization` was removed" in state["error"] and state["error"].startswith("re-test failed: ")
    [payload] = webhook
    assert payload["integration"] == NAME and payload["status"] == "degraded"
    assert "`organization` was removed" in payload["error"]
    assert [(c["side"], c["endpoint"], c["field"], c["change"]) for c in payload["drift"]] == [
        ("destination", "POST /contacts", "organization", "removed")
    ]

    # A person re-proposes the mapping (it no longer writes organization) and tests it: no longer a failure.
    mapped = map_integration(proj.load(NAME), proj.store).data["mapping_logic"]
    assert "organization" not in {t["dest_field"] for t in mapped["transformations"]}
    assert test_integration(proj.load(NAME), proj.store).data["passed"]


def test_a_dropped_field_a_hint_names_fails_the_retest_at_map_and_alerts(project: Path, webhook: list[dict]) -> None:
    manifest = project / "integrations" / f"{NAME}.yaml"
    manifest.write_text(
        manifest.read_text().replace("    id: external_id\n", "    id: external_id\n    company_name: organization\n")
    )
    run_until_tested(project)
    drop_organization(project)

    result = failed_retest(project, NAME)
    assert result.get_asset_check_evaluations() == []  # the run stopped at map, before the test
    expected = (
        "mapping.hints.company_name: destination field 'organization' does not exist (contract drift: destination "
        "POST /contacts field `organization` was removed since ingest "
    )
    state = status(project)
    assert state["status"] == "degraded" and state["error"].startswith(f"re-test failed at map: {expected}")
    [payload] = webhook
    assert expected in payload["error"]
    assert [c["field"] for c in payload["drift"]] == ["organization"]
