"""Manifest keys the two specs make obvious but the manifest does not set, proposed (never applied) at map.

- ``source.incremental`` when the source endpoint takes a "changed since" query parameter (`SINCE_PARAMS`) and its
  record carries the matching time field (`TIME_FIELDS`): each sync then reads only what changed.
- ``destination.write`` (upsert) when the manifest inserts, the create path's collection has a GET that filters by a
  destination field that identifies a record (`KEY_FIELDS`) and the item path below it a PATCH, PUT or POST: a retry
  after a lost answer then finds the record it created instead of creating a second one.

Names are compared without case, ``_``, ``-``, ``.`` and brackets (``updated_at[gte]`` ~ ``updatedAtGte``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from vitesse.ingest.models import ApiSpec, Endpoint
from vitesse.ingest.params import shape
from vitesse.manifest.models import Manifest
from vitesse.mapping.fields import Field
from vitesse.mapping.propose import record_fields, request_fields

SINCE_PARAMS = {
    # query parameter (normalized) -> the record time it filters on
    **dict.fromkeys(
        ("since", "updatedsince", "updatedafter", "updatedatgte", "updatedatgt", "updatedgte", "updatedgt",
         "modifiedsince", "modifiedafter", "modifiedatgte", "changedsince", "lastmodifiedsince", "lastupdatedgte",
         "updatedatafter", "modifiedonafter", "updatedsincetime"),
        "updated",
    ),
    **dict.fromkeys(
        ("createdsince", "createdafter", "createdatafter", "createdatgte", "createdgte", "createdgt"), "created"
    ),
}  # fmt: skip
RANGE_PARAMS = {"created": "created", "createdat": "created", "updated": "updated", "updatedat": "updated"}
"""A query parameter named like the time itself with an object schema (Stripe's ``created``: ``gt``, ``gte``...):
the runtime sends ``<name>[gte]``."""
TIME_FIELDS = {
    "updated": (
        "updatedat", "updated", "modifiedat", "modified", "lastmodified", "lastmodifiedat", "datemodified",
        "modifieddate", "updatedtime", "lastupdated", "changedat", "updatedon", "modifiedon",
    ),
    "created": ("createdat", "created", "datecreated", "createddate", "createdtime", "createdon"),
}  # fmt: skip
KEY_FIELDS = (
    "externalid", "externalref", "externalreference", "externalkey", "email", "emailaddress", "sourceid",
    "foreignid", "remoteid", "customid", "integrationid", "username", "login", "sku",
)  # fmt: skip
"""Destination fields that identify a record, best first."""
ID_FIELDS = ("id", "gid", "uuid", "key")
UPDATE_METHODS = ("PATCH", "PUT", "POST")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def propose_keys(
    manifest: Manifest, source_spec: ApiSpec, source: Endpoint, dest_spec: ApiSpec, dest: Endpoint
) -> dict[str, dict[str, Any]]:
    """``{manifest key: {"value": ..., "reason": ...}}`` for what the manifest could add."""
    out: dict[str, dict[str, Any]] = {}
    if manifest.source.incremental is None and (found := incremental(source_spec, source, manifest.source.params)):
        out["source.incremental"] = found
    if manifest.destination.write.mode == "insert" and (found := upsert(dest_spec, dest)):
        out["destination.write"] = found
    return out


def incremental(spec: ApiSpec, endpoint: Endpoint, params: dict[str, Any]) -> dict[str, Any] | None:
    """The first "changed since" query parameter of ``endpoint`` whose kind of time its record carries."""
    if endpoint.method != "GET":
        return None
    fields = {_norm(f.path): f.path for f in record_fields(spec, endpoint) if "." not in f.path}
    paging = {v for k, v in (endpoint.pagination.model_dump() if endpoint.pagination else {}).items() if "param" in k}
    for p in endpoint.parameters:
        if p.location != "query" or p.name in params or p.name in paging:
            continue
        kind, param = SINCE_PARAMS.get(_norm(p.name)), p.name
        if kind is None and _norm(p.name) in RANGE_PARAMS and p.type in (None, "object"):
            kind, param = RANGE_PARAMS[_norm(p.name)], f"{p.name}[gte]"
        cursor = next((fields[n] for n in TIME_FIELDS.get(kind or "", ()) if n in fields), None)
        if kind is None or cursor is None:
            continue
        scope = (
            "only what changed since the last"
            if kind == "updated"
            else "only records created since the last (changes to older ones are not seen)"
        )
        return {
            "value": {"cursor_field": cursor, "param": param},
            "reason": f"{endpoint.key} takes {param} and its records carry {cursor}: each sync would read {scope}",
        }
    return None


def upsert(spec: ApiSpec, create: Endpoint) -> dict[str, Any] | None:
    """Upsert by a key field when the create path's collection GET filters by it and its item path updates."""
    if create.method != "POST":
        return None
    listing = spec.endpoint(f"GET {create.path}")
    item_shape = shape(create.path.rstrip("/") + "/{}")
    items = {e.method: e for e in spec.endpoints if e.method in UPDATE_METHODS and shape(e.path) == item_shape}
    update = next((items[m] for m in UPDATE_METHODS if m in items), None)
    if listing is None or update is None:
        return None
    dests = {_norm(f.path): f for f in request_fields(spec, create) if "[]" not in f.path}
    query = {_norm(p.name): p.name for p in listing.parameters if p.location == "query"}
    key = _key_field(dests, query)
    if key is None:
        return None
    field, param = key
    found = {f.path for f in record_fields(spec, listing) if "." not in f.path}
    item_name = update.path.rstrip("/").rsplit("/", 1)[-1].strip("{}")
    id_name = next((n for n in (item_name, *ID_FIELDS) if n in found), None)
    if id_name is None:
        return None
    value = {
        "mode": "upsert",
        "match_key": field.path,
        "lookup": f"GET {create.path}?{param}={{{field.path}}}",
        "update": f"{update.method} {create.path.rstrip('/')}/{{{id_name}}}",
    }
    reason = (
        f"GET {create.path} filters by {param}, the destination field {field.path} identifies a record, and "
        f"{update.key} updates one: a retry after a lost answer would find the record it created instead of "
        "creating a duplicate"
    )
    return {"value": value, "reason": reason}


def _key_field(dests: dict[str, Field], query: dict[str, str]) -> tuple[Field, str] | None:
    for wanted in KEY_FIELDS:
        for normalized, field in dests.items():
            if _norm(field.name) == wanted and (normalized in query or wanted in query):
                return field, query.get(normalized) or query[wanted]
    return None


def flow(value: Any) -> str:
    """A proposal's value as the YAML flow a user pastes: ``{cursor_field: updated_at, param: since}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    text = str(value)
    return json.dumps(text) if re.search(r"[{}\[\],:#&*!|>'\"%@`?]|^\s|\s$|^$", text) else text
