"""The state stores, SQLite and a real PostgreSQL, through one contract: marks, letters, syncs, cursors, the lease,
migrations, and the one-line errors for corrupt, unwritable or unreachable state."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vitesse.errors import RuntimeSyncError
from vitesse.manifest.models import PostgresState, RuntimeConfig
from vitesse.runtime.state import Failure, Settled, open_state, state_location
from vitesse.runtime.state.migrations import LATEST
from vitesse.runtime.state.postgres import masked_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "state.sqlite")
    else:
        server = request.getfixturevalue("postgres")
        yield server.create_database(f"state_{abs(hash(request.node.name)) % 10**8}")


def test_marks_checkpoint_and_counts(location: str) -> None:
    store = open_state(location, "crm")
    store.save_checkpoint({"url": None, "params": {"cursor": "c"}}, 3)
    store.settle([Settled("a", "d1", 201), Settled("b", "d2", 200)])
    store.close()
    again = open_state(location, "crm")
    assert again.checkpoint() == ({"url": None, "params": {"cursor": "c"}}, 3)
    assert {k: s.delivered for k, s in again.lookup(["a", "b", "z"]).items()} == {"a": "d1", "b": "d2"}
    assert again.counts() == {"delivered": 2, "dead_letters": 0}
    again.clear_checkpoint()
    assert again.checkpoint() is None
    other = open_state(location, "other-integration")  # one database, several integrations, nothing shared
    assert other.lookup(["a"]) == {} and other.counts()["delivered"] == 0
    other.close()
    again.close()


def test_one_open_letter_per_record_and_content(location: str) -> None:
    store = open_state(location, "crm")
    bad = Failure("transform", "created: not a date", {"id": "c", "created": "x"})
    store.settle([Settled("c", "v1", failure=bad)])
    store.settle([Settled("c", "v1", failure=bad)])  # unchanged and failing again: an attempt, not a letter
    [letter] = store.dead_letters()
    assert (letter["key"], letter["kind"], letter["attempts"], letter["record"]) == ("c", "transform", 2, bad.record)
    assert store.lookup(["c"])["c"].letter.attempts == 2
    store.settle([Settled("c", "v2", failure=bad)])  # the record changed: the old letter is superseded
    letters = store.dead_letters(include_resolved=True)
    assert [(d["digest"], d["resolution"]) for d in letters] == [("v1", "superseded"), ("v2", None)]
    store.settle([Settled("c", "v2", 201)])  # delivered at last: nothing stays open
    assert store.dead_letters() == [] and store.counts() == {"delivered": 1, "dead_letters": 0}
    rejected = Failure("rejected", "HTTP 422", {"id": "d"}, {"x": 1}, "body1", 422, {"title": "bad"})
    store.settle([Settled("d", "v1", 422, rejected)])
    [open_letter] = store.dead_letters()
    assert (open_letter["status"], open_letter["response"], open_letter["body_digest"]) == (
        422,
        {"title": "bad"},
        "body1",
    )
    store.resolve_letters([open_letter["id"]], "replayed")
    assert store.dead_letters() == []
    store.close()


def test_sync_history_and_cursors(location: str) -> None:
    store = open_state(location, "crm")
    first = store.begin_sync("host-a:1")
    assert store.last_sync()["outcome"] == "running"
    second = store.begin_sync("host-b:2")  # the lease moved on: an unfinished sync was interrupted
    store.finish_sync(second, "completed", {"read": 3, "written": 3}, None)
    history = store.last_sync()
    assert (history["id"], history["holder"], history["result"]) == (second, "host-b:2", {"read": 3, "written": 3})
    assert store.last_sync(completed=True)["id"] == second and first < second
    third = store.begin_sync("host-b:2")
    store.finish_sync(third, "failed", None, "source down")
    assert store.last_sync()["error"] == "source down" and store.last_sync(completed=True)["id"] == second
    assert store.cursor("updated_at") is None
    store.save_cursor("updated_at", "2026-01-01T00:00:00Z")
    store.save_cursor("updated_at", 2**70)  # any JSON value, big integers included
    assert store.cursor("updated_at") == 2**70
    store.close()


def test_the_lease_has_one_holder(location: str) -> None:
    one, two = open_state(location, "crm"), open_state(location, "crm")
    first, second = one.lease(), two.lease()
    assert first.acquire() and not second.acquire()
    first.check()
    first.release()
    assert second.acquire()
    another = open_state(location, "another")
    third = another.lease()
    assert third.acquire()  # leases are per integration
    third.release()
    another.close()
    second.release()
    one.close()
    two.close()


def test_the_lease_is_released_when_its_holder_is_killed(location: str, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom vitesse.runtime.state import open_state\n"
            "lease = open_state(sys.argv[1], 'crm').lease()\nassert lease.acquire()\nprint('held', flush=True)\n"
            "time.sleep(60)",
            location,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        store = open_state(location, "crm")
        assert not store.lease().acquire()
        holder.kill()
        holder.wait(30)
        lease = store.lease()
        for _ in range(50):  # PostgreSQL notices the closed connection within moments
            if lease.acquire():
                break
            import time

            time.sleep(0.1)
        assert lease.acquire()
        lease.release()
        store.close()
    finally:
        holder.kill()
        holder.wait(30)
        holder.stdout.close()


def test_migrations_are_versioned_and_newer_stores_refused(location: str) -> None:
    store = open_state(location, "crm")
    assert store.schema_version() == LATEST
    store._write(("INSERT INTO vitesse_schema (version, description, applied_at) VALUES (?, ?, ?)", (99, "x", "-")))
    store.close()
    with pytest.raises(RuntimeSyncError, match="schema version 99, written by a newer vitesse") as caught:
        open_state(location, "crm")
    assert caught.value.code == "runtime.state_version"


def test_a_sqlite_file_from_before_versioning_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), request TEXT NOT NULL, pages INTEGER NOT NULL,
            updated_at TEXT NOT NULL);
        CREATE TABLE delivered (key TEXT PRIMARY KEY, digest TEXT NOT NULL, status INTEGER, delivered_at TEXT NOT NULL);
        CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, digest TEXT NOT NULL,
            record TEXT NOT NULL, transformed TEXT, status INTEGER, response TEXT, reason TEXT NOT NULL,
            attempts INTEGER NOT NULL, created_at TEXT NOT NULL, replayed_at TEXT);
        INSERT INTO checkpoint VALUES (1, '{"url": null, "params": {"page": 4}}', 3, '2026-01-01T00:00:00Z');
        INSERT INTO delivered VALUES ('a', 'd1', 201, '2026-01-01T00:00:00Z');
        INSERT INTO dead_letters (key, digest, record, status, reason, attempts, created_at) VALUES
            ('b', 'd2', '{"id": "b"}', NULL, 'transform: age: not a number', 0, '2026-01-01T00:00:00Z'),
            ('b', 'd2', '{"id": "b"}', NULL, 'transform: age: not a number', 0, '2026-01-02T00:00:00Z'),
            ('c', 'd3', '{"id": "c"}', 422, 'HTTP 422', 1, '2026-01-01T00:00:00Z');
        """
    )
    db.close()
    store = open_state(path, "crm")
    assert store.checkpoint() == ({"url": None, "params": {"page": 4}}, 3)
    assert store.lookup(["a"])["a"].delivered == "d1"
    letters = store.dead_letters()
    assert [(d["key"], d["kind"]) for d in letters] == [("b", "transform"), ("c", "rejected")]  # duplicates folded
    tables = {r[0] for r in store._rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"checkpoint", "delivered", "dead_letters"}
    store.close()


def test_corrupt_and_unwritable_state_are_one_clear_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database, it is a text file" * 100)
    with pytest.raises(RuntimeSyncError) as caught:
        open_state(junk, "crm")
    assert caught.value.code == "runtime.state_corrupt"
    assert str(junk) in caught.value.message and "move it aside" in caught.value.message
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(RuntimeSyncError) as caught:
        open_state(blocked / "sub" / "state.sqlite", "crm")  # a file where a folder should be
    assert caught.value.code == "runtime.state_unwritable" and "writable --state" in caught.value.message
    with pytest.raises(RuntimeSyncError, match="did you mean postgresql://") as caught:
        open_state("postgresq://x@localhost/db", "crm")
    assert caught.value.code == "runtime.state_unknown"


def test_an_unreachable_database_names_it_without_the_password() -> None:
    url = "postgresql://vitesse:hunter2-secret@127.0.0.1:9/state"
    with pytest.raises(RuntimeSyncError) as caught:
        open_state(url, "crm")
    assert caught.value.code == "runtime.state_unreachable"
    assert "hunter2-secret" not in caught.value.message and "postgresql://vitesse:***@127.0.0.1:9/state" in str(
        caught.value
    )
    assert masked_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_state_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "bundle.json"
    assert state_location(RuntimeConfig(), bundle, "crm") == str(tmp_path / "crm.state.sqlite")
    assert state_location(RuntimeConfig(), bundle, "crm", "elsewhere.sqlite") == "elsewhere.sqlite"
    shared = RuntimeConfig(state=PostgresState(type="postgresql", url_env="CRM_STATE_URL"))
    monkeypatch.delenv("CRM_STATE_URL", raising=False)
    with pytest.raises(RuntimeSyncError, match="environment variable CRM_STATE_URL is not set"):
        state_location(shared, bundle, "crm")
    monkeypatch.setenv("CRM_STATE_URL", "postgresql://u:p@db/state")
    assert state_location(shared, bundle, "crm") == "postgresql://u:p@db/state"


@pytest.mark.postgres
def test_the_async_writer_commits_marks_and_letters(postgres) -> None:
    import asyncio

    url = postgres.create_database("async_writer")
    store = open_state(url, "crm")

    async def commit() -> None:
        writer = await store.open_writer()
        await writer.settle([Settled("a", "d1", 201), Settled("a", "d2", 201), Settled("b", "d1", 200)])
        await writer.settle([Settled("c", "d1", failure=Failure("failed", "HTTP 503", {"id": "c"}, status=503))])
        await writer.aclose()

    asyncio.run(commit())
    known = store.lookup(["a", "b", "c"])
    assert (known["a"].delivered, known["b"].delivered, known["c"].letter.kind) == ("d2", "d1", "failed")
    store.close()
