"""Which transformation turns a source field's value into what the destination field expects."""

from __future__ import annotations

import re

from vitesse.mapping.fields import Field
from vitesse.shapes import common_shape

DATE_FORMATS = ("date-time", "date")
UNIX_FORMATS = ("unix-time", "unix", "timestamp", "epoch")
_TIME_WORDS = ("at", "time", "date", "created", "updated", "timestamp", "since", "until", "expires")


def is_unix_time(field: Field) -> bool:
    """An integer/number holding Unix seconds (Stripe's ``format: unix-time``, or a time-like name)."""
    if field.type not in ("integer", "number"):
        return False
    if field.format in UNIX_FORMATS or "unix" in field.description.lower():
        return True
    if field.format in DATE_FORMATS:  # Intercom declares integers as date-time: they are Unix seconds
        return True
    last = field.name.lower().replace("-", "_").split("_")[-1]
    return last in _TIME_WORDS or field.name.lower() in ("created", "updated")


_DATE_ONLY = re.compile(r"\bYYYY-MM-DD\b(?![T\s]*[Hh]{2})")


def is_date(field: Field) -> bool:
    """A string holding a calendar date: ``format: date``, or a description that says "`YYYY-MM-DD`" (Square's
    ``start_date``), or examples that are all dates."""
    if field.type not in ("string", None):
        return False
    if field.format is not None:
        return field.format == "date"
    return bool(_DATE_ONLY.search(field.description)) or common_shape(field.examples) == "date"


def is_iso_time(field: Field) -> bool:
    return field.type == "string" and field.format in DATE_FORMATS


def value_type(field: Field) -> str | None:
    return field.item_type if field.type == "array" else field.type


def compatibility(source: Field, dest: Field) -> tuple[float, str]:
    """How well a source value fits the destination field (1 = as is, 0 = not at all) and the transform type."""
    s, d = source.type, dest.type
    if source.free_form or dest.free_form:
        return (1.0, "direct") if source.free_form and dest.free_form else (0.2, "custom")
    if s is None or d is None:
        return 0.9, "direct"
    if s == d:
        if s == "array" and source.item_type != dest.item_type and source.item_type and dest.item_type:
            return 0.5, "custom"
        if s in ("integer", "number") and is_unix_time(source) and dest.format in DATE_FORMATS and d == "string":
            return 0.95, "unix_to_iso"
        return 1.0, "direct"
    if s == "array" and d in ("string", "integer", "number", "boolean"):
        return (0.7, "direct") if source.item_type == d else (0.5, "stringify")
    if d == "array" and s in ("string", "integer", "number", "boolean"):
        return (0.75, "collect") if dest.item_type in (s, None) else (0.5, "collect")
    if {s, d} == {"integer", "number"}:
        return (0.95, "direct") if s == "integer" else (0.85, "parse_int")
    if s in ("integer", "number") and d == "string":
        if is_unix_time(source) and is_date(dest):
            return 0.95, "custom"  # `vitesse.mapping.conversions` writes the template: `created | to_date`
        if is_unix_time(source) and (dest.format in DATE_FORMATS or is_time_name(dest)):
            return 0.95, "unix_to_iso"
        return 0.85, "stringify"
    if s == "string" and d in ("integer", "number"):
        if (
            is_iso_time(source)
            or is_date(source)
            or (source.format is None and is_time_name(source) and is_unix_time(dest))
        ):
            return 0.95, "iso_to_unix"
        return 0.7, "parse_int" if d == "integer" else "parse_float"
    if s == "boolean" and d == "string":
        return 0.8, "stringify"
    if s == "string" and d == "boolean":
        return 0.7, "parse_bool"
    if s in ("integer", "number") and d == "boolean":
        return 0.5, "parse_bool"
    return 0.2, "custom"


def is_time_name(field: Field) -> bool:
    last = field.name.lower().replace("-", "_").split("_")[-1]
    return last in _TIME_WORDS
