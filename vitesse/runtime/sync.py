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
- ``ambiguous``: held; ``vitesse runtime dead-letters --replay --ambiguous`` decides. Write modes that look the
  record up before writing (upsert, update: `vitesse.runtime.writes`) resend it instead: the lookup finds the record
  if the lost request created it.

Requests carry the manifest's ``params`` (env values read once, at the start: `vitesse.runtime.urls`); with
``source.incremental`` the first page asks only for what changed since the mark, which moves when the sync completes
(`vitesse.runtime.incremental`).

Only the holder of the sync lease runs a sync (SQLite: a file lock; PostgreSQL: an advisory lock shared by every
replica). Every sync is recorded with its outcome; ``/health`` shows the last one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

from vitesse.errors import RuntimeSyncError
from vitesse.hashing import content_hash
from vitesse.httpauth import auth_parts
from vitesse.mapping.compile import CompiledMapping, compile_mapping
from vitesse.runtime.bundle import Bundle
from vitesse.runtime.deliver import Writer
from vitesse.runtime.incremental import HighWater
from vitesse.runtime.observe import Metrics, log, runtime_logger
from vitesse.runtime.paginate import Pager, records_in
from vitesse.runtime.read import Reader
from vitesse.runtime.settle import GroupCommit, Settler
from vitesse.runtime.state import Failure, Lease, OpenLetter, Settled, StateStore
from vitesse.runtime.urls import resolved
from vitesse.runtime.writes import WriteMode, open_writer, write_mode
from vitesse.validation import RecordValidator

SettlerFactory = Callable[[StateStore, Executor], Settler]


@dataclass
class SyncResult:
    """A sync's counts: ``read = written + skipped + held + failed``; ``dead_lettered`` of the failed were new;
    ``written = created + updated``; ``without_cursor`` / ``unusable_cursor``: records read without a (comparable)
    incremental cursor value."""

    read: int = 0
    written: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    held: int = 0
    failed: int = 0
    dead_lettered: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    resumed: bool = False
    without_cursor: int = 0
    unusable_cursor: int = 0
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
        write = bundle.destination.write
        self.resend_safe = write_mode(write.mode if write is not None else "insert").resend_safe
        state_env = getattr(bundle.runtime.state, "url_env", None)
        param_envs = [
            v.env for side in (bundle.source, bundle.destination) for v in side.params.values() if hasattr(v, "env")
        ]
        self.logger = runtime_logger(
            bundle.integration,
            [bundle.source.auth, bundle.destination.auth],
            (*((state_env,) if state_env else ()), *param_envs),
        )
        self.mode: WriteMode | None = None
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
        source_values = resolved(b.source.params, "source")  # before any request: a missing env var fails now
        dest_values = resolved(b.destination.params, "destination")
        source_headers, source_query = auth_parts(b.source.auth, placeholder=False)
        dest_headers, dest_query = auth_parts(b.destination.auth, placeholder=False)
        reader = Reader(b.source, source_values, source_query, rt, self.metrics.observer("source"))
        result = SyncResult()
        pager = Pager(b.source, rt.page_size)
        saved = self.state.checkpoint()
        result.resumed = saved is not None
        mark = HighWater(b.source.incremental, self.state) if b.source.incremental is not None else None
        since = mark.start(resumed=result.resumed) if mark is not None else {}
        if saved:
            request = saved[0]
        else:
            request = pager.first()
            request["params"].update(since)
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
                writer = self._writer(dest, dest_query, dest_values)
                pager.check(request)
                reading: asyncio.Future[tuple[Any, dict[str, str]]] | None = asyncio.ensure_future(
                    reader.read(source, request)
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
                            reading = asyncio.ensure_future(reader.read(source, request))
                        lease.check()
                        if mark is not None:
                            mark.observe(records)
                        await self._page(records, writer, result, settler, slots)
                        await settler.page_done()
                        if request is not None:
                            if mark is not None:
                                mark.checkpoint()
                            self.state.save_checkpoint(request, pages_before + result.pages)
                finally:
                    if reading is not None and not reading.done():
                        reading.cancel()
                        with contextlib.suppress(asyncio.CancelledError, RuntimeSyncError):
                            await reading
            if mark is not None:  # every record read has settled: the mark may move
                mark.complete()
                result.without_cursor, result.unusable_cursor = mark.without_cursor, mark.unusable
                if mark.without_cursor or mark.unusable:
                    log(
                        self.logger,
                        f"records without a usable {mark.config.cursor_field}: delivered, not counted for the mark",
                        without_cursor=mark.without_cursor,
                        unusable_cursor=mark.unusable,
                    )
            self.state.clear_checkpoint()
        finally:
            await settler.close()
            executor.shutdown(wait=True)
        return result

    def _writer(self, dest: aiohttp.ClientSession, auth_query: dict[str, str], values: dict[str, str]) -> Writer:
        self.mode, writer = open_writer(self.bundle, dest, auth_query, values, self.metrics.observer("destination"))
        return writer

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
            if item.letter is not None and item.letter.kind == "ambiguous" and not self.resend_safe:
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
        problem = self.mode.check(transformed.record) if self.mode is not None else None
        if problem is not None:
            return Failure("invalid", problem, item.record, transformed.record)
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
            action = "updated" if outcome.action == "updated" else "created"
            setattr(result, action, getattr(result, action) + 1)
            self.metrics.outcomes[action].inc()
        else:
            self._count_failure(item, outcome.kind, result)

    def _idempotency_key(self, item: _Item) -> str:
        return hashlib.sha256(f"{self.bundle.integration_id}:{item.key}:{item.digest}".encode()).hexdigest()[:32]

    # -- dead letters -----------------------------------------------------------------------------------------------
    async def replay(self, *, ambiguous: bool = False) -> dict[str, int]:
        """Send the open dead letters again (``ambiguous`` ones only when asked: they may have been applied; write
        modes that look up first send them anyway)."""
        async with self.lock, self._leased("replay"):
            b, rt = self.bundle, self.bundle.runtime
            dest_values = resolved(b.destination.params, "destination")
            dest_headers, dest_query = auth_parts(b.destination.auth, placeholder=False)
            counts: Counter[str] = Counter()
            executor = ThreadPoolExecutor(1, thread_name_prefix="vitesse-state")
            settler = GroupCommit(self.state, executor)
            result = SyncResult()
            try:
                async with _session(dest_headers, rt.timeout_seconds, rt.concurrency) as dest:
                    writer = self._writer(dest, dest_query, dest_values)
                    slots = asyncio.Semaphore(rt.concurrency)
                    work = []
                    for letter in self.state.dead_letters():
                        if letter["kind"] == "ambiguous" and not (ambiguous or self.resend_safe):
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
