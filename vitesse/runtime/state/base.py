"""The state store contract and the SQL both stores share.

What the runtime keeps per integration:

- the **checkpoint**: the next page request of a sync in progress, saved once the page before it is settled;
- **delivery marks**: per source record key, the digest of the content last delivered (a re-sync skips it);
- **dead letters**: records that could not be delivered, with their reason; at most one open letter per record key
  and content (a record that fails again adds an attempt to it, not a new letter);
- the **sync history**: when each sync ran, on which replica, its outcome and counts (``/health`` shows the last);
- **cursors**: named high-water marks (incremental reads);
- the **sync lease**: held by the one replica that may sync at a time.

`SqlStateStore` holds every statement, written once with ``?`` placeholders; a store supplies the connection, the
transaction, the DDL of its dialect and the lease. Each method is one transaction, safe to call from several threads.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from vitesse import jsoncodec
from vitesse.errors import RuntimeSyncError
from vitesse.runtime.state.migrations import LATEST, MIGRATIONS

FAILURE_KINDS = ("transform", "invalid", "rejected", "failed", "ambiguous")
"""Why a record was not delivered: its transform failed, the destination schema rejects the result, the
destination answered 4xx, retries ran out on answers that say it was not applied (429/5xx/refused connection), or
retries ran out after at least one request that may have been applied (sent, but no answer)."""

SYNC_HISTORY = 1000
"""Sync rows kept per integration (older ones are pruned)."""


def now() -> str:
    """UTC now as ISO 8601 with milliseconds (sortable, comparable as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def seconds_since(timestamp: str | None) -> float | None:
    if not timestamp:
        return None
    return (datetime.now(UTC) - datetime.fromisoformat(timestamp.replace("Z", "+00:00"))).total_seconds()


@dataclass(frozen=True)
class Failure:
    """Why one record was not delivered, and what was known about it."""

    kind: str
    reason: str
    record: Any
    transformed: Any = None
    body_digest: str | None = None
    status: int | None = None
    response: Any = None
    attempts: int = 1


@dataclass(frozen=True)
class Settled:
    """The outcome of one record in a sync: delivered (``failure`` None) or a dead letter."""

    key: str
    digest: str
    status: int | None = None
    failure: Failure | None = None
    open_letter: bool = True
    """Whether the key may have an open dead letter to resolve or supersede (False skips that statement)."""


@dataclass(frozen=True)
class OpenLetter:
    id: int
    digest: str
    kind: str
    body_digest: str | None
    attempts: int


@dataclass(frozen=True)
class RecordState:
    """What the store knows of one record key: the digest last delivered, and its open dead letter."""

    delivered: str | None = None
    letter: OpenLetter | None = None


class Lease(Protocol):
    """The right to run a sync: one holder at a time across every replica sharing the store."""

    holder: str

    def acquire(self) -> bool:
        """Take the lease if it is free (never waits); True if this process holds it now."""

    def check(self) -> None:
        """Raise `RuntimeSyncError` if the lease was lost (the store connection behind it went away)."""

    def release(self) -> None: ...


class StateStore(Protocol):
    """What the sync loop, the service and the CLI use; `SqlStateStore` implements it for both databases."""

    integration: str
    description: str

    def checkpoint(self) -> tuple[dict[str, Any], int] | None: ...
    def save_checkpoint(self, request: dict[str, Any], pages: int) -> None: ...
    def clear_checkpoint(self) -> None: ...
    def lookup(self, keys: list[str]) -> dict[str, RecordState]: ...
    def settle(self, rows: list[Settled]) -> None: ...
    def dead_letters(self, *, include_resolved: bool = False) -> list[dict[str, Any]]: ...
    def resolve_letters(self, ids: list[int], resolution: str) -> None: ...
    def counts(self) -> dict[str, int]: ...
    def begin_sync(self, holder: str) -> int: ...
    def finish_sync(self, sync_id: int, outcome: str, result: dict[str, Any] | None, error: str | None) -> None: ...
    def last_sync(self, *, completed: bool = False) -> dict[str, Any] | None: ...
    def cursor(self, name: str) -> Any: ...
    def save_cursor(self, name: str, value: Any) -> None: ...
    def lease(self) -> Lease: ...
    def close(self) -> None: ...


def delivered_upsert(rows: int) -> str:
    """The delivery-mark upsert for ``rows`` marks in one statement (their keys must differ)."""
    values = ", ".join(["(?, ?, ?, ?, ?)"] * rows)
    return (
        f"INSERT INTO vitesse_delivered (integration, key, digest, status, delivered_at) VALUES {values} "
        "ON CONFLICT (integration, key) DO UPDATE SET digest = excluded.digest, status = excluded.status, "
        "delivered_at = excluded.delivered_at"
    )


def _json(value: Any) -> str | None:
    return None if value is None else jsoncodec.dumps(value).decode()


def _value(text: str | None) -> Any:
    return None if text is None else jsoncodec.loads(text)


class SqlStateStore:
    """Every statement of the state store; subclasses connect, translate placeholders and own the lease."""

    dialect = ""
    placeholder = "?"

    def __init__(self, integration: str, description: str) -> None:
        self.integration = integration
        self.description = description
        self._lock = threading.RLock()

    # -- what a dialect provides ----------------------------------------------------------------------------------
    def _cursor(self) -> Any:
        raise NotImplementedError

    @contextlib.contextmanager
    def _transaction(self, *, exclusive: bool = False) -> Iterator[Any]:
        """A cursor inside one transaction; ``exclusive`` also keeps other connections out (migrations)."""
        raise NotImplementedError
        yield

    def _legacy_import(self, cur: Any) -> None:
        """Copy data of a store from before versioned migrations into version 1 (SQLite only has such files)."""

    def _problem(self, exc: Exception) -> RuntimeSyncError | None:
        """The user-facing error for a database exception of this dialect (None: not a database error)."""
        raise NotImplementedError

    def lease(self) -> Lease:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- plumbing -------------------------------------------------------------------------------------------------
    def _sql(self, statement: str) -> str:
        return statement if self.placeholder == "?" else statement.replace("?", self.placeholder)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """One thread at a time; database errors become one clear `RuntimeSyncError` naming the store."""
        with self._lock:
            try:
                yield
            except RuntimeSyncError:
                raise
            except Exception as exc:
                problem = self._problem(exc)
                if problem is None:
                    raise
                raise problem from None

    def _rows(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._guard(), self._transaction() as cur:
            cur.execute(self._sql(statement), params)
            return list(cur.fetchall())

    def _write(self, *statements: tuple[str, list[tuple[Any, ...]] | tuple[Any, ...]]) -> None:
        """Run statements in one transaction; a list of parameter tuples runs the statement for each."""
        with self._guard(), self._transaction() as cur:
            for statement, params in statements:
                if isinstance(params, list):
                    if params:
                        cur.executemany(self._sql(statement), params)
                else:
                    cur.execute(self._sql(statement), params)

    def _migrate(self) -> None:
        """Apply the missing schema versions, in order, in one transaction."""
        with self._guard(), self._transaction(exclusive=True) as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS vitesse_schema (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                "applied_at TEXT NOT NULL)"
            )
            cur.execute("SELECT MAX(version) FROM vitesse_schema")
            current = cur.fetchone()[0] or 0
            if current > LATEST:
                raise RuntimeSyncError(
                    f"state {self.description} has schema version {current}, written by a newer vitesse (this one "
                    f"knows up to {LATEST}): upgrade vitesse, or point --state at another store",
                    code="runtime.state_version",
                )
            for migration in MIGRATIONS:
                if migration.version <= current:
                    continue
                for statement in migration.statements(self.dialect):
                    cur.execute(statement)
                if migration.version == 1:
                    self._legacy_import(cur)
                cur.execute(
                    self._sql("INSERT INTO vitesse_schema (version, description, applied_at) VALUES (?, ?, ?)"),
                    (migration.version, migration.description, now()),
                )

    def schema_version(self) -> int:
        return int(self._rows("SELECT MAX(version) FROM vitesse_schema")[0][0] or 0)

    # -- checkpoint -----------------------------------------------------------------------------------------------
    def checkpoint(self) -> tuple[dict[str, Any], int] | None:
        rows = self._rows("SELECT request, pages FROM vitesse_checkpoints WHERE integration = ?", (self.integration,))
        return (jsoncodec.loads(rows[0][0]), rows[0][1]) if rows else None

    def save_checkpoint(self, request: dict[str, Any], pages: int) -> None:
        self._write(
            (
                "INSERT INTO vitesse_checkpoints (integration, request, pages, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (integration) DO UPDATE SET request = excluded.request, pages = excluded.pages, "
                "updated_at = excluded.updated_at",
                (self.integration, _json(request), pages, now()),
            )
        )

    def clear_checkpoint(self) -> None:
        self._write(("DELETE FROM vitesse_checkpoints WHERE integration = ?", (self.integration,)))

    # -- records --------------------------------------------------------------------------------------------------
    def lookup(self, keys: list[str]) -> dict[str, RecordState]:
        """For each key the store knows: the digest last delivered and the open dead letter (newest first)."""
        delivered: dict[str, str] = {}
        letters: dict[str, OpenLetter] = {}
        for start in range(0, len(keys), 500):
            chunk = tuple(keys[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            delivered.update(
                self._rows(
                    f"SELECT key, digest FROM vitesse_delivered WHERE integration = ? AND key IN ({marks})",
                    (self.integration, *chunk),
                )
            )
            for row in self._rows(
                "SELECT key, id, digest, kind, body_digest, attempts FROM vitesse_dead_letters "
                f"WHERE integration = ? AND resolved_at IS NULL AND key IN ({marks}) ORDER BY id",
                (self.integration, *chunk),
            ):
                letters[row[0]] = OpenLetter(*row[1:])
        return {
            key: RecordState(delivered.get(key), letters.get(key)) for key in keys if key in delivered or key in letters
        }

    def settle(self, rows: list[Settled]) -> None:
        """Store the outcome of records in one transaction: marks for the delivered, letters for the others."""
        if rows:
            self._write(*self._settle_statements(rows))

    def _settle_statements(self, rows: list[Settled]) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """The statements (``?`` placeholders) with their parameter rows that store these outcomes."""
        stamp = now()
        done = [r for r in rows if r.failure is None]
        failed = [r for r in rows if r.failure is not None]
        statements: list[tuple[str, list[tuple[Any, ...]]]] = [
            (delivered_upsert(1), [(self.integration, r.key, r.digest, r.status, stamp) for r in done]),
            (
                "UPDATE vitesse_dead_letters SET resolved_at = ?, resolution = 'delivered' "
                "WHERE integration = ? AND key = ? AND resolved_at IS NULL",
                [(stamp, self.integration, r.key) for r in done if r.open_letter],
            ),
            (
                "UPDATE vitesse_dead_letters SET resolved_at = ?, resolution = 'superseded' "
                "WHERE integration = ? AND key = ? AND digest <> ? AND resolved_at IS NULL",
                [(stamp, self.integration, r.key, r.digest) for r in failed if r.open_letter],
            ),
            (
                "INSERT INTO vitesse_dead_letters (integration, key, digest, kind, record, transformed, body_digest, "
                "status, response, reason, attempts, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (integration, key, digest) WHERE resolved_at IS NULL DO UPDATE SET "
                "kind = excluded.kind, transformed = excluded.transformed, body_digest = excluded.body_digest, "
                "status = excluded.status, response = excluded.response, reason = excluded.reason, "
                "attempts = vitesse_dead_letters.attempts + excluded.attempts, updated_at = excluded.updated_at",
                [
                    (
                        self.integration,
                        r.key,
                        r.digest,
                        r.failure.kind,
                        _json(r.failure.record),
                        _json(r.failure.transformed),
                        r.failure.body_digest,
                        r.failure.status,
                        _json(r.failure.response),
                        r.failure.reason,
                        r.failure.attempts,
                        stamp,
                        stamp,
                    )
                    for r in failed
                    if r.failure is not None
                ],
            ),
        ]
        return [(sql, params) for sql, params in statements if params]

    def dead_letters(self, *, include_resolved: bool = False) -> list[dict[str, Any]]:
        query = (
            "SELECT id, key, digest, kind, record, transformed, body_digest, status, response, reason, attempts, "
            "created_at, updated_at, resolved_at, resolution FROM vitesse_dead_letters WHERE integration = ?"
        )
        if not include_resolved:
            query += " AND resolved_at IS NULL"
        out = []
        for row in self._rows(query + " ORDER BY id", (self.integration,)):
            out.append(
                {
                    "id": row[0],
                    "key": row[1],
                    "digest": row[2],
                    "kind": row[3],
                    "record": _value(row[4]),
                    "transformed": _value(row[5]),
                    "body_digest": row[6],
                    "status": row[7],
                    "response": _value(row[8]),
                    "reason": row[9],
                    "attempts": row[10],
                    "created_at": row[11],
                    "updated_at": row[12],
                    "resolved_at": row[13],
                    "resolution": row[14],
                }
            )
        return out

    def resolve_letters(self, ids: list[int], resolution: str) -> None:
        stamp = now()
        self._write(
            (
                "UPDATE vitesse_dead_letters SET resolved_at = ?, resolution = ? "
                "WHERE integration = ? AND id = ? AND resolved_at IS NULL",
                [(stamp, resolution, self.integration, i) for i in ids],
            )
        )

    def counts(self) -> dict[str, int]:
        delivered = self._rows("SELECT COUNT(*) FROM vitesse_delivered WHERE integration = ?", (self.integration,))
        letters = self._rows(
            "SELECT COUNT(*) FROM vitesse_dead_letters WHERE integration = ? AND resolved_at IS NULL",
            (self.integration,),
        )
        return {"delivered": delivered[0][0], "dead_letters": letters[0][0]}

    # -- sync history ---------------------------------------------------------------------------------------------
    def begin_sync(self, holder: str) -> int:
        """Record a sync starting on ``holder`` (call with the lease held: unfinished rows are then interrupted)."""
        stamp = now()
        self._write(
            (
                "UPDATE vitesse_syncs SET outcome = 'interrupted', finished_at = ? "
                "WHERE integration = ? AND finished_at IS NULL",
                (stamp, self.integration),
            ),
            (
                "INSERT INTO vitesse_syncs (integration, holder, started_at, outcome) VALUES (?, ?, ?, 'running')",
                (self.integration, holder, stamp),
            ),
        )
        rows = self._rows(
            "SELECT MAX(id) FROM vitesse_syncs WHERE integration = ? AND holder = ?", (self.integration, holder)
        )
        return int(rows[0][0])

    def finish_sync(self, sync_id: int, outcome: str, result: dict[str, Any] | None, error: str | None) -> None:
        self._write(
            (
                "UPDATE vitesse_syncs SET outcome = ?, finished_at = ?, result = ?, error = ? WHERE id = ?",
                (outcome, now(), _json(result), error, sync_id),
            ),
            (
                "DELETE FROM vitesse_syncs WHERE integration = ? AND id <= ?",
                (self.integration, sync_id - SYNC_HISTORY),
            ),
        )

    def last_sync(self, *, completed: bool = False) -> dict[str, Any] | None:
        """The newest sync (or the newest completed one): holder, times, outcome, counts, error."""
        where = " AND outcome = 'completed'" if completed else ""
        rows = self._rows(
            "SELECT id, holder, started_at, finished_at, outcome, result, error FROM vitesse_syncs "
            f"WHERE integration = ?{where} ORDER BY id DESC LIMIT 1",
            (self.integration,),
        )
        if not rows:
            return None
        row = rows[0]
        return {
            "id": row[0],
            "holder": row[1],
            "started_at": row[2],
            "finished_at": row[3],
            "outcome": row[4],
            "result": _value(row[5]),
            "error": row[6],
        }

    # -- cursors --------------------------------------------------------------------------------------------------
    def cursor(self, name: str) -> Any:
        rows = self._rows(
            "SELECT value FROM vitesse_cursors WHERE integration = ? AND name = ?", (self.integration, name)
        )
        return _value(rows[0][0]) if rows else None

    def save_cursor(self, name: str, value: Any) -> None:
        self._write(
            (
                "INSERT INTO vitesse_cursors (integration, name, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (integration, name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (self.integration, name, _json(value), now()),
            )
        )
