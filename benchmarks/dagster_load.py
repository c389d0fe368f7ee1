"""Dagster Definitions load time with many integrations, and one integration's full in-process run.

    uv run python benchmarks/dagster_load.py [--counts 100 500]

For each count: a scratch project with that many generated integrations (copies of the example manifest under
other names), then, each in a fresh process: `build_definitions` (import + building every asset, check and schedule)
and the CLI `dagster definitions validate`. Then one integration's run ingest -> deploy (process target, stopped
afterwards) with `dagster.materialize` in process. Target (issue 7): 500 integrations load in under 4 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD = (
    "import time; t = time.perf_counter(); from pipelines.definitions import build_definitions; "
    "d = build_definitions(); print(time.perf_counter() - t, len(d.assets))"
)


def project_with(folder: Path, count: int) -> Path:
    shutil.copytree(ROOT / "integrations" / "specs", folder / "integrations" / "specs")
    template = (ROOT / "integrations" / "crm-to-mailwave.yaml").read_text()
    for i in range(count):
        name = f"crm-to-mailwave-{i:04d}"
        (folder / "integrations" / f"{name}.yaml").write_text(
            template.replace("name: crm-to-mailwave", f"name: {name}")
        )
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 500])
    args = parser.parse_args()
    dagster = str(Path(sys.executable).parent / "dagster")
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            project = project_with(Path(tmp), count)
            env = {**os.environ, "VITESSE_PROJECT": str(project), "DAGSTER_HOME": tmp}
            loaded = subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, env=env, capture_output=True, text=True)
            seconds, assets = loaded.stdout.split()
            started = time.perf_counter()
            validate = subprocess.run(
                [dagster, "definitions", "validate", "-m", "pipelines.definitions", "--working-directory", str(ROOT)],
                env=env,
                capture_output=True,
                text=True,
            )
            validate_seconds = time.perf_counter() - started
            print(
                f"{count:>4} integrations: build_definitions {float(seconds):.2f} s ({assets} assets, in a fresh "
                f"process, imports included); `dagster definitions validate` {validate_seconds:.2f} s "
                f"(exit {validate.returncode})"
            )
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
        result = materialize(
            [*defs.assets, *defs.asset_checks], selection=selection, instance=DagsterInstance.ephemeral(tempdir=tmp)
        )
        elapsed = time.perf_counter() - started
        record = project / ".vitesse" / "deploy" / name / "process.json"
        if record.exists():
            import json

            stop_pid(json.loads(record.read_text())["pid"])
        print(f"one integration ingest -> deploy in process: {elapsed:.2f} s (success: {result.success})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
