"""The PostgreSQL state store: one database shared by every replica of an integration (and by many integrations).

Rows carry the integration name, so one database serves any number of integrations (and can sit beside Dagster's
storage). The sync lease is a session-level advisory lock on a connection of its own: PostgreSQL releases it the
moment that connection closes, so when the holder dies (even by ``kill -9``) another replica can take over at its
next sync tick. TCP keepalives on that connection bound how long a holder cut off by the network keeps it. A sync
commits its records' outcomes over a third, asynchronous connection (`AsyncWriter`), from the event loop itself,
with ``synchronous_commit=off``: a commit is on the server (and survives the runtime being killed) before it is on
the server's disk, so only a crash of PostgreSQL itself can lose the last few hundred milliseconds of marks, whose
records are then sent again with the same Idempotency-Key; the database stays consistent either way. Checkpoints,
dead-letter listings and the rest use the default, fully synchronous commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vitesse.errors import RuntimeSyncError
from vitesse.runtime.state.base import Settled, SqlStateStore, delivered_upsert

CONNECT_TIMEOUT_SECONDS = 10
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
_MIGRATION_LOCK = 0x76697465  # "vite": serializes schema migrations of concurrent starters


def masked_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (for every message and log line)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://***"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}{port}", parts.path, parts.query, parts.fragment))


def _lock_key(text: str) -> int:
    """A signed 64-bit advisory-lock key for ``text``."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def _connect(url: str, description: str, **extra: Any) -> Any:
    import psycopg

    try:
        return psycopg.connect(
            url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name="vitesse-runtime", **extra
        )
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RuntimeSyncError(
            f"cannot connect to the state database {description}: {first}; check the URL in runtime.state.url_env "
            "(or --state) and that the server is reachable",
            code="runtime.state_unreachable",
        ) from None


class PostgresStateStore(SqlStateStore):
    dialect = "postgresql"
    placeholder = "%s"

    def __init__(self, url: str, integration: str) -> None:
        super().__init__(integration, masked_url(url))
        self.url = url
        self.db = _connect(url, self.description)
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _cursor(self) -> Any:
        return self.db.cursor()

    @contextlib.contextmanager
    def _transaction(self, *, exclusive: bool = False) -> Iterator[Any]:
        with self.db.transaction(), self.db.cursor() as cur:
            if exclusive:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            yield cur

    def _problem(self, exc: Exception) -> RuntimeSyncError | None:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            return None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, psycopg.OperationalError):
            return RuntimeSyncError(
                f"the state database {self.description} is unreachable ({first}); the sync resumes from its "
                "checkpoint once it is back",
                code="runtime.state_unreachable",
            )
        return RuntimeSyncError(f"state database {self.description}: {first}", code="runtime.state")

    async def open_writer(self) -> AsyncWriter:
        """A connection of its own that commits outcomes from the event loop: no worker thread, no GIL hand-off."""
        import psycopg

        try:
            conn = await psycopg.AsyncConnection.connect(
                self.url,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="vitesse-runtime",
                options="-c synchronous_commit=off",
            )
        except psycopg.Error as exc:
            raise self._problem(exc) from None  # type: ignore[misc]
        return AsyncWriter(self, conn)

    def lease(self) -> AdvisoryLease:
        return AdvisoryLease(self.url, self.description, f"vitesse-sync:{self.integration}")

    def close(self) -> None:
        with self._lock:
            self.db.close()


class AsyncWriter:
    """Commits settled outcomes over an async connection, with the store's own statements."""

    def __init__(self, store: PostgresStateStore, conn: Any) -> None:
        self.store = store
        self.conn = conn

    async def settle(self, rows: list[Settled]) -> None:
        import psycopg

        statements = self.store._settle_statements(rows)
        try:
            if len(statements) == 1 and statements[0][0] == delivered_upsert(1):
                # the common case, deliveries only: one multi-row upsert is one statement and one round trip
                marks = {row[1]: row for row in statements[0][1]}  # a key settled twice: its last outcome
                values = [value for row in marks.values() for value in row]
                await self.conn.execute(self.store._sql(delivered_upsert(len(marks))), values)
                return
            async with self.conn.transaction(), self.conn.cursor() as cur:
                for statement, params in statements:
                    await cur.executemany(self.store._sql(statement), params)
        except psycopg.Error as exc:
            raise self.store._problem(exc) from None  # type: ignore[misc]

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self.conn.close()


class AdvisoryLease:
    """``pg_try_advisory_lock`` on a dedicated connection; closing the connection (or dying) releases it."""

    def __init__(self, url: str, description: str, name: str) -> None:
        self.url = url
        self.description = description
        self.key = _lock_key(name)
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self._conn: Any = None

    def acquire(self) -> bool:
        if self._conn is not None:
            return True
        conn = _connect(self.url, self.description, **KEEPALIVES)
        try:
            held = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]
        except Exception:
            conn.close()
            raise
        if not held:
            conn.close()
            return False
        self._conn = conn
        return True

    def check(self) -> None:
        import psycopg

        if self._conn is None:
            raise RuntimeSyncError("the sync lease is not held", code="runtime.lease_lost")
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            self.release()
            raise RuntimeSyncError(
                f"lost the sync lease (the connection to {self.description} broke); another replica may take over, "
                "and this sync stops here",
                code="runtime.lease_lost",
            ) from None

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()  # closing the session releases the advisory lock
