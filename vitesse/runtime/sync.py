"""A sync: read every page of the source, transform, write to the destination; durable, resumable, one at a time.

Per page, each record is skipped (delivered before with the same content), held (an open dead letter says sending
it again would not help or might duplicate it), or transformed, checked against the destination schema and
delivered concurrently. Whatever happens to a record is stored as it settles (`vitesse.runtime.settle`), and the
next page's request is checkpointed once the whole page has settled. A sync killed midway resumes from the
checkpoint and sends again only what was in flight (with the same Idempotency-Key).

A record that cannot be delivered is that record's dead letter, and the sync goes on: ``transform`` (a mapping
error), ``invalid`` (the destination schema rejects the result), ``rejected`` (a 4xx answer), ``failed`` (retries
ran out, nothing applied) or ``ambiguous`` (retries ran out after a request that may have been applied). One letter
stays open per record key and content; later syncs add attempts to it instead of opening new ones:

- ``transform`` / ``invalid``: re-checked each sync (cheap, and a new bundle may have fixed the mapping);
- ``rejected``: sent again only when the transformed body differs from the one that was rejected;
- ``failed``: retried each sync;
- ``ambiguous``: held; ``vitesse runtime dead-letters --replay --ambiguous`` decides.

Only the holder of the sync lease runs a sync (SQLite: a file lock; PostgreSQL: an advisory lock shared by every
replica). Every sync is recorded with its outcome; ``/health`` shows the last one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

from vitesse import jsoncodec
from vitesse.errors import RuntimeSyncError
from vitesse.hashing import content_hash
from vitesse.httpauth import auth_parts
from vitesse.mapping.compile import CompiledMapping, compile_mapping
from vitesse.runtime.bundle import Bundle
from vitesse.runtime.deliver import RETRYABLE, TokenBucket, Writer, retry_after
from vitesse.runtime.observe import Metrics, log, runtime_logger
from vitesse.runtime.paginate import Pager, records_in
from vitesse.runtime.settle import GroupCommit, Settler
from vitesse.runtime.state import Failure, Lease, OpenLetter, Settled, StateStore
from vitesse.validation import RecordValidator

SettlerFactory = Callable[[StateStore, Executor], Settler]


@dataclass
class SyncResult:
    """A sync's counts: ``read = written + skipped + held + failed``; ``dead_lettered`` of the failed were new."""

    read: int = 0
    written: int = 0
    skipped: int = 0
    held: int = 0
    failed: int = 0
    dead_lettered: int = 0
    failures: dict[str, int] = field(default_factory=dict)
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


def destination_validator(bundle: Bundle) -> RecordValidator | None:
    """The destination request schema as a validator, when the bundle carries one."""
    side = bundle.destination
    if not side.request_schema:
        return None
    return RecordValidator(side.request_schema, side.schemas, side.schema_dialect, fast=True)


@dataclass
class _Item:
    """One record on its way through a page."""

    key: str
    digest: str
    record: Any
    letter: OpenLetter | None = None
    any_letter: bool = True
    """Whether the key has an open dead letter (of any content) for the store to resolve or supersede."""
    body: dict[str, Any] | None = None
    body_digest: str | None = None


class Syncer:
    """Runs syncs of one bundle against its state store."""

    def __init__(
        self,
        bundle: Bundle,
        state: StateStore,
        metrics: Metrics | None = None,
        mapping: CompiledMapping | None = None,
        settler: SettlerFactory = GroupCommit,
    ) -> None:
        self.bundle = bundle
        self.state = state
        self.metrics = metrics or Metrics()
        self.mapping = mapping or compile_mapping(bundle.mapping)
        self.validator = destination_validator(bundle)
        self.settler = settler
        state_env = getattr(bundle.runtime.state, "url_env", None)
        self.logger = runtime_logger(
            bundle.integration, [bundle.source.auth, bundle.destination.auth], (state_env,) if state_env else ()
        )
        self.lock = asyncio.Lock()

    # -- one sync, under the lease ----------------------------------------------------------------------------------
    async def run(self) -> SyncResult:
        """One sync. `RuntimeSyncError` ``runtime.busy`` / ``runtime.lease_held`` if one is running here / elsewhere."""
        if self.lock.locked():
            raise RuntimeSyncError("a sync is already running", code="runtime.busy")
        async with self.lock, self._leased("sync") as lease:
            started = time.monotonic()
            sync_id = self.state.begin_sync(lease.holder)
            try:
                result = await self._run(lease)
            except BaseException as exc:
                error = self._failure(exc)
                with contextlib.suppress(RuntimeSyncError):
                    self.state.finish_sync(sync_id, "failed", None, error.message)
                self.metrics.syncs.labels(result="failed").inc()
                log(self.logger, "sync failed", error=error.message, code=error.code)
                if isinstance(exc, Exception):
                    raise error from None
                raise
            result.duration_seconds = round(time.monotonic() - started, 3)
            self.state.finish_sync(sync_id, "completed", result.as_dict(), None)
            self.metrics.syncs.labels(result="completed").inc()
            log(self.logger, "sync completed", **result.as_dict())
            return result

    @contextlib.asynccontextmanager
    async def _leased(self, what: str) -> Any:
        lease = self.state.lease()
        if not lease.acquire():
            last = self.state.last_sync()
            where = f" ({last['holder']}, since {last['started_at']})" if last and last["outcome"] == "running" else ""
            raise RuntimeSyncError(
                f"another runtime holds the sync lease{where}; the {what} runs there, not here",
                code="runtime.lease_held",
            )
        try:
            yield lease
        finally:
            lease.release()

    def _failure(self, exc: BaseException) -> RuntimeSyncError:
        """The error a failed sync reports; a bug is logged with its traceback and reported by its type."""
        if isinstance(exc, RuntimeSyncError):
            return exc
        if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt):
            return RuntimeSyncError("the sync was cancelled (the service is stopping)", code="runtime.cancelled")
        log(self.logger, "internal error in a sync", traceback="".join(traceback.format_exception(exc)))
        return RuntimeSyncError(f"internal error: {type(exc).__name__}: {exc}", code="runtime.internal")

    async def _run(self, lease: Lease) -> SyncResult:
        b, rt = self.bundle, self.bundle.runtime
        source_headers, source_query = auth_parts(b.source.auth, placeholder=False)
        dest_headers, dest_query = auth_parts(b.destination.auth, placeholder=False)
        result = SyncResult()
        pager = Pager(b.source, rt.page_size)
        saved = self.state.checkpoint()
        request = saved[0] if saved else pager.first()
        result.resumed = saved is not None
        pages_before = saved[1] if saved else 0
        executor = ThreadPoolExecutor(1, thread_name_prefix="vitesse-state")
        settler = self.settler(self.state, executor)
        slots = asyncio.Semaphore(rt.concurrency)
        try:
            async with (
                aiohttp.ClientSession(
                    headers={"Accept": "application/json", **source_headers},
                    timeout=_timeout(rt.timeout_seconds),
                    connector=aiohttp.TCPConnector(limit=4),
                ) as source,
                _session(dest_headers, rt.timeout_seconds, rt.concurrency) as dest,
            ):
                writer = self._writer(dest, dest_query)
                pager.check(request)
                reading: asyncio.Future[tuple[Any, dict[str, str]]] | None = asyncio.ensure_future(
                    self._read(source, request, source_query)
                )
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
                        lease.check()
                        await self._page(records, writer, result, settler, slots)
                        await settler.page_done()
                        if request is not None:
                            self.state.save_checkpoint(request, pages_before + result.pages)
                finally:
                    if reading is not None and not reading.done():
                        reading.cancel()
                        with contextlib.suppress(asyncio.CancelledError, RuntimeSyncError):
                            await reading
            self.state.clear_checkpoint()
        finally:
            await settler.close()
            executor.shutdown(wait=True)
        return result

    def _writer(self, dest: aiohttp.ClientSession, query: dict[str, str]) -> Writer:
        b, rt = self.bundle, self.bundle.runtime
        return Writer(
            dest,
            b.destination.method,
            _url(b.destination.base_url, b.destination.path),
            b.destination.content_type,
            query=query,
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
                        return jsoncodec.loads(payload), headers
                    except ValueError:
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

    # -- one page ---------------------------------------------------------------------------------------------------
    async def _page(
        self, records: list[Any], writer: Writer, result: SyncResult, settler: Settler, slots: asyncio.Semaphore
    ) -> None:
        counted = self.metrics.outcomes
        result.read += len(records)
        counted["read"].inc(len(records))
        items, unreadable = self._identify(records)
        known = self.state.lookup([item.key for item in items])
        work: list[Awaitable[None]] = [self._fail(item, failure, result, settler) for item, failure in unreadable]
        for item in items:
            state = known.get(item.key)
            item.any_letter = state is not None and state.letter is not None
            if state is not None and state.delivered == item.digest:
                result.skipped += 1
                counted["skipped"].inc()
                continue
            if state is not None and state.letter is not None and state.letter.digest == item.digest:
                item.letter = state.letter
            if item.letter is not None and item.letter.kind == "ambiguous":
                self._hold(result)  # it may have been applied: never written blind again
                continue
            failure = self._prepare(item)
            if failure is not None:
                work.append(self._fail(item, failure, result, settler))
                continue
            letter = item.letter
            if letter is not None and letter.kind == "rejected" and letter.body_digest == item.body_digest:
                self._hold(result)  # the destination refused exactly this body before
                continue
            work.append(self._deliver(item, writer, result, settler, slots))
        outcomes = await asyncio.gather(*work, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    def _identify(self, records: list[Any]) -> tuple[list[_Item], list[tuple[_Item, Failure]]]:
        """Key and content digest per record; a record too deep to hash is a dead letter of its own."""
        items, unreadable = [], []
        key_field = self.bundle.runtime.key_field
        for index, record in enumerate(records):
            try:
                items.append(_Item(record_key(record, key_field), content_hash(record), record))
            except ValueError as exc:
                key = str(record.get(key_field or "id")) if isinstance(record, dict) else f"unreadable-{index}"
                item = _Item(key, "unreadable", None)
                unreadable.append((item, Failure("invalid", f"record: {exc}", {"unreadable": str(exc)})))
        return items, unreadable

    def _prepare(self, item: _Item) -> Failure | None:
        """Transform and check one record; the failure if it cannot be sent."""
        transformed = self.mapping(item.record)
        if transformed.errors:
            reason = "transform: " + "; ".join(f"{e['field']}: {e['error']}" for e in transformed.errors)
            return Failure("transform", reason, item.record, transformed.record or None)
        if self.validator is not None:
            violations = self.validator.violations(transformed.record)
            if violations:
                reason = "destination schema: " + "; ".join(f"{v.field}: {v.message}" for v in violations)
                return Failure("invalid", reason, item.record, transformed.record)
        try:
            item.body_digest = content_hash(transformed.record)
        except ValueError as exc:
            return Failure("invalid", f"transformed record: {exc}", item.record)
        item.body = transformed.record
        return None

    def _hold(self, result: SyncResult) -> None:
        result.held += 1
        self.metrics.outcomes["held"].inc()

    async def _fail(self, item: _Item, failure: Failure, result: SyncResult, settler: Settler) -> None:
        await settler.settle(Settled(item.key, item.digest, failure.status, failure, item.any_letter))
        self._count_failure(item, failure.kind, result)

    def _count_failure(self, item: _Item, kind: str, result: SyncResult) -> None:
        result.failed += 1
        result.failures[kind] = result.failures.get(kind, 0) + 1
        self.metrics.outcomes["failed"].inc()
        if item.letter is None:
            result.dead_lettered += 1
            self.metrics.outcomes["dead_lettered"].inc()

    async def _deliver(
        self, item: _Item, writer: Writer, result: SyncResult, settler: Settler, slots: asyncio.Semaphore
    ) -> None:
        assert item.body is not None
        async with slots:  # the slot is held until the outcome is stored: a kill resends at most `concurrency`
            outcome = await writer.deliver(item.body, self._idempotency_key(item))
            if outcome.delivered:
                await settler.settle(Settled(item.key, item.digest, outcome.status, None, item.any_letter))
            else:
                failure = Failure(
                    outcome.kind,
                    outcome.reason,
                    item.record,
                    item.body,
                    item.body_digest,
                    outcome.status,
                    outcome.response,
                    outcome.attempts,
                )
                await settler.settle(Settled(item.key, item.digest, outcome.status, failure, item.any_letter))
        if outcome.delivered:
            result.written += 1
            self.metrics.outcomes["written"].inc()
        else:
            self._count_failure(item, outcome.kind, result)

    def _idempotency_key(self, item: _Item) -> str:
        return hashlib.sha256(f"{self.bundle.integration_id}:{item.key}:{item.digest}".encode()).hexdigest()[:32]

    # -- dead letters -----------------------------------------------------------------------------------------------
    async def replay(self, *, ambiguous: bool = False) -> dict[str, int]:
        """Send the open dead letters again (``ambiguous`` ones only when asked: they may have been applied)."""
        async with self.lock, self._leased("replay"):
            b, rt = self.bundle, self.bundle.runtime
            dest_headers, dest_query = auth_parts(b.destination.auth, placeholder=False)
            counts: Counter[str] = Counter()
            executor = ThreadPoolExecutor(1, thread_name_prefix="vitesse-state")
            settler = GroupCommit(self.state, executor)
            result = SyncResult()
            try:
                async with _session(dest_headers, rt.timeout_seconds, rt.concurrency) as dest:
                    writer = self._writer(dest, dest_query)
                    slots = asyncio.Semaphore(rt.concurrency)
                    work = []
                    for letter in self.state.dead_letters():
                        if letter["kind"] == "ambiguous" and not ambiguous:
                            counts["held"] += 1
                            continue
                        opened = OpenLetter(
                            letter["id"], letter["digest"], letter["kind"], letter["body_digest"], letter["attempts"]
                        )
                        item = _Item(letter["key"], letter["digest"], letter["record"], opened)
                        failure = self._prepare(item)
                        if failure is not None:
                            work.append(self._fail(item, failure, result, settler))
                        else:
                            work.append(self._deliver(item, writer, result, settler, slots))
                    for outcome in await asyncio.gather(*work, return_exceptions=True):
                        if isinstance(outcome, BaseException):
                            raise outcome
            finally:
                await settler.close()
                executor.shutdown(wait=True)
            return {"replayed": result.written, "still_failing": result.failed, "held": counts["held"]}


def _timeout(seconds: float) -> aiohttp.ClientTimeout:
    """The per-request timeout; connecting has its own bound so a refused or slow connect is known as not sent."""
    return aiohttp.ClientTimeout(total=seconds, sock_connect=min(seconds, 10.0))


def _session(headers: dict[str, str], timeout: float, concurrency: int) -> aiohttp.ClientSession:
    """The destination session: keep-alive connections for the configured concurrency, auth on every request."""
    return aiohttp.ClientSession(
        headers={"Accept": "application/json", **headers},
        timeout=_timeout(timeout),
        connector=aiohttp.TCPConnector(limit=concurrency + 2),
    )


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path
