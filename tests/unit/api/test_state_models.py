"""The REST API's GET models carry every key `vitesse status --json` gives (FastAPI drops what a model lacks)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from vitesse.api.models import IntegrationList, IntegrationState
from vitesse.api.workflow import Workflow
from vitesse.cli import cli
from vitesse.envelope import integration_list, integration_state
from vitesse.project import Project


def test_state_and_list_pass_through_the_models_whole(project: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "crm-to-mailwave", "--dry-run", "--project", str(project)])
    assert result.exit_code == 0, result.stderr
    (project / "integrations" / "broken.yaml").write_text("version: 1\nname: broken\n")
    proj = Project(project)
    state = integration_state(proj.store, proj.load("crm-to-mailwave"))
    assert {"service", "service_detail", "service_url", "drift"} <= set(state)
    assert {"current", "stale_reason"} <= set(state["steps"][0])
    assert IntegrationState.model_validate(state).model_dump() == state
    listing = integration_list(proj)
    assert {"stale", "service", "drift"} <= set(listing["data"][0])
    assert IntegrationList.model_validate(listing).model_dump() == listing


def test_the_api_lists_what_status_lists(project: Path) -> None:
    """A deleted manifest leaves GET /integrations as it leaves `vitesse status` (one function)."""
    ingested = CliRunner().invoke(cli, ["ingest", "mailwave-to-crm", "--project", str(project)])
    assert ingested.exit_code == 0, ingested.stderr
    (project / "integrations" / "mailwave-to-crm.yaml").unlink()
    listed = Workflow(Project(project)).list()
    assert [i["manifest_name"] for i in listed["data"]] == ["crm-to-mailwave", "issues-to-tasks"]
