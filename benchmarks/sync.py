"""End-to-end sync throughput: source pages -> compiled transform -> destination, into local servers.

    uv run python benchmarks/sync.py [--records 3000] [--concurrency 32] [--latency-ms 10]

Both APIs are served by one uvicorn process started here (a paged source of Acme CRM customers and a destination
that answers every POST after --latency-ms, like a real API across a network). The runtime (`Syncer`, the code the
deployed service runs) syncs all records with the configured concurrency, then, in the same run, with
concurrency 1: the sequential one-request-at-a-time loop. Prints records/second, the ratio and peak memory.
Targets (issue 5): >= 5x the sequential loop and >= 1,500 records/s.
"""

from __future__ import annotations

import argparse
import asyncio
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

from vitesse.ingest import ingest  # noqa: E402
from vitesse.mapping import map_integration  # noqa: E402
from vitesse.project import Project  # noqa: E402
from vitesse.runtime import StateStore, Syncer, build_bundle  # noqa: E402

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


def bundle_for(folder: Path, url: str, concurrency: int):
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
    return build_bundle(mf, project.store)


def timed_sync(url: str, concurrency: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        bundle = bundle_for(Path(tmp), url, concurrency)
        state = StateStore(Path(tmp) / "state.sqlite")
        started = time.perf_counter()
        result = asyncio.run(Syncer(bundle, state).run())
        elapsed = time.perf_counter() - started
        state.close()
        assert result.written == result.read, result
        return elapsed, result.written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--sequential-records", type=int, default=300, help="the sequential loop is slow")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    args = parser.parse_args()
    os.environ.setdefault("ACME_CRM_TOKEN", "benchmark")
    os.environ.setdefault("MAILWAVE_API_KEY", "benchmark")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(args.records), str(args.latency_ms)])
    try:
        wait_for(port)
        url = f"http://127.0.0.1:{port}"
        concurrent_s, concurrent_n = timed_sync(url, args.concurrency)
        server.terminate()
        server.wait()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port), str(args.sequential_records), str(args.latency_ms)]
        )
        wait_for(port)
        sequential_s, sequential_n = timed_sync(f"http://127.0.0.1:{port}", 1)
    finally:
        server.terminate()
        server.wait()
    rate, base = concurrent_n / concurrent_s, sequential_n / sequential_s
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"destination latency {args.latency_ms:g} ms per request; 2 cores shared by runtime and servers")
    label = f"concurrency {args.concurrency:>3}"
    print(f"  {label}: {concurrent_n:>6,} records in {concurrent_s:6.2f} s = {rate:8,.0f} records/s")
    print(f"  sequential     : {sequential_n:>6,} records in {sequential_s:6.2f} s = {base:8,.0f} records/s")
    print(f"  ratio: {rate / base:.1f}x (target >= 5x); target >= 1,500 records/s; peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
