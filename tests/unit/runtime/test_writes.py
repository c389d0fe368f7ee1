"""Write modes: the registry, insert, upsert (lookup, client-side match, create or update in place) and update, with
lost answers, lookup retries and the ambiguous letters those modes may resend."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.unit.runtime.fakes import LOST, FakeApis, Source, Tasks, bundle, logic
from vitesse.errors import RuntimeSyncError
from vitesse.ingest.models import CursorPagination, Parameter
from vitesse.runtime import http
from vitesse.runtime.bundle import Bundle, LookupBundle, UpdateBundle, WriteBundle
from vitesse.runtime.state import open_state
from vitesse.runtime.sync import Syncer, SyncResult
from vitesse.runtime.writes import WRITE_MODES, Insert, register, write_mode


def records(count: int) -> list[dict[str, Any]]:
    return [{"id": f"ref-{i}", "name": f"task {i}", "updated_at": f"2024-01-{i + 1:02d}"} for i in range(count)]


def write_config(mode: str = "upsert", **lookup: Any) -> WriteBundle:
    return WriteBundle(
        mode=mode,
        match_key="external_ref",
        lookup=LookupBundle(
            path="/workspaces/{ws}/tasks",
            query={"external_ref": "{external_ref}"},
            parameters=[Parameter(name="ws", location="path"), Parameter(name="external_ref", location="query")],
            record_path="data[]",
            **lookup,
        ),
        update=UpdateBundle(
            method="PATCH",
            path="/workspaces/{ws}/tasks/{gid}",
            parameters=[Parameter(name="ws", location="path"), Parameter(name="task_gid", location="path")],
            content_type="application/json",
        ),
    )


def upsert_bundle(mode: str = "upsert", name: str = "writes", **runtime: Any) -> Bundle:
    return bundle(name, destination={"write": write_config(mode)}, runtime=runtime)


@pytest.fixture
def apis(monkeypatch: pytest.MonkeyPatch) -> FakeApis:
    fake = FakeApis()
    monkeypatch.setattr(http, "exchange", fake)
    return fake


def run(b: Bundle, path: Path, *, replay: bool = False) -> Any:
    state = open_state(path, b.integration)
    try:
        syncer = Syncer(b, state)
        result: SyncResult | dict[str, int] = asyncio.run(syncer.replay() if replay else syncer.run())
        return result, state.dead_letters()
    finally:
        state.close()


def test_registry_knows_the_modes_and_suggests_the_closest() -> None:
    assert sorted(WRITE_MODES) == ["insert", "update", "upsert"]
    assert write_mode("insert") is Insert
    assert write_mode("upsert").resend_safe and not write_mode("insert").resend_safe
    with pytest.raises(RuntimeSyncError, match=r"unknown write mode 'upsrt'.*did you mean 'upsert'\?"):
        write_mode("upsrt")

    class NotAMode:
        name = "broken"

    with pytest.raises(TypeError, match="no resend_safe, check, attempt"):
        register(NotAMode)  # type: ignore[arg-type]
    assert "broken" not in WRITE_MODES


def test_upsert_creates_then_updates_in_place(apis: FakeApis, tmp_path: Path) -> None:
    source = records(5)
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(source, "cursor"))
    tasks = Tasks()
    tasks.mount(apis)
    b = upsert_bundle()
    first, letters = run(b, tmp_path / "s.sqlite")
    assert (first.written, first.created, first.updated, letters) == (5, 5, 0, [])
    lookups = apis.calls("GET", "/api/")
    assert lookups[0].path == "/api/workspaces/w1/tasks" and lookups[0].query["external_ref"] == "ref-0"
    assert "ws" not in lookups[0].query and "region" not in lookups[0].query

    source[1]["name"] = "renamed"  # "ref-1" loosely matches "ref-1" only here; see the next test for loose answers
    apis.seen.clear()
    second, _ = run(b, tmp_path / "s.sqlite")
    assert (second.written, second.created, second.updated, second.skipped) == (1, 0, 1, 4)
    patch = apis.calls("PATCH")[0]
    assert patch.path == "/api/workspaces/w1/tasks/t2" and patch.body["name"] == "renamed"
    assert len(patch.headers["Idempotency-Key"]) == 32
    assert tasks.by_ref() == {f"ref-{i}": 1 for i in range(5)} and tasks.tasks["t2"]["name"] == "renamed"


def test_loose_lookup_answers_are_filtered_by_the_match_key(apis: FakeApis, tmp_path: Path) -> None:
    # "ref-1" is a substring of "ref-10", "ref-11"...: the fake answers them all, as loose search APIs do
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(12), "cursor"))
    tasks = Tasks()
    tasks.tasks = {"t0": {"gid": "t0", "external_ref": "ref-10", "name": "old"}}
    tasks.mount(apis)
    result, letters = run(upsert_bundle(), tmp_path / "s.sqlite")
    assert letters == [] and result.written == 12
    assert tasks.by_ref() == {f"ref-{i}": 1 for i in range(12)}  # ref-1 did not update ref-10
    assert result.updated == 1 and tasks.tasks["t0"]["name"] == "task 10"


def test_two_matches_are_a_rejected_letter_naming_the_key(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(2), "cursor"))
    tasks = Tasks()
    tasks.tasks = {g: {"gid": g, "external_ref": "ref-0"} for g in ("a", "b")}
    tasks.mount(apis)
    result, letters = run(upsert_bundle(), tmp_path / "s.sqlite")
    assert result.written == 1 and result.failures == {"rejected": 1}
    assert letters[0]["key"] == "ref-0" and "2 destination records with external_ref=ref-0" in letters[0]["reason"]
    assert not apis.calls("PATCH")


def test_update_mode_never_creates(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(3), "cursor"))
    tasks = Tasks()
    tasks.tasks = {"t9": {"gid": "t9", "external_ref": "ref-2", "name": "old"}}
    tasks.mount(apis)
    result, letters = run(upsert_bundle("update"), tmp_path / "s.sqlite")
    assert (result.written, result.updated, result.created) == (1, 1, 0)
    assert not apis.calls("POST") and tasks.tasks["t9"]["name"] == "task 2"
    assert {d["key"]: d["reason"] for d in letters} == {
        "ref-0": "no destination record with external_ref=ref-0",
        "ref-1": "no destination record with external_ref=ref-1",
    }
    assert {d["kind"] for d in letters} == {"rejected"}


def test_a_lost_create_answer_is_retried_as_an_update(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(6), "cursor"))
    tasks = Tasks(lose={"ref-0", "ref-3"})  # applied, then the answer is lost
    tasks.mount(apis)
    result, letters = run(upsert_bundle(), tmp_path / "s.sqlite")
    assert letters == [] and (result.written, result.created, result.updated) == (6, 4, 2)
    assert tasks.by_ref() == {f"ref-{i}": 1 for i in range(6)}  # no duplicate
    assert len(apis.calls("POST")) == 6
    post = next(c for c in apis.calls("POST") if c.body["external_ref"] == "ref-0")
    patch = next(c for c in apis.calls("PATCH") if c.body["external_ref"] == "ref-0")
    assert patch.path == f"/api/workspaces/w1/tasks/{post_gid(tasks, 'ref-0')}"
    # the update carries a key of its own: an API that honours keys would refuse the create's key on a PATCH
    assert post.headers["Idempotency-Key"] != patch.headers["Idempotency-Key"]


def post_gid(tasks: Tasks, ref: str) -> str:
    return next(gid for gid, t in tasks.tasks.items() if t["external_ref"] == ref)


def test_lookups_retry_like_writes(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(1), "cursor"))
    tasks = Tasks(lookup_faults=2)
    tasks.mount(apis)
    result, letters = run(upsert_bundle(), tmp_path / "s.sqlite")
    assert result.written == 1 and letters == [] and len(apis.calls("GET", "/api/")) == 3

    tasks.lookup_faults = 99
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(2), "cursor"))
    _, letters = run(upsert_bundle(name="writes-2"), tmp_path / "s2.sqlite")
    assert letters and letters[0]["kind"] == "failed" and letters[0]["reason"].startswith("lookup GET ")


def test_ambiguous_upserts_are_resent_not_held(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(2), "cursor"))
    tasks = Tasks()
    tasks.mount(apis)
    outage = {"on": True}

    def create(request: Any, match: Any) -> Any:
        if outage["on"] and request.body["external_ref"] == "ref-1":
            tasks.create(request, match)
            return LOST  # every attempt applied, no answer: ambiguous
        return tasks.create(request, match)

    apis.routes.insert(0, ("POST", r"/api/workspaces/([^/]+)/tasks", create))
    b = upsert_bundle(max_attempts=1)
    first, letters = run(b, tmp_path / "s.sqlite")
    assert first.failures == {"ambiguous": 1} and letters[0]["key"] == "ref-1"
    outage["on"] = False
    second, letters = run(b, tmp_path / "s.sqlite")
    assert (second.held, second.written, second.updated) == (0, 1, 1) and letters == []
    assert tasks.by_ref() == {"ref-0": 1, "ref-1": 1}


def test_replay_sends_ambiguous_upserts_without_being_asked(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(1), "cursor"))
    tasks = Tasks()
    tasks.mount(apis)
    apis.routes.insert(0, ("POST", r"/api/workspaces/([^/]+)/tasks", lambda r, m: LOST))
    b = upsert_bundle(max_attempts=1)
    run(b, tmp_path / "s.sqlite")
    apis.routes.pop(0)
    outcome, letters = run(b, tmp_path / "s.sqlite", replay=True)
    assert outcome == {"replayed": 1, "still_failing": 0, "held": 0} and letters == []


def test_a_record_without_its_match_key_is_invalid_before_any_request(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source([{"name": "no id"}], "cursor"))
    Tasks().mount(apis)
    result, letters = run(upsert_bundle(), tmp_path / "s.sqlite")
    assert result.failures == {"invalid": 1} and not apis.calls("GET", "/api/")
    assert "has no external_ref to look it up by" in letters[0]["reason"]


def test_lookup_pages_are_followed_and_bounded(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(2), "cursor"))
    others = [{"gid": f"o{i}", "external_ref": f"other-{i}"} for i in range(40)]

    def paged_lookup(request: Any, match: Any) -> Any:  # ignores the filter; the match is on page 3 for ref-0
        rows = (
            [*others[:6], {"gid": "m", "external_ref": "ref-0"}] if request.query["external_ref"] == "ref-0" else others
        )
        start = next((i + 1 for i, r in enumerate(rows) if r["gid"] == request.query.get("after")), 0)
        return 200, {"data": rows[start : start + 3], "more": start + 3 < len(rows)}

    apis.route("GET", r"/api/workspaces/([^/]+)/tasks", paged_lookup)
    apis.route("PATCH", r"/api/workspaces/w1/tasks/m", lambda r, m: (200, {"gid": "m"}))
    pagination = CursorPagination(cursor_param="after", cursor_from_record="gid", has_more_path="more")
    write = write_config(pagination=pagination)
    b = bundle("paged", destination={"write": write})
    result, letters = run(b, tmp_path / "s.sqlite")
    assert result.updated == 1 and len(apis.calls("PATCH")) == 1
    assert [d["key"] for d in letters] == ["ref-1"] and "more than 10 pages" in letters[0]["reason"]


def test_the_update_path_needs_the_found_records_id(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(1), "cursor"))
    apis.route("GET", r"/api/workspaces/([^/]+)/tasks", lambda r, m: (200, {"data": [{"external_ref": "ref-0"}]}))
    _, letters = run(upsert_bundle(), tmp_path / "s.sqlite")
    assert letters[0]["kind"] == "rejected"
    assert "the record the lookup found has no gid" in letters[0]["reason"]


def test_get_by_key_lookups_and_query_templates(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(2), "cursor"))
    tasks = Tasks()
    tasks.tasks = {"t1": {"gid": "t1", "external_ref": "ref-1", "name": "old"}}
    tasks.mount(apis)

    def by_key(request: Any, match: Any) -> Any:  # GET /workspaces/{ws}/refs/{external_ref}: one record or 404
        found = [t for t in tasks.tasks.values() if t["external_ref"] == match.group(2)]
        return (200, found[0]) if found else (404, {"title": "no such task"})

    apis.route("GET", r"/api/workspaces/([^/]+)/refs/([^/]+)", by_key)
    write = write_config()
    lookup = write.lookup.model_copy(  # type: ignore[union-attr]
        update={"path": "/workspaces/{ws}/refs/{external_ref}", "query": {"q": "ref:{external_ref}"}, "record_path": ""}
    )
    b = bundle("by-key", destination={"write": write.model_copy(update={"lookup": lookup})})
    result, letters = run(b, tmp_path / "s.sqlite")
    assert letters == [] and (result.created, result.updated) == (1, 1)
    first = apis.calls("GET", "/api/")[0]
    assert first.path == "/api/workspaces/w1/refs/ref-0"
    assert first.query == {"q": "ref:ref-0"}  # the declared external_ref is in the path and the template only
    assert tasks.by_ref() == {"ref-0": 1, "ref-1": 1} and tasks.tasks["t1"]["name"] == "task 1"


def test_a_field_used_only_in_the_query_template_is_not_sent_on_its_own(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(3), "cursor"))
    tasks = Tasks()
    tasks.mount(apis)
    write = write_config()
    lookup = write.lookup.model_copy(update={"query": {"q": "ref:{external_ref}"}})  # type: ignore[union-attr]
    b = bundle("template-only", destination={"write": write.model_copy(update={"lookup": lookup})})
    result, letters = run(b, tmp_path / "s.sqlite")
    assert {c.query["q"] for c in apis.calls("GET", "/api/")} == {"ref:ref-0", "ref:ref-1", "ref:ref-2"}
    assert all("external_ref" not in c.query for c in apis.calls("GET", "/api/"))  # declared, yet only in q
    # this lookup filters nothing (it answers every task): the match key filter keeps one record per key
    assert letters == [] and result.created == 3 and tasks.by_ref() == {"ref-0": 1, "ref-1": 1, "ref-2": 1}


def test_records_with_the_same_match_key_take_turns(apis: FakeApis, tmp_path: Path) -> None:
    twins = [{"id": "ref-0", "name": f"twin {n}", "key": f"k{n}"} for n in range(3)]
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(twins, "cursor"))
    tasks = Tasks()
    tasks.mount(apis)
    b = upsert_bundle(key_field="key")  # three source records, one destination match key
    result, letters = run(b, tmp_path / "s.sqlite")
    assert letters == [] and (result.created, result.updated) == (1, 2) and tasks.by_ref() == {"ref-0": 1}


def test_a_wrapped_request_body_matches_the_unwrapped_records_the_lookup_finds(apis: FakeApis, tmp_path: Path) -> None:
    apis.route("GET", r"/v1/accounts/([^/]+)/things", Source(records(2), "cursor"))
    found = {"gid": "t7", "external": {"ref": "ref-1"}, "name": "old"}  # Asana: {"data": [...]} of bare tasks
    apis.route("GET", r"/api/workspaces/([^/]+)/tasks", lambda r, m: (200, {"data": [found]}))
    apis.route("POST", r"/api/workspaces/([^/]+)/tasks", lambda r, m: (201, {"data": {"gid": "t8"}}))
    apis.route("PATCH", r"/api/workspaces/([^/]+)/tasks/([^/]+)", lambda r, m: (200, {"data": {"gid": m.group(2)}}))
    write = write_config().model_copy(update={"match_key": "data.external.ref"})
    lookup = write.lookup.model_copy(update={"query": {"external_ref": "{data.external.ref}"}})  # type: ignore[union-attr]
    b = bundle("wrapped", destination={"write": write.model_copy(update={"lookup": lookup})})
    b = b.model_copy(update={"mapping": logic({"id": "data.external.ref", "name": "data.name"})})
    result, letters = run(b, tmp_path / "s.sqlite")
    assert letters == [] and (result.created, result.updated) == (1, 1)
    patch = apis.calls("PATCH")[0]
    assert patch.path == "/api/workspaces/w1/tasks/t7" and patch.body == {
        "data": {"external": {"ref": "ref-1"}, "name": "task 1"}
    }
