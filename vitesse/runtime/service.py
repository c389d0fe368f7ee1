"""The deployed integration as an HTTP service: /health, /sync, /transform, /metrics (and periodic syncs).

Several replicas may serve one integration on a shared PostgreSQL state: all of them answer /health, /transform
and /metrics; syncs run on whichever holds the sync lease. A periodic tick syncs only when no replica completed a
sync within the interval, so the replicas do not take turns re-reading the source, and when the holder dies the
next tick elsewhere takes over from the checkpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from vitesse.errors import VitesseError
from vitesse.runtime.bundle import Bundle
from vitesse.runtime.observe import Metrics, log
from vitesse.runtime.state import StateStore
from vitesse.runtime.state.base import seconds_since
from vitesse.runtime.sync import Syncer

MAX_TRANSFORM_RECORDS = 10_000

SYNC_STATUS = {"runtime.busy": 409, "runtime.lease_held": 409, "runtime.internal": 500}
"""HTTP status of a /sync that did not run or failed, by error code (state trouble 503, the rest 502)."""


def sync_status(code: str) -> int:
    if code in SYNC_STATUS:
        return SYNC_STATUS[code]
    return 503 if code.startswith("runtime.state") else 502


def create_app(bundle: Bundle, state: StateStore) -> FastAPI:
    """The runtime app for one bundle and its (open) state store; the store is closed when the app stops."""
    holder: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder["syncer"] = syncer = Syncer(bundle, state, Metrics())
        log(
            syncer.logger,
            "runtime ready",
            integration=bundle.integration,
            bundle=bundle.version,
            state=state.description,
            source=f"{bundle.source.method} {bundle.source.base_url}{bundle.source.path}",
            destination=f"{bundle.destination.method} {bundle.destination.base_url}{bundle.destination.path}",
        )
        periodic = None
        if bundle.runtime.sync_interval_seconds:
            periodic = asyncio.create_task(_every(bundle.runtime.sync_interval_seconds, syncer))
        try:
            yield
        finally:
            if periodic is not None:
                periodic.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await periodic
            state.close()

    app = FastAPI(title="vitesse runtime", lifespan=lifespan)

    @app.get("/health")
    async def health() -> JSONResponse:
        syncer: Syncer | None = holder.get("syncer")
        if syncer is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            counts = state.counts()
            last = state.last_sync()
        except VitesseError as exc:  # the service is up, its state is not: say so, stay live
            return JSONResponse({"status": "degraded", "integration": bundle.integration, "error": exc.message})
        failed = last is not None and last["outcome"] == "failed"
        return JSONResponse(
            {
                "status": "degraded" if failed else "ok",
                "integration": bundle.integration,
                "integration_id": bundle.integration_id,
                "bundle_version": bundle.version,
                "syncing": syncer.lock.locked(),
                "delivered": counts["delivered"],
                "dead_letters": counts["dead_letters"],
                "last_sync": last,
            }
        )

    @app.post("/sync")
    async def sync() -> JSONResponse:
        syncer: Syncer = holder["syncer"]
        try:
            result = await syncer.run()
        except VitesseError as exc:
            status = sync_status(exc.code)
            return JSONResponse(
                {"status": "failed", "error": exc.message, "http_status": status, "code": exc.code},
                status_code=status,
            )
        return JSONResponse({"status": "success", "data": result.as_dict()})

    @app.post("/transform")
    async def transform(request: Request) -> JSONResponse:
        try:
            payload = await request.json()
        except ValueError:
            return _error('the body must be JSON: a list of records or {"records": [...]}', 400)
        records = payload.get("records") if isinstance(payload, dict) else payload
        if not isinstance(records, list):
            return _error('expected a list of records or {"records": [...]}', 400)
        if len(records) > MAX_TRANSFORM_RECORDS:
            return _error(f"at most {MAX_TRANSFORM_RECORDS} records per request", 413)
        syncer: Syncer = holder["syncer"]
        results = [syncer.mapping(r) for r in records]
        return JSONResponse(
            {
                "status": "success",
                "data": [{"record": r.record, "errors": r.errors} for r in results],
                "count": len(results),
                "failed": sum(bool(r.errors) for r in results),
            }
        )

    @app.get("/metrics")
    async def metrics() -> PlainTextResponse:
        syncer: Syncer = holder["syncer"]
        return PlainTextResponse(syncer.metrics.text().decode(), media_type="text/plain; version=0.0.4")

    return app


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"status": "failed", "error": message, "http_status": status}, status_code=status)


async def _every(seconds: float, syncer: Syncer) -> None:
    """Sync every ``seconds`` unless some replica completed one within that time; failures are logged, not fatal."""
    while True:
        try:
            last = syncer.state.last_sync(completed=True)
            age = seconds_since(last["finished_at"]) if last else None
            if age is None or age >= seconds * 0.9:
                await syncer.run()
        except VitesseError as exc:
            if exc.code == "runtime.lease_held":
                log(syncer.logger, "sync skipped: another runtime holds the sync lease")
            # other failures were logged by the syncer (or are state trouble that the next tick retries)
        except Exception as exc:  # keep the schedule alive whatever happened
            log(syncer.logger, "periodic sync crashed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(seconds)
