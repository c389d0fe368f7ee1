"""The command line through click's runner: exit codes, messages, the seed's JSON envelopes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from vitesse.artifacts import integration_id
from vitesse.cli import cli
from vitesse.manifest import find_manifests


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)] if args[0] != "schema" else list(args))


def test_validate_examples(project: Path) -> None:
    result = invoke(project, "validate")
    assert result.exit_code == 0, result.output
    assert "3 of 3 manifest(s) valid" in result.output


def test_validate_reports_all_files_and_exits_1(project: Path) -> None:
    (project / "integrations" / "broken.yaml").write_text("version: 2\nname: broken\n")
    result = invoke(project, "validate")
    assert result.exit_code == 1
    assert "integrations/broken.yaml:1:10: version: expected one of 1 (got 2)" in result.stderr
    assert "destination: required key is missing" in result.stderr
    assert "3 of 4 manifest(s) valid" in result.stderr


def test_duplicate_names_across_files(project: Path) -> None:
    other = project / "other"
    other.mkdir()
    (other / "crm-to-mailwave.yaml").write_text((project / "integrations" / "crm-to-mailwave.yaml").read_text())
    result = invoke(project, "validate", str(project / "integrations"), str(other))
    assert result.exit_code == 1
    assert "name 'crm-to-mailwave' is also used by" in result.stderr


def test_schema_is_json_schema_that_accepts_the_examples(project: Path) -> None:
    result = invoke(project, "schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in find_manifests([project / "integrations"]):  # not the fixture files (*.tests.yaml)
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    assert schema["additionalProperties"] is False
    fixtures = json.loads(invoke(project, "schema", "--fixtures").output)
    jsonschema.Draft202012Validator.check_schema(fixtures)
    for path in (project / "integrations").glob("*.tests.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), fixtures)


def test_new_writes_a_valid_manifest_and_records_it(project: Path) -> None:
    result = invoke(project, "new", "stripe-to-intercom", "--source-api", "Stripe", "--dest-api", "Intercom", "--json")
    assert result.exit_code == 0, result.output
    envelope = json.loads(result.output)
    assert envelope["status"] == "success"
    assert envelope["current_step"] == "DISCOVERING"
    assert envelope["integration_id"] == integration_id("stripe-to-intercom")
    assert envelope["data"]["integration"]["status"] == "discovering"
    assert envelope["data"]["next_step"] == "ingest"
    assert (project / "integrations" / "stripe-to-intercom.yaml").exists()
    assert invoke(project, "validate").exit_code == 0
    again = invoke(project, "new", "stripe-to-intercom")
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_new_refuses_a_bad_name(project: Path) -> None:
    result = invoke(project, "new", "Bad Name")
    assert result.exit_code == 1
    assert "name: must be lowercase letters" in result.stderr
    assert not list((project / "integrations").glob("Bad*"))


def test_ingest_json_envelope_and_idempotence(project: Path) -> None:
    first = invoke(project, "ingest", "crm-to-mailwave", "--json")
    assert first.exit_code == 0, first.stderr
    envelope = json.loads(first.stdout)
    assert envelope["current_step"] == "MAPPING"
    assert envelope["data"]["source_endpoints"] == ["/customers", "/customers/{customer_id}", "/orders"]
    assert envelope["data"]["dest_endpoints"] == ["/contacts", "/contacts/{contact_id}", "/lists"]
    assert envelope["data"]["next_endpoint"] == f"/integrations/{integration_id('crm-to-mailwave')}/map"
    second = json.loads(invoke(project, "ingest", "crm-to-mailwave", "--json").stdout)
    assert second["data"]["version"] == envelope["data"]["version"]
    artifacts = project / ".vitesse" / "artifacts" / "crm-to-mailwave"
    assert len(list((artifacts / "ingest").glob("*.json"))) == 1
    stored = json.loads((artifacts / "ingest" / f"{envelope['data']['version']}.json").read_text())
    assert stored["data"]["source_api_spec"]["endpoints"][0]["record_path"] == "data[]"
    assert "create" not in stored["inputs"]  # create is recorded beside ingest, which does not build on it
    assert (artifacts / "create" / "latest").exists()


def test_status_reports_steps_and_staleness(project: Path) -> None:
    assert invoke(project, "ingest", "crm-to-mailwave").exit_code == 0
    status = json.loads(invoke(project, "status", "crm-to-mailwave", "--json").stdout)
    assert status["status"] == "mapping"
    steps = {s["step"]: s for s in status["steps"]}
    assert steps["ingest"]["current"] and steps["create"]["current"]
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text().replace("specs/mailwave.yaml", "./specs/mailwave.yaml"))
    status = json.loads(invoke(project, "status", "crm-to-mailwave", "--json").stdout)
    steps = {s["step"]: s for s in status["steps"]}
    assert not steps["ingest"]["current"]
    listing = json.loads(invoke(project, "status", "--json").stdout)
    assert listing["count"] == 3
    assert {d["name"]: d["status"] for d in listing["data"]} == {
        "crm-to-mailwave": "mapping",
        "issues-to-tasks": "new",
        "mailwave-to-crm": "new",
    }
    table = invoke(project, "status", "crm-to-mailwave").stdout
    assert "stale" in table


def test_failed_ingest_sets_status_failed_and_writes_no_artifact(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text().replace("specs/mailwave.yaml", "specs/missing.yaml"))
    result = invoke(project, "ingest", "crm-to-mailwave", "--json")
    assert result.exit_code == 1
    envelope = json.loads(result.stdout)
    assert envelope == {"status": "failed", "http_status": 400, "error": envelope["error"], "code": "spec.not_found"}
    assert envelope["error"].startswith("Failed to ingest destination API spec: ")
    assert "missing.yaml: no such file" in envelope["error"]
    artifacts = project / ".vitesse" / "artifacts" / "crm-to-mailwave"
    assert not (artifacts / "ingest").exists() and not (artifacts / "create").exists()  # create comes with ingest
    status = json.loads(invoke(project, "status", "crm-to-mailwave", "--json").stdout)
    assert status["status"] == "failed" and status["error"] == envelope["error"]


def test_unknown_integration(project: Path) -> None:
    result = invoke(project, "ingest", "nope")
    assert result.exit_code == 1
    assert "no such integration 'nope' (known: crm-to-mailwave, issues-to-tasks, mailwave-to-crm)" in result.stderr


def test_usage_error_exits_2(project: Path) -> None:
    assert invoke(project, "ingest").exit_code == 2
    assert CliRunner().invoke(cli, ["frobnicate"]).exit_code == 2


def test_run_goes_through_every_step(project: Path) -> None:
    result = invoke(project, "run", "crm-to-mailwave", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    envelope = json.loads(result.stdout)
    assert envelope["data"]["transformation_count"] >= 12 and envelope["data"]["health_score"]["overall"] >= 70
    for step in ("create", "ingest", "map", "test", "deploy"):
        assert (project / ".vitesse/artifacts/crm-to-mailwave" / step / "latest").exists()


def test_run_stops_at_the_gate(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.6\n  ignore: [email_address]\n")
    )
    result = invoke(project, "run", "crm-to-mailwave")
    assert result.exit_code == 1 and "Integration tests failed: health_score = " in result.stderr
    assert not (project / ".vitesse/artifacts/crm-to-mailwave/deploy").exists()


def test_fields_lists_endpoints_and_field_paths(project: Path) -> None:
    spec = str(project / "integrations" / "specs" / "acme-crm.yaml")
    listing = CliRunner().invoke(cli, ["fields", spec])
    assert listing.exit_code == 0 and "GET /customers" in listing.output and "data[]" in listing.output
    record = CliRunner().invoke(cli, ["fields", spec, "GET /customers", "--json"])
    paths = {f["path"]: f for f in json.loads(record.output)}
    assert "email" in paths and paths["address.city"]["type"] == "string"
    written = CliRunner().invoke(
        cli, ["fields", str(project / "integrations/specs/mailwave.yaml"), "POST /contacts", "--request"]
    )
    assert "email_address" in written.output and "required" in written.output
    unknown = CliRunner().invoke(cli, ["fields", spec, "GET /custmers"])
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == (
        "error: endpoint 'GET /custmers' is not in the Acme CRM API spec; did you mean 'GET /customers', "
        "'POST /customers', 'GET /orders'?"
    )
