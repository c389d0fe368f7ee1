"""Detect an endpoint's pagination style from its query parameters, response envelope and response headers."""

from __future__ import annotations

from typing import Any

from vitesse.ingest.models import (
    CursorPagination,
    LinkHeaderPagination,
    NextUrlPagination,
    OffsetPagination,
    PagePagination,
)

CURSOR_PARAMS = (
    "starting_after",
    "cursor",
    "after",
    "page_token",
    "pagetoken",
    "next_token",
    "nexttoken",
    "continuation",
    "continuation_token",
    "continuationtoken",
    "marker",
    "page[cursor]",
    "page[after]",
    "offset",
    "since",
    "next",
    "page_after",
    "start_cursor",
    "next_page_token",
)
CURSOR_FIELDS = (
    "next_cursor",
    "nextcursor",
    "next_page_token",
    "nextpagetoken",
    "next_token",
    "nexttoken",
    "continuation_token",
    "continuationtoken",
    "starting_after",
    "next_marker",
    "nextmarker",
    "end_cursor",
    "endcursor",
    "cursor",
    "after",
    "offset",
    "next_page_cursor",
)
NEXT_URL_FIELDS = ("next_page_uri", "next_page_url", "next_url", "nextlink", "@odata.nextlink", "next", "next_uri")
HAS_MORE_FIELDS = ("has_more", "hasmore", "has_next", "hasnext", "more", "has_next_page", "hasnextpage")
LIMIT_PARAMS = (
    "limit",
    "per_page",
    "perpage",
    "page_size",
    "pagesize",
    "page[size]",
    "count",
    "size",
    "top",
    "max_results",
    "maxresults",
    "$top",
)
OFFSET_PARAMS = ("offset", "skip", "$skip", "start")
PAGE_PARAMS = ("page", "page_number", "pagenumber", "page[number]", "p", "pageno")
TOTAL_FIELDS = ("total", "total_count", "totalcount", "count", "total_results")
TOTAL_PAGES_FIELDS = ("total_pages", "totalpages", "page_count", "pages")

Pagination = CursorPagination | OffsetPagination | PagePagination | LinkHeaderPagination | NextUrlPagination


def _pick(names: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    return next((names[c] for c in candidates if c in names), None)


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower()


def _field(fields: dict[str, dict[str, Any]], candidates: tuple[str, ...], types: tuple[str, ...]) -> str | None:
    """The shortest envelope path whose leaf name is a candidate (in candidate order) and whose type fits."""
    for candidate in candidates:
        hits = [p for p, s in fields.items() if _leaf(p) == candidate and _type_fits(s, types)]
        if hits:
            return min(hits, key=lambda p: (p.count("."), p))
    return None


def _type_fits(schema: dict[str, Any], types: tuple[str, ...]) -> bool:
    kind = schema.get("type")
    if kind is None:
        return not any(k in schema for k in ("properties", "items", "allOf", "anyOf", "oneOf"))
    kinds = kind if isinstance(kind, list) else [kind]
    return any(k in types for k in kinds)


def detect_pagination(
    query_params: list[str], fields: dict[str, dict[str, Any]], headers: list[str], record_path: str
) -> Pagination | None:
    """The pagination style of a list endpoint, or None if it does not page (or is not a list)."""
    if record_path == "":
        return None
    names = {p.lower(): p for p in query_params}
    size = _pick(names, LIMIT_PARAMS)
    if "link" in {h.lower() for h in headers}:
        return LinkHeaderPagination(size_param=size)
    next_url = _field(fields, NEXT_URL_FIELDS, ("string",))
    if next_url is None:
        for path in fields:
            if path.lower() in ("links.next", "paging.next", "pagination.next", "meta.next", "_links.next.href"):
                next_url = path
                break
    cursor_param = _pick(names, CURSOR_PARAMS)
    cursor_field = _field(fields, CURSOR_FIELDS, ("string", "integer"))
    has_more = _field(fields, HAS_MORE_FIELDS, ("boolean",))
    if cursor_param and cursor_field and not (cursor_param.lower() == "offset" and cursor_field == "offset"):
        return CursorPagination(
            cursor_param=cursor_param, cursor_path=cursor_field, has_more_path=has_more, limit_param=size
        )
    if next_url:
        return NextUrlPagination(next_url_path=next_url, size_param=size)
    if cursor_param and cursor_param.lower() in ("starting_after", "after", "since") and has_more:
        return CursorPagination(
            cursor_param=cursor_param, cursor_from_record="id", has_more_path=has_more, limit_param=size
        )
    if cursor_param and record_path == "[]":
        # A bare array with a cursor parameter: the next cursor can only travel in a Link header (Okta).
        return LinkHeaderPagination(size_param=size)
    if cursor_field and _leaf(cursor_field) in CURSOR_PARAMS and not cursor_param:
        # The response names the parameter to send back (Intercom: pages.next.starting_after).
        return CursorPagination(
            cursor_param=cursor_field.rsplit(".", 1)[-1],
            cursor_path=cursor_field,
            has_more_path=has_more,
            limit_param=size,
        )
    offset = _pick(names, OFFSET_PARAMS)
    if offset:
        return OffsetPagination(
            offset_param=offset, limit_param=size, total_path=_field(fields, TOTAL_FIELDS, ("integer", "number"))
        )
    page = _pick(names, PAGE_PARAMS)
    if page:
        return PagePagination(
            page_param=page, size_param=size, total_pages_path=_field(fields, TOTAL_PAGES_FIELDS, ("integer", "number"))
        )
    return None
