"""`vitesse.plan.build` on the demo project: a spec that cannot be read (ingest would fail, nothing downstream is
proposed), a deploy artifact from before deploys recorded their settings, a deploy the replicas rule refuses, and a
step never run next to current ones."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from vitesse.cli import cli
from vitesse.plan import UNKNOWN, plan_project
from vitesse.project import Project

NAME = "crm-to-mailwave"


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def run_all(project: Path) -> None:
    result = invoke(project, "run", NAME, "--dry-run")
    assert result.exit_code == 0, result.output


def plan_of(project: Path):
    (found,) = plan_project(Project(project), [NAME])
    return found


def edit(project: Path, old: str, new: str) -> None:
    manifest = project / "integrations" / f"{NAME}.yaml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new, 1))


def test_a_spec_that_cannot_be_read_stales_ingest_and_proposes_nothing(project: Path) -> None:
    run_all(project)
    (project / "integrations/specs/mailwave.yaml").unlink()
    found = plan_of(project)
    steps = {s.step: s for s in found.steps}
    assert steps["create"].current and not steps["ingest"].current
    assert steps["ingest"].reason.startswith("ingest would fail now: Failed to ingest destination API spec")
    assert steps["map"].reason.startswith("ingest is stale (ingest would fail now")
    assert found.rerun == ["ingest", "map", "test", "deploy"]
    assert found.specs.error is not None and found.specs.sides[1].after is None
    assert found.mapping.error.startswith("ingest would fail, so map cannot run")
    assert found.deploy.error == "nothing to render: ingest would fail"


def test_a_deploy_that_did_not_record_its_settings_names_the_changed_keys(project: Path) -> None:
    run_all(project)
    folder = project / ".vitesse/artifacts" / NAME / "deploy"
    path = folder / f"{(folder / 'latest').read_text().strip()}.json"
    stored = json.loads(path.read_text())
    del stored["data"]["settings"]  # as a deploy made before `vitesse plan` stored it
    path.write_text(json.dumps(stored))
    edit(project, "  target: process\n", "  target: process\n  memory_mb: 1024\n")
    deploy = plan_of(project).deploy
    assert deploy.settings_recorded is False and deploy.changed_keys == ["deploy.memory_mb"]
    assert deploy.settings == {}  # the values it ran with are unknown: only the target is compared
    assert deploy.bundle == {} and deploy.refused is None


def test_several_replicas_on_sqlite_would_be_refused(project: Path) -> None:
    run_all(project)
    edit(project, "  target: process\n", "  target: process\n  replicas: 2\n")
    deploy = plan_of(project).deploy
    assert deploy.settings == {"replicas": {"before": 1, "after": 2}}
    assert deploy.refused is not None and "deploy.replicas: 2" in deploy.refused and "postgresql" in deploy.refused


def test_a_step_never_run_after_current_ones(project: Path) -> None:
    for step in ("ingest", "map"):
        assert invoke(project, step, NAME).exit_code == 0
    found = plan_of(project)
    assert [(s.step, s.current) for s in found.steps] == [
        ("create", True),
        ("ingest", True),
        ("map", True),
        ("test", False),
        ("deploy", False),
    ]
    assert found.rerun == ["test", "deploy"] and found.mapping is None
    assert found.commands == [f"vitesse test {NAME}", f"vitesse deploy {NAME}"]
    assert found.gate.test is None and found.gate.would_pass is None
    assert found.deploy.compared_with is None and found.deploy.bundle == {"before": None, "after": UNKNOWN}
    assert found.deploy.refused is None
