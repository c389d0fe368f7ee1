"""`vitesse map` through the CLI runner: order, envelope, table, endpoint choice, learning from peers."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from vitesse.cli import cli


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def test_map_before_ingest_is_refused(project: Path) -> None:
    result = invoke(project, "map", "crm-to-mailwave")
    assert result.exit_code == 1
    assert "run `vitesse ingest crm-to-mailwave` before map" in result.stderr
    assert not (project / ".vitesse" / "artifacts" / "crm-to-mailwave" / "map").exists()


def test_map_envelope_and_artifact(project: Path) -> None:
    assert invoke(project, "ingest", "crm-to-mailwave").exit_code == 0
    result = invoke(project, "map", "crm-to-mailwave", "--json")
    assert result.exit_code == 0, result.stderr
    envelope = json.loads(result.stdout)
    assert envelope["current_step"] == "TESTING"
    assert envelope["data"]["transformation_count"] >= 12
    assert len(envelope["data"]["transformations"]) == envelope["data"]["transformation_count"]  # the rows too
    assert 1 <= envelope["data"]["complexity_score"] <= 10
    assert envelope["data"]["next_step"] == "test"
    stored = json.loads(
        (project / ".vitesse/artifacts/crm-to-mailwave/map" / f"{envelope['data']['version']}.json").read_text()
    )
    logic = stored["data"]["mapping_logic"]
    assert logic["source_endpoint"] == "/customers" and logic["dest_endpoint"] == "/contacts"
    assert envelope["data"]["transformations"] == logic["transformations"]
    by_dest = {t["dest_field"]: t for t in logic["transformations"]}
    assert by_dest["external_id"]["reason"] == "manual hint"
    assert by_dest["email_address"]["source_field"] == "email"
    assert by_dest["signed_up_at"]["transform_type"] == "unix_to_iso"
    assert stored["inputs"]["ingest"] == (project / ".vitesse/artifacts/crm-to-mailwave/ingest/latest").read_text()
    status = json.loads(invoke(project, "status", "crm-to-mailwave", "--json").stdout)
    assert status["status"] == "testing"


def test_map_table_for_review(project: Path) -> None:
    invoke(project, "ingest", "mailwave-to-crm")
    result = invoke(project, "map", "mailwave-to-crm")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("GET /contacts -> POST /customers")
    assert lines[1].split() == ["source", "destination", "type", "confidence", "review", "reason"]
    assert any(line.split()[:3] == ["email_address", "email", "mapping"] for line in lines)
    assert any("explicit transform in the manifest" in line for line in lines)


def test_endpoints_are_chosen_when_not_named(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    text = manifest.read_text().replace("  endpoint: GET /customers\n", "").replace("  endpoint: POST /contacts\n", "")
    manifest.write_text(text)
    invoke(project, "ingest", "crm-to-mailwave")
    envelope = json.loads(invoke(project, "map", "crm-to-mailwave", "--json").stdout)
    assert envelope["data"]["source_endpoint"] == "GET /customers"
    assert envelope["data"]["dest_endpoint"] == "POST /contacts"
    version = envelope["data"]["version"]
    logic = json.loads((project / ".vitesse/artifacts/crm-to-mailwave/map" / f"{version}.json").read_text())
    choice = logic["data"]["mapping_logic"]["endpoint_choice"]
    assert choice["source"]["from_manifest"] is False
    assert {a["endpoint"] for a in choice["source"]["alternatives"]} >= {"GET /orders"}


def test_learning_from_the_other_integrations(project: Path) -> None:
    source = (project / "integrations" / "crm-to-mailwave.yaml").read_text()
    (project / "integrations" / "crm-to-mailwave-2.yaml").write_text(
        source.replace("name: crm-to-mailwave", "name: crm-to-mailwave-2")
        .replace("    id: external_id\n", "")
        .replace("  hints:\n", "  hints: {}\n")
    )
    invoke(project, "ingest", "crm-to-mailwave-2")
    result = invoke(project, "map", "crm-to-mailwave-2")
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("id "))
    assert "accepted before in crm-to-mailwave" in row


def test_bad_hint_names_the_field(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(manifest.read_text().replace("id: external_id", "id: externl_id"))
    invoke(project, "ingest", "crm-to-mailwave")
    result = invoke(project, "map", "crm-to-mailwave")
    assert result.exit_code == 1
    assert (
        "error: mapping.hints.id: destination field 'externl_id' does not exist; did you mean 'external_id'?"
        in result.stderr
    )
    status = json.loads(invoke(project, "status", "crm-to-mailwave", "--json").stdout)
    assert status["status"] == "failed"
