"""The runtime's durable state in SQLite: the checkpoint of a sync, delivered record keys, dead letters."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1), request TEXT NOT NULL, pages INTEGER NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS delivered (
    key TEXT PRIMARY KEY, digest TEXT NOT NULL, status INTEGER, delivered_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, digest TEXT NOT NULL, record TEXT NOT NULL,
    transformed TEXT, status INTEGER, response TEXT, reason TEXT NOT NULL, attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL, replayed_at TEXT);
CREATE INDEX IF NOT EXISTS dead_letters_open ON dead_letters (replayed_at);
"""


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class StateStore:
    """One SQLite file per deployed integration (WAL: readers never block the sync)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- checkpoint ---------------------------------------------------------------------------------------------
    def checkpoint(self) -> tuple[dict[str, Any], int] | None:
        row = self.db.execute("SELECT request, pages FROM checkpoint WHERE id = 1").fetchone()
        return (orjson.loads(row[0]), row[1]) if row else None

    def save_checkpoint(self, request: dict[str, Any], pages: int) -> None:
        with self._lock:
            self.db.execute(
                "INSERT INTO checkpoint (id, request, pages, updated_at) VALUES (1, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET request = excluded.request, pages = excluded.pages, "
                "updated_at = excluded.updated_at",
                (orjson.dumps(request).decode(), pages, _now()),
            )

    def clear_checkpoint(self) -> None:
        with self._lock:
            self.db.execute("DELETE FROM checkpoint")

    # -- delivered ----------------------------------------------------------------------------------------------
    def delivered_digests(self, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT key, digest FROM delivered WHERE key IN ({marks})", chunk).fetchall())
        return found

    def mark_delivered(self, rows: list[tuple[str, str, int | None]]) -> None:
        if not rows:
            return
        now = _now()
        with self._lock:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO delivered (key, digest, status, delivered_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET digest = excluded.digest, status = excluded.status, "
                "delivered_at = excluded.delivered_at",
                [(*row, now) for row in rows],
            )
            self.db.execute("COMMIT")

    def delivered_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM delivered").fetchone()[0]

    # -- dead letters -------------------------------------------------------------------------------------------
    def dead_letter(
        self,
        key: str,
        digest: str,
        record: Any,
        transformed: Any,
        status: int | None,
        response: Any,
        reason: str,
        attempts: int,
    ) -> None:
        with self._lock:
            self.db.execute(
                "INSERT INTO dead_letters (key, digest, record, transformed, status, response, reason, attempts, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    digest,
                    orjson.dumps(record).decode(),
                    orjson.dumps(transformed).decode() if transformed is not None else None,
                    status,
                    orjson.dumps(response).decode() if response is not None else None,
                    reason,
                    attempts,
                    _now(),
                ),
            )

    def dead_letters(self, *, include_replayed: bool = False) -> list[dict[str, Any]]:
        query = (
            "SELECT id, key, digest, record, transformed, status, response, reason, attempts, created_at, "
            "replayed_at FROM dead_letters"
        )
        if not include_replayed:
            query += " WHERE replayed_at IS NULL"
        out = []
        for row in self.db.execute(query + " ORDER BY id").fetchall():
            out.append(
                {
                    "id": row[0],
                    "key": row[1],
                    "digest": row[2],
                    "record": orjson.loads(row[3]),
                    "transformed": orjson.loads(row[4]) if row[4] else None,
                    "status": row[5],
                    "response": orjson.loads(row[6]) if row[6] else None,
                    "reason": row[7],
                    "attempts": row[8],
                    "created_at": row[9],
                    "replayed_at": row[10],
                }
            )
        return out

    def mark_replayed(self, ids: list[int]) -> None:
        with self._lock:
            self.db.executemany("UPDATE dead_letters SET replayed_at = ? WHERE id = ?", [(_now(), i) for i in ids])
