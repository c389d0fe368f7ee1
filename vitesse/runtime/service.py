"""The deployed integration as an HTTP service: /health, /sync, /transform, /metrics (and periodic syncs)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from vitesse.errors import VitesseError
from vitesse.runtime.bundle import Bundle, load_bundle
from vitesse.runtime.observe import Metrics, log
from vitesse.runtime.state import StateStore
from vitesse.runtime.sync import Syncer

MAX_TRANSFORM_RECORDS = 10_000


def default_state_path(bundle_path: Path, bundle: Bundle) -> Path:
    return bundle_path.parent / f"{bundle.integration}.state.sqlite"


def create_app(bundle_path: Path, state_path: Path | None = None) -> FastAPI:
    """The runtime app for one bundle; the bundle loads at startup and /health is ready only after that."""
    holder: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        bundle = load_bundle(bundle_path)
        state = StateStore(state_path or default_state_path(bundle_path, bundle))
        metrics = Metrics()
        holder["syncer"] = syncer = Syncer(bundle, state, metrics)
        holder["bundle"] = bundle
        log(
            syncer.logger,
            "runtime ready",
            integration=bundle.integration,
            bundle=bundle.version,
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
            state.close()

    app = FastAPI(title="vitesse runtime", lifespan=lifespan)

    @app.get("/health")
    async def health() -> JSONResponse:
        bundle: Bundle | None = holder.get("bundle")
        if bundle is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        syncer: Syncer = holder["syncer"]
        return JSONResponse(
            {
                "status": "ok",
                "integration": bundle.integration,
                "integration_id": bundle.integration_id,
                "bundle_version": bundle.version,
                "syncing": syncer.lock.locked(),
                "delivered": syncer.state.delivered_count(),
                "dead_letters": len(syncer.state.dead_letters()),
            }
        )

    @app.post("/sync")
    async def sync() -> JSONResponse:
        syncer: Syncer = holder["syncer"]
        try:
            result = await syncer.run()
        except VitesseError as exc:
            status = 409 if exc.code == "runtime.busy" else 502
            return JSONResponse({"status": "failed", "error": exc.message, "http_status": status}, status_code=status)
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
    """Sync, then wait ``seconds``, forever; a failed sync is logged and retried next time."""
    while True:
        try:
            await syncer.run()
        except VitesseError:
            pass  # already logged by the syncer
        except Exception as exc:  # keep the schedule alive whatever happened
            log(syncer.logger, "periodic sync crashed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(seconds)
