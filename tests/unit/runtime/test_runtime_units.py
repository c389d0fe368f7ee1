"""Runtime pieces without servers: paging rules and the loop guard, the token bucket, Retry-After, record keys,
the state store, log redaction."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

from vitesse.errors import RuntimeSyncError
from vitesse.ingest.models import (
    CursorPagination,
    LinkHeaderPagination,
    NextUrlPagination,
    OffsetPagination,
    PagePagination,
)
from vitesse.runtime.bundle import SideBundle
from vitesse.runtime.deliver import TokenBucket, retry_after
from vitesse.runtime.observe import runtime_logger
from vitesse.runtime.paginate import Pager, records_in
from vitesse.runtime.sync import record_key


def pager(pagination, page_size: int = 2) -> Pager:
    side = SideBundle(
        api="S",
        base_url="https://api.example.com/v1",
        method="GET",
        path="/things",
        record_path="data[]",
        pagination=pagination,
    )
    return Pager(side, page_size)


def test_cursor_from_body_and_has_more() -> None:
    p = pager(
        CursorPagination(cursor_param="cursor", cursor_path="meta.next", has_more_path="has_more", limit_param="limit")
    )
    first = p.first()
    assert first == {"url": None, "params": {"limit": 2}}
    second = p.next(first, {"meta": {"next": "c2"}, "has_more": True}, {}, [1, 2])
    assert second == {"url": None, "params": {"limit": 2, "cursor": "c2"}}
    assert p.next(second, {"meta": {"next": "c3"}, "has_more": False}, {}, [1, 2]) is None


def test_cursor_from_last_record() -> None:
    p = pager(CursorPagination(cursor_param="starting_after", cursor_from_record="id", has_more_path="has_more"))
    assert p.next(p.first(), {"has_more": True}, {}, [{"id": "a"}, {"id": "b"}])["params"] == {"starting_after": "b"}


def test_offset_page_link_and_next_url() -> None:
    offset = pager(OffsetPagination(offset_param="offset", limit_param="limit", total_path="total"))
    step = offset.next(offset.first(), {"total": 3}, {}, [1, 2])
    assert step["params"] == {"limit": 2, "offset": 2}
    assert offset.next(step, {"total": 3}, {}, [3]) is None
    page = pager(PagePagination(page_param="page", size_param="per_page", total_pages_path="pages"))
    assert page.next(page.first(), {"pages": 5}, {}, [1, 2])["params"] == {"per_page": 2, "page": 2}
    assert page.next({"url": None, "params": {"page": 5}}, {"pages": 5}, {}, [1, 2]) is None
    link = pager(LinkHeaderPagination())
    header = '<https://api.example.com/v1/things?page=2>; rel="next", <https://x/last>; rel="last"'
    assert link.next(link.first(), [], {"link": header}, [1])["url"] == "https://api.example.com/v1/things?page=2"
    assert link.next(link.first(), [], {}, [1]) is None
    nxt = pager(NextUrlPagination(next_url_path="next_page_uri"))
    assert (
        nxt.next(nxt.first(), {"next_page_uri": "/v1/things?Page=1"}, {}, [1])["url"]
        == "https://api.example.com/v1/things?Page=1"
    )


def test_empty_page_ends_and_loop_is_refused() -> None:
    p = pager(CursorPagination(cursor_param="cursor", cursor_path="next"))
    assert p.next(p.first(), {"next": "x"}, {}, []) is None
    request = {"url": None, "params": {"cursor": "same"}}
    p.check(request)
    with pytest.raises(RuntimeSyncError, match="pagination loop") as caught:
        p.check(dict(request))
    assert "cursor=same" in caught.value.message


def test_records_in() -> None:
    assert records_in({"data": [1, 2]}, "data[]") == [1, 2]
    assert records_in([1], "[]") == [1]
    assert records_in({"a": {"b": [3]}}, "a.b[]") == [3]
    assert records_in({"x": 1}, "") == [{"x": 1}]
    assert records_in({"data": None}, "data[]") == []


def test_retry_after_and_token_bucket() -> None:
    assert retry_after("2") == 2.0 and retry_after(None) is None and retry_after("soon") is None
    assert 0 <= retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0

    async def take(n: int, rate: float) -> float:
        bucket = TokenBucket(rate, burst=1)
        started = time.monotonic()
        for _ in range(n):
            await bucket.take()
        return time.monotonic() - started

    assert asyncio.run(take(11, 50.0)) >= 0.19  # 10 waits of 1/50 s after the first token
    assert asyncio.run(take(100, 0)) < 0.05  # no budget: no waiting


def test_record_keys() -> None:
    assert record_key({"id": 7}, None) == "7"
    assert record_key({"uid": "u1", "id": 7}, "uid") == "u1"
    assert record_key({"name": "x"}, None).startswith("sha:")
    assert record_key({"name": "x"}, None) == record_key({"name": "x"}, None)


def test_logs_never_show_secrets(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from vitesse.manifest.models import BearerAuth

    monkeypatch.setenv("SOME_TOKEN", "s3cr3t-value")
    logger = runtime_logger("redaction-test", [BearerAuth(type="bearer", token_env="SOME_TOKEN")])
    logger.info("calling with s3cr3t-value", extra={"fields": {"header": "Bearer s3cr3t-value"}})
    line = capsys.readouterr().err.strip()
    assert "s3cr3t-value" not in line
    entry = json.loads(line)
    assert entry["event"] == "calling with ***" and entry["header"] == "Bearer ***"
    logging.getLogger("vitesse.runtime.redaction-test").handlers.clear()


def test_logs_never_show_the_state_url_or_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATE_URL", "postgresql://vitesse:pg-pass-123@db.internal:5432/state")
    logger = runtime_logger("redaction-state", [], ("STATE_URL",))
    logger.info("connecting", extra={"fields": {"url": "postgresql://vitesse:pg-pass-123@db.internal:5432/state"}})
    logger.info("the password alone: pg-pass-123")
    lines = capsys.readouterr().err
    assert "pg-pass-123" not in lines and lines.count("***") == 2
    logging.getLogger("vitesse.runtime.redaction-state").handlers.clear()
