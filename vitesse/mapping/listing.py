"""The endpoints of an ingested spec, a page at a time, each with the fields a mapping reads or writes: what the
review page lists to choose endpoints, hints and transforms.

Filtering reads the stored artifact's plain data (no model of the whole spec: GitHub's ~1,000 operations stay
milliseconds); only the endpoints of the page returned are validated and have their fields flattened.
"""

from __future__ import annotations

from typing import Any, Literal

from vitesse.ingest.models import ApiSpec, Endpoint
from vitesse.mapping.fields import Field, record_fields, request_fields

Side = Literal["source", "destination"]
SPEC_KEYS: dict[str, str] = {"source": "source_api_spec", "destination": "dest_api_spec"}


def endpoint_page(
    ingest_data: dict[str, Any],
    side: Side,
    *,
    query: str = "",
    method: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """``{"side", "total", "endpoints": [...]}`` of one side of an ingest artifact's data: the endpoints whose path
    or summary contains ``query`` (case-insensitive) and whose method is ``method``, ``total`` of them, the page
    ``offset``..``offset + limit`` in the spec's order. A source endpoint's ``record_fields`` are its response
    record's fields, a destination endpoint's its request body's."""
    spec = ingest_data[SPEC_KEYS[side]]
    wanted = query.strip().lower()
    verb = method.upper() if method else None
    matching = [
        raw
        for raw in spec["endpoints"]
        if (verb is None or raw["method"] == verb)
        and (not wanted or wanted in raw["path"].lower() or wanted in (raw.get("summary") or "").lower())
    ]
    schemas = ApiSpec.model_construct(schemas=spec.get("schemas") or {})  # only what the field readers use
    fields = record_fields if side == "source" else request_fields
    page = [_endpoint(Endpoint.model_validate(raw), schemas, fields) for raw in matching[offset : offset + limit]]
    return {"side": side, "total": len(matching), "endpoints": page}


def _endpoint(endpoint: Endpoint, spec: ApiSpec, fields: Any) -> dict[str, Any]:
    return {
        "key": endpoint.key,
        "method": endpoint.method,
        "path": endpoint.path,
        "summary": endpoint.summary,
        "record_fields": [_field(f) for f in fields(spec, endpoint)],
        "pagination": endpoint.pagination.model_dump(mode="json") if endpoint.pagination else None,
        "parameters": [
            {"name": p.name, "in": p.location, "required": p.required, "type": p.type} for p in endpoint.parameters
        ],
    }


def _field(found: Field) -> dict[str, Any]:
    return {
        "path": found.path,
        "type": found.type,
        "required": found.required,
        "format": found.format,
        "description": found.description,
    }
