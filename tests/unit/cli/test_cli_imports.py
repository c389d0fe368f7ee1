"""The everyday commands start fast: `vitesse --help`, `validate` (`--with-tests` too), `check`, `status`, `schema`
and `fields` never import the mapper's scipy, the test step's faker, the API's FastAPI, the runtime's aiohttp, the
deploy targets' SDKs or Dagster.

Each command runs in a fresh interpreter (a module imported by this test process would hide nothing there), through
click with ``standalone_mode=False``; the child then prints the top-level modules it loaded. The CPU each costs is
`benchmarks/cli_start.py`'s."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vitesse.cli import cli

HEAVY = {
    "aiohttp",
    "boto3",
    "botocore",
    "dagster",
    "docker",
    "faker",
    "fastapi",
    "kubernetes",
    "numpy",
    "scipy",
    "starlette",
    "uvicorn",
}

MARK = "--- loaded modules ---"

# Runs argv[1:] as `vitesse ...` and prints the exit code and the loaded top-level modules after MARK.
CHILD = f"""
import json, sys
from vitesse.cli import cli
try:
    code = cli.main(args=sys.argv[1:], prog_name="vitesse", standalone_mode=False)
except SystemExit as exc:
    code = exc.code
print({MARK!r})
print(json.dumps({{"exit_code": code or 0, "modules": sorted({{m.partition(".")[0] for m in sys.modules}})}}))
"""

SPEC = "integrations/specs/acme-crm.yaml"

COMMANDS = [
    ["--help"],
    ["validate"],
    ["status"],
    ["status", "crm-to-mailwave"],
    ["schema"],
    ["fields", SPEC],
    ["fields", SPEC, "GET /customers"],
    ["fields", "integrations/specs/mailwave.yaml", "POST /contacts", "--request"],
]


def loaded_by(project: Path, args: list[str]) -> tuple[int, set[str], str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VITESSE_HOME", "VITESSE_DEBUG")}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert MARK in child.stdout, child.stdout + child.stderr
    output, _, report = child.stdout.rpartition(MARK)
    found = json.loads(report)
    return found["exit_code"], set(found["modules"]), output + child.stderr


@pytest.fixture
def ingested(project: Path) -> Path:
    """The demo project with one integration ingested, so `status` has steps to report."""
    result = CliRunner().invoke(cli, ["ingest", "crm-to-mailwave", "--project", str(project)])
    assert result.exit_code == 0, result.output
    return project


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_everyday_commands_import_nothing_heavy(ingested: Path, args: list[str]) -> None:
    exit_code, modules, output = loaded_by(ingested, args)
    assert exit_code == 0, output
    assert not modules & HEAVY, f"`vitesse {' '.join(args)}` imported {sorted(modules & HEAVY)}"


FIXTURE_COMMANDS = [  # the fixture cases (integrations/crm-to-mailwave.tests.yaml) run against the current map
    ["check", "crm-to-mailwave"],
    ["check"],
    ["validate", "--with-tests"],
    ["validate", "--with-tests", "integrations/crm-to-mailwave.tests.yaml"],
]


@pytest.mark.parametrize("args", FIXTURE_COMMANDS, ids=" ".join)
def test_fixture_cases_run_without_anything_heavy(ingested: Path, args: list[str]) -> None:
    assert CliRunner().invoke(cli, ["map", "crm-to-mailwave", "--project", str(ingested)]).exit_code == 0
    exit_code, modules, output = loaded_by(ingested, args)
    assert exit_code == 0, output
    assert "3 of 3 case(s) passed" in output  # the cases did run
    assert not modules & HEAVY, f"`vitesse {' '.join(args)}` imported {sorted(modules & HEAVY)}"


def test_the_check_sees_a_heavy_import(ingested: Path) -> None:
    """The same probe on a command that needs the mapper does see scipy: the test above can fail."""
    _, modules, _ = loaded_by(ingested, ["map", "crm-to-mailwave"])
    assert "scipy" in modules


def test_a_closed_output_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    """`vitesse status | true`: the reader is gone before vitesse writes (it starts in ~0.4 s); no "internal
    error", no traceback."""
    done = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m vitesse status | true"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stderr == "", done.stderr
