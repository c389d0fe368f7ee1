"""`vitesse check [NAME]...`: run the fixture cases (``integrations/NAME.tests.yaml``) against the latest map.

Offline and quick: the compiled mapping and the destination request schema, nothing else (no mapper, no synthetic
records, no sandbox); `tests/unit/cli/test_cli_imports.py` pins that it imports nothing heavy.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from vitesse.cli.options import handle_errors, project_option
from vitesse.cli.output import emit_json
from vitesse.errors import ManifestError, VitesseError
from vitesse.project import Project


def case_lines(results: list[Any]) -> list[str]:
    """One line per case, and under a failed one its differences, field by field."""
    lines = []
    for result in results:
        if result.passed:
            lines.append(f"  passed  {result.case.name}")
            continue
        lines.append(f"  FAILED  {result.case.name} ({result.where})")
        lines += [f"          {difference.line}" for difference in result.differences]
    return lines


def report_lines(report: Any) -> list[str]:
    """A `vitesse.fixtures.run.CheckReport` for people."""
    total = len(report.results)
    head = (
        f"{report.name}: {total - report.failed} of {total} case(s) passed ({report.label}, map "
        f"{report.map_version}, {report.seconds * 1000:.1f} ms)"
    )
    return [head, *case_lines(report.results)]


def failure_hint(name: str, failed: int, total: int) -> str:
    return (
        f"{name}: {failed} of {total} fixture case(s) failed: fix the mapping (a hint or transform in the manifest, "
        f"then `vitesse map {name}`) or, if the new output is right, the case in the fixture file"
    )


@dataclass
class FixtureOutcome:
    """What `vitesse validate --with-tests` found in one fixture file."""

    problems: list[str] = field(default_factory=list)
    """Each a reason for exit code 1: a malformed file, a failed case, no manifest beside it."""
    lines: list[str] = field(default_factory=list)
    cases: int = 0
    passed: int = 0
    ran: bool = False
    valid: bool = True


def validate_fixtures(
    loaded: dict[Path, Any], explicit: list[Path], folders: list[Path], *, run: bool
) -> tuple[list[str], str]:
    """`vitesse validate`'s part for fixture files -> (problems, summary). ``loaded``: the valid manifests by
    resolved path, whose fixture files are run with ``run`` (``--with-tests``); ``explicit``: fixture files named on
    the command line; ``folders``: where fixture files without a manifest beside them are looked for (with
    ``run``). Prints each file's lines (stdout) and problems (stderr)."""
    from vitesse.fixtures.paths import fixture_path, is_fixture_file, manifest_of
    from vitesse.manifest import load_manifest

    wanted: dict[Path, tuple[Any | None, str | None]] = {}
    if run:
        for path, mf in loaded.items():
            if (own := fixture_path(path)).is_file():
                wanted[own] = (mf, None)
        for folder in folders:
            for path in sorted(folder.iterdir()):
                if is_fixture_file(path) and not manifest_of(path).is_file():
                    wanted.setdefault(path.resolve(), (None, None))
    for path in explicit:
        owner = manifest_of(path.resolve())
        mf, why = loaded.get(owner), None
        if mf is None and owner.is_file():
            try:
                mf = load_manifest(owner)
            except ManifestError:
                why = f"its manifest {owner.name} does not load (`vitesse validate {owner.name}`)"
        wanted.setdefault(path.resolve(), (mf, why))
    problems: list[str] = []
    cases = passed = not_run = invalid = 0
    for path, (mf, why) in sorted(wanted.items()):
        outcome = validate_fixture_file(path, mf, run=run, why_not=why)
        for line in outcome.lines:
            click.echo(line)
        for problem in outcome.problems:
            click.echo(problem, err=True)
        problems += outcome.problems
        if outcome.ran:
            cases, passed = cases + outcome.cases, passed + outcome.passed
        elif not outcome.valid:
            invalid += 1
        else:
            not_run += 1
    parts = [f"{passed} of {cases} case(s) passed"] if cases else []
    parts += [f"{not_run} not run"] if not_run else []
    parts += [f"{invalid} invalid"] if invalid else []
    return problems, f"{len(wanted)} fixture file(s)" + (": " + ", ".join(parts) if parts else "")


def validate_fixture_file(path: Path, mf: Any | None, *, run: bool, why_not: str | None = None) -> FixtureOutcome:
    """Check one fixture file's format and, with ``run``, run its cases where the manifest's latest map is current;
    otherwise say why they were not run (never a failure: a fresh checkout has no artifacts)."""
    from vitesse.artifacts import ArtifactStore
    from vitesse.artifacts.freshness import commands, freshness
    from vitesse.fixtures.loader import load_fixtures
    from vitesse.fixtures.run import check_integration

    out = FixtureOutcome()
    try:
        fixtures = load_fixtures(path)
    except ManifestError as exc:
        out.problems += exc.problems
        out.valid = False
        return out
    out.cases = len(fixtures.cases)
    valid = f"{fixtures.shown}: {out.cases} case(s) valid"
    if not run:
        name = mf.name if mf is not None else "NAME"
        out.lines.append(f"{valid}; not run (run them with `vitesse check {name}` or `vitesse validate --with-tests`)")
        return out
    if mf is None and why_not is not None:
        out.lines.append(f"{valid}; not run: {why_not}")
        return out
    if mf is None:
        out.problems.append(f"{fixtures.shown}: no manifest beside it to run the cases against [fixtures.orphan]")
        return out
    store = ArtifactStore.for_project(mf.project_root)
    state = freshness(store, mf, until="map")["map"]
    if not state.current:
        why = "map was not run yet" if state.artifact is None else f"the latest map is stale ({state.reason})"
        out.lines.append(f"{valid}; not run: {why}; run {commands(mf.name, state, 'map').rstrip(',')} to run them")
        return out
    report = check_integration(mf, store, fixtures)
    out.ran, out.passed = True, len(report.results) - report.failed
    out.lines += report_lines(report)
    if not report.passed:
        out.problems.append(f"{fixtures.shown}: {failure_hint(mf.name, report.failed, len(report.results))}")
    return out


@click.command(name="check")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@project_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the results as JSON: per integration its cases, each with its status and differences (field, kind, "
    "expected, got), the body and its errors.",
)
@handle_errors
def check(names: tuple[str, ...], project: Path, as_json: bool) -> None:
    """Run the fixture cases of integrations/NAME.tests.yaml through the latest map (default: every integration
    with a fixture file). Each case's record is transformed by the compiled mapping and the body validated against
    the destination request schema, then compared with the case: exactly unless it says `partial: true`. A failed
    case prints, per field, what was expected and what came out; exit code 1."""
    from vitesse.fixtures.paths import fixture_path
    from vitesse.fixtures.run import check_integration

    proj = Project(project)
    if not names:
        names = tuple(n for n in proj.names() if fixture_path(proj.manifest_path(n)).is_file())
        if not names:
            message = f"no fixture files in {proj.integrations_dir} (integrations/NAME.tests.yaml); nothing to check"
            if as_json:
                emit_json({"status": "passed", "integrations": []})
            click.echo(message, err=True)
            return
    entries: list[dict[str, Any]] = []
    failed = False
    for name in names:
        try:
            report = check_integration(proj.load(name), proj.store)
        except VitesseError as exc:
            failed = True
            problems = exc.problems if isinstance(exc, ManifestError) else [f"error: {exc.message}"]
            entries.append(
                {"integration": name, "status": "error", "error": exc.message, "code": exc.code, "problems": problems}
            )
            for problem in problems if not as_json else []:
                click.echo(problem, err=True)
            continue
        entries.append(report.as_dict())
        if not as_json:
            click.echo("\n".join(report_lines(report)))
        if not report.passed:
            failed = True
            if not as_json:
                click.echo(f"error: {failure_hint(report.name, report.failed, len(report.results))}", err=True)
    if as_json:
        emit_json({"status": "failed" if failed else "passed", "integrations": entries})
    if failed:
        sys.exit(1)
