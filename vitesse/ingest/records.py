"""Find the record object in a response body: the item of a list endpoint's array, or the body itself.

A body is a list envelope when it holds an array of objects and everything else in it is paging or bookkeeping
(``has_more``, ``next_page_uri``, ``total_count``, ``links``...): Stripe's ``data[]``, Twilio's ``accounts[]``,
Box's ``entries[]``. A single resource that merely contains an array (an order with ``line_items``) is not.
"""

from __future__ import annotations

import re
from typing import Any

from vitesse.ingest.schemas import SchemaTable

LIST_PROPERTIES = (
    "data",
    "items",
    "results",
    "result",
    "records",
    "entries",
    "values",
    "elements",
    "objects",
    "rows",
    "hits",
    "resources",
    "list",
    "contacts",
    "customers",
    "users",
    "members",
    "profiles",
)
NOT_RECORDS = {"errors", "warnings", "messages", "included", "links"}
ENVELOPE_WORDS = {
    "next",
    "prev",
    "previous",
    "page",
    "pages",
    "paging",
    "pagination",
    "total",
    "count",
    "cursor",
    "links",
    "link",
    "meta",
    "metadata",
    "has",
    "more",
    "limit",
    "offset",
    "uri",
    "url",
    "start",
    "end",
    "object",
    "type",
    "first",
    "last",
    "size",
    "href",
    "self",
    "warnings",
    "errors",
    "status",
    "success",
    "message",
    "kind",
    "etag",
    "version",
    "request",
    "included",
    "jsonapi",
    "marker",
    "token",
    "continuation",
    "order",
    "sort",
    "after",
    "before",
    "num",
    "per",
    "results",
}
JSONAPI_SINGLE = {"data", "links", "included", "meta", "jsonapi"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def object_properties(table: SchemaTable, schema: Any, *, variants: bool = False, depth: int = 0) -> dict[str, Any]:
    """The properties of an object schema with those of its ``allOf`` parts (and ``anyOf``/``oneOf`` if asked)."""
    schema = table.resolve(schema)
    props = dict(schema["properties"]) if isinstance(schema.get("properties"), dict) else {}
    if depth < 8:
        keywords = ("allOf", "anyOf", "oneOf") if variants else ("allOf",)
        for keyword in keywords:
            parts = schema.get(keyword)
            for part in parts if isinstance(parts, list) else []:
                for name, sub in object_properties(table, part, variants=variants, depth=depth + 1).items():
                    props.setdefault(name, sub)
    return props


def is_array(table: SchemaTable, schema: Any) -> bool:
    schema = table.resolve(schema)
    kind = schema.get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind) or ("items" in schema and not kind)


PAGING_WORDS = frozenset(
    {"next", "prev", "previous", "page", "pages", "paging", "pagination", "cursor", "offset", "has"}
)
"""The envelope words that only a page of records has."""


def _is_envelope_name(name: str, vocabulary: set[str] | frozenset[str] = ENVELOPE_WORDS) -> bool:
    words = {w.lower() for w in _WORD.findall(name)} or {name.lower()}
    return bool(words & vocabulary)


def find_record(table: SchemaTable, body: Any) -> tuple[Any, str]:
    """The record schema inside a response ``body`` and its path (``''``, ``'[]'``, ``'data[]'`` or ``'data'``)."""
    if is_array(table, body):
        return table.resolve(body).get("items", {}), "[]"
    props = object_properties(table, body)
    arrays = {
        name: sub
        for name, sub in props.items()
        if is_array(table, sub)
        and (
            object_properties(table, table.resolve(sub).get("items", {}), variants=True)
            or table.resolve(table.resolve(sub).get("items", {})).get("type") == "object"
        )
    }
    candidates = {name: sub for name, sub in arrays.items() if name.lower() not in NOT_RECORDS}
    if (
        not candidates
        and len(arrays) == 1
        and any(_is_envelope_name(n, PAGING_WORDS) for n in props if n not in arrays)
    ):
        candidates = arrays  # Twilio's page of messages[] (next_page_uri, page_size...) is not a list of errors
    preferred = [n for n in candidates if n.lower() in LIST_PROPERTIES]
    chosen = preferred[0] if len(preferred) >= 1 else (next(iter(candidates)) if len(candidates) == 1 else None)
    if chosen is not None and all(_is_envelope_name(n) for n in props if n != chosen):
        return table.resolve(props[chosen]).get("items", {}), f"{chosen}[]"
    if props and set(props) <= JSONAPI_SINGLE and "data" in props and object_properties(table, props["data"]):
        return props["data"], "data"
    return body, ""


def envelope_fields(table: SchemaTable, body: Any, record_path: str, depth: int = 3) -> dict[str, dict[str, Any]]:
    """Field paths of a list response's envelope (``has_more``, ``pages.next.starting_after``), records excluded."""
    skip = record_path.removesuffix("[]")
    found: dict[str, dict[str, Any]] = {}

    def walk(schema: Any, prefix: str, level: int) -> None:
        for name, sub in object_properties(table, schema, variants=True).items():
            path = f"{prefix}{name}"
            if path == skip:
                continue
            resolved = table.resolve(sub)
            found[path] = resolved
            if level < depth and not is_array(table, resolved):
                walk(resolved, path + ".", level + 1)

    if record_path not in ("", "[]"):
        walk(body, "", 1)
    return found
