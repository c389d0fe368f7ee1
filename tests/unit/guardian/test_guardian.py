"""Synthetic records, dialect-aware validation, the health score and the gate (offline: no sandbox)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import EXAMPLES
from vitesse.cli import cli
from vitesse.guardian import RecordGenerator, RecordValidator
from vitesse.guardian.report import TestDetail, health_score
from vitesse.ingest import ingest_spec

CRM = ingest_spec(str(EXAMPLES / "specs" / "acme-crm.yaml"))
CUSTOMERS = CRM.endpoint("GET /customers")


def test_same_seed_same_records_other_seed_other_records() -> None:
    first = RecordGenerator(CRM.schemas, 5).records(CUSTOMERS.response_schema, 12)
    again = RecordGenerator(CRM.schemas, 5).records(CUSTOMERS.response_schema, 12)
    other = RecordGenerator(CRM.schemas, 6).records(CUSTOMERS.response_schema, 12)
    assert first == again
    assert first != other


def test_records_follow_the_schema_and_vary() -> None:
    records = RecordGenerator(CRM.schemas, 1).records(CUSTOMERS.response_schema, 40)
    validator = RecordValidator(CUSTOMERS.response_schema, CRM.schemas, CRM.schema_dialect)
    assert all(validator.violations(r) == [] for r in records)
    assert all(r["id"].startswith("cus_") and "@" in r["email"] for r in records)  # pattern, format
    assert all(r["status"] in ("lead", "active", "churned") for r in records)  # enum
    required_only = records[1]
    assert set(required_only) == {"id", "email", "created", "status"}
    edges = records[2::4]
    assert any(r.get("first_name") == "" or "ü" in str(r.get("first_name", "")) for r in edges)  # edge strings
    assert any(r.get("phone", "x") is None for r in edges)  # null where nullable
    assert any(r.get("lifetime_value") in (0.0, 1000.0) for r in edges if "lifetime_value" in r)  # boundaries


def test_openapi_30_nullable_31_null_type_and_swagger_x_nullable() -> None:
    for dialect, field in (
        ("openapi-3.0", {"type": "string", "nullable": True}),
        ("openapi-3.1", {"type": ["string", "null"]}),
        ("swagger-2.0", {"type": "string", "x-nullable": True}),
    ):
        schema = {"type": "object", "required": ["a"], "properties": {"a": field, "n": {"type": "integer"}}}
        validator = RecordValidator(schema, {}, dialect)
        assert validator.violations({"a": None}) == [], dialect
        assert [v.field for v in validator.violations({"a": 5, "n": "x"})] == ["a", "n"], dialect
        assert [(v.field, v.code) for v in validator.violations({})] == [("a", "required")], dialect


def test_violations_name_nested_fields_and_formats() -> None:
    schema = {
        "type": "object",
        "properties": {
            "emails": {
                "type": "array",
                "items": {"type": "object", "properties": {"value": {"type": "string", "format": "email"}}},
            },
            "contact": {"$ref": "#/schemas/Contact"},
        },
    }
    schemas = {"Contact": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}
    found = RecordValidator(schema, schemas, "openapi-3.0").violations({"emails": [{"value": "nope"}], "contact": {}})
    assert [(v.field, v.code) for v in found] == [("contact.id", "required"), ("emails[].value", "format")]


def test_formats_are_checked_in_every_dialect() -> None:
    """date, date-time, uuid and uri in OpenAPI 3.0, Swagger 2.0 and OpenAPI 3.1, on both validation paths (draft 4
    knows neither date nor uuid: they are checked all the same, as Prism and most servers do)."""
    good = {"d": "2019-09-15", "t": "2012-02-22T02:06:58.147Z", "u": "b421eaeb-5340-47ca-baf3-897a3e70f16a",
            "l": "https://api.github.com/repos/o/r/issues/1"}  # fmt: skip
    bad = {"d": "2019-09-15T00:00:00Z", "t": "2019-09-15", "u": "12345", "l": "not a uri"}
    formats = {"d": "date", "t": "date-time", "u": "uuid", "l": "uri"}
    schema = {"type": "object", "properties": {k: {"type": "string", "format": f} for k, f in formats.items()}}
    for dialect in ("openapi-3.0", "swagger-2.0", "openapi-3.1"):
        for fast in (False, True):
            validator = RecordValidator(schema, {}, dialect, fast=fast)
            assert validator.violations(good) == [], (dialect, fast)
            found = [(v.field, v.code) for v in validator.violations(bad)]
            assert found == [(k, "format") for k in sorted(formats)], (dialect, fast)


def test_any_of_required_is_explained() -> None:
    schema = {
        "type": "object",
        "properties": {"email": {"type": "string"}, "role": {"type": "string"}},
        "anyOf": [{"required": ["email"]}, {"required": ["role"]}],
    }
    found = RecordValidator(schema, {}, "openapi-3.0").violations({})
    assert [(v.field, v.message) for v in found] == [("(record)", "one of email, role is required")]


def test_health_score_is_the_seed_formula() -> None:
    tests = [TestDetail(i, "POST /contacts", "POST", "record", passed=i < 7) for i in range(10)]
    score = health_score(tests, ["GET /customers", "POST /contacts"], 7, 10, [], covered_offline={"GET /customers"})
    assert score == {
        "overall": 70 * 0.7 + 100 * 0.3,
        "data_quality": 70.0,
        "reliability": 70.0,
        "success_rate": 70.0,
        "endpoint_coverage": 100.0,
    }
    half = health_score(tests[7:], ["GET /customers", "POST /contacts"], 0, 3, ["500", "201"])
    assert half["overall"] == 0 and half["reliability"] == 50


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def test_cli_test_passes_offline(project: Path) -> None:
    for step in ("ingest", "map"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    result = invoke(project, "test", "crm-to-mailwave", "--json")
    assert result.exit_code == 0, result.stderr
    envelope = json.loads(result.stdout)
    assert envelope["current_step"] == "DEPLOYING"
    # 10 synthetic records and the 3 cases of integrations/crm-to-mailwave.tests.yaml
    assert envelope["data"]["test_count"] == 13 and envelope["data"]["next_step"] == "deploy"
    assert set(envelope["data"]["health_score"]) >= {"overall", "data_quality", "reliability"}


def test_cli_gate_failure_uses_the_seed_message(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace(
            "  min_confidence: 0.6\n",
            "  min_confidence: 0.6\n  ignore: [email_address]\n  transforms:\n"
            "    - {dest_field: lifetime_value, transform_type: direct, source_field: email}\n",
        )
    )
    for step in ("ingest", "map"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    result = invoke(project, "test", "crm-to-mailwave")
    assert result.exit_code == 1
    assert "error: Integration tests failed: health_score = " in result.stderr
    assert "(threshold: 70)" in result.stderr
    assert "email_address [required]" in result.stdout and "lifetime_value [type]" in result.stdout
    assert "-> nothing fills email_address" in result.stdout
    status = json.loads(invoke(project, "status", "crm-to-mailwave", "--json").stdout)
    assert status["status"] == "failed" and status["error"].startswith("Integration tests failed")
    # the results are kept for review even though the gate closed
    assert (project / ".vitesse/artifacts/crm-to-mailwave/test/latest").exists()


def test_test_before_map_is_refused(project: Path) -> None:
    invoke(project, "ingest", "crm-to-mailwave")
    result = invoke(project, "test", "crm-to-mailwave")
    assert result.exit_code == 1 and "run `vitesse map crm-to-mailwave` before test" in result.stderr


def test_cli_determinism(project: Path) -> None:
    for step in ("ingest", "map"):
        invoke(project, step, "crm-to-mailwave")
    store = project / ".vitesse/artifacts/crm-to-mailwave/test"

    def results(seed: int) -> dict:
        version = json.loads(invoke(project, "test", "crm-to-mailwave", "--json", "--seed", str(seed)).stdout)
        data = json.loads((store / f"{version['data']['version']}.json").read_text())["data"]
        return {k: data[k] for k in ("samples", "health_score", "failures", "seed")}

    assert results(3) == results(3)
    assert results(3)["samples"] != results(4)["samples"]
