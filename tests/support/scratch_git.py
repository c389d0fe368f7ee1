"""Scratch git repositories for the tests of the pre-commit hook and the CI script: git isolated from the machine's
configuration (no global hooksPath, signing or templates), a fixed identity, and a snapshot of this working tree."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT

LEAKY = (
    "VITESSE_HOME",
    "VITESSE_DEBUG",
    "VIRTUAL_ENV",
    "PRE_COMMIT_HOME",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
)
"""Variables of the test process that must not reach git, pre-commit or the hooks they run."""


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every scratch git command (and what git starts: hooks, pre-commit) runs with."""
    env = {k: v for k, v in os.environ.items() if k not in LEAKY}
    env.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "vitesse tests",
            "GIT_AUTHOR_EMAIL": "tests@vitesse.invalid",
            "GIT_COMMITTER_NAME": "vitesse tests",
            "GIT_COMMITTER_EMAIL": "tests@vitesse.invalid",
            "GIT_TERMINAL_PROMPT": "0",
        }
    )
    env.update(extra or {})
    return env


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run one git command in ``cwd``; its stdout (a failure raises with git's stderr)."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env or git_env(), capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({done.returncode}): {done.stderr}{done.stdout}")
    return done.stdout


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=path)
    return path


def commit_all(repo: Path, message: str) -> str:
    """Stage everything and commit it; the new commit's sha."""
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--no-verify", "-m", message, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo).strip()


def snapshot_worktree(dest: Path) -> tuple[Path, str]:
    """This project's working tree as it is now (tracked and untracked files, minus what .gitignore ignores) committed
    to a new repository at ``dest``: the code under test is the working tree, not a committed revision (in CI, a
    clean clone, the two are the same). What `pre-commit try-repo` does, which copies tracked changes only."""
    listed = git("ls-files", "-co", "--exclude-standard", "-z", cwd=ROOT).split("\0")
    init_repo(dest)
    for name in filter(None, listed):
        source = ROOT / name
        if not source.is_file():  # a tracked file deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return dest, commit_all(dest, "snapshot of the vitesse working tree")
