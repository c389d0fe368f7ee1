"""`vitesse runtime ...`: build a bundle, serve it, sync once, list and replay dead letters."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from vitesse.cli.output import emit_json, table
from vitesse.project import Project
from vitesse.runtime import StateStore, Syncer, build_bundle, load_bundle, write_bundle
from vitesse.runtime.service import create_app, default_state_path

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
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite state file (default: <bundle name>.state.sqlite beside the bundle).",
)


def _handled(func):  # type: ignore[no-untyped-def]
    from vitesse.cli.app import handle_errors

    return handle_errors(func)


@click.group()
def runtime() -> None:
    """The deployed integration: bundle, serve, sync, dead letters."""


@runtime.command()
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: .vitesse/bundles/NAME.json")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@_handled
def bundle(name: str, out: Path | None, project: Path) -> None:
    """Write the bundle of integration NAME from its latest ingest and map artifacts."""
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
@_handled
def serve(bundle_path: Path, state_path: Path | None, host: str, port: int) -> None:
    """Serve the integration: GET /health, POST /sync, POST /transform, GET /metrics."""
    import uvicorn

    load_bundle(bundle_path)  # a clear error now rather than inside the server
    uvicorn.run(create_app(bundle_path, state_path), host=host, port=port, log_level="warning", access_log=False)


def _syncer(bundle_path: Path, state_path: Path | None) -> Syncer:
    loaded = load_bundle(bundle_path)
    return Syncer(loaded, StateStore(state_path or default_state_path(bundle_path, loaded)))


@runtime.command()
@bundle_option
@state_option
@click.option("--json", "as_json", is_flag=True)
@_handled
def sync(bundle_path: Path, state_path: Path | None, as_json: bool) -> None:
    """Run one sync now, without the HTTP service."""
    result = asyncio.run(_syncer(bundle_path, state_path).run()).as_dict()
    if as_json:
        emit_json({"status": "success", "data": result})
    else:
        click.echo(" ".join(f"{k}={v}" for k, v in result.items()))


@runtime.command(name="dead-letters")
@bundle_option
@state_option
@click.option("--replay", is_flag=True, help="Send the open dead letters again.")
@click.option("--all", "include_replayed", is_flag=True, help="Also list dead letters already replayed.")
@click.option("--json", "as_json", is_flag=True)
@_handled
def dead_letters(
    bundle_path: Path, state_path: Path | None, replay: bool, include_replayed: bool, as_json: bool
) -> None:
    """List the records the runtime could not deliver, with the reason; --replay sends them again."""
    syncer = _syncer(bundle_path, state_path)
    if replay:
        outcome = asyncio.run(syncer.replay())
        click.echo(f"replayed {outcome['replayed']}; still failing {outcome['still_failing']}", err=as_json)
    letters = syncer.state.dead_letters(include_replayed=include_replayed)
    if as_json:
        emit_json({"status": "success", "count": len(letters), "data": letters})
        return
    rows = [
        [str(d["id"]), d["key"], str(d["status"] or "-"), str(d["attempts"]), d["reason"][:80], d["created_at"]]
        for d in letters
    ]
    click.echo(table(rows, ["id", "key", "status", "attempts", "reason", "created"]) if rows else "no dead letters")
