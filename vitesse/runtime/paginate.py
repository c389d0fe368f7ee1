"""Read every page of the source endpoint, in the pagination style ingest detected, with a loop guard.

A page request is plain data (``{"url": ..., "params": {...}}``) so the sync can checkpoint it and resume there. A
request seen twice in one sync (a cursor or next link that does not move) ends the read with an error instead of
looping forever.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from vitesse.errors import RuntimeSyncError
from vitesse.hashing import canonical_json
from vitesse.ingest.models import (
    CursorPagination,
    LinkHeaderPagination,
    NextUrlPagination,
    OffsetPagination,
    PagePagination,
)
from vitesse.runtime.bundle import SideBundle

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;[^,]*rel="?next"?', re.IGNORECASE)


def dig(body: Any, path: str | None) -> Any:
    """The value at a dotted path of a response body (``pages.next.starting_after``)."""
    if not path:
        return None
    node = body
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def records_in(body: Any, record_path: str) -> list[Any]:
    """The records in a response body (`data[]` -> body["data"], `[]` -> body, `""` -> [body]); the guardian too."""
    if record_path == "":
        return [body] if body is not None else []
    if record_path == "[]":
        return body if isinstance(body, list) else []
    node = dig(body, record_path.removesuffix("[]"))
    if record_path.endswith("[]"):
        return node if isinstance(node, list) else []
    return [node] if node is not None else []


class Pager:
    """Turns one page's response into the request for the next page (or None at the end)."""

    def __init__(self, side: SideBundle, page_size: int) -> None:
        self.side = side
        self.pagination = side.pagination
        self.page_size = page_size
        self.seen: set[bytes] = set()

    def first(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        p = self.pagination
        size_param = getattr(p, "limit_param", None) or getattr(p, "size_param", None)
        if size_param:
            params[size_param] = self.page_size
        if isinstance(p, PagePagination):
            params[p.page_param] = 1
        if isinstance(p, OffsetPagination):
            params[p.offset_param] = 0
        return {"url": None, "params": params}

    def check(self, request: dict[str, Any]) -> None:
        """Refuse a request this sync has already made: the source is paging in a loop."""
        key = canonical_json(request)
        if key in self.seen:
            raise RuntimeSyncError(
                f"pagination loop: the source asked for the same page twice ({_describe(request)}); stopping the "
                "read instead of looping forever",
                code="runtime.pagination_loop",
            )
        self.seen.add(key)

    def next(
        self, request: dict[str, Any], body: Any, headers: dict[str, str], records: list[Any]
    ) -> dict[str, Any] | None:
        p = self.pagination
        params = dict(request["params"])
        if p is None or not records:
            return None
        if isinstance(p, CursorPagination):
            if p.has_more_path is not None and dig(body, p.has_more_path) is False:
                return None
            cursor = dig(body, p.cursor_path) if p.cursor_path else None
            if cursor is None and p.cursor_from_record and isinstance(records[-1], dict):
                cursor = records[-1].get(p.cursor_from_record)
            if cursor in (None, ""):
                return None
            params[p.cursor_param] = cursor
            return {"url": request["url"], "params": params}
        if isinstance(p, OffsetPagination):
            offset = int(params.get(p.offset_param, 0)) + len(records)
            total = dig(body, p.total_path) if p.total_path else None
            if (isinstance(total, int) and offset >= total) or (p.limit_param and len(records) < self.page_size):
                return None
            params[p.offset_param] = offset
            return {"url": request["url"], "params": params}
        if isinstance(p, PagePagination):
            page = int(params.get(p.page_param, 1)) + 1
            total = dig(body, p.total_pages_path) if p.total_pages_path else None
            if (isinstance(total, int) and page > total) or (p.size_param and len(records) < self.page_size):
                return None
            params[p.page_param] = page
            return {"url": request["url"], "params": params}
        if isinstance(p, LinkHeaderPagination):
            match = _LINK_NEXT.search(headers.get("link", ""))
            return {"url": match.group(1), "params": {}} if match else None
        if isinstance(p, NextUrlPagination):
            target = dig(body, p.next_url_path)
            if not isinstance(target, str) or not target:
                return None
            return {"url": urljoin(self.side.base_url.rstrip("/") + "/", target), "params": {}}
        return None


def _describe(request: dict[str, Any]) -> str:
    if request.get("url"):
        return str(request["url"])
    return ", ".join(f"{k}={v}" for k, v in sorted(request["params"].items())) or "the first page"
