"""`vitesse map NAME --accept [FIELD...]` through the CLI runner: the review workflow committed to the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vitesse.cli import cli

COMMENTED = """\
  hints:
    id: external_id   # the CRM id is the contact's external id
  # reviewed pairs go above
  min_confidence: 0.6
  review_below: 0.95
"""
PEOPLE = """\
openapi: 3.0.3
info: {title: People API, version: "1"}
paths:
  /people:
    get:
      responses:
        "200":
          description: A page of people
          content:
            application/json:
              schema:
                type: object
                properties:
                  data:
                    type: array
                    items:
                      type: object
                      required: [id, email]
                      properties:
                        id: {type: string}
                        email: {type: string, format: email}
                        full_name: {type: string}
"""
CONTACTS = """\
openapi: 3.0.3
info: {title: Contacts API, version: "1"}
paths:
  /contacts:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [email]
              properties:
                external_id: {type: string}
                email: {type: string, format: email}
                first_name: {type: string}
                last_name: {type: string}
      responses:
        "201": {description: Created}
"""
PEOPLE_MANIFEST = """\
version: 1
name: people-to-contacts
source: {api: People, spec: specs/people.yaml, endpoint: GET /people}
destination: {api: Contacts, spec: specs/contacts.yaml, endpoint: POST /contacts}
mapping:
  hints: {id: external_id}   # the person's id
# five records
test: {sample_size: 5}
"""


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def mapped(project: Path, name: str) -> dict[str, dict]:
    result = invoke(project, "map", name, "--json")
    assert result.exit_code == 0, result.stderr
    return {t["dest_field"]: t for t in json.loads(result.stdout)["data"]["transformations"]}


@pytest.fixture
def crm(project: Path) -> Path:
    """crm-to-mailwave with comments and review_below 0.95: most of its proposals need review."""
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    text = manifest.read_text()
    assert "  hints:\n    id: external_id\n  min_confidence: 0.6\n" in text
    manifest.write_text(text.replace("  hints:\n    id: external_id\n  min_confidence: 0.6\n", COMMENTED))
    assert invoke(project, "ingest", "crm-to-mailwave").exit_code == 0
    return manifest


def test_map_marks_fields_that_need_review_and_says_how_to_accept(crm: Path) -> None:
    result = invoke(crm.parents[1], "map", "crm-to-mailwave")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["source", "destination", "type", "confidence", "review", "reason"]
    waiting = [line.split()[1] for line in lines[3:] if "needs review" in line]
    assert "given_name" in waiting and "external_id" not in waiting
    assert lines[-1].startswith(f"{len(waiting)} field(s) need review (proposed below review_below 0.95")
    assert "vitesse map crm-to-mailwave --accept (all) or --accept" in lines[-1]


def test_accepting_named_fields_writes_hints_and_keeps_comments(crm: Path) -> None:
    project = crm.parents[1]
    before = mapped(project, "crm-to-mailwave")
    assert before["given_name"]["needs_review"] and before["signed_up_at"]["needs_review"]
    result = invoke(project, "map", "crm-to-mailwave", "--accept", "given_name", "signed_up_at")
    assert result.exit_code == 0, result.stderr
    assert f"accepted 2 field(s), mapped again; wrote to {crm}:" in result.stdout
    assert "  mapping.hints: first_name: given_name\n  mapping.hints: created: signed_up_at\n" in result.stdout
    text = crm.read_text()
    assert (
        "  hints:\n    id: external_id   # the CRM id is the contact's external id\n    first_name: given_name\n"
        "    created: signed_up_at\n  # reviewed pairs go above\n  min_confidence: 0.6\n" in text
    )
    after = mapped(project, "crm-to-mailwave")
    for field in ("given_name", "signed_up_at"):
        assert after[field]["reason"] == "manual hint" and after[field]["confidence"] == 1.0
        assert not after[field]["needs_review"]
    assert after["signed_up_at"]["transform_type"] == "unix_to_iso"  # the hint maps it the same way
    assert after["family_name"]["needs_review"]  # the others still wait


def test_accept_alone_takes_every_field_and_the_gate_then_passes(crm: Path) -> None:
    project = crm.parents[1]
    failed = invoke(project, "run", "crm-to-mailwave", "--dry-run")
    assert failed.exit_code == 1 and "health_score" in failed.stderr  # nine unreviewed fields fail the gate
    result = invoke(project, "map", "crm-to-mailwave", "--accept")
    assert result.exit_code == 0, result.stderr
    assert not any(t["needs_review"] for t in mapped(project, "crm-to-mailwave").values())
    assert invoke(project, "test", "crm-to-mailwave").exit_code == 0
    again = invoke(project, "map", "crm-to-mailwave", "--accept")
    assert again.exit_code == 0 and "nothing to accept: no field needs review" in again.stdout


def test_unknown_or_decided_fields_are_refused_and_the_file_is_untouched(crm: Path) -> None:
    before = crm.read_text()
    result = invoke(crm.parents[1], "map", "crm-to-mailwave", "--accept", "given_name", "givn_name", "external_id")
    assert result.exit_code == 1
    assert "error: givn_name: no such destination field in the mapping; did you mean 'given_name'" in result.stderr
    assert "external_id: does not need review (manual hint, confidence 1.00)" in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    assert crm.read_text() == before


def test_fields_without_accept_are_a_usage_error(crm: Path) -> None:
    result = invoke(crm.parents[1], "map", "crm-to-mailwave", "given_name")
    assert result.exit_code == 2
    assert "FIELD arguments (given_name) are only used with --accept" in result.stderr


def test_a_template_is_accepted_as_an_explicit_transform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VITESSE_HOME", raising=False)
    (tmp_path / "integrations" / "specs").mkdir(parents=True)
    (tmp_path / "integrations" / "specs" / "people.yaml").write_text(PEOPLE)
    (tmp_path / "integrations" / "specs" / "contacts.yaml").write_text(CONTACTS)
    manifest = tmp_path / "integrations" / "people-to-contacts.yaml"
    manifest.write_text(PEOPLE_MANIFEST)
    assert invoke(tmp_path, "ingest", "people-to-contacts").exit_code == 0
    split = mapped(tmp_path, "people-to-contacts")["first_name"]
    assert split["needs_review"] and split["transform_type"] == "custom"  # first name split from full_name
    result = invoke(tmp_path, "map", "people-to-contacts", "--accept", "first_name")
    assert result.exit_code == 0, result.stderr
    assert (
        "  mapping.transforms: - {dest_field: first_name, transform_type: custom, source_fields: [full_name], "
        f"template: {json.dumps(split['template'])}}}" in result.stdout
    )
    assert manifest.read_text() == PEOPLE_MANIFEST.replace(
        "# five records",
        "  transforms:\n    - dest_field: first_name\n      transform_type: custom\n      source_fields: [full_name]\n"
        f"      template: {split['template']}\n# five records",
    )  # too long for one line: a block, its comments in place
    after = mapped(tmp_path, "people-to-contacts")
    assert after["first_name"]["reason"] == "explicit transform in the manifest"
    assert after["first_name"]["template"] == split["template"] and not after["first_name"]["needs_review"]
    assert after["last_name"]["needs_review"]
