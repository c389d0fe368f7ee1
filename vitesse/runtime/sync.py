"""A sync: read every page of the source, transform, write to the destination; durable and resumable.

Per page: records already delivered with the same content are skipped; the others are transformed (a transform
error sends the record to the dead-letter store with its reason) and delivered concurrently; when every record of
the page is settled (delivered or dead-lettered) the next page's request is checkpointed. A sync killed midway
resumes from that checkpoint; what it had delivered before the checkpoint is skipped, what was in flight is resent
with the same Idempotency-Key. No record is dropped silently: each one is counted as written, skipped or
dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import time
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp
import orjson

from vitesse.errors import RuntimeSyncError
from vitesse.hashing import content_hash
from vitesse.httpauth import auth_parts
from vitesse.mapping.compile import CompiledMapping, compile_mapping
from vitesse.runtime.bundle import Bundle
from vitesse.runtime.deliver import RETRYABLE, TokenBucket, Writer, retry_after
from vitesse.runtime.observe import Metrics, log, runtime_logger
from vitesse.runtime.paginate import Pager, records_in
from vitesse.runtime.state import StateStore


@dataclass
class SyncResult:
    read: int = 0
    written: int = 0
    skipped: int = 0
    failed: int = 0
    dead_lettered: int = 0
    pages: int = 0
    resumed: bool = False
    duration_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_key(record: Any, key_field: str | None) -> str:
    """A stable identity for a source record: its key field (default ``id``), else its content hash."""
    if isinstance(record, dict):
        value = record.get(key_field or "id")
        if value not in (None, ""):
            return str(value)
    return "sha:" + content_hash(record, 32)


def rate_from_hints(bundle: Bundle) -> float | None:
    """A requests/second budget from the destination spec's hints (``x-ratelimit`` extensions like ``75/s``)."""
    hints = bundle.destination.rate_limit
    if hints is None:
        return None
    for value in hints.extensions.values():
        texts = value.values() if isinstance(value, dict) else [value]
        rates = []
        for text in texts:
            if isinstance(text, str) and "/" in text:
                amount, _, unit = text.partition("/")
                per = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600}.get(unit.strip())
                if amount.strip().isdigit() and per:
                    rates.append(int(amount) / per)
        if rates:
            return min(rates)
    return None


class Syncer:
    """Runs syncs of one bundle against its state store."""

    def __init__(
        self, bundle: Bundle, state: StateStore, metrics: Metrics | None = None, mapping: CompiledMapping | None = None
    ) -> None:
        self.bundle = bundle
        self.state = state
        self.metrics = metrics or Metrics()
        self.mapping = mapping or compile_mapping(bundle.mapping)
        self.logger = runtime_logger(bundle.integration, [bundle.source.auth, bundle.destination.auth])
        self.lock = asyncio.Lock()

    async def run(self) -> SyncResult:
        if self.lock.locked():
            raise RuntimeSyncError("a sync is already running", code="runtime.busy")
        async with self.lock:
            started = time.monotonic()
            try:
                result = await self._run()
            except RuntimeSyncError as exc:
                self.metrics.syncs.labels(result="failed").inc()
                log(self.logger, "sync failed", error=exc.message)
                raise
            result.duration_seconds = round(time.monotonic() - started, 3)
            self.metrics.syncs.labels(result="completed").inc()
            log(self.logger, "sync completed", **result.as_dict())
            return result

    async def _run(self) -> SyncResult:
        b, rt = self.bundle, self.bundle.runtime
        source_headers, source_query = auth_parts(b.source.auth, placeholder=False)
        dest_headers, dest_query = auth_parts(b.destination.auth, placeholder=False)
        timeout = aiohttp.ClientTimeout(total=rt.timeout_seconds)
        result = SyncResult()
        pager = Pager(b.source, rt.page_size)
        saved = self.state.checkpoint()
        request = saved[0] if saved else pager.first()
        result.resumed = saved is not None
        pages_before = saved[1] if saved else 0
        async with (
            aiohttp.ClientSession(
                headers={"Accept": "application/json", **source_headers},
                timeout=timeout,
                connector=aiohttp.TCPConnector(limit=4),
            ) as source,
            _session(dest_headers, timeout, rt.concurrency) as dest,
        ):
            writer = self._writer(dest, dest_query)
            pager.check(request)
            reading = asyncio.ensure_future(self._read(source, request, source_query))
            try:
                while reading is not None:
                    body, headers = await reading
                    reading = None
                    records = records_in(body, b.source.record_path)
                    result.pages += 1
                    request = pager.next(request, body, headers, records)
                    if request is not None:
                        if pages_before + result.pages >= rt.max_pages:
                            raise RuntimeSyncError(
                                f"more than {rt.max_pages} pages; raise runtime.max_pages if that is real",
                                code="runtime.too_many_pages",
                            )
                        pager.check(request)
                        # read the next page while this one is delivered
                        reading = asyncio.ensure_future(self._read(source, request, source_query))
                    await self._page(records, writer, result)
                    if request is not None:
                        self.state.save_checkpoint(request, pages_before + result.pages)
            finally:
                if reading is not None and not reading.done():
                    reading.cancel()
                    with contextlib.suppress(asyncio.CancelledError, RuntimeSyncError):
                        await reading
            self.state.clear_checkpoint()
        return result

    def _writer(self, dest: aiohttp.ClientSession, query: dict[str, str]) -> Writer:
        b, rt = self.bundle, self.bundle.runtime
        return Writer(
            dest,
            b.destination.method,
            _url(b.destination.base_url, b.destination.path),
            b.destination.content_type,
            query=query,
            concurrency=rt.concurrency,
            bucket=TokenBucket(rt.requests_per_second or rate_from_hints(b)),
            max_attempts=rt.max_attempts,
            backoff=rt.backoff_seconds,
            max_backoff=rt.max_backoff_seconds,
            observe=self.metrics.observer("destination"),
        )

    async def _read(
        self, client: aiohttp.ClientSession, request: dict[str, Any], auth_query: dict[str, str]
    ) -> tuple[Any, dict[str, str]]:
        b, rt = self.bundle, self.bundle.runtime
        url = request["url"] or _url(b.source.base_url, b.source.path)
        params = {**auth_query, **request["params"]} if not request["url"] else dict(auth_query)
        params = {k: str(v) for k, v in params.items()}
        observe = self.metrics.observer("source")
        problem = ""
        for attempt in range(1, rt.max_attempts + 1):
            started = time.monotonic()
            wait = None
            try:
                async with client.request(b.source.method, url, params=params) as response:
                    status, payload = response.status, await response.read()
                    headers = {k.lower(): v for k, v in response.headers.items()}
            except TimeoutError:
                observe("timeout", time.monotonic() - started)
                problem = "timeout"
            except aiohttp.ClientError as exc:
                observe("connection", time.monotonic() - started)
                problem = f"connection error ({type(exc).__name__})"
            else:
                observe(str(status), time.monotonic() - started)
                if 200 <= status < 300:
                    try:
                        return orjson.loads(payload), headers
                    except orjson.JSONDecodeError:
                        raise RuntimeSyncError(
                            f"source {url}: the response is not JSON", code="runtime.source"
                        ) from None
                if status not in RETRYABLE:
                    raise RuntimeSyncError(
                        f"source {b.source.method} {url}: HTTP {status}; check the credentials and the endpoint",
                        code="runtime.source",
                    )
                problem = f"HTTP {status}"
                wait = retry_after(headers.get("retry-after"))
            if attempt < rt.max_attempts:
                delay = random.uniform(0, min(rt.max_backoff_seconds, rt.backoff_seconds * 2 ** (attempt - 1)))
                await asyncio.sleep(max(delay, wait or 0.0))
        raise RuntimeSyncError(
            f"source {b.source.method} {url}: {problem} after {rt.max_attempts} attempts; the sync "
            "will resume from its checkpoint",
            code="runtime.source",
        )

    async def _page(self, records: list[Any], writer: Writer, result: SyncResult) -> None:
        b = self.bundle
        result.read += len(records)
        counted = self.metrics.outcomes
        counted["read"].inc(len(records))
        keyed = [(record_key(r, b.runtime.key_field), content_hash(r), r) for r in records]
        known = self.state.delivered_digests([k for k, _, _ in keyed])
        tasks = []
        for key, digest, record in keyed:
            if known.get(key) == digest:
                result.skipped += 1
                counted["skipped"].inc()
                continue
            transformed = self.mapping(record)
            if transformed.errors:
                reason = "transform: " + "; ".join(f"{e['field']}: {e['error']}" for e in transformed.errors)
                self.state.dead_letter(key, digest, record, transformed.record, None, None, reason, 0)
                result.failed += 1
                result.dead_lettered += 1
                counted["failed"].inc()
                counted["dead_lettered"].inc()
                continue
            idem = hashlib.sha256(f"{b.integration_id}:{key}:{digest}".encode()).hexdigest()[:32]
            tasks.append((key, digest, record, transformed.record, writer.deliver(transformed.record, idem)))
        outcomes = await asyncio.gather(*(t[4] for t in tasks))
        delivered = []
        for (key, digest, record, body, _), outcome in zip(tasks, outcomes, strict=True):
            if outcome.delivered:
                delivered.append((key, digest, outcome.status))
                result.written += 1
                counted["written"].inc()
            else:
                self.state.dead_letter(
                    key, digest, record, body, outcome.status, outcome.response, outcome.reason, outcome.attempts
                )
                result.dead_lettered += 1
                counted["dead_lettered"].inc()
        self.state.mark_delivered(delivered)

    async def replay(self) -> dict[str, int]:
        """Send the open dead letters again; those delivered now are marked replayed."""
        b, rt = self.bundle, self.bundle.runtime
        dest_headers, dest_query = auth_parts(b.destination.auth, placeholder=False)
        letters = self.state.dead_letters()
        replayed, still = [], 0
        async with _session(dest_headers, aiohttp.ClientTimeout(total=rt.timeout_seconds), rt.concurrency) as dest:
            writer = self._writer(dest, dest_query)
            for letter in letters:
                transformed = self.mapping(letter["record"])
                if transformed.errors:
                    still += 1
                    continue
                idem = hashlib.sha256(f"{b.integration_id}:{letter['key']}:{letter['digest']}".encode()).hexdigest()
                outcome = await writer.deliver(transformed.record, idem[:32])
                if outcome.delivered:
                    replayed.append(letter["id"])
                    self.state.mark_delivered([(letter["key"], letter["digest"], outcome.status)])
                else:
                    still += 1
        self.state.mark_replayed(replayed)
        return {"replayed": len(replayed), "still_failing": still}


def _session(headers: dict[str, str], timeout: aiohttp.ClientTimeout, concurrency: int) -> aiohttp.ClientSession:
    """The destination session: keep-alive connections for the configured concurrency, auth on every request."""
    return aiohttp.ClientSession(
        headers={"Accept": "application/json", **headers},
        timeout=timeout,
        connector=aiohttp.TCPConnector(limit=concurrency + 2),
    )


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path
