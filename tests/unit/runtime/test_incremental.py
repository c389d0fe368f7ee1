"""Incremental reads in every pagination style: the first page sends since=<mark>, later pages keep it (or follow the
API's own URL), the mark is the largest cursor value and moves only when a sync completes."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.unit.runtime.fakes import STYLES, FakeApis, Source, Tasks, bundle
from vitesse.errors import RuntimeSyncError
from vitesse.manifest.models import Incremental
from vitesse.runtime import http
from vitesse.runtime.bundle import Bundle
from vitesse.runtime.incremental import HighWater
from vitesse.runtime.state import open_state
from vitesse.runtime.sync import Syncer, SyncResult

MARK = "incremental:since:updated_at"


def things(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": f"r{i:03d}", "name": f"thing {i}", "updated_at": f"2024-01-01T00:{i:02d}:00Z"}
        for i in range(start, start + count)
    ]


@pytest.fixture
def apis(monkeypatch: pytest.MonkeyPatch) -> FakeApis:
    fake = FakeApis()
    monkeypatch.setattr(http, "exchange", fake)
    return fake


def run(b: Bundle, path: Path) -> tuple[SyncResult, Any]:
    state = open_state(path, b.integration)
    try:
        return asyncio.run(Syncer(b, state).run()), state.cursor(MARK)
    finally:
        state.close()


def incremental(style: str, **settings: Any) -> Bundle:
    config = Incremental(cursor_field="updated_at", param="since", **settings)
    return bundle(f"inc-{style}", style=style, source={"incremental": config})


@pytest.mark.parametrize("style", list(STYLES))
def test_each_pagination_style_reads_only_what_changed(style: str, apis: FakeApis, tmp_path: Path) -> None:
    records = things(7)
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records, style))
    tasks = Tasks()
    tasks.mount(apis)
    b = incremental(style)

    first, mark = run(b, tmp_path / "s.sqlite")
    reads = apis.calls("GET", "/v1/accounts")
    assert (first.read, first.written, first.pages) == (7, 7, 3)
    assert "since" not in reads[0].query  # no mark, no initial: read everything
    assert mark == "2024-01-01T00:06:00Z"
    assert all(r.path == "/v1/accounts/acme%20corp/things" and r.query["region"] == "eu" for r in reads)
    assert all(r.headers.get("X-Api-Version") == "2" for r in reads)  # header params on every page

    records[2].update(name="edited", updated_at="2024-02-01T00:00:00Z")
    records[5].update(name="edited too", updated_at="2024-02-01T00:00:05Z")
    records.append({"id": "r100", "name": "new", "updated_at": "2024-02-01T00:00:01Z"})
    apis.seen.clear()
    second, mark = run(b, tmp_path / "s.sqlite")
    reads = apis.calls("GET", "/v1/accounts")
    assert (second.read, second.written, second.created) == (3, 3, 3)
    assert all(r.query["since"] == "2024-01-01T00:06:00Z" for r in reads)  # every page asks since the old mark
    assert all(r.query["region"] == "eu" for r in reads)
    assert mark == "2024-02-01T00:00:05Z"

    apis.seen.clear()
    third, mark = run(b, tmp_path / "s.sqlite")
    assert (third.read, third.pages) == (0, 1) and mark == "2024-02-01T00:00:05Z"  # nothing new: the mark stays
    assert apis.calls("GET", "/v1/accounts")[0].query["since"] == "2024-02-01T00:00:05Z"


def test_initial_is_sent_when_there_is_no_mark(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(things(5), "cursor"))
    Tasks().mount(apis)
    result, mark = run(incremental("cursor", initial="2024-01-01T00:02:00Z"), tmp_path / "s.sqlite")
    assert apis.seen[0].query["since"] == "2024-01-01T00:02:00Z"
    assert result.read == 2 and mark == "2024-01-01T00:04:00Z"


def test_numbers_compare_as_numbers(apis: FakeApis, tmp_path: Path) -> None:
    records = [{"id": f"n{v}", "name": "x", "updated_at": v} for v in (9, 100, 10, 99.5)]
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records, "offset"))
    Tasks().mount(apis)
    _, mark = run(incremental("offset"), tmp_path / "s.sqlite")
    assert mark == 100  # as text "99.5" > "9" > "100"


def test_records_without_a_cursor_are_delivered_counted_and_logged_once(
    apis: FakeApis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = things(4)
    records[1].pop("updated_at")
    records[2]["updated_at"] = None
    records.insert(0, {"id": "x0", "name": "odd", "updated_at": 5})  # the first value's type (number) decides
    records.append({"id": "x1", "name": "odd", "updated_at": {"at": "2024"}})
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records, "page"))
    tasks = Tasks()
    tasks.mount(apis)
    b = incremental("page").model_copy(update={"integration": "inc-without-cursor"})
    try:
        result, mark = run(b, tmp_path / "s.sqlite")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        logging.getLogger("vitesse.runtime.inc-without-cursor").handlers.clear()
    assert result.read == result.written == 6
    assert (result.without_cursor, result.unusable_cursor) == (2, 3)  # 2 missing; 2 strings and an object
    assert mark == 5
    warned = [line for line in lines if "without a usable updated_at" in line["event"]]
    assert len(warned) == 1 and warned[0]["without_cursor"] == 2 and warned[0]["unusable_cursor"] == 3


def test_a_failed_sync_does_not_move_the_mark_and_its_resume_keeps_what_it_read(apis: FakeApis, tmp_path: Path) -> None:
    records = things(6)
    records[0]["updated_at"] = "2024-09-09T00:00:00Z"  # the largest value is on the first page
    source = Source(records, "cursor")
    broken = {"on": True}

    def flaky(request: Any, match: Any) -> Any:
        if broken["on"] and request.query.get("starting_after"):
            return 400, {"title": "page 2 is broken today"}
        return source(request, match)

    apis.route("GET", r"/v1/accounts/([^/]+)/things", flaky)
    Tasks().mount(apis)
    b = incremental("cursor")
    with pytest.raises(RuntimeSyncError, match="HTTP 400"):
        run(b, tmp_path / "s.sqlite")
    state = open_state(tmp_path / "s.sqlite", b.integration)
    assert state.cursor(MARK) is None  # failed: the mark did not move
    assert state.checkpoint() is not None
    state.close()
    broken["on"] = False
    resumed, mark = run(b, tmp_path / "s.sqlite")
    assert resumed.resumed and resumed.read == 3
    assert mark == "2024-09-09T00:00:00Z"  # page 1's value, read before the failure, still counts


def test_a_killed_delivery_leaves_the_mark(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(things(4), "cursor"))

    def dying(request: Any, match: Any) -> Any:
        raise KeyboardInterrupt  # as if the process died while records were in flight

    apis.route("POST", r"/api/workspaces/([^/]+)/tasks", dying)
    b = incremental("cursor")
    with pytest.raises(KeyboardInterrupt):
        run(b, tmp_path / "s.sqlite")
    state = open_state(tmp_path / "s.sqlite", b.integration)
    assert state.cursor(MARK) is None
    state.close()


def test_the_mark_never_moves_backwards(tmp_path: Path) -> None:
    state = open_state(tmp_path / "s.sqlite", "hw")
    mark = HighWater(Incremental(cursor_field="meta.updated", param="since"), state)
    state.save_cursor(mark.name, "2024-05-01")
    assert mark.start(resumed=False) == {"since": "2024-05-01"}
    mark.observe([{"meta": {"updated": "2024-04-01"}}, {"meta": {}}, "not a record"])
    assert mark.complete() == "2024-05-01" and mark.without_cursor == 2
    state.close()
