"""End-to-end sync throughput: source pages -> compiled transform -> destination, with SQLite and PostgreSQL state.

    uv run python benchmarks/sync.py [--records 3000] [--concurrency 32] [--latency-ms 10] [--repeat 3]

Both APIs are served by one uvicorn process started here (a paged source of Acme CRM customers and a destination
that answers every POST after --latency-ms, like a real API across a network). Each configuration runs in a fresh
process (so each has its own peak RSS), interleaved --repeat times; the best run of each is reported:

- state SQLite / PostgreSQL (a real PostgreSQL from Debian's package, started here with fsync on);
- durability per record (what the runtime does: each outcome committed as it settles, group commits) against
  per page (the baseline: the marks of a page written in one transaction once the page is done, as before issue
  12; a kill then resends a whole page);
- and the sequential one-request-at-a-time loop (concurrency 1), the baseline of issue 5.

Targets: per-record durability costs at most 15% of the per-page throughput (issue 12); >= 5x the sequential loop
and >= 1,500 records/s with SQLite (issue 5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = textwrap.dedent("""
    import asyncio, json, sys
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    import uvicorn
    COUNT, LATENCY = int(sys.argv[2]), float(sys.argv[3]) / 1000
    RECORDS = [{"id": f"cus_{i:08d}x", "email": f"user{i}@example.com", "first_name": "Jenny", "last_name": "Rosen",
                "status": "active", "created": 1700000000 + i, "marketing_opt_in": True,
                "address": {"city": "San Francisco", "postal_code": "94105", "country": "US"}} for i in range(COUNT)]
    INDEX = {r["id"]: i for i, r in enumerate(RECORDS)}
    async def customers(request):
        limit = int(request.query_params.get("limit", 100))
        after = request.query_params.get("starting_after")
        start = INDEX[after] + 1 if after else 0
        page = RECORDS[start:start + limit]
        more = start + limit < COUNT
        return JSONResponse({"object": "list", "data": page, "has_more": more,
                             "next_cursor": page[-1]["id"] if more else None})
    async def contacts(request):
        body = await request.json()
        await asyncio.sleep(LATENCY)
        return JSONResponse({"id": body.get("external_id")}, status_code=201)
    app = Starlette(routes=[Route("/customers", customers), Route("/contacts", contacts, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", access_log=False)
""")

CONFIGS = {
    "sqlite/record": ("sqlite", "record"),
    "sqlite/page": ("sqlite", "page"),
    "postgresql/record": ("postgresql", "record"),
    "postgresql/page": ("postgresql", "page"),
    "sequential": ("sqlite", "record"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the benchmark server did not start")


class PageMarks:
    """The baseline: outcomes kept in memory and written in one transaction when the page is done."""

    def __init__(self, state, executor) -> None:
        self.state = state
        self.rows = []

    async def settle(self, row) -> None:
        self.rows.append(row)

    async def page_done(self) -> None:
        self.state.settle(self.rows)
        self.rows = []

    async def close(self) -> None:
        return None


def one(config: str, url: str, state_url: str, concurrency: int) -> None:
    """Child process: build the bundle, run one sync, print a JSON line with the figures."""
    from vitesse.ingest import ingest
    from vitesse.mapping import map_integration
    from vitesse.project import Project
    from vitesse.runtime import Syncer, build_bundle, open_state
    from vitesse.runtime.settle import GroupCommit

    store_kind, durability = CONFIGS[config]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "integrations", folder / "integrations")
        manifest = folder / "integrations" / "crm-to-mailwave.yaml"
        text = manifest.read_text()
        text = text.replace("  spec: specs/acme-crm.yaml\n", f"  spec: specs/acme-crm.yaml\n  base_url: {url}\n")
        text = text.replace("  spec: specs/mailwave.yaml\n", f"  spec: specs/mailwave.yaml\n  base_url: {url}\n")
        manifest.write_text(text + f"runtime: {{concurrency: {concurrency}, page_size: 100}}\n")
        os.environ.pop("VITESSE_HOME", None)
        project = Project(folder)
        mf = project.load("crm-to-mailwave")
        ingest(mf, project.store)
        map_integration(mf, project.store)
        bundle = build_bundle(mf, project.store)
        location = state_url if store_kind == "postgresql" else str(folder / "state.sqlite")
        state = open_state(location, "crm-to-mailwave")
        settler = GroupCommit if durability == "record" else PageMarks
        started = time.perf_counter()
        result = asyncio.run(Syncer(bundle, state, settler=settler).run())
        elapsed = time.perf_counter() - started
        state.close()
        assert result.written == result.read, result
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": result.written, "seconds": elapsed, "peak_mb": peak}))


def measure(config: str, url: str, state_url: str, concurrency: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--one", config, "--url", url, "--state-url", state_url,
         "--concurrency", str(concurrency)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{config} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["rate"] = figures["records"] / figures["seconds"]
    return figures


def start_server(records: int, latency_ms: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(records), str(latency_ms)])
    wait_for(port)
    return server, f"http://127.0.0.1:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--sequential-records", type=int, default=300, help="the sequential loop is slow")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", choices=sorted(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--state-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("ACME_CRM_TOKEN", "benchmark")
    os.environ.setdefault("MAILWAVE_API_KEY", "benchmark")
    if args.one:
        one(args.one, args.url, args.state_url, args.concurrency)
        return 0

    from tests.support.postgres import PostgresServer

    runs: dict[str, list[dict]] = {config: [] for config in CONFIGS}
    with PostgresServer(durable=True) as postgres:
        server, url = start_server(args.records, args.latency_ms)
        try:
            for _ in range(args.repeat):
                for config in ("sqlite/record", "sqlite/page", "postgresql/record", "postgresql/page"):
                    state_url = postgres.create_database("bench") if config.startswith("postgresql") else ""
                    runs[config].append(measure(config, url, state_url, args.concurrency))
        finally:
            server.terminate()
            server.wait()
        server, url = start_server(args.sequential_records, args.latency_ms)
        try:
            runs["sequential"].append(measure("sequential", url, "", 1))
        finally:
            server.terminate()
            server.wait()
    best = {config: max(found, key=lambda f: f["rate"]) for config, found in runs.items()}
    print(
        f"destination latency {args.latency_ms:g} ms per request; {args.records:,} records at concurrency "
        f"{args.concurrency}; best of {args.repeat} interleaved runs, each in a fresh process; 2 cores shared by "
        "the runtime, the API servers and PostgreSQL"
    )
    for config, figures in best.items():
        spread = ", ".join(f"{f['rate']:,.0f}" for f in runs[config])
        print(
            f"  {config:<18} {figures['records']:>6,} records in {figures['seconds']:6.2f} s = "
            f"{figures['rate']:7,.0f} records/s  peak RSS {figures['peak_mb']:4.0f} MB  (runs: {spread})"
        )
    for store in ("sqlite", "postgresql"):
        ratio = best[f"{store}/record"]["rate"] / best[f"{store}/page"]["rate"]
        print(f"  {store}: per-record durability at {ratio:.2f}x the per-page throughput (target >= 0.85)")
    base = best["sequential"]["rate"]
    sqlite_rate = best["sqlite/record"]["rate"]
    print(f"  sqlite per-record vs the sequential loop: {sqlite_rate / base:.1f}x (target >= 5x; >= 1,500 records/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
