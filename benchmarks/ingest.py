"""Benchmark: vitesse ingest vs prance on the largest real specs, measured in the same run.

    uv run python benchmarks/ingest.py [--runs 3] [--prance-timeout 120] [FILE...]

Each measurement runs in a fresh subprocess, so peak memory (max RSS of that process, interpreter included) belongs
to one parse only. vitesse: `vitesse.ingest_spec(path)` (the function `vitesse ingest` uses), best of --runs.
Baseline: `prance.ResolvingParser(path, backend="openapi-spec-validator")`, once (it takes seconds to minutes).
Targets (issue 2): every file ingested, GitHub in under 1 s and at least 8x faster than prance, peak < 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = Path(os.environ.get("VITESSE_SHARED_SPECS", ROOT.parent / "shared" / "specs"))
DEFAULT_FILES = [
    "github-rest/api.github.com-2020-09.json",
    "stripe/spec3-2022-04-12.json",
    "stripe/spec3-2023-09-12.yaml",
    "kubernetes/kubernetes-swagger-via-openapi-spec-validator.yaml",
    "okta/management-minimal-2026.06.3.yaml",
    "square/api-2025-08-19-oas3.json",
    "xero/xero_accounting.yaml",
    "intercom/api.intercom.io-2.11.yaml",
    "digitalocean/specification/DigitalOcean-public.v2.yaml",
]

CHILD = r"""
import json, resource, sys, time
path, tool = sys.argv[1], sys.argv[2]
if tool == "vitesse":
    from vitesse import ingest_spec
    run = lambda: len(ingest_spec(path).endpoints)
else:
    import prance
    sys.setrecursionlimit(10_000)
    parse = lambda: prance.ResolvingParser(path, backend="openapi-spec-validator")
    run = lambda: len(parse().specification.get("paths", {}))
started = time.perf_counter()
try:
    count, error = run(), None
except BaseException as exc:  # the baseline fails on several real specs: report how
    count, error = None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "count": count, "error": error}))
"""


def measure(path: Path, tool: str, timeout: float) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), tool], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "peak_mb": None, "count": None, "error": f"timed out after {timeout:g} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1][:120]
        return {"seconds": None, "peak_mb": None, "count": None, "error": f"crashed: {tail}"}
    return json.loads(lines[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="spec files relative to ../shared/specs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prance-timeout", type=float, default=120)
    parser.add_argument("--no-prance", action="store_true")
    args = parser.parse_args()
    files = args.files or DEFAULT_FILES
    header = (
        f"{'file':<62} {'MB':>5} {'vitesse s':>9} {'peak MB':>7} {'endpts':>6}  {'prance s':>8} {'peak MB':>7}  ratio"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for name in files:
        path = SPECS / name
        size = path.stat().st_size / 1e6
        runs = [measure(path, "vitesse", 300) for _ in range(args.runs)]
        good = [r for r in runs if r["error"] is None]
        if not good:
            ok = False
            print(f"{name:<62} {size:>5.1f} FAILED: {runs[0]['error']}")
            continue
        best = min(good, key=lambda r: r["seconds"])
        peak = max(r["peak_mb"] for r in good)
        line = f"{name:<62} {size:>5.1f} {best['seconds']:>9.3f} {peak:>7.0f} {best['count']:>6}"
        if not args.no_prance:
            base = measure(path, "prance", args.prance_timeout)
            if base["error"] is None:
                ratio = base["seconds"] / best["seconds"]
                line += f"  {base['seconds']:>8.2f} {base['peak_mb']:>7.0f}  {ratio:5.1f}x"
            else:
                line += f"  prance failed: {base['error']}"
        print(line, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
