"""`vitesse runtime` commands: clear errors for a missing bundle or missing steps."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from vitesse.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_bundle_needs_map(project: Path) -> None:
    result = run("runtime", "bundle", "crm-to-mailwave", "--project", str(project))
    assert result.exit_code == 1
    assert "run `vitesse ingest crm-to-mailwave` before bundle" in result.stderr


def test_bundle_written_after_map(project: Path) -> None:
    for step in ("ingest", "map"):
        assert run(step, "crm-to-mailwave", "--project", str(project)).exit_code == 0
    result = run("runtime", "bundle", "crm-to-mailwave", "--project", str(project), "--out", str(project / "b.json"))
    assert result.exit_code == 0, result.stderr
    assert (project / "b.json").exists()
    listing = run("runtime", "dead-letters", "--bundle", str(project / "b.json"))
    assert listing.exit_code == 0 and "no dead letters" in listing.stdout


def test_missing_or_broken_bundle_is_one_line(tmp_path: Path) -> None:
    missing = run("runtime", "serve", "--bundle", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and "no such bundle file" in missing.stderr
    (tmp_path / "bad.json").write_text('{"format": 1}')
    broken = run("runtime", "sync", "--bundle", str(tmp_path / "bad.json"))
    assert broken.exit_code == 1 and "not a vitesse bundle" in broken.stderr
    assert "Traceback" not in broken.stderr
