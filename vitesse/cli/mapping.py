"""`vitesse map NAME [--accept [FIELD...]]`: step 3, and accepting the fields that need review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from vitesse import jsoncodec
from vitesse.cli.options import handle_errors, json_option, project_option
from vitesse.cli.output import emit_json, progress, table
from vitesse.envelope import step_envelope
from vitesse.project import Project


@click.command(name="map")
@click.argument("name")
@click.argument("fields", nargs=-1, metavar="[FIELD]...")
@click.option(
    "--accept",
    is_flag=True,
    help="Accept the fields that need review (all, or the destination FIELDs named) into the manifest as hints, "
    "or explicit transforms when a hint cannot say it (comments kept), then map again.",
)
@click.option(
    "--write-fixtures",
    is_flag=True,
    help="Then write integrations/NAME.tests.yaml: the source spec's example records (else one synthetic record) "
    "and the bodies the new mapping makes of them, for review and `vitesse check`.",
)
@click.option("--force", is_flag=True, help="With --write-fixtures: replace an existing fixture file.")
@project_option
@json_option
@handle_errors
def map_command(
    name: str,
    fields: tuple[str, ...],
    accept: bool,
    write_fixtures: bool,
    force: bool,
    project: Path,
    as_json: bool,
) -> None:
    """Step 3: propose the field mapping between the two endpoints (status: testing).

    Fields proposed below mapping.review_below need review: each counts as a failed test until accepted with
    --accept (or decided by a hint, transform or ignore in the manifest)."""
    if fields and not accept:
        raise click.UsageError(f"FIELD arguments ({' '.join(fields)}) are only used with --accept")
    if force and not write_fixtures:
        raise click.UsageError("--force is only used with --write-fixtures")
    proj = Project(project)
    mf = proj.load(name)
    if write_fixtures:
        from vitesse.fixtures.seed import refuse_overwrite

        refuse_overwrite(mf, force)  # before the map runs: an existing fixture file is never replaced silently
    progress(f"{mf.name}: mapping")
    if accept:
        from vitesse.mapping.accept import map_accepting

        artifact, mf, accepted = map_accepting(mf, proj.store, fields, peers=proj.peers(exclude=mf.name))
        if accepted:
            click.echo(f"accepted {len(accepted.fields)} field(s), mapped again; wrote to {mf.path}:", err=as_json)
            for line in accepted.lines():
                click.echo(f"  {line}", err=as_json)
        else:
            click.echo("nothing to accept: no field needs review", err=as_json)
    else:
        from vitesse.mapping import map_integration  # here, not at the top: `vitesse --help` need not load the mapper

        artifact = map_integration(mf, proj.store, peers=proj.peers(exclude=mf.name))
    logic = artifact.data["mapping_logic"]
    if write_fixtures:
        _write_fixtures(mf, proj, artifact, force)
    if as_json:
        emit_json(step_envelope("map", artifact, mf))
        return
    click.echo(
        f"{logic['source_method']} {logic['source_endpoint']} -> {logic['dest_method']} {logic['dest_endpoint']}"
        f"   ({len(logic['transformations'])} fields, complexity {logic['complexity_score']}/10)"
    )
    rows = [
        [
            _mapped_from(t),
            t["dest_field"],
            t["transform_type"],
            f"{t['confidence']:.2f}",
            "needs review" if t.get("needs_review") else "",
            t["reason"],
        ]
        for t in logic["transformations"]
    ]
    click.echo(table(rows, ["source", "destination", "type", "confidence", "review", "reason"]))
    if logic["unmapped_required"]:
        click.echo(
            f"unmapped required: {', '.join(logic['unmapped_required'])} (add a hint, a transform or mapping.constants)"
        )
    for miss in logic["below_threshold"][:10]:
        click.echo(
            f"near miss: {miss['source_field']} -> {miss['dest_field']} ({miss['confidence']:.2f}): {miss['reason']}"
        )
    from vitesse.mapping.proposals import flow

    for key, proposal in logic.get("proposals", {}).items():  # never applied: the manifest is the user's
        click.echo(f"proposal: add {key}: {flow(proposal['value'])} ({proposal['reason']})")
    click.echo(f"map {artifact.version} stored; status: testing. Next: vitesse test {mf.name}")
    pending = [t["dest_field"] for t in logic["transformations"] if t.get("needs_review")]
    if pending:  # the last line: how to accept them
        click.echo(
            f"{len(pending)} field(s) need review (proposed below review_below {logic.get('review_below', 0.8):g}; "
            f"each is a failed test until accepted): {', '.join(pending)}. If they are right: vitesse map {mf.name} "
            f"--accept (all) or --accept {pending[0]}{' ...' if len(pending) > 1 else ''}; else set a hint, "
            "transform or ignore for them in the manifest"
        )


def _write_fixtures(mf: Any, proj: Project, artifact: Any, force: bool) -> None:
    """`--write-fixtures`: seed the fixture file from the new map; what was written goes to stderr."""
    from vitesse.fixtures.seed import write_fixtures

    seeded = write_fixtures(mf, proj.store, artifact, force=force)
    source = "one synthetic record (the spec has no examples)" if seeded.synthetic else "the spec's examples"
    progress(f"wrote {len(seeded.cases)} fixture case(s) to {seeded.label} from {source}:")
    for case in seeded.cases:
        pinned = f"expect_errors {case.expect_errors}" if case.expect_errors is not None else "expect (the body)"
        progress(f"  {case.name}: {pinned}")
    progress(f"review them (they pin the mapping's output), then `vitesse check {mf.name}`")


def _mapped_from(t: dict[str, Any]) -> str:
    """The review table's source column: the source fields, or a constant's value."""
    if t["transform_type"] == "constant":
        return "= " + jsoncodec.dumps(t["value"]).decode()[:40]
    return ", ".join(t["source_fields"] or []) or t["source_field"] or "-"
