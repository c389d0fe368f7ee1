"""`vitesse runtime ...`: build a bundle, serve it, sync once, list and replay dead letters."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from vitesse.cli.options import handle_errors
from vitesse.cli.output import emit_json, table
from vitesse.project import Project

if TYPE_CHECKING:  # each command imports what it runs: `vitesse --help` loads none of the runtime
    from vitesse.runtime.bundle import Bundle
    from vitesse.runtime.state import SqlStateStore
    from vitesse.runtime.sync import Syncer

bundle_option = click.option(
    "--bundle",
    "bundle_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The bundle file (see `vitesse runtime bundle`).",
)
state_option = click.option(
    "--state",
    "state_path",
    metavar="PATH|URL",
    help="A SQLite file or a postgresql:// URL. Default: what the bundle's runtime.state says (SQLite: "
    "<integration>.state.sqlite beside the bundle; PostgreSQL: the URL in its url_env variable).",
)


@click.group()
def runtime() -> None:
    """The deployed integration: bundle, serve, sync, dead letters."""


@runtime.command()
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: .vitesse/bundles/NAME.json")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@handle_errors
def bundle(name: str, out: Path | None, project: Path) -> None:
    """Write the bundle of integration NAME from its latest ingest and map artifacts."""
    from vitesse.runtime.bundle import build_bundle, write_bundle

    proj = Project(project)
    mf = proj.load(name)
    built = build_bundle(mf, proj.store)
    path = write_bundle(built, out or proj.store.home / "bundles" / f"{mf.name}.json")
    click.echo(f"bundle {built.version} written to {path}")


@runtime.command()
@bundle_option
@state_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@handle_errors
def serve(bundle_path: Path, state_path: str | None, host: str, port: int) -> None:
    """Serve the integration: GET /health, POST /sync, POST /transform, GET /metrics."""
    import uvicorn

    from vitesse.runtime.service import create_app

    loaded, state = _open(bundle_path, state_path)  # clear errors now rather than inside the server
    uvicorn.run(create_app(loaded, state), host=host, port=port, log_level="warning", access_log=False)


def _open(bundle_path: Path, state_path: str | None) -> tuple[Bundle, SqlStateStore]:
    from vitesse.runtime.bundle import load_bundle
    from vitesse.runtime.state import open_state, state_location

    loaded = load_bundle(bundle_path)
    location = state_location(loaded.runtime, bundle_path, loaded.integration, state_path)
    return loaded, open_state(location, loaded.integration)


def _syncer(bundle_path: Path, state_path: str | None) -> Syncer:
    from vitesse.runtime.sync import Syncer  # aiohttp: only for the commands that sync

    return Syncer(*_open(bundle_path, state_path))


@runtime.command()
@bundle_option
@state_option
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def sync(bundle_path: Path, state_path: str | None, as_json: bool) -> None:
    """Run one sync now, without the HTTP service."""
    import asyncio

    syncer = _syncer(bundle_path, state_path)
    try:
        result = asyncio.run(syncer.run()).as_dict()
    finally:
        syncer.state.close()
    if as_json:
        emit_json({"status": "success", "data": result})
    else:
        click.echo(" ".join(f"{k}={v}" for k, v in result.items()))


@runtime.command(name="dead-letters")
@bundle_option
@state_option
@click.option(
    "--replay",
    is_flag=True,
    help="Send the open dead letters again (ambiguous ones only with --ambiguous, unless the write mode is upsert or "
    "update, which look the record up first).",
)
@click.option(
    "--ambiguous",
    is_flag=True,
    help="With --replay, also send letters whose earlier request may have been applied (a destination that "
    "ignores Idempotency-Key may then get a duplicate).",
)
@click.option("--all", "include_resolved", is_flag=True, help="Also list dead letters already resolved.")
@click.option("--json", "as_json", is_flag=True)
@handle_errors
def dead_letters(
    bundle_path: Path, state_path: str | None, replay: bool, ambiguous: bool, include_resolved: bool, as_json: bool
) -> None:
    """List the records the runtime could not deliver, with the reason; --replay sends them again."""
    import asyncio

    syncer = _syncer(bundle_path, state_path)
    try:
        if replay:
            outcome = asyncio.run(syncer.replay(ambiguous=ambiguous))
            held = f"; held {outcome['held']} ambiguous (add --ambiguous to send them)" if outcome["held"] else ""
            click.echo(f"replayed {outcome['replayed']}; still failing {outcome['still_failing']}{held}", err=as_json)
        letters = syncer.state.dead_letters(include_resolved=include_resolved)
    finally:
        syncer.state.close()
    if as_json:
        emit_json({"status": "success", "count": len(letters), "data": letters})
        return
    rows = [
        [str(d["id"]), d["key"], d["kind"], str(d["status"] or "-"), str(d["attempts"]), d["reason"][:70],
         d["updated_at"]]
        for d in letters
    ]  # fmt: skip
    headers = ["id", "key", "kind", "status", "attempts", "reason", "last"]
    click.echo(table(rows, headers) if rows else "no dead letters")
