"""Throughput of the test step without shadow calls, on real pairs from ../shared/specs.

    uv run python benchmarks/guardian.py [--records 100] [--repeat 3]

For each pair: `run_tests` end to end (generate synthetic source records from the real record schema, transform
them with the compiled mapping, validate them against the destination schema with the spec's dialect; validators
compiled once per run), best of --repeat, and the records/second that gives.
Target (issue 4): 100 records in under 1 s without shadow calls.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vitesse.guardian.run import Sides, run_tests
from vitesse.ingest import ingest_spec
from vitesse.manifest.models import MappingConfig, Side, TestConfig
from vitesse.mapping.propose import propose_mapping

ROOT = Path(__file__).resolve().parents[1]
SPECS = Path(os.environ.get("VITESSE_SHARED_SPECS", ROOT.parent / "shared" / "specs"))
PAIRS = [
    ("stripe/spec3-2022-04-12.json", "GET /v1/customers", "intercom/api.intercom.io-2.16.yaml", "POST /contacts"),
    ("square/api-2025-08-19-oas3.json", "GET /v2/customers", "klaviyo/stable.json", "POST /api/profiles"),
    ("intercom/api.intercom.io-2.16.yaml", "GET /contacts", "box/box-openapi.json", "POST /users"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'pair':<62} {'records':>7} {'seconds':>8} {'records/s':>10} {'score':>6}")
    for source_file, source_key, dest_file, dest_key in PAIRS:
        source, dest = ingest_spec(str(SPECS / source_file)), ingest_spec(str(SPECS / dest_file))
        source_endpoint, dest_endpoint = source.endpoint(source_key), dest.endpoint(dest_key)
        logic = propose_mapping(source, source_endpoint, dest, dest_endpoint, MappingConfig())
        sides = Sides(source, source_endpoint, Side(api=source.api_name), dest, dest_endpoint, Side(api=dest.api_name))
        config = TestConfig(sample_size=min(args.records, 100))
        best, results = float("inf"), None
        for _ in range(args.repeat):
            started = time.perf_counter()
            results = run_tests(sides, logic, config, sample_size=args.records)
            best = min(best, time.perf_counter() - started)
        name = f"{source_file.split('/')[0]} {source_key} -> {dest_file.split('/')[0]} {dest_key}"
        print(
            f"{name:<62} {args.records:>7} {best:>8.3f} {args.records / best:>10,.0f} "
            f"{results['health_score']['overall']:>6g}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
