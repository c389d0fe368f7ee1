"""Shared fixtures: the real vendor specs beside the project, a scratch project, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "integrations"


def shared_specs() -> Path:
    """``../shared/specs`` beside the project (CI has it); VITESSE_SHARED_SPECS overrides."""
    return Path(os.environ.get("VITESSE_SHARED_SPECS", ROOT.parent / "shared" / "specs"))


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    folder = shared_specs()
    if not folder.is_dir():
        pytest.fail(f"the real vendor specs are missing: {folder} (CI must have ../shared/specs)")
    return folder


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch project holding a copy of the example integrations and their specs."""
    monkeypatch.delenv("VITESSE_HOME", raising=False)
    shutil.copytree(EXAMPLES, tmp_path / "integrations")
    return tmp_path


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run the real `vitesse` command in a subprocess (exit codes and stderr exactly as a user sees them)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("VITESSE_HOME", "VITESSE_DEBUG")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "vitesse", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on a loopback port for the whole session (missing PostgreSQL fails, never skips)."""
    from tests.support.postgres import PostgresServer

    try:
        server = PostgresServer().start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()
