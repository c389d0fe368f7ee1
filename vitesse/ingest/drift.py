"""Contract drift: how the fields an integration uses changed between a baseline ingest and a new one.

Per side, for the endpoint the integration uses (the manifest's ``source.endpoint`` / ``destination.endpoint``, else
the one the latest map used), the source endpoint's record fields and the destination endpoint's request fields
(`vitesse.mapping.fields.record_fields` / `request_fields`) are compared by path: ``added``, ``removed``, ``type``,
``required``, ``enum``, ``format``, or the whole endpoint ``endpoint_removed``. A change is ``mapped`` when the
mapping uses the field: reads it on the source side (its transformations' source fields, the names its templates
read, the incremental cursor), writes it on the destination side. It is ``breaking`` by this table:

| side | change | breaking when |
|---|---|---|
| either | endpoint_removed | always: the integration reads or writes that endpoint |
| destination | removed | mapped: the mapping writes a field the destination no longer takes |
| destination | added | the new field is required and not mapped: nothing fills it |
| destination | type | mapped, unless the new type takes every old value (integer -> number, or untyped) |
| destination | required | it becomes required and is not mapped: nothing fills it |
| destination | enum | mapped, and values it took are refused (values removed, or a list where there was none) |
| destination | format | mapped, and a format is now asked that was not (another one, or one where there was none) |
| source | removed | mapped: the mapping reads a field the records no longer carry |
| source | added | never |
| source | type | mapped, unless every new value is an old one (number -> integer, or typed where it was untyped) |
| source | required | it becomes optional and is mapped into a required destination field |
| source | enum | mapped into a destination enum, and values appear (new ones, or the list dropped): translation gaps |
| source | format | mapped, and the format becomes another one, or is dropped while the destination field asks one |

Everything else (optional fields added, fields the mapping does not use, constraints relaxed) is reported and not
breaking. The ingest step stores the result as ``data["drift"]`` (`ingest_drift`): ``{"baseline": <ingest version> |
None, "changes": [{side, endpoint, field, change, before, after, breaking, mapped}], "breaking": <count>}``, with
``field`` ``""`` for ``endpoint_removed``. ``mapped`` there is judged against the latest mapping at the time.

The test step judges again against the mapping it tests (`relevant_drift`): a breaking change fails it (one failed
test per field, whatever the score) when that mapping uses the field as the mapping made on the baseline did; a
mapping re-proposed around the change (the removed field no longer used, a string type now stringified) is left to
the record tests against the new schemas. A scheduled re-test also holds the drift against the deployed mapping (the
latest passed test's), since its own map step re-proposes the mapping and the running service still uses the old one.

The baseline is the ingest the latest passed test used, else the previous ingest (none on the first). Ingesting
specs identical to the latest (or the baseline) ingest keeps that artifact's drift, so the version stays the same.
"""

from __future__ import annotations

import json
from typing import Any

from vitesse.artifacts import Artifact, ArtifactStore
from vitesse.errors import ArtifactError
from vitesse.hashing import content_hash
from vitesse.ingest.models import ApiSpec
from vitesse.manifest import ManifestFile
from vitesse.mapping.fields import Field, record_fields, request_fields
from vitesse.mapping.models import MappingLogic
from vitesse.mapping.usage import Usage, touching, usage_of

Change = dict[str, Any]
SIDES = (("source", "source_api_spec"), ("destination", "dest_api_spec"))
PREFIX = "contract drift: "


def no_drift(baseline: str | None = None) -> dict[str, Any]:
    return {"baseline": baseline, "changes": [], "breaking": 0}


# ---- comparing two specs ----------------------------------------------------------------------------------------


def _type(f: Field) -> str | None:
    return f"array<{f.item_type}>" if f.type == "array" and f.item_type else f.type


def _summary(f: Field) -> dict[str, Any]:
    """What a field added or removed was: its type and whether it is required (format and enum when set)."""
    out: dict[str, Any] = {"type": _type(f), "required": f.required}
    if f.format:
        out["format"] = f.format
    if f.enum is not None:
        out["enum"] = list(f.enum)
    return out


def _values(enum: list[Any] | None) -> set[str]:
    return {json.dumps(v, sort_keys=True) for v in enum or []}


def side_fields(spec: ApiSpec, side: str, key: str) -> list[Field] | None:
    """The fields ``side`` uses of endpoint ``key`` (records for the source, requests for the destination), or None
    when the spec has no such endpoint."""
    endpoint = spec.endpoint(key)
    if endpoint is None:
        return None
    return record_fields(spec, endpoint) if side == "source" else request_fields(spec, endpoint)


def compare_fields(side: str, endpoint: str, before: list[Field], after: list[Field]) -> list[Change]:
    """The changes from ``before`` to ``after`` (one endpoint's fields), not yet judged."""
    old, new = {f.path: f for f in before}, {f.path: f for f in after}
    found: list[tuple[str, str, Any, Any]] = []
    for path in sorted(old.keys() | new.keys()):
        a, b = old.get(path), new.get(path)
        if a is None and b is not None:
            found.append((path, "added", None, _summary(b)))
        elif b is None and a is not None:
            found.append((path, "removed", _summary(a), None))
        elif a is not None and b is not None:
            if _type(a) != _type(b):
                found.append((path, "type", _type(a), _type(b)))
            if a.required != b.required:
                found.append((path, "required", a.required, b.required))
            before_enum = list(a.enum) if a.enum is not None else None
            after_enum = list(b.enum) if b.enum is not None else None
            if (before_enum is None) != (after_enum is None) or _values(before_enum) != _values(after_enum):
                found.append((path, "enum", before_enum, after_enum))
            if a.format != b.format:
                found.append((path, "format", a.format, b.format))
    return [
        {"side": side, "endpoint": endpoint, "field": path, "change": kind, "before": was, "after": now}
        for path, kind, was, now in found
    ]


def compare(baseline: dict[str, ApiSpec], current: dict[str, ApiSpec], endpoints: dict[str, str]) -> list[Change]:
    """The changes of each side's endpoint (``endpoints``: side -> ``METHOD /path``) from ``baseline`` to
    ``current`` (side -> spec); a side whose endpoint the baseline lacks is new, not changed."""
    changes: list[Change] = []
    for side, _ in SIDES:
        key = endpoints.get(side)
        if not key or side not in baseline or side not in current:
            continue
        before = side_fields(baseline[side], side, key)
        if before is None:
            continue
        after = side_fields(current[side], side, key)
        if after is None:
            changes.append(
                {"side": side, "endpoint": key, "field": "", "change": "endpoint_removed", "before": key, "after": None}
            )
            continue
        changes += compare_fields(side, key, before, after)
    return changes


# ---- judging ----------------------------------------------------------------------------------------------------


def _accepts(outer: str | None, inner: str | None) -> bool:
    """Every value of type ``inner`` is a value of type ``outer`` (None: untyped, anything)."""
    if outer is None or outer == inner:
        return True
    if inner is None:
        return False
    if outer.startswith("array") and inner.startswith("array"):
        return outer == "array" or (inner != "array" and _accepts(outer[6:-1], inner[6:-1]))
    return (outer, inner) == ("number", "integer")


def _breaking(change: Change, mapped: bool, usage: Usage) -> bool:
    """The rule table of the module docstring."""
    kind, before, after = change["change"], change["before"], change["after"]
    if kind == "endpoint_removed":
        return True
    if change["side"] == "destination":
        if kind == "removed":
            return mapped
        if kind == "added":
            return bool(after and after.get("required")) and not mapped
        if kind == "type":
            return mapped and not _accepts(after, before)
        if kind == "required":
            return bool(after) and not mapped
        if kind == "enum":
            refused = after is not None and (before is None or bool(_values(before) - _values(after)))
            return mapped and refused
        if kind == "format":
            return mapped and after is not None
        return False
    if not mapped or kind == "added":
        return False
    fed = usage.fed(change["field"])
    if kind == "removed":
        return True
    if kind == "type":
        return not _accepts(before, after)
    if kind == "required":
        return not after and any(f.required for f in fed)
    if kind == "enum":
        new_values = before is not None and (after is None or bool(_values(after) - _values(before)))
        return new_values and any(f.enum is not None for f in fed)
    if kind == "format":
        return before is not None and (after is not None or any(f.format for f in fed))
    return False


def judge(changes: list[Change], usages: list[Usage]) -> list[Change]:
    """``changes`` with ``breaking`` and ``mapped`` decided against the mappings of ``usages``: by the first that
    uses the field and is broken by the change, else by the first (no mapping: nothing is mapped)."""
    usages = usages or [Usage()]
    judged = []
    for change in changes:
        verdicts = []
        for usage in usages:
            mapped = usage.uses(change["side"], change["endpoint"], change["field"])
            verdicts.append((mapped, _breaking(change, mapped, usage)))
        mapped, breaking = next((v for v in verdicts if v[0] and v[1]), verdicts[0])
        judged.append({**change, "breaking": breaking, "mapped": mapped})
    return judged


def describe(change: Change) -> str:
    """One line naming the change: ``contract drift: destination POST /contacts field `email` was removed``."""
    side, endpoint, path, kind = change["side"], change["endpoint"], change["field"], change["change"]
    before, after = change["before"], change["after"]
    if kind == "endpoint_removed":
        return f"{PREFIX}{side} endpoint {endpoint} was removed"
    what = f"{PREFIX}{side} {endpoint} field `{path}`"
    if kind == "removed":
        return f"{what} was removed"
    if kind == "added":
        return f"{what} was added" + (" (required)" if after and after.get("required") else "")
    if kind == "type":
        return f"{what} changed type from {before or 'untyped'} to {after or 'untyped'}"
    if kind == "required":
        return f"{what} became required" if after else f"{what} is no longer required"
    if kind == "format":
        if before and after:
            return f"{what} changed format from {before} to {after}"
        return f"{what} now has format {after}" if after else f"{what} no longer has format {before}"
    if before is None:
        return f"{what} is now restricted to {_listed(after)}"
    if after is None:
        return f"{what} is no longer restricted to a list of values"
    gained = [v for v in after if json.dumps(v, sort_keys=True) not in _values(before)]
    lost = [v for v in before if json.dumps(v, sort_keys=True) not in _values(after)]
    parts = ([f"gained {_listed(gained)}"] if gained else []) + ([f"lost {_listed(lost)}"] if lost else [])
    return f"{what} enum {' and '.join(parts) or 'changed'}"


def _listed(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values[:10]) + (f" and {len(values) - 10} more" if len(values) > 10 else "")


def summary_lines(drift: dict[str, Any] | None, limit: int = 20) -> list[str]:
    """A short report of ``drift`` for a terminal: a header, then one line per change, breaking ones marked."""
    if not drift or not drift.get("baseline"):
        return []
    changes = drift["changes"]
    if not changes:
        return [f"contract: no drift since ingest {drift['baseline']} in the fields the integration uses"]
    lines = [f"contract drift since ingest {drift['baseline']}: {len(changes)} change(s), {drift['breaking']} breaking"]
    for change in changes[:limit]:
        mark = "BREAKING " if change["breaking"] else "         "
        used = " (the mapping uses it)" if change["mapped"] and change["field"] else ""
        lines.append(f"  {mark}{describe(change).removeprefix(PREFIX)}{used}")
    if len(changes) > limit:
        lines.append(f"  ... and {len(changes) - limit} more (see --json)")
    return lines


# ---- baselines and the two steps ----------------------------------------------------------------------------------


def _get(store: ArtifactStore, name: str, step: str, version: str | None) -> Artifact | None:
    if not version:
        return None
    try:
        return store.get(name, step, version)
    except ArtifactError:
        return None


def passed_test(store: ArtifactStore, name: str) -> Artifact | None:
    """The latest test that passed, or None."""
    latest = store.latest(name, "test")
    if latest is not None and latest.data.get("passed"):
        return latest
    for version in reversed(store.versions(name, "test")):
        found = _get(store, name, "test", version) if latest is None or version != latest.version else None
        if found is not None and found.data.get("passed"):
            return found
    return None


def baseline_ingest(store: ArtifactStore, name: str, latest: Artifact | None) -> Artifact | None:
    """The ingest the latest passed test used, else the ``latest`` ingest; None before the first. (An ingest
    artifact holds both specs, megabytes for a large API: each is read once.)"""
    tested = passed_test(store, name)
    wanted = tested.inputs.get("ingest") if tested else None
    if latest is not None and wanted in (None, latest.version):
        return latest
    return _get(store, name, "ingest", wanted) or latest


def _specs(data: dict[str, Any]) -> dict[str, ApiSpec]:
    return {side: ApiSpec.model_validate(data[key]) for side, key in SIDES if key in data}


def _latest_logic(store: ArtifactStore, name: str) -> MappingLogic | None:
    mapped = store.latest(name, "map")
    return MappingLogic.model_validate(mapped.data["mapping_logic"]) if mapped is not None else None


def _dest_fields(spec: ApiSpec, logic: MappingLogic | None) -> list[Field]:
    if logic is None:
        return []
    return side_fields(spec, "destination", f"{logic.dest_method} {logic.dest_endpoint}") or []


def ingest_drift(
    store: ArtifactStore, mf: ManifestFile, data: dict[str, Any], specs: dict[str, ApiSpec]
) -> dict[str, Any]:
    """The ``drift`` block of a new ingest whose other ``data`` (both specs) is given, ``specs`` the same as
    models (side -> spec). Specs identical to the latest or the baseline ingest keep that artifact's drift."""
    name = mf.name
    latest = store.latest(name, "ingest")
    baseline = baseline_ingest(store, name, latest)
    digest = content_hash(data)
    for known in {a.version: a for a in (latest, baseline) if a is not None}.values():
        if "drift" not in known.data:
            continue
        if content_hash({k: v for k, v in known.data.items() if k != "drift"}) == digest:
            return known.data["drift"]
    if baseline is None:
        return no_drift()
    return drift_against(store, mf, baseline, specs)


def drift_against(
    store: ArtifactStore, mf: ManifestFile, baseline: Artifact, specs: dict[str, ApiSpec]
) -> dict[str, Any]:
    """The drift from the specs ``baseline`` (an ingest artifact) holds to ``specs`` (side -> spec), judged against
    the latest mapping; reads the store, writes nothing (`vitesse plan` holds the specs on disk against the latest
    ingest with it)."""
    name = mf.name
    logic = _latest_logic(store, name)
    endpoints = {}
    for side, _ in SIDES:
        named = getattr(mf.manifest, side).endpoint
        if named:
            endpoints[side] = named
        elif logic is not None:
            method, path = (
                (logic.source_method, logic.source_endpoint)
                if side == "source"
                else (logic.dest_method, logic.dest_endpoint)
            )
            endpoints[side] = f"{method} {path}"
    changes = compare(_specs(baseline.data), specs, endpoints)
    usage = usage_of(logic, _dest_fields(specs["destination"], logic), cursor_field=_cursor(mf))
    judged = judge(changes, [usage])
    return {"baseline": baseline.version, "changes": judged, "breaking": sum(c["breaking"] for c in judged)}


def _cursor(mf: ManifestFile) -> str | None:
    incremental = mf.manifest.source.incremental
    return incremental.cursor_field if incremental is not None else None


def pre_drift_map(store: ArtifactStore, name: str, baseline: str | None) -> Artifact | None:
    """The mapping made on the ``baseline`` ingest: the latest passed test's when it used that ingest, else the
    latest map built on it; None when there is none."""
    tested = passed_test(store, name)
    if tested is not None and tested.inputs.get("ingest") == baseline:
        return _get(store, name, "map", tested.inputs.get("map"))
    for version in reversed(store.versions(name, "map")):
        found = _get(store, name, "map", version)
        if found is not None and found.inputs.get("ingest") == baseline:
            return found
    return None


def relevant_drift(
    store: ArtifactStore,
    mf: ManifestFile,
    logic: MappingLogic,
    ingested: Artifact,
    dest_spec: ApiSpec,
    *,
    retest: bool = False,
) -> tuple[list[Change], list[str], str | None]:
    """The breaking changes of ``ingested``'s drift that fail a test of ``logic`` (the mapping under test), notes,
    and the version of the mapping a re-test also held them against (else None).

    A change counts when ``logic`` uses the field just as the mapping made on the baseline ingest did
    (`pre_drift_map`): the contract changed under an unchanged mapping. A mapping re-proposed around it (the field
    no longer used, or used otherwise, e.g. stringify for a type that became a string) is judged by the record
    tests against the new schemas instead. A re-test (``retest``) also holds the drift against the mapping of the
    latest passed test, which is what is deployed: its own map step re-proposes the mapping, and a field the
    deployed mapping uses must not drop out unseen. A person who re-proposes (`vitesse map`, `vitesse test`) is
    judged on the new mapping alone."""
    drift = ingested.data.get("drift") or no_drift()
    if not drift["changes"]:
        return [], [], None
    cursor = _cursor(mf)
    before = pre_drift_map(store, mf.name, drift["baseline"])
    old = MappingLogic.model_validate(before.data["mapping_logic"]) if before is not None else None
    current = usage_of(logic, _dest_fields(dest_spec, logic), cursor_field=cursor)
    found = [
        c
        for c in judge(drift["changes"], [current])
        if c["breaking"] and c["mapped"] and old is not None and touching(logic, c) == touching(old, c)
    ]
    notes: list[str] = []
    deployed = passed_test(store, mf.name) if retest else None
    if old is None or before is None or deployed is None or deployed.inputs.get("map") != before.version:
        return found, notes, None
    if old == logic:  # the deployed mapping is the one under test
        return found, notes, None
    held = usage_of(old, _dest_fields(dest_spec, old), cursor_field=cursor)
    seen = {(c["side"], c["field"], c["change"]) for c in found}
    lost = [
        c
        for c in judge(drift["changes"], [held])
        if c["breaking"] and c["mapped"] and (c["side"], c["field"], c["change"]) not in seen
    ]
    if lost:
        fields = ", ".join(f"`{c['field'] or c['endpoint']}`" for c in lost)
        them = "it" if len(lost) == 1 else "them"
        notes.append(
            f"contract drift: the deployed mapping (map {before.version}, last tested good) uses {fields}, which "
            f"the change breaks; the re-test's re-proposed mapping uses {them} otherwise or not at all: review it "
            f"with `vitesse map {mf.name}`, then `vitesse test {mf.name}` and `vitesse deploy {mf.name}`"
        )
    return found + lost, notes, before.version


def explain_mapping_error(message: str, drift: dict[str, Any] | None) -> str:
    """A map step error about a field or endpoint that does not exist, with the drift that removed it named."""
    notes = []
    for change in (drift or {}).get("changes", []):
        if change["change"] == "removed":
            if f"{change['side']} field {change['field']!r} does not exist" not in message:
                continue
        elif change["change"] != "endpoint_removed" or repr(change["endpoint"]) not in message:
            continue
        notes.append(f"{describe(change)} since ingest {(drift or {}).get('baseline')}")
    if not notes:
        return message
    return f"{message} ({'; '.join(notes)}: update the manifest to the spec as it is now)"
