"""The `vitesse-validate` and `vitesse-check` pre-commit hooks (.pre-commit-hooks.yaml) run by `pre-commit` itself, as
another project uses them: a scratch git repository with an `integrations/` folder and a `.pre-commit-config.yaml`
naming this project.

pre-commit installs the hook's environment from a git repository at a rev, so the session first commits a snapshot
of this working tree to a scratch repository (tests/support/scratch_git.py) and points the config at it. pre-commit
and pre-commit-uv are dev dependencies: with pre-commit-uv the hook environment is made by `uv pip install .`
(seconds, from uv's cache) instead of pip (tens of seconds here, minutes on a cold cache). PRE_COMMIT_HOME is a
session temp folder, so ~/.cache/pre-commit is never touched and the environment is built once for all the cases."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli
from tests.support.scratch_git import commit_all, git, git_env, init_repo, snapshot_worktree

pytestmark = pytest.mark.pypi

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
NAME = "crm-to-mailwave"


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(repository, rev) of this working tree, committed."""
    if not PRE_COMMIT.exists():
        pytest.fail(f"pre-commit is not installed at {PRE_COMMIT}: it is a dev dependency (`uv sync` installs it)")
    return snapshot_worktree(tmp_path_factory.mktemp("vitesse-hook-source") / "repo")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """pre-commit's cache for the session, removed after it: the hook environment holds all of vitesse's
    dependencies (~600 MB, hard links into uv's cache where the file system allows, copies otherwise)."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    yield home
    shutil.rmtree(home, ignore_errors=True)


def pre_commit(repo: Path, home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """`pre-commit ARGS` in ``repo`` (VITESSE_HOME, VITESSE_DEBUG and the test's virtualenv left out)."""
    return subprocess.run(
        [str(PRE_COMMIT), *args],
        cwd=repo,
        env=git_env({"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def output(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


def configure(repo: Path, source: tuple[Path, str], hook: str) -> None:
    path, rev = source
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n"
    )


@pytest.fixture
def user_repo(tmp_path: Path, hook_source: tuple[Path, str]) -> Path:
    """Another project: one valid manifest, its fixture file and specs, committed, and a config using vitesse's
    `vitesse-validate` hook."""
    repo = init_repo(tmp_path / "user")
    (repo / "integrations").mkdir()
    shutil.copytree(EXAMPLES / "specs", repo / "integrations" / "specs")
    for suffix in (".yaml", ".tests.yaml"):
        shutil.copy2(EXAMPLES / f"{NAME}{suffix}", repo / "integrations" / f"{NAME}{suffix}")
    (repo / ".gitignore").write_text(".vitesse/\n")
    configure(repo, hook_source, "vitesse-validate")
    commit_all(repo, "base")
    return repo


def install(repo: Path, home: Path) -> None:
    """The hook's environment built (once per session and hook source) and the git hook installed."""
    started = time.monotonic()
    done = pre_commit(repo, home, "install-hooks")
    seconds = time.monotonic() - started
    assert done.returncode == 0, output(done)
    if "Installing environment" in output(done):
        # The first build of the session: pre-commit-uv must have made it (pip takes ~30 s to minutes here).
        assert "Using pre-commit with uv" in output(done), output(done)
        print(f"hook environment built in {seconds:.1f} s")
    done = pre_commit(repo, home, "install")
    assert done.returncode == 0, output(done)


@pytest.fixture
def installed(user_repo: Path, pre_commit_home: Path) -> Path:
    install(user_repo, pre_commit_home)
    return user_repo


def commit(repo: Path, home: Path, message: str) -> subprocess.CompletedProcess:
    """`git add -A && git commit`, the installed hook running."""
    git("add", "-A", cwd=repo)
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo,
        env=git_env({"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_valid_manifest_commits(installed: Path, pre_commit_home: Path) -> None:
    manifest = installed / "integrations" / f"{NAME}.yaml"
    manifest.write_text(manifest.read_text().replace("sample_size: 10", "sample_size: 12"))
    done = commit(installed, pre_commit_home, "a bigger sample")
    assert done.returncode == 0, output(done)
    assert "vitesse validate (integration manifests)" in output(done)
    assert "Passed" in output(done)
    assert git("log", "-1", "--format=%s", cwd=installed).strip() == "a bigger sample"

    started = time.monotonic()
    done = pre_commit(installed, pre_commit_home, "run", "--files", f"integrations/{NAME}.yaml")
    print(f"pre-commit run of the hook on one manifest: {time.monotonic() - started:.2f} s")
    assert done.returncode == 0, output(done)
    assert "Passed" in output(done)


def bad_yaml(text: str) -> tuple[str, str]:
    return text + "mapping: {hints: {id: external_id}\n", r":\d+:\d+: invalid YAML: .+ \[manifest\.yaml_syntax\]$"


def unknown_key(text: str) -> tuple[str, str]:
    line = text.splitlines().index("mapping:") + 1
    return text.replace("\nmapping:", "\nmaping:"), (
        rf":{line}:1: maping: unknown key 'maping'; did you mean 'mapping'\? \[manifest\.unknown_key\]$"
    )


@pytest.mark.parametrize("edit", [bad_yaml, unknown_key])
def test_broken_manifest_fails_with_its_place(installed: Path, pre_commit_home: Path, edit) -> None:
    manifest = installed / "integrations" / f"{NAME}.yaml"
    text, expected = edit(manifest.read_text())
    manifest.write_text(text)
    head = git("rev-parse", "HEAD", cwd=installed)
    done = commit(installed, pre_commit_home, "broken")
    assert done.returncode != 0, output(done)
    assert git("rev-parse", "HEAD", cwd=installed) == head  # the commit was refused
    assert "- hook id: vitesse-validate" in output(done), output(done)
    prefix = re.escape(f"integrations/{NAME}.yaml")
    assert re.search(f"(?m)^{prefix}{expected}", output(done)), output(done)
    assert "0 of 1 manifest(s) valid" in output(done)


def test_only_changed_manifests_and_no_other_yaml(installed: Path, pre_commit_home: Path) -> None:
    """pass_filenames: a broken manifest nobody touched does not fail another's commit; files that are not manifests
    (other YAML, the specs, fixture files) are never handed to `vitesse validate`."""
    integrations = installed / "integrations"
    other = integrations / "mailwave-to-crm.yaml"
    other.write_text("version: 1\nname: mailwave-to-crm\nsource: [\n")  # broken, but not in this commit's files
    (installed / "config").mkdir()
    (installed / "config" / "settings.yaml").write_text("not: [a, manifest\n")
    (integrations / "specs" / "acme-crm.yaml").write_text("openapi: 3.0.3\nnot: [valid\n")
    (integrations / f"{NAME}.tests.yaml").write_text("cases: [broken\n")
    (installed / "integrations-notes.yaml").write_text("x: [\n")

    done = pre_commit(installed, pre_commit_home, "run", "--files", f"integrations/{NAME}.yaml")
    assert done.returncode == 0, output(done)
    assert "1 of 1 manifest(s) valid" not in output(done)  # pre-commit shows a passing hook's output only with -v

    done = pre_commit(
        installed,
        pre_commit_home,
        "run",
        "--verbose",
        "--files",
        "config/settings.yaml",
        "integrations/specs/acme-crm.yaml",
        f"integrations/{NAME}.tests.yaml",
        "integrations-notes.yaml",
    )
    assert done.returncode == 0, output(done)
    assert "(no files to check)" in output(done) and "Skipped" in output(done), output(done)

    done = pre_commit(installed, pre_commit_home, "run", "--verbose", "--files", f"integrations/{NAME}.yaml")
    assert done.returncode == 0, output(done)
    assert "1 of 1 manifest(s) valid" in output(done), output(done)

    done = pre_commit(installed, pre_commit_home, "run", "--files", "integrations/mailwave-to-crm.yaml")
    assert done.returncode == 1, output(done)
    assert "integrations/mailwave-to-crm.yaml:" in output(done)


def test_needs_no_spec_and_no_network(installed: Path, pre_commit_home: Path) -> None:
    """validate reads the manifests only: a remote spec on a host that never resolves (.invalid) and a local spec
    that is not there pass the hook (ingest is where specs are read)."""
    manifest = installed / "integrations" / f"{NAME}.yaml"
    text = manifest.read_text()
    text = text.replace("spec: specs/acme-crm.yaml", "spec: https://specs.vitesse.invalid/acme-crm.yaml")
    text = text.replace("spec: specs/mailwave.yaml", "spec: specs/not-committed-yet.yaml")
    manifest.write_text(text)
    shutil.rmtree(installed / "integrations" / "specs")
    done = pre_commit(installed, pre_commit_home, "run", "--verbose", "--files", f"integrations/{NAME}.yaml")
    assert done.returncode == 0, output(done)
    assert "1 of 1 manifest(s) valid" in output(done), output(done)


@pytest.fixture
def check_repo(user_repo: Path, hook_source: tuple[Path, str], pre_commit_home: Path) -> Path:
    """``user_repo`` using the `vitesse-check` hook instead."""
    configure(user_repo, hook_source, "vitesse-check")
    commit_all(user_repo, "use vitesse-check")
    install(user_repo, pre_commit_home)
    return user_repo


def add_case(repo: Path, given_name: str) -> None:
    fixtures = repo / "integrations" / f"{NAME}.tests.yaml"
    fixtures.write_text(
        fixtures.read_text()
        + "\n  - name: a case of this commit\n"
        + "    record: {id: cus_1, email: a@example.org, first_name: Ann, status: active, created: 1704067200}\n"
        + "    partial: true\n"
        + f"    expect: {{given_name: {given_name}}}\n"
    )


def test_check_hook_without_a_map_checks_the_format(check_repo: Path, pre_commit_home: Path) -> None:
    """A fresh clone has no artifacts: the cases are not run (said so, not a failure); a malformed fixture file
    fails with its place."""
    add_case(check_repo, "Anne")  # wrong, but there is no map to run it against
    done = pre_commit(check_repo, pre_commit_home, "run", "--verbose", "--files", f"integrations/{NAME}.tests.yaml")
    assert done.returncode == 0, output(done)
    assert f"integrations/{NAME}.tests.yaml: 4 case(s) valid; not run: map was not run yet" in output(done)

    fixtures = check_repo / "integrations" / f"{NAME}.tests.yaml"
    fixtures.write_text(fixtures.read_text() + "  - name: [unclosed\n")
    done = commit(check_repo, pre_commit_home, "a malformed case")
    assert done.returncode == 1, output(done)
    assert "- hook id: vitesse-check" in output(done)
    assert re.search(rf"(?m)^integrations/{re.escape(NAME)}\.tests\.yaml:\d+:\d+: ", output(done)), output(done)


def test_check_hook_runs_the_cases_against_the_current_map(check_repo: Path, pre_commit_home: Path) -> None:
    """With the project's map current (`vitesse ingest` + `map` made .vitesse/), a commit's failing case refuses it,
    and a manifest commit runs its fixture file's cases too."""
    for step in ("ingest", "map"):
        done = run_cli(step, NAME, cwd=check_repo)
        assert done.returncode == 0, done.stderr
    add_case(check_repo, "Anne")
    head = git("rev-parse", "HEAD", cwd=check_repo)
    done = commit(check_repo, pre_commit_home, "a wrong case")
    assert done.returncode == 1, output(done)
    assert git("rev-parse", "HEAD", cwd=check_repo) == head
    assert "FAILED  a case of this commit" in output(done), output(done)
    assert f"{NAME}: 3 of 4 case(s) passed" in output(done)

    fixtures = check_repo / "integrations" / f"{NAME}.tests.yaml"
    fixtures.write_text(fixtures.read_text().replace("given_name: Anne", "given_name: Ann"))
    done = commit(check_repo, pre_commit_home, "a right case")
    assert done.returncode == 0, output(done)

    manifest = check_repo / "integrations" / f"{NAME}.yaml"
    manifest.write_text(manifest.read_text().replace("sample_size: 10", "sample_size: 12"))  # the map stays current
    git("add", "-A", cwd=check_repo)
    done = pre_commit(check_repo, pre_commit_home, "run", "--verbose", "--files", f"integrations/{NAME}.yaml")
    assert done.returncode == 0, output(done)
    assert f"{NAME}: 4 of 4 case(s) passed" in output(done), output(done)
