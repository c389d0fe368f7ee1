"""scripts/vitesse-ci on a scratch git repository: the demo integrations committed on main, then a branch with one
change, checked as a CI job would (`scripts/vitesse-ci main`, the real `vitesse` command, no network)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.support.scratch_git import commit_all, git, git_env, init_repo

SCRIPT = ROOT / "scripts" / "vitesse-ci"
NAME = "crm-to-mailwave"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The demo integrations (manifests, fixture file, specs) committed on main, and a branch `change` checked out."""
    repo = init_repo(tmp_path / "repo")
    shutil.copytree(EXAMPLES, repo / "integrations")
    (repo / "README.md").write_text("# a project with vitesse integrations\n")
    commit_all(repo, "base")
    git("checkout", "-q", "-b", "change", cwd=repo)
    return repo


def ci(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """The script as CI runs it (VITESSE_HOME and VITESSE_DEBUG of the test process left out)."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=repo,
        env=git_env({"VITESSE": f"{sys.executable} -m vitesse"}),
        capture_output=True,
        text=True,
        timeout=300,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def out(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


def test_a_hint_edit_passes_and_prints_the_plan(repo: Path) -> None:
    manifest = repo / "integrations" / f"{NAME}.yaml"
    edit(manifest, "    id: external_id\n", "    id: external_id\n    phone: phone_number\n")
    commit_all(repo, "hint: phone")
    done = ci(repo, "main")
    assert done.returncode == 0, out(done)
    text = done.stdout
    assert "vitesse-ci: 1 integration(s) touched since main" in text
    assert f"  {NAME}: integrations/{NAME}.yaml\n" in text
    assert f"== vitesse validate integrations/{NAME}.yaml integrations/{NAME}.tests.yaml" in text
    assert "1 of 1 manifest(s) valid" in text
    assert f"  {NAME}: ok" in text  # the baseline and the change's ingest + map
    assert f"== vitesse check {NAME}" in text
    assert re.search(rf"{NAME}: (\d+) of \1 case\(s\) passed", text), text
    assert f"== vitesse plan {NAME}" in text
    assert "mapping.hints changed in the manifest" in text  # planned against the base's map, not against nothing
    assert text.rstrip().endswith(f"vitesse-ci: ok (checked {NAME})"), text
    assert not (repo / ".vitesse").exists()  # the stores were temporary
    assert git("status", "--porcelain", cwd=repo) == ""


def test_a_broken_manifest_fails_naming_its_place(repo: Path) -> None:
    manifest = repo / "integrations" / f"{NAME}.yaml"
    line = manifest.read_text().splitlines().index("  sample_size: 10") + 1
    edit(manifest, "  sample_size: 10\n", "  sample_size: 500\n")
    edit(repo / "integrations" / "issues-to-tasks.yaml", "version: 1\n", "version: 1\n# reviewed\n")
    commit_all(repo, "bigger sample")
    done = ci(repo, "main")
    assert done.returncode == 1, out(done)
    assert re.search(
        rf"(?m)^integrations/{NAME}\.yaml:{line}:\d+: test\.sample_size: must be <= 100 \(got 500\) "
        r"\[manifest\.out_of_range\]$",
        done.stdout,
    ), out(done)
    assert "1 of 2 manifest(s) valid" in done.stdout
    assert "(the rest goes on for issues-to-tasks)" in done.stdout
    assert "== vitesse plan issues-to-tasks\n" in done.stdout
    assert done.stdout.rstrip().endswith(f"vitesse-ci: FAILED: invalid: {NAME} (checked {NAME}, issues-to-tasks)")


def test_a_failing_fixture_case_fails(repo: Path) -> None:
    fixtures = repo / "integrations" / f"{NAME}.tests.yaml"
    fixtures.write_text(
        fixtures.read_text()
        + "\n  - name: a wrong expectation\n"
        + "    record: {id: cus_1, email: a@example.org, first_name: Ann, status: active, created: 1704067200}\n"
        + "    partial: true\n"
        + "    expect: {given_name: Anne}\n"
    )
    commit_all(repo, "a new fixture case")
    done = ci(repo, "main")
    assert done.returncode == 1, out(done)
    assert f"  {NAME}: integrations/{NAME}.tests.yaml (fixture tests)" in done.stdout
    assert "FAILED  a wrong expectation" in done.stdout
    assert "Anne" in done.stdout
    assert done.stdout.rstrip().endswith(f"vitesse-ci: FAILED: fixture cases failed: {NAME} (exit 1) (checked {NAME})")


def test_a_spec_change_checks_the_integrations_reading_it(repo: Path) -> None:
    spec = repo / "integrations" / "specs" / "mailwave.yaml"
    spec.write_text(spec.read_text() + "# a comment\n")
    commit_all(repo, "touch the Mailwave spec")
    done = ci(repo, "main")
    assert done.returncode == 0, out(done)
    assert "vitesse-ci: 2 integration(s) touched" in done.stdout
    assert f"  {NAME}: integrations/specs/mailwave.yaml (a spec it reads)" in done.stdout
    assert "  mailwave-to-crm: integrations/specs/mailwave.yaml (a spec it reads)" in done.stdout
    assert "issues-to-tasks" not in done.stdout
    assert f"== vitesse plan {NAME} mailwave-to-crm" in done.stdout


def test_an_unrelated_change_checks_nothing(repo: Path) -> None:
    (repo / "README.md").write_text("# docs only\n")
    (repo / "config.yaml").write_text("not: [an integration\n")
    commit_all(repo, "docs")
    done = ci(repo, "main")
    assert done.returncode == 0, out(done)
    assert done.stdout.startswith("vitesse-ci: nothing to check: "), out(done)
    assert "== vitesse" not in done.stdout


def test_an_unknown_base_is_a_usage_error(repo: Path) -> None:
    done = ci(repo)  # origin/main: this repository has no remote
    assert done.returncode == 2, out(done)
    assert "vitesse-ci: error: unknown base 'origin/main': fetch it first" in done.stderr


def test_a_laptop_run_sees_uncommitted_files(repo: Path) -> None:
    """Run before committing: edited and untracked files under integrations/ count (a CI checkout has none)."""
    shutil.copy2(repo / "integrations" / f"{NAME}.yaml", repo / "integrations" / "copy-of-crm.yaml")  # untracked
    done = ci(repo, "main")
    assert done.returncode == 1, out(done)
    assert "  copy-of-crm: integrations/copy-of-crm.yaml\n" in done.stdout
    assert "integrations/copy-of-crm.yaml:2:7: name: must equal the file name 'copy-of-crm'" in done.stdout
