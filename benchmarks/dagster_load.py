"""Dagster Definitions load time with many integrations, and one integration's full in-process run.

    uv run python benchmarks/dagster_load.py [--counts 100 500]

For each count: a scratch project with that many generated integrations (copies of the example manifest under
other names), then, each in a fresh process (best and median of --repeat): importing the code location
`pipelines.definitions` (what `dagster dev` does: import dagster + vitesse, read every manifest, build the assets,
checks, schedules), and the CLI `dagster definitions validate`. Baselines in the same run: the same location with 0
integrations (the floor: importing dagster), and the previous layout (one @asset op per step plus a separate
@asset_check op: 5 ops per integration instead of 1). Then one integration's run ingest -> deploy (process target,
stopped afterwards) with `dagster.materialize` in process. Target (issue 7): 500 integrations load in under 4 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD = (
    "import time; t = time.perf_counter(); from pipelines.definitions import defs; "
    "print(time.perf_counter() - t, sum(len(a.keys) for a in defs.assets))"
)
PER_STEP_OPS = """
import time; t = time.perf_counter()
from dagster import AssetCheckResult, Definitions, asset, asset_check
from pipelines.assets import DESCRIPTIONS, group_name, step_specs
from pipelines.definitions import Project, load_manifests, project_root
from pipelines.schedules import retest_schedules
project = Project(project_root())
manifests, _ = load_manifests(project)
assets, checks = [], []
for spec in step_specs(manifests):
    @asset(key=spec.key, deps=spec.deps, group_name=group_name(spec.mf.name), code_version=spec.code_version,
           tags=spec.tags, kinds={"vitesse"}, description=DESCRIPTIONS[spec.step])
    def step_asset() -> None: ...
    assets.append(step_asset)
    if spec.step == "test":
        @asset_check(asset=spec.key, name="health_score", blocking=True)
        def check() -> AssetCheckResult: ...
        checks.append(check)
defs = Definitions(assets=assets, asset_checks=checks, schedules=retest_schedules(manifests, project))
print(time.perf_counter() - t, len(assets))
"""


def project_with(folder: Path, count: int) -> Path:
    shutil.copytree(ROOT / "integrations" / "specs", folder / "integrations" / "specs")
    template = (ROOT / "integrations" / "crm-to-mailwave.yaml").read_text()
    for i in range(count):
        name = f"crm-to-mailwave-{i:04d}"
        (folder / "integrations" / f"{name}.yaml").write_text(
            template.replace("name: crm-to-mailwave", f"name: {name}")
        )
    return folder


def fresh_process(code: str, env: dict[str, str]) -> tuple[float, int]:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    seconds, assets = done.stdout.split()
    return float(seconds), int(assets)


def summary(runs: list[tuple[float, int]]) -> str:
    times = [t for t, _ in runs]
    return f"best {min(times):.2f} s, median {statistics.median(times):.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement")
    args = parser.parse_args()
    dagster = str(Path(sys.executable).parent / "dagster")
    with tempfile.TemporaryDirectory() as tmp:  # warm-up: the first process pays for a cold file cache
        fresh_process(LOAD, {**os.environ, "VITESSE_PROJECT": str(project_with(Path(tmp), 1)), "DAGSTER_HOME": tmp})
    for count in [0, *args.counts]:
        with tempfile.TemporaryDirectory() as tmp:
            project = project_with(Path(tmp), count)
            env = {**os.environ, "VITESSE_PROJECT": str(project), "DAGSTER_HOME": tmp}
            loads = [fresh_process(LOAD, env) for _ in range(args.repeat)]
            line = f"{count:>4} integrations: code location load {summary(loads)} ({loads[0][1]} assets)"
            if count:
                per_step = [fresh_process(PER_STEP_OPS, env) for _ in range(args.repeat)]
                ratio = statistics.median(t for t, _ in per_step) / statistics.median(t for t, _ in loads)
                line += f"; previous layout (an op per step) {summary(per_step)}: {ratio:.1f}x slower"
                started = time.perf_counter()
                validate = subprocess.run(
                    [dagster, "definitions", "validate", "-m", "pipelines.definitions"],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                seconds = time.perf_counter() - started
                line += f"; `dagster definitions validate` {seconds:.2f} s (exit {validate.returncode})"
            print(line, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        project = project_with(Path(tmp), 1)
        os.environ["VITESSE_PROJECT"] = str(project)
        from dagster import AssetKey, DagsterInstance, materialize

        from pipelines.definitions import build_definitions
        from vitesse.deploy.process import stop_pid

        defs = build_definitions(project)
        name = "crm-to-mailwave-0000"
        selection = [AssetKey(["integ", name, step]) for step in ("ingest", "map", "test", "deploy")]
        started = time.perf_counter()
        result = materialize(list(defs.assets), selection=selection, instance=DagsterInstance.ephemeral(tempdir=tmp))
        elapsed = time.perf_counter() - started
        record = project / ".vitesse" / "deploy" / name / "process.json"
        if record.exists():
            import json

            stop_pid(json.loads(record.read_text())["pid"])
        print(f"one integration ingest -> deploy in process: {elapsed:.2f} s (success: {result.success})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
