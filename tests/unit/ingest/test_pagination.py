"""Pagination detection from query parameters, envelope fields and headers."""

from __future__ import annotations

from vitesse.ingest.pagination import detect_pagination

STRING, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}


def test_not_a_list_has_no_pagination() -> None:
    assert detect_pagination(["limit", "cursor"], {"next_cursor": STRING}, [], "") is None


def test_link_header_wins() -> None:
    assert detect_pagination(["per_page", "page"], {}, ["Link"], "[]").model_dump() == {
        "type": "link_header",
        "size_param": "per_page",
    }


def test_cursor_from_response_field() -> None:
    found = detect_pagination(["cursor", "limit"], {"cursor": STRING, "errors": {"type": "array"}}, [], "customers[]")
    assert (found.type, found.cursor_param, found.cursor_path) == ("cursor", "cursor", "cursor")


def test_stripe_style_cursor_from_last_record() -> None:
    found = detect_pagination(["starting_after", "limit"], {"has_more": BOOL, "url": STRING}, [], "data[]")
    assert (found.cursor_from_record, found.has_more_path) == ("id", "has_more")


def test_cursor_named_by_the_response() -> None:
    fields = {"pages": {"type": "object"}, "pages.next": {"type": "object"}, "pages.next.starting_after": STRING}
    found = detect_pagination([], fields, [], "data[]")
    assert (found.cursor_param, found.cursor_path) == ("starting_after", "pages.next.starting_after")


def test_next_url_in_the_body() -> None:
    found = detect_pagination(["PageSize"], {"next_page_uri": STRING, "page": INT}, [], "accounts[]")
    assert (found.type, found.next_url_path, found.size_param) == ("next_url", "next_page_uri", "PageSize")


def test_offset_and_page() -> None:
    assert detect_pagination(["offset", "limit"], {"total": INT}, [], "orders[]").type == "offset"
    found = detect_pagination(["page", "page_size"], {"total_pages": INT}, [], "items[]")
    assert (found.type, found.size_param, found.total_pages_path) == ("page", "page_size", "total_pages")


def test_bare_array_with_cursor_parameter_uses_link_headers() -> None:
    assert detect_pagination(["after", "limit"], {}, [], "[]").type == "link_header"


def test_object_typed_fields_are_not_counts() -> None:
    found = detect_pagination(["page"], {"links.pages": {"properties": {"next": STRING}}}, [], "items[]")
    assert found.total_pages_path is None
