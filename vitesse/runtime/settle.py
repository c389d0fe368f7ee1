"""Per-record durability: each record's outcome is stored as it settles, many outcomes per transaction.

`GroupCommit.settle` returns once the outcome is committed. The sync holds a record's concurrency slot until
then, so at any moment at most ``runtime.concurrency`` records are sent but not yet stored: that is all a
``kill -9`` can make the next sync send again. Outcomes that settle while a commit runs go into the next one
(group commit), which keeps the cost per record small. A store whose commits are local and quick (SQLite: no
fsync per commit in WAL mode) commits on the event loop itself, once per loop iteration; a store that offers an
asynchronous writer (PostgreSQL) commits through it, so the loop keeps sending while the database answers; any
other store commits on a worker thread.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from typing import Any, Protocol

from vitesse.runtime.state import Settled, StateStore


class Settler(Protocol):
    """How a sync stores outcomes: ``settle`` each one, ``page_done`` when a page has settled."""

    async def settle(self, row: Settled) -> None: ...

    async def page_done(self) -> None: ...

    async def close(self) -> None: ...


class GroupCommit:
    """Outcomes committed as they settle; every ``settle`` waits for the commit that holds it."""

    def __init__(self, state: StateStore, executor: Executor) -> None:
        self.state = state
        self.executor = executor
        self.pending: list[tuple[Settled, asyncio.Future[None]]] = []
        self.flushing: asyncio.Task[None] | None = None
        self.writer: Any = None

    async def settle(self, row: Settled) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self.pending.append((row, future))
        if getattr(self.state, "inline_commits", False):
            if len(self.pending) == 1:  # the first outcome of this loop iteration: commit them all at its end
                loop.call_soon(self._commit_inline)
        elif self.flushing is None or self.flushing.done():
            self.flushing = loop.create_task(self._flush())
        await future

    def _commit_inline(self) -> None:
        batch, self.pending = self.pending, []
        try:
            self.state.settle([row for row, _ in batch])
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self.pending:
            batch, self.pending = self.pending, []
            rows = [row for row, _ in batch]
            try:
                if hasattr(self.state, "open_writer"):
                    if self.writer is None:
                        self.writer = await self.state.open_writer()
                    await self.writer.settle(rows)
                else:
                    await loop.run_in_executor(self.executor, self.state.settle, rows)
            except BaseException as exc:  # the waiting records fail with the store's error
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    async def page_done(self) -> None:
        return None  # every outcome of the page was committed before its settle returned

    async def close(self) -> None:
        if self.flushing is not None and not self.flushing.done():
            await asyncio.wait([self.flushing])
        if self.writer is not None:
            await self.writer.aclose()
            self.writer = None
