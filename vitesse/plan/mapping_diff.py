"""The mapping diff of `vitesse plan`: a proposed ``mapping_logic`` against the latest map artifact's, field by field.

Both sides are plain ``mapping_logic`` dicts (`vitesse.mapping.models.MappingLogic` dumped), so an artifact of an
older vitesse compares too. Each destination field is ``added`` (the proposal maps it, the latest map did not),
``removed`` or ``changed``, with what changed: its ``source`` (the field or fields it reads), its ``transform`` (type,
template or constant value), its ``confidence`` (to two decimals) or ``needs_review``.
"""

from __future__ import annotations

from typing import Any

from vitesse.plan.model import FieldChange, MappingDiff

ASPECTS = ("source", "transform", "confidence", "needs_review")


def view(t: dict[str, Any]) -> dict[str, Any]:
    """What a reviewer reads of one transformation: source, transform_type (template, value), confidence, review."""
    sources = t.get("source_fields") or ([t["source_field"]] if t.get("source_field") else [])
    out: dict[str, Any] = {"source": sources[0] if len(sources) == 1 else (sources or None)}
    out["transform_type"] = t.get("transform_type")
    if t.get("template") is not None:
        out["template"] = t["template"]
    if t.get("transform_type") == "constant":
        out["value"] = t.get("value")
    out["confidence"] = round(float(t.get("confidence") or 0), 2)
    out["needs_review"] = bool(t.get("needs_review"))
    return out


def _aspects(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    changed = []
    if before["source"] != after["source"]:
        changed.append("source")
    if any(before.get(k) != after.get(k) for k in ("transform_type", "template", "value")):
        changed.append("transform")
    if before["confidence"] != after["confidence"]:
        changed.append("confidence")
    if before["needs_review"] != after["needs_review"]:
        changed.append("needs_review")
    return changed


def _by_field(logic: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for t in (logic or {}).get("transformations", []):
        key = t["dest_field"]
        while key in found:  # the same destination twice (never proposed; kept apart rather than lost)
            key += "'"
        found[key] = view(t)
    return found


def _endpoint(logic: dict[str, Any] | None, side: str) -> str | None:
    if not logic:
        return None
    prefix = "source" if side == "source" else "dest"
    method, path = logic.get(f"{prefix}_method"), logic.get(f"{prefix}_endpoint")
    return f"{method} {path}" if method and path else None


def diff_mappings(before: dict[str, Any] | None, after: dict[str, Any]) -> MappingDiff:
    """``after`` (the proposal) against ``before`` (the latest map's ``mapping_logic``; None before the first map:
    every field is added)."""
    old, new = _by_field(before), _by_field(after)
    fields = []
    for dest in sorted(old.keys() | new.keys()):
        a, b = old.get(dest), new.get(dest)
        if a is None and b is not None:
            fields.append(FieldChange(dest, "added", after=b))
        elif b is None and a is not None:
            fields.append(FieldChange(dest, "removed", before=a))
        elif a is not None and b is not None and (aspects := _aspects(a, b)):
            fields.append(FieldChange(dest, "changed", before=a, after=b, aspects=aspects))
    endpoints = {}
    for side in ("source", "destination"):
        was, now = _endpoint(before, side), _endpoint(after, side)
        if before is not None and was != now:
            endpoints[side] = {"before": was, "after": now}
    return MappingDiff(
        endpoints=endpoints,
        fields=fields,
        unmapped_required=list(after.get("unmapped_required") or []),
        unmapped_required_before=list((before or {}).get("unmapped_required") or []),
        needs_review=sorted(t["dest_field"] for t in after.get("transformations", []) if t.get("needs_review")),
    )
