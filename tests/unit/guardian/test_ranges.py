"""Destination number ranges for the generator: bound keywords folded, formats, which transforms give targets."""

from __future__ import annotations

from typing import Any

import pytest

from vitesse.guardian.ranges import INTEGER_FORMATS, NumberRange, inclusive_bounds, number_targets
from vitesse.mapping.fields import flatten
from vitesse.mapping.models import MappingLogic


@pytest.mark.parametrize(
    ("keywords", "integer", "expected"),
    [
        ({}, True, (None, None)),
        ({"minimum": 1, "maximum": 100}, True, (1, 100)),
        ({"minimum": 1, "exclusiveMinimum": True, "maximum": 100, "exclusiveMaximum": True}, True, (2, 99)),
        ({"exclusiveMinimum": 0, "exclusiveMaximum": 10}, True, (1, 9)),  # OpenAPI 3.1: numbers of their own
        ({"minimum": 5, "exclusiveMinimum": 7}, True, (8, None)),  # both: the stricter wins
        ({"minimum": 7, "exclusiveMinimum": 5}, True, (7, None)),
        ({"maximum": 7, "exclusiveMaximum": 7}, True, (None, 6)),
        ({"minimum": 0.5, "maximum": 9.5}, True, (1, 9)),  # integers inside non-integer bounds
        ({"exclusiveMinimum": 0.5, "exclusiveMaximum": 9.5}, True, (1, 9)),
        ({"minimum": 0, "exclusiveMinimum": True, "maximum": 1}, False, (0.01, 1)),
        ({"exclusiveMaximum": 2.5}, False, (None, 2.49)),
        ({"minimum": True, "maximum": "10"}, True, (None, None)),  # not numbers: no bounds
        ({"minimum": -(10**30), "maximum": 10**30 + 1}, True, (-(10**30), 10**30 + 1)),  # exact beyond 64 bits
        ({"maximum": 99999999999999999999, "exclusiveMaximum": True}, True, (None, 99999999999999999998)),
    ],
)
def test_inclusive_bounds(keywords: dict[str, Any], integer: bool, expected: tuple[Any, Any]) -> None:
    low, high = inclusive_bounds(
        keywords.get("minimum"),
        keywords.get("maximum"),
        keywords.get("exclusiveMinimum"),
        keywords.get("exclusiveMaximum"),
        integer=integer,
    )
    for got, wanted in zip((low, high), expected, strict=True):
        assert got == (pytest.approx(wanted) if isinstance(wanted, float) else wanted)
    if integer:
        assert all(type(b) is int for b in (low, high) if b is not None)


DEST = {
    "type": "object",
    "properties": {
        "external_id": {"type": "integer", "format": "int64"},
        "age": {"type": "integer", "format": "int32", "minimum": 0, "exclusiveMaximum": 150},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "rank": {"type": "integer", "minimum": 10},
        "code": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "integer"}},
        "items": {"type": "array", "items": {"$ref": "#/schemas/Item"}},
    },
}
SCHEMAS = {"Item": {"type": "object", "properties": {"quantity": {"type": "integer", "maximum": 99}}}}


def logic(*transformations: dict[str, Any]) -> MappingLogic:
    return MappingLogic.model_validate(
        {
            "source_endpoint": "/people",
            "source_method": "GET",
            "dest_endpoint": "/contacts",
            "dest_method": "POST",
            "complexity_score": 1,
            "transformations": [{"confidence": 1.0, "reason": "test", **t} for t in transformations],
        }
    )


def test_a_destination_field_gives_its_range_and_format_limits() -> None:
    fields = {f.path: f for f in flatten(DEST, SCHEMAS)}
    assert NumberRange.of(fields["external_id"]) == NumberRange(integer=True, limits=INTEGER_FORMATS["int64"])
    assert NumberRange.of(fields["age"]) == NumberRange(0, 149, integer=True, limits=(-(2**31), 2**31 - 1))
    assert NumberRange.of(fields["score"]) == NumberRange(0, 1, integer=False)
    assert NumberRange.of(fields["items[].quantity"]) == NumberRange(None, 99, integer=True)


def test_targets_come_from_transforms_that_carry_a_number_into_a_numeric_field() -> None:
    mapping = logic(
        {"dest_field": "external_id", "source_field": "id", "transform_type": "parse_int"},
        {"dest_field": "age", "source_field": "profile.age", "transform_type": "direct"},
        {"dest_field": "score", "source_field": "score_text", "transform_type": "parse_float"},
        {"dest_field": "items[].quantity", "source_field": "lines[].qty", "transform_type": "mapping"},
        {"dest_field": "code", "source_field": "code_number", "transform_type": "stringify"},  # a string field
        {"dest_field": "tags", "source_field": "labels", "transform_type": "direct"},  # a list
        {"dest_field": "rank", "source_field": "created", "transform_type": "iso_to_unix"},  # not the same number
        {"dest_field": "rank", "source_fields": ["a", "b"], "transform_type": "collect"},
        {"dest_field": "missing", "source_field": "x", "transform_type": "direct"},
    )
    targets = number_targets(mapping, flatten(DEST, SCHEMAS))
    assert targets == {
        "id": NumberRange(integer=True, limits=INTEGER_FORMATS["int64"]),
        "profile.age": NumberRange(0, 149, integer=True, limits=INTEGER_FORMATS["int32"]),
        "score_text": NumberRange(0, 1, integer=False),
        "lines[].qty": NumberRange(None, 99, integer=True),
    }


def test_one_source_feeding_two_fields_gets_what_both_accept() -> None:
    mapping = logic(
        {"dest_field": "age", "source_field": "n", "transform_type": "direct"},
        {"dest_field": "rank", "source_field": "n", "transform_type": "direct"},
    )
    assert number_targets(mapping, flatten(DEST, SCHEMAS)) == {
        "n": NumberRange(10, 149, integer=True, limits=INTEGER_FORMATS["int32"])
    }
