"""`vitesse ingest` reports contract drift: what changed since the baseline ingest, breaking changes marked."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from vitesse.cli import cli


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def test_ingest_prints_drift_and_puts_it_in_json(project: Path) -> None:
    for step in ("ingest", "map", "test"):
        assert invoke(project, step, "crm-to-mailwave").exit_code == 0
    first = json.loads(invoke(project, "ingest", "crm-to-mailwave", "--json").stdout)["data"]
    assert first["drift"] == {"baseline": None, "changes": [], "breaking": 0}
    spec = project / "integrations" / "specs" / "mailwave.yaml"
    text = spec.read_text()
    spec.write_text(
        text.replace('        organization: {type: [string, "null"]}\n', "").replace(
            "        given_name:", "        nickname: {type: string}\n        given_name:"
        )
    )

    result = invoke(project, "ingest", "crm-to-mailwave")
    assert result.exit_code == 0, result.output
    assert f"contract drift since ingest {first['version']}: 2 change(s), 1 breaking" in result.stdout
    assert (
        "  BREAKING destination POST /contacts field `organization` was removed (the mapping uses it)" in result.stdout
    )
    assert "           destination POST /contacts field `nickname` was added\n" in result.stdout

    envelope = json.loads(invoke(project, "ingest", "crm-to-mailwave", "--json").stdout)
    drift = envelope["data"]["drift"]
    assert drift["baseline"] == first["version"] and drift["breaking"] == 1
    assert drift["changes"][1] == {
        "side": "destination",
        "endpoint": "POST /contacts",
        "field": "organization",
        "change": "removed",
        "before": {"type": "string", "required": False},
        "after": None,
        "breaking": True,
        "mapped": True,
    }
    artifacts = project / ".vitesse" / "artifacts" / "crm-to-mailwave" / "ingest"
    assert len(list(artifacts.glob("*.json"))) == 2  # the second ingest of the edited spec wrote nothing new

    spec.write_text(text)
    back = invoke(project, "ingest", "crm-to-mailwave")
    assert back.exit_code == 0 and f"ingest {first['version']} stored" in back.stdout


def test_the_rest_api_ingest_answer_carries_the_drift(project: Path) -> None:
    """The API answers with the same envelope as `vitesse ingest --json`, drift included."""
    import asyncio

    import httpx

    from vitesse.api.app import create_app
    from vitesse.project import Project

    async def post_ingest() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(Project(project)))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post("/api/v1/vitesse/integrations/crm-to-mailwave/ingest", json={})

    first = asyncio.run(post_ingest())
    assert first.status_code == 200, first.text
    assert first.json()["data"]["drift"] == {"baseline": None, "changes": [], "breaking": 0}
    spec = project / "integrations" / "specs" / "mailwave.yaml"
    spec.write_text(spec.read_text().replace('        organization: {type: [string, "null"]}\n', ""))
    second = asyncio.run(post_ingest()).json()["data"]
    cli_answer = json.loads(invoke(project, "ingest", "crm-to-mailwave", "--json").stdout)["data"]
    assert second["drift"] == cli_answer["drift"]
    assert second["drift"]["baseline"] == first.json()["data"]["version"]
    assert [(c["field"], c["change"], c["breaking"], c["mapped"]) for c in second["drift"]["changes"]] == [
        ("organization", "removed", False, False)  # nothing mapped yet: reported, not breaking
    ]
