"""The test step against Stoplight Prism sandboxes of real vendor specs (Intercom 2.16 -> Box)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from vitesse.errors import GateError
from vitesse.guardian import test_integration
from vitesse.ingest import ingest
from vitesse.mapping import map_integration
from vitesse.project import Project

pytestmark = pytest.mark.prism

NAME_FALLBACK = """    - dest_field: name
      transform_type: custom
      template: "name or email or id or 'Unnamed contact'"
      source_fields: [name, email, id]
"""
PARTIAL = """
mapping:
  hints: {email: login}
  transforms:
    - {dest_field: role, transform_type: custom, template: "'user'"}
"""
GOOD = PARTIAL + NAME_FALLBACK
BROKEN = """
mapping:
  ignore: [name]
  transforms:
    - {dest_field: space_amount, transform_type: direct, source_field: name}
"""


def write_project(
    tmp_path: Path, specs_dir: Path, prism: Callable[[Path], str], mapping: str, name: str, sample_size: int = 8
) -> Project:
    intercom = specs_dir / "intercom" / "api.intercom.io-2.16.yaml"
    box = specs_dir / "box" / "box-openapi.json"
    folder = tmp_path / "integrations"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(f"""version: 1
name: {name}
intent: Create Box users for Intercom contacts
source:
  api: Intercom
  spec: {intercom.as_uri()}
  spec_access: {{outside_project: true}}
  endpoint: GET /contacts
  auth: {{type: bearer, token_env: INTERCOM_TOKEN}}
  sandbox_url: {prism(intercom)}
destination:
  api: Box
  spec: {box.as_uri()}
  spec_access: {{outside_project: true}}
  endpoint: POST /users
  auth: {{type: bearer, token_env: BOX_TOKEN}}
  sandbox_url: {prism(box)}
test: {{sample_size: {sample_size}, seed: 11}}
{mapping}""")
    return Project(tmp_path)


def run(project: Project, name: str):
    mf = project.load(name)
    ingest(mf, project.store)
    map_integration(mf, project.store)
    return mf


def test_good_mapping_passes(tmp_path: Path, specs_dir: Path, prism) -> None:
    project = write_project(tmp_path, specs_dir, prism, GOOD, "good")
    mf = run(project, "good")
    results = test_integration(mf, project.store).data
    assert results["passed"] and results["health_score"]["overall"] >= 70
    assert results["failed_tests"] == 0, results["failures"]
    assert results["status_codes"] == {"200": 1, "201": 8}
    assert results["shadow_calls"] == {"source": True, "destination": True}
    assert results["test_details"][0]["kind"] == "read" and results["test_details"][0]["endpoint"] == "GET /contacts"
    assert results["latency_ms"]["p50"] is not None
    assert json.loads((tmp_path / ".vitesse/artifacts/good/status.json").read_text())["status"] == "deploying"


def test_broken_mapping_fails_and_prism_agrees(tmp_path: Path, specs_dir: Path, prism) -> None:
    project = write_project(tmp_path, specs_dir, prism, BROKEN, "broken")
    mf = run(project, "broken")
    with pytest.raises(GateError, match=r"^Integration tests failed: health_score = [\d.]+ \(threshold: 70\)$"):
        test_integration(mf, project.store)
    results = project.store.latest("broken", "test").data
    assert results["health_score"]["overall"] < 70 and not results["passed"]
    named = {(f["field"], f["problem"]) for f in results["failures"]}
    assert ("name", "required") in named
    assert ("space_amount", "type") in named
    assert results["failures"][0]["suggestion"]
    # Prism validates the same records with its own validator: every record vitesse rejects, Prism answers 422.
    record_tests = [t for t in results["test_details"] if t["kind"] == "record"]
    for test in record_tests:
        vitesse_invalid = any(not e.startswith("POST ") for e in test["errors"])
        assert vitesse_invalid == (test["http_status"] == 422), test
    status = json.loads((tmp_path / ".vitesse/artifacts/broken/status.json").read_text())
    assert status["status"] == "failed" and status["error"].startswith("Integration tests failed: health_score = ")


def test_prism_and_vitesse_agree_record_by_record(tmp_path: Path, specs_dir: Path, prism) -> None:
    # The good mapping without the name fallback: records without a name break Box's required name.
    mapping = PARTIAL
    project = write_project(tmp_path, specs_dir, prism, mapping, "partial", sample_size=12)
    mf = run(project, "partial")
    try:
        results = test_integration(mf, project.store).data
    except GateError:
        results = project.store.latest("partial", "test").data
    record_tests = [t for t in results["test_details"] if t["kind"] == "record"]
    rejected = [t for t in record_tests if t["http_status"] == 422]
    assert rejected and len(rejected) < len(record_tests)  # some records lack a name, others do not
    for test in record_tests:
        vitesse_invalid = any(e.startswith("name:") for e in test["errors"])
        assert vitesse_invalid == (test["http_status"] == 422), test


def test_a_spec_that_requires_auth_gets_placeholders_of_its_kind(
    tmp_path: Path, specs_dir: Path, prism, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both specs require a bearer token; the manifest names no auth: Prism answers 401 without one. The shadow calls
    # carry a placeholder bearer token (never an env var's value), Prism accepts it and the report says so.
    monkeypatch.setenv("INTERCOM_TOKEN", "real-intercom-secret")
    project = write_project(tmp_path, specs_dir, prism, GOOD, "noauth")
    manifest = tmp_path / "integrations" / "noauth.yaml"
    manifest.write_text("\n".join(line for line in manifest.read_text().splitlines() if "auth:" not in line))
    mf = run(project, "noauth")
    results = test_integration(mf, project.store).data
    assert results["status_codes"] == {"200": 1, "201": 8}, results["status_codes"]  # no 401
    assert results["passed"]
    notes = " ".join(results["notes"])
    assert "source: GET /contacts requires bearer auth and the manifest sets none" in notes
    assert "destination: POST /users requires bearer auth" in notes and "placeholder bearer" in notes
