"""The `vitesse` command line: a thin shell over the library (parse options, call one function, print)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from vitesse import jsoncodec
from vitesse.artifacts import STATUS_AFTER
from vitesse.cli.options import handle_errors, json_option, project_option
from vitesse.cli.output import emit_json, progress, table
from vitesse.create import create as create_step
from vitesse.create import scaffold_manifest
from vitesse.create.scaffold import unset_params
from vitesse.envelope import integration_list, integration_state, step_envelope, success_envelope
from vitesse.errors import GateError, ManifestError, VitesseError
from vitesse.manifest import Manifest, ManifestFile, find_manifests, load_manifest
from vitesse.project import Project

# Each step is imported inside the commands that run it: `vitesse --help`, `validate`, `status`, `schema` and `fields`
# then never load scipy, faker, aiohttp, jinja2 or the deploy targets (tests/unit/cli/test_cli_imports.py).


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vitesse")
def cli() -> None:
    """vitesse: declarative API-to-API integrations (create, ingest, map, test, deploy)."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--with-tests",
    is_flag=True,
    help="Also run the fixture cases (integrations/NAME.tests.yaml) of the manifests validated, where their latest "
    "map is current; otherwise check the fixture file's format and say why its cases were not run.",
)
@project_option
@handle_errors
def validate(paths: tuple[Path, ...], with_tests: bool, project: Path) -> None:
    """Check manifests (files or folders; default: integrations/). Prints every problem with file:line:col.

    A fixture file named among the PATHS (NAME.tests.yaml) is checked as one: its format, and with --with-tests
    its cases."""
    from vitesse.fixtures.paths import is_fixture_file

    found = find_manifests(list(paths) or [Project(project).integrations_dir])
    fixture_files = [p for p in found if is_fixture_file(p)]
    targets = [p for p in found if not is_fixture_file(p)]
    if not targets and not fixture_files:
        raise ManifestError(
            [f"no manifests found in {', '.join(map(str, paths)) or Project(project).integrations_dir}"]
        )
    problems: list[str] = []
    names: dict[str, Path] = {}
    loaded: dict[Path, ManifestFile] = {}
    for path in targets:
        try:
            mf = load_manifest(path)
        except ManifestError as exc:
            problems.extend(exc.problems)
            continue
        if mf.name in names:
            problems.append(f"{path}: name {mf.name!r} is also used by {names[mf.name]} [manifest.duplicate_name]")
        names[mf.name] = path
        loaded[path.resolve()] = mf
    for problem in problems:
        click.echo(problem, err=True)
    valid = len(targets) - len({p.split(":", 1)[0] for p in problems})
    summary = f"{valid} of {len(targets)} manifest(s) valid" if targets else ""
    failed = bool(problems)
    if with_tests or fixture_files:
        from vitesse.cli.check import validate_fixtures

        folders = [p for p in (list(paths) or [Project(project).integrations_dir]) if p.is_dir()]
        fixture_problems, fixture_summary = validate_fixtures(loaded, fixture_files, folders, run=with_tests)
        summary = f"{summary}; {fixture_summary}" if summary else fixture_summary
        failed = failed or bool(fixture_problems)
    click.echo(summary, err=failed)
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--fixtures", is_flag=True, help="The format of fixture files (NAME.tests.yaml) instead.")
def schema(fixtures: bool) -> None:
    """Print the JSON Schema of the manifest format (for editors)."""
    if fixtures:
        from vitesse.fixtures.models import FixtureFile

        document = FixtureFile.model_json_schema(by_alias=True)
    else:
        document = Manifest.model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "vitesse fixture file" if fixtures else "vitesse integration manifest"
    click.echo(jsoncodec.dumps(document, indent=True).decode())


@cli.command()
@click.argument("name")
@click.option("--source-api", default="Source", show_default=True)
@click.option("--dest-api", default="Destination", show_default=True)
@click.option("--source-spec", default="specs/source.yaml", show_default=True)
@click.option("--dest-spec", default="specs/destination.yaml", show_default=True)
@click.option("--source-endpoint", help="'METHOD /path' to read, e.g. 'GET /repos/{owner}/{repo}/issues'.")
@click.option("--dest-endpoint", help="'METHOD /path' to write, e.g. 'POST /contacts'.")
@click.option("--intent", default="", help="What the integration is for (feeds the mapper).")
@project_option
@json_option
@handle_errors
def new(
    name: str,
    source_api: str,
    dest_api: str,
    source_spec: str,
    dest_spec: str,
    source_endpoint: str | None,
    dest_endpoint: str | None,
    intent: str,
    project: Path,
    as_json: bool,
) -> None:
    """Write integrations/NAME.yaml from a template and record it (status: discovering).

    With --source-endpoint / --dest-endpoint and a spec file that exists, the parameters the endpoint requires are
    written as params with the value "<name>", for you to fill in."""
    proj = Project(project)
    mf = scaffold_manifest(
        proj.integrations_dir,
        name,
        source_api=source_api,
        dest_api=dest_api,
        source_spec=source_spec,
        dest_spec=dest_spec,
        source_endpoint=source_endpoint,
        dest_endpoint=dest_endpoint,
        intent=intent,
    )
    artifact = create_step(mf, proj.store)
    if as_json:
        emit_json(step_envelope("create", artifact, mf))
    else:
        click.echo(f"wrote {mf.path}; edit it, then run `vitesse ingest {name}`")
    unset = unset_params(mf)
    if unset:
        progress(f'fill in {", ".join(unset)} in {mf.path} (written as "<name>"; ingest refuses them until set)')


@cli.command()
@click.argument("name")
@click.option(
    "--full-validation",
    is_flag=True,
    help="Also validate each document against the official OpenAPI JSON Schema (slower).",
)
@project_option
@json_option
@handle_errors
def ingest(name: str, full_validation: bool, project: Path, as_json: bool) -> None:
    """Step 2: read both OpenAPI specs into normalized endpoints (status: mapping).

    Also records step 1 (create) again when what it reads changed: name, description, intent, the APIs'
    names and discovery, deploy.environment."""
    from vitesse.ingest import ingest as ingest_step
    from vitesse.ingest.drift import summary_lines as drift_lines

    proj = Project(project)
    mf = proj.load(name)
    artifact = ingest_step(mf, proj.store, full_validation=full_validation, progress=progress)
    data = artifact.data
    if as_json:
        emit_json(step_envelope("ingest", artifact, mf))
        return
    rows = []
    for side, key in (("source", "source_api_spec"), ("destination", "dest_api_spec")):
        spec = data[key]
        rows.append(
            [
                side,
                spec["api_name"],
                spec["openapi_version"],
                str(len(spec["endpoints"])),
                str(len(spec["schemas"])),
                str(len(spec["warnings"])),
                spec["base_url"] or "-",
            ]
        )
    click.echo(table(rows, ["side", "api", "openapi", "endpoints", "schemas", "warnings", "base_url"]))
    for side, key in (("source", "source_api_spec"), ("destination", "dest_api_spec")):
        warnings = data[key]["warnings"]
        for warning in warnings[:10]:
            click.echo(f"warning: {side}: {warning}")
        if len(warnings) > 10:
            click.echo(f"warning: {side}: ... and {len(warnings) - 10} more (see `vitesse ingest {name} --json`)")
    for line in drift_lines(data.get("drift")):
        click.echo(line)
    click.echo(f"ingest {artifact.version} stored; status: mapping. Next: vitesse map {mf.name}")


@cli.command(name="test")
@click.argument("name")
@click.option("--sample-size", type=click.IntRange(1, 100), help="Override test.sample_size for this run.")
@click.option("--seed", type=click.IntRange(0), help="Override test.seed for this run.")
@project_option
@json_option
@handle_errors
def test_command(name: str, sample_size: int | None, seed: int | None, project: Path, as_json: bool) -> None:
    """Step 4: synthetic records, schema validation, shadow calls, health score and the gate (status: deploying)."""
    from vitesse.guardian import test_integration

    proj = Project(project)
    mf = proj.load(name)
    progress(f"{mf.name}: testing")
    try:
        artifact = test_integration(mf, proj.store, sample_size=sample_size, seed=seed)
    except GateError:
        latest = proj.store.latest(mf.name, "test")
        if latest is not None and not as_json:
            _print_test(latest.data, mf.name, latest.version)
        raise
    if as_json:
        emit_json(step_envelope("test", artifact, mf))
        return
    _print_test(artifact.data, mf.name, artifact.version)


def _print_test(results: dict[str, Any], name: str, version: str) -> None:
    score = results["health_score"]
    click.echo(
        f"health score {score['overall']:g} (threshold {results['threshold']:g}): success rate "
        f"{score['success_rate']:g}, endpoint coverage {score['endpoint_coverage']:g}, data quality "
        f"{score['data_quality']:g}, reliability {score['reliability']:g}"
    )
    click.echo(
        f"{results['passed_tests']} of {results['test_count']} tests passed; seed {results['seed']}"
        + (f"; HTTP {results['status_codes']}" if results["status_codes"] else "")
        + (
            f"; p50 {results['latency_ms']['p50']} ms, p95 {results['latency_ms']['p95']} ms"
            if results["latency_ms"]["p50"] is not None
            else ""
        )
        + (
            f"; {cases['passed']} of {cases['cases']} fixture case(s) passed"
            if (cases := results.get("fixture_cases"))
            else ""
        )
    )
    for failure in results["failures"][:10]:
        click.echo(f"  {failure['count']}x {failure['field']} [{failure['problem']}]: {failure['example']}")
        click.echo(f"      -> {failure['suggestion']}")
    for note in results.get("notes", []):
        click.echo(f"  note: {note}")
    verdict = "passed; status: deploying" if results["passed"] else "failed"
    click.echo(f"test {version} stored; {verdict}." + (f" Next: vitesse deploy {name}" if results["passed"] else ""))


@cli.command()
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Render (and validate) the manifests into the artifact; apply nothing.")
@click.option("--stop", "stop_it", is_flag=True, help="Stop the running deployment instead.")
@project_option
@json_option
@handle_errors
def deploy(name: str, dry_run: bool, stop_it: bool, project: Path, as_json: bool) -> None:
    """Step 5: deploy the tested integration on its target (status: active). Refused unless the test passed."""
    from vitesse.deploy import deploy as deploy_step
    from vitesse.deploy import stop as stop_step

    proj = Project(project)
    mf = proj.load(name)
    if stop_it:
        stop_step(mf, proj.store)
        click.echo(f"{mf.name}: stopped")
        return
    progress(f"{mf.name}: deploying on {mf.manifest.deploy.target}" + (" (dry run)" if dry_run else ""))
    artifact = deploy_step(mf, proj.store, dry_run=dry_run)
    data = artifact.data
    if as_json:
        emit_json(step_envelope("deploy", artifact, mf))
        return
    for filename in data["manifests"]:
        click.echo(f"rendered {filename}")
    if dry_run:
        click.echo(f"deploy {artifact.version} stored (dry run: nothing applied)")
    else:
        click.echo(
            f"{mf.name} is active at {data['service_url']} ({data['container_id']}, "
            f"{data['deployment_duration_seconds']:g} s); status: active"
        )


@cli.command(name="run")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Deploy as a dry run (render only).")
@project_option
@json_option
@handle_errors
def run_all(name: str, dry_run: bool, project: Path, as_json: bool) -> None:
    """All steps: ingest, map, test and deploy; stops at the first failure (the gate included)."""
    from vitesse.artifacts.summary import step_summary
    from vitesse.deploy import deploy as deploy_step
    from vitesse.guardian import test_integration
    from vitesse.ingest import ingest as ingest_step
    from vitesse.mapping import map_integration

    proj = Project(project)
    mf = proj.load(name)
    store = proj.store
    ingest_step(mf, store, progress=progress)
    progress(f"{mf.name}: mapping")
    mapped = map_integration(mf, store, peers=proj.peers(exclude=mf.name)).data
    logic = mapped["mapping_logic"]
    waiting = any(t.get("needs_review") for t in logic["transformations"])
    progress(f"{mf.name}: {step_summary('map', mapped)}" + (f" (see `vitesse map {mf.name}`)" if waiting else ""))
    progress(f"{mf.name}: testing")
    try:
        tested = test_integration(mf, store).data
    except GateError:
        latest = store.latest(mf.name, "test")
        if latest is not None and not as_json:
            _print_test(latest.data, mf.name, latest.version)
        raise
    progress(f"{mf.name}: health score {tested['health_score']['overall']:g}; deploying on {mf.manifest.deploy.target}")
    deployed = deploy_step(mf, store, dry_run=dry_run)
    data = deployed.data
    if as_json:
        emit_json(
            success_envelope(
                mf.name,
                "deploying" if dry_run else STATUS_AFTER["deploy"],
                {
                    "health_score": tested["health_score"],
                    "transformation_count": len(logic["transformations"]),
                    "container_id": data["container_id"],
                    "service_url": data["service_url"],
                    "deployment_time_seconds": data["deployment_duration_seconds"],
                },
            )
        )
        return
    click.echo(
        f"{mf.name}: mapped {len(logic['transformations'])} fields, health score "
        f"{tested['health_score']['overall']:g}, "
        + ("deploy rendered (dry run)" if dry_run else f"active at {data['service_url']}")
    )


@cli.command()
@click.argument("name", required=False)
@project_option
@json_option
@handle_errors
def status(name: str | None, project: Path, as_json: bool) -> None:
    """Show the status of one integration or of all of them (those with a manifest in integrations/).

    Each step is current only if the manifest sections it reads are unchanged, it was built on the latest upstream
    versions and those are current too: the rule deploy's gate applies, so a stale step says why. `service` is the
    deployed service (running, unhealthy, stopped, deployed, -), apart from the pipeline's status; `drift` is the
    contract drift the latest ingest found."""
    from vitesse.cli.status import listing_table, state_lines

    proj = Project(project)
    if name is None:
        listing = integration_list(proj)
        if as_json:
            emit_json(listing)
            return
        click.echo(listing_table(listing))
        return
    state = integration_state(proj.store, proj.load(name))
    if as_json:
        emit_json(state)
        return
    for line in state_lines(state):
        click.echo(line)


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback needs VITESSE_API_TOKEN.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=9001, show_default=True)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="Another name clients use in the Host header (e.g. vitesse.internal); loopback names are always allowed.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=60.0,
    show_default=True,
    help="Seconds a step call waits for another step of the same integration before answering 409.",
)
@click.option("--cors-origin", "cors_origins", multiple=True, help="Let a browser app on this origin call the API.")
@project_option
@handle_errors
def api(
    host: str,
    port: int,
    allowed_hosts: tuple[str, ...],
    lock_timeout: float,
    cors_origins: tuple[str, ...],
    project: Path,
) -> None:
    """Serve the seed's REST API (/api/v1/vitesse/integrations...) over this project.

    With VITESSE_API_TOKEN set, every request needs `Authorization: Bearer <token>`."""
    import socket
    from urllib.parse import quote

    import uvicorn

    from vitesse.api import create_app
    from vitesse.api.guard import is_loopback

    token = os.environ.get("VITESSE_API_TOKEN") or None
    if token is None and not is_loopback(host):
        raise VitesseError(
            f"refusing to listen on {host} without VITESSE_API_TOKEN: anyone who reaches it could run steps, "
            "deploys and shadow calls with this machine's credentials; set VITESSE_API_TOKEN to a long random "
            "string (clients send Authorization: Bearer <token>) or listen on 127.0.0.1"
        )
    if token is not None and len(token) < 16:
        raise VitesseError("VITESSE_API_TOKEN is shorter than 16 characters; use a long random string")
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise VitesseError(f"cannot listen on {host}:{port}: {exc.strerror}; pick another --port or --host") from None
    auth = "bearer token required" if token else "no token: loopback only"
    progress(
        f"vitesse API on http://{host}:{port}/api/v1/vitesse/integrations ({auth}; docs: http://{host}:{port}/docs)"
    )
    # the token goes in the URL fragment: browsers never send it to the server, the page keeps it for the tab
    fragment = f"#token={quote(token, safe='')}" if token else ""
    page_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else f"[{host}]" if ":" in host else host
    progress(f"web flow: http://{page_host}:{port}/ui/{fragment}")
    app = create_app(
        Project(project),
        lock_timeout=lock_timeout,
        cors_origins=list(cors_origins),
        token=token,
        bound_host=host,
        allowed_hosts=list(allowed_hosts),
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


def main() -> None:
    cli(prog_name="vitesse")


def _register() -> None:
    from vitesse.cli.check import check
    from vitesse.cli.fields import fields
    from vitesse.cli.mapping import map_command
    from vitesse.cli.plan import plan_command
    from vitesse.cli.runtime import runtime

    for command in (map_command, fields, runtime, check, plan_command):
        cli.add_command(command)


_register()
