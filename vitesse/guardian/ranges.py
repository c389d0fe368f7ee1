"""What the destination accepts of the numbers a source field feeds it: the synthetic generator's targets.

The test step makes source records from the source schema alone. A source field that declares no bounds (a
``pattern: ^[0-9]+$`` string, a bare integer) says nothing about the values real records carry, while the
destination field it is mapped into often does (``minimum: 1``, ``maximum: 100``, ``format: int32``). So for such a
field the generator stays inside the destination's range, and the test is about the mapping, not about 60-digit
numbers no real record has. Bounds the source does declare win (`RecordGenerator` applies them first, side by side),
so a real range mismatch still fails the test.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vitesse.mapping.fields import Field
from vitesse.mapping.models import MappingLogic

INTEGER_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
"""What an integer of each OpenAPI format can hold."""

NUMERIC_TRANSFORMS = frozenset({"direct", "mapping", "parse_int", "parse_float"})
"""The transforms that carry a source value into a number unchanged in size (read from text or as it is)."""

FLOAT_STEP = 0.01
"""How far inside an exclusive bound a generated non-integer number goes (the generator rounds to 2 places)."""


@dataclass(frozen=True)
class NumberRange:
    """The numbers a destination field accepts, as its schema declares them.

    ``low`` and ``high`` are inclusive (an exclusive bound is moved inside: to the next integer, or by `FLOAT_STEP`)
    and None where the schema leaves that side open. ``limits`` is what the field's integer format can hold (int32,
    int64): it narrows a generated range but is no range to spread values over (an int64 id is not a random
    19-digit number).
    """

    low: int | float | None = None
    high: int | float | None = None
    integer: bool = False
    limits: tuple[int, int] | None = None

    @classmethod
    def of(cls, field: Field) -> NumberRange:
        integer = field.type == "integer"
        low, high = inclusive_bounds(
            field.minimum, field.maximum, field.exclusive_minimum, field.exclusive_maximum, integer=integer
        )
        limits = INTEGER_FORMATS.get(field.format or "") if integer else None
        return cls(low=low, high=high, integer=integer, limits=limits)

    def narrowed(self, other: NumberRange) -> NumberRange:
        """What both ranges accept (one source field feeding two destination fields)."""
        limits = self.limits or other.limits
        if self.limits and other.limits:
            limits = (max(self.limits[0], other.limits[0]), min(self.limits[1], other.limits[1]))
        return NumberRange(
            low=_pick(max, self.low, other.low),
            high=_pick(min, self.high, other.high),
            integer=self.integer or other.integer,
            limits=limits,
        )


def number_targets(logic: MappingLogic, dest_fields: Iterable[Field]) -> dict[str, NumberRange]:
    """Source field path -> the range of the numeric destination field it feeds, for the generator's ``targets``.

    Only single-source transforms that keep the number's size (`NUMERIC_TRANSFORMS`) into an integer or number
    destination field count; ``dest_fields`` are the destination record's flattened fields (`flatten`).
    """
    fields = {f.path: f for f in dest_fields}
    targets: dict[str, NumberRange] = {}
    for t in logic.transformations:
        dest = fields.get(t.dest_field)
        if t.transform_type not in NUMERIC_TRANSFORMS or not t.source_field or dest is None:
            continue
        if dest.type not in ("integer", "number"):
            continue
        found = NumberRange.of(dest)
        known = targets.get(t.source_field)
        targets[t.source_field] = known.narrowed(found) if known else found
    return targets


def inclusive_bounds(
    minimum: Any, maximum: Any, exclusive_minimum: Any, exclusive_maximum: Any, *, integer: bool
) -> tuple[Any, Any]:
    """(low, high), inclusive, from a schema's bound keywords; None for an open side.

    Both JSON Schema forms: ``exclusiveMinimum: true`` beside ``minimum`` (draft 4, OpenAPI 3.0) and a number of its
    own (OpenAPI 3.1); with both a number and ``minimum``, the stricter wins. Integers stay exact at any size.
    """
    return (
        _side(minimum, exclusive_minimum, lower=True, integer=integer),
        _side(maximum, exclusive_maximum, lower=False, integer=integer),
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _side(inclusive: Any, exclusive: Any, *, lower: bool, integer: bool) -> Any:
    candidates = []  # (bound, is it exclusive)
    if _is_number(inclusive):
        candidates.append((inclusive, exclusive is True))
    if _is_number(exclusive):
        candidates.append((exclusive, True))
    if not candidates:
        return None
    if lower:
        bound, is_open = max(candidates)
        if integer:
            return math.floor(bound) + 1 if is_open else math.ceil(bound)
        return bound + FLOAT_STEP if is_open else bound
    bound, is_open = min(candidates, key=lambda c: (c[0], not c[1]))
    if integer:
        return math.ceil(bound) - 1 if is_open else math.floor(bound)
    return bound - FLOAT_STEP if is_open else bound


def _pick(choose: Any, a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else choose(a, b)
