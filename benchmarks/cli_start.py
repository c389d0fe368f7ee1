"""Benchmark: the CPU a whole `vitesse` process costs (start-up and imports included), and a both-sides ingest of
GitHub's spec against prance parsing it once, measured in the same run.

    uv run python benchmarks/cli_start.py [--runs 5] [--prance-runs 3]

CPU is user+sys of the child (getrusage(RUSAGE_CHILDREN) before and after each run), median of --runs. Commands, on
a scratch copy of the demo (integrations/, crm-to-mailwave ingested so `status` has steps to show): `vitesse --help`,
`validate`, `status`, `schema`, `fields SPEC 'GET /customers'`. Then `vitesse ingest` of a scratch project whose
source and destination are both GitHub's 3 MB spec (github-rest/api.github.com-2020-09.json from ../shared/specs,
read in place with spec_access.outside_project): a first run (fresh project) and a repeat run (its artifacts exist;
ingest keeps no parse cache, so it parses both sides again either way).

Baseline: a whole process `prance.ResolvingParser(github, strict=False, backend="openapi-spec-validator")`, one side.
As installed it fails on this spec (with rfc3986-validator importable, jsonschema checks `format: uri` and rejects a
`default: ''`) after resolving and validating part of it: that CPU is printed, a lower bound of a parse. The ratio is
taken against prance completing, with that one format check off (rfc3986_validator made unimportable in its
process): less work for prance than it would do, so a conservative baseline.

Everything is measured twice. "as installed": the interpreter as this environment runs it (with
PYTHONDONTWRITEBYTECODE=1 and no .pyc in the venv, every process compiles each module it imports from source, which is
also what a user's very first run does). "bytecode cached": PYTHONPYCACHEPREFIX in a temp dir, primed by one run.
Targets (issue 16): `vitesse validate` <= 0.5 s CPU; the both-sides ingest <= 1/4 of prance's one side, on a first
run as installed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = Path(os.environ.get("VITESSE_SHARED_SPECS", ROOT.parent / "shared" / "specs"))
GITHUB = SPECS / "github-rest" / "api.github.com-2020-09.json"
SCRIPT = Path(sys.executable).parent / "vitesse"  # the console script a user runs
VITESSE = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "vitesse"]

MANIFEST = f"""version: 1
name: github-to-github
source:
  api: GitHub
  spec: {GITHUB}
  spec_access: {{outside_project: true}}
destination:
  api: GitHub
  spec: {GITHUB}
  spec_access: {{outside_project: true}}
"""

PRANCE = """
import sys
if sys.argv[2] == "complete":
    sys.modules["rfc3986_validator"] = None  # jsonschema then skips `format: uri`, the check this spec fails
sys.setrecursionlimit(10_000)
import prance
try:
    parser = prance.ResolvingParser(sys.argv[1], strict=False, backend="openapi-spec-validator")
except prance.ValidationError as exc:
    sys.exit(f"prance: ValidationError: {str(exc.args[0])[:80]}")
print(len(parser.specification["paths"]), "paths")
"""


def cpu(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    """User+sys CPU seconds of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def median_cpu(argv: list[str], cwd: Path, env: dict[str, str], runs: int, *, fresh: Path | None = None) -> float:
    """Median over ``runs``; with ``fresh``, that project's .vitesse is removed before each run (a first run)."""
    seconds = []
    for _ in range(runs):
        if fresh is not None:
            shutil.rmtree(fresh / ".vitesse", ignore_errors=True)
        spent, done = cpu(argv, cwd, env)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        seconds.append(spent)
    return statistics.median(seconds)


def prance_cpu(mode: str, env: dict[str, str], runs: int) -> tuple[float, str]:
    """Median CPU of prance on GitHub's spec, and how it ended (the number of paths, or its error)."""
    seconds, outcome = [], ""
    for _ in range(runs):
        spent, done = cpu([sys.executable, "-c", PRANCE, str(GITHUB), mode], ROOT, env)
        seconds.append(spent)
        outcome = done.stdout.strip() if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]
    return statistics.median(seconds), outcome


def bytecode_state() -> str:
    import click

    cached = Path(click.__file__).parent / "__pycache__"
    flag = "PYTHONDONTWRITEBYTECODE=1" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "bytecode writes allowed"
    return f"{flag}; {'.pyc files present' if cached.is_dir() else 'no .pyc'} in site-packages"


def measure(env: dict[str, str], demo: Path, github: Path, runs: int, prance_runs: int) -> dict[str, float]:
    spec = str(demo / "integrations" / "specs" / "acme-crm.yaml")
    commands = {
        "vitesse --help": ["--help"],
        "vitesse validate (demo)": ["validate", "--project", str(demo)],
        "vitesse status (demo)": ["status", "--project", str(demo)],
        "vitesse schema": ["schema"],
        "vitesse fields SPEC ENDPOINT": ["fields", spec, "GET /customers"],
    }
    figures = {label: median_cpu([*VITESSE, *args], demo, env, runs) for label, args in commands.items()}
    ingest = [*VITESSE, "ingest", "github-to-github", "--project", str(github)]
    figures["ingest GitHub both sides, first run"] = median_cpu(ingest, github, env, runs, fresh=github)
    figures["ingest GitHub both sides, repeat run"] = median_cpu(ingest, github, env, runs)
    for mode in ("as-installed", "complete"):
        seconds, outcome = prance_cpu(mode, env, prance_runs)
        figures[f"prance one side, {mode} ({outcome})"] = seconds
    return figures


def report(title: str, figures: dict[str, float]) -> None:
    print(f"\n{title}")
    for label, seconds in figures.items():
        print(f"  {label:<48} {seconds:6.3f} s CPU")
    lower, complete = (v for k, v in figures.items() if k.startswith("prance"))
    for run in ("first run", "repeat run"):
        ours = figures[f"ingest GitHub both sides, {run}"]
        print(
            f"  ingest both sides, {run}: {ours / complete:.2f} of prance completing (target <= 0.25), "
            f"{ours / lower:.2f} of prance as installed"
        )
    print(f"  validate: {figures['vitesse validate (demo)']:.3f} s CPU (target <= 0.5 s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--prance-runs", type=int, default=3)
    args = parser.parse_args()
    if not GITHUB.is_file():
        raise SystemExit(f"missing {GITHUB} (../shared/specs beside the project; VITESSE_SHARED_SPECS overrides)")
    with tempfile.TemporaryDirectory(prefix="vitesse-cli-start-") as scratch:
        demo, github, pycache = Path(scratch, "demo"), Path(scratch, "github"), Path(scratch, "pycache")
        shutil.copytree(ROOT / "integrations", demo / "integrations")
        (github / "integrations").mkdir(parents=True)
        (github / "integrations" / "github-to-github.yaml").write_text(MANIFEST)
        env = {k: v for k, v in os.environ.items() if k not in ("VITESSE_HOME", "VITESSE_DEBUG")}
        median_cpu([*VITESSE, "ingest", "crm-to-mailwave", "--project", str(demo)], demo, env, 1)  # for `status`
        print(f"vitesse: {' '.join(VITESSE)}; interpreter as installed: {bytecode_state()}")
        report("as installed", measure(env, demo, github, args.runs, args.prance_runs))
        cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = str(pycache)
        measure(cached, demo, github, 1, 1)  # primes the cache with every module these processes import
        report("bytecode cached", measure(cached, demo, github, args.runs, args.prance_runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
