"""`vitesse plan [NAME...]`: what the next run would change, per integration; nothing runs, is written or deployed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vitesse.cli.options import handle_errors, project_option
from vitesse.cli.output import emit_json
from vitesse.project import Project


@click.command(name="plan")
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (the shape: README, `vitesse.plan`).")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when something would change (0: nothing would, 1: an error), as terraform plan does.",
)
@project_option
@handle_errors
def plan_command(names: tuple[str, ...], as_json: bool, detailed_exitcode: bool, project: Path) -> None:
    """Show what `vitesse run` would change for each integration (default: all), without running anything.

    Which steps are stale and why, the contract drift of specs changed on disk, the mapping map would propose
    against the latest one, whether the latest test's score clears the threshold set now (a prediction, not a
    test), and what deploy would change: settings and, for kubernetes, ecs and docker, a diff of the manifests."""
    from vitesse.plan import plan_json, plan_project, text_report

    plans = plan_project(Project(project), list(names))
    if as_json:
        emit_json(plan_json(plans))
    else:
        click.echo(text_report(plans))
    problems = [problem for p in plans for problem in p.errors]
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    if detailed_exitcode and any(p.changes for p in plans):
        sys.exit(2)
