"""Synthetic values: numbers stay inside the declared ranges (short digit patterns, destination targets, source
bounds); strings follow the spec's examples, and enum-like ones take the spec's values, never a Faker guess."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import shared_specs
from vitesse.guardian.ranges import INTEGER_FORMATS, NumberRange
from vitesse.guardian.synthetic import REPEAT_EXTRA, RecordGenerator
from vitesse.ingest import ingest_spec
from vitesse.shapes import shape

COUNT = 200  # every record kind (realistic, required-only, edge) many times over


def values(field: dict[str, Any], targets: dict[str, NumberRange] | None = None, *, seed: int = 0) -> list[Any]:
    """The values generated for one required field ``f`` over COUNT records."""
    schema = {"type": "object", "required": ["f"], "properties": {"f": field}}
    records = RecordGenerator({}, seed, targets={"f": targets["f"]} if targets else None).records(schema, COUNT)
    return [r["f"] for r in records]


def test_unbounded_digit_patterns_stay_short() -> None:
    for pattern, shortest in (("^[0-9]+$", 1), (r"^\d+$", 1), (r"^[1-9]\d*$", 1), ("^[0-9]{3,}$", 3)):
        texts = values({"type": "string", "pattern": pattern})
        assert all(re.search(pattern, t) for t in texts), pattern
        assert min(len(t) for t in texts) == shortest and max(len(t) for t in texts) == shortest + REPEAT_EXTRA
        assert all(int(t) < 2**53 for t in texts) or shortest > 1, pattern  # exact in every JSON parser


def test_bounded_repeats_and_lengths_are_kept() -> None:
    ids = values({"type": "string", "pattern": "^cus_[A-Za-z0-9]{8,24}$"})
    assert all(re.fullmatch("cus_[A-Za-z0-9]{8,24}", t) for t in ids)
    assert max(len(t) for t in ids) > 4 + 8 + REPEAT_EXTRA  # {8,24} is the pattern's own bound, not shortened
    long = values({"type": "string", "pattern": "^[a-z]+$", "minLength": 40})
    assert all(len(t) >= 40 and t.isalpha() for t in long)
    short = values({"type": "string", "pattern": "^[a-z]+$", "maxLength": 5})
    assert all(1 <= len(t) <= 5 for t in short)


def test_a_digit_string_feeding_a_number_carries_one_the_destination_accepts() -> None:
    texts = values({"type": "string", "pattern": "^[0-9]+$"}, {"f": NumberRange(1, 100, integer=True)})
    numbers = [int(t) for t in texts]
    assert all(1 <= n <= 100 for n in numbers)
    assert {1, 100} <= set(numbers) and len(set(numbers)) > 20  # edge records take the boundaries
    floats = values({"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}, {"f": NumberRange(0.5, 2.0, integer=False)})
    assert all(0.5 <= float(t) <= 2.0 for t in floats)
    whole = values({"type": "string", "pattern": "^[0-9]+$"}, {"f": NumberRange(3, 9, integer=False)})
    assert all(re.fullmatch("[0-9]+", t) and 3 <= int(t) <= 9 for t in whole)  # 5.0 written "5" for the pattern


def test_an_unbounded_destination_with_a_format_keeps_plain_numbers() -> None:
    int64 = NumberRange(integer=True, limits=INTEGER_FORMATS["int64"])
    texts = values({"type": "string", "pattern": "^[0-9]+$"}, {"f": int64})
    assert all(0 <= int(t) <= 1000 for t in texts)
    near_top = NumberRange(2**31 - 5, None, integer=True, limits=INTEGER_FORMATS["int32"])
    numbers = values({"type": "integer"}, {"f": near_top})
    assert all(2**31 - 5 <= n <= 2**31 - 1 for n in numbers) and 2**31 - 1 in numbers


def test_a_pattern_that_allows_no_such_number_keeps_its_own_values() -> None:
    texts = values({"type": "string", "pattern": "^[0-9]{12}$"}, {"f": NumberRange(0, 2**31 - 1, integer=True)})
    assert all(re.fullmatch("[0-9]{12}", t) for t in texts)
    assert any(int(t) > 2**31 - 1 for t in texts)  # the real mismatch reaches the destination check


def test_an_unbounded_source_number_gets_the_destination_range() -> None:
    for field, target in (
        ({"type": "integer"}, NumberRange(10, 20, integer=True)),
        ({"type": "integer", "format": "int64"}, NumberRange(None, -5, integer=True)),
        ({"type": "number"}, NumberRange(0.0, 1.0, integer=False)),
    ):
        low = target.low if target.low is not None else -1000 - 5
        assert all(low <= v <= target.high for v in values(field, {"f": target})), field


def test_bounds_the_source_declares_win_side_by_side() -> None:
    declared = values({"type": "integer", "minimum": 0, "maximum": 5000}, {"f": NumberRange(0, 100, integer=True)})
    assert all(0 <= v <= 5000 for v in declared) and any(v > 100 for v in declared)  # a real mismatch stays
    open_top = values({"type": "integer", "minimum": 0}, {"f": NumberRange(None, 100, integer=True)})
    assert all(0 <= v <= 100 for v in open_top) and 0 in open_top and 100 in open_top
    above = values({"type": "integer", "minimum": 500}, {"f": NumberRange(None, 100, integer=True)})
    assert all(v >= 500 for v in above)


def test_own_bounds_without_targets() -> None:
    assert all(v <= -5 for v in values({"type": "integer", "maximum": -5}))  # was 0: above the maximum
    assert all(1 <= v <= 9 for v in values({"type": "integer", "minimum": 0.5, "maximum": 9.5}))
    assert all(0 <= v <= 1000 for v in values({"type": "integer"}))


def test_targets_reach_nested_and_list_fields_by_path() -> None:
    schema = {
        "type": "object",
        "required": ["address", "emails"],
        "properties": {
            "address": {
                "type": "object",
                "required": ["zip"],
                "properties": {"zip": {"type": "string", "pattern": "^[0-9]+$"}},
            },
            "emails": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "object", "required": ["rank"], "properties": {"rank": {"type": "integer"}}},
            },
        },
    }
    targets = {"address.zip": NumberRange(10000, 99999, integer=True), "emails[].rank": NumberRange(1, 5, integer=True)}
    records = RecordGenerator({}, 3, targets=targets).records(schema, 40)
    assert all(10000 <= int(r["address"]["zip"]) <= 99999 for r in records)
    assert all(1 <= e["rank"] <= 5 for r in records for e in r["emails"])
    assert RecordGenerator({}, 3, targets=targets).records(schema, 40) == records  # still deterministic


def named_values(name: str, field: dict[str, Any], schemas: dict[str, Any] | None = None, seed: int = 0) -> list[Any]:
    """The values generated for one required field called ``name`` over COUNT records (every kind)."""
    schema = {"type": "object", "required": [name], "properties": {name: field}}
    return [r[name] for r in RecordGenerator(schemas or {}, seed).records(schema, COUNT)]


def test_an_enum_like_string_takes_the_values_its_spec_gives() -> None:
    described = {"type": "string", "example": "open", "description": "State of the issue; either 'open' or 'closed'"}
    assert set(named_values("state", described)) == {"open", "closed"}
    # the values other schemas of the spec give a field of that name beside the same example (an enum elsewhere)
    others = {
        "milestone": {"properties": {"state": {"type": "string", "enum": ["open", "closed"]}}},
        "asset": {"properties": {"state": {"type": "string", "enum": ["uploaded"]}}},  # not beside "open"
    }
    assert set(named_values("state", {"type": "string", "example": "open"}, others)) == {"open", "closed"}
    assert set(named_values("state", {"type": "string", "example": "open"})) == {"open"}  # nothing else given
    listed = {"type": "string", "description": "Can be one of `low`, `normal` or `high`."}
    assert set(named_values("priority", listed)) == {"low", "normal", "high"}
    # without examples or listed values a state is still an address's (a region code), and a title free text
    regions = [v for i, v in enumerate(named_values("state", {"type": "string"})) if i % 4 != 2]  # edge aside
    assert all(re.fullmatch("[A-Z]{2}", v) for v in regions)
    regions = named_values("state", {"type": "string", "example": "CA"})[::4]  # an address's, by its example
    assert all(re.fullmatch("[A-Z]{2}", v) for v in regions) and len(set(regions)) > 10
    assert len(set(named_values("title", {"type": "string", "example": "Found a bug"}))) > 20


def test_enum_values_come_in_turn() -> None:
    firsts = named_values("status", {"type": "string", "enum": ["lead", "active", "churned"]})[:3]
    assert sorted(firsts) == ["active", "churned", "lead"]


def test_strings_take_the_shape_of_their_examples() -> None:
    urls = named_values("events", {"type": "string", "example": "https://api.github.com/repos/o/r/events"})
    assert all(shape(v) == "url" for v in urls)  # no format, but URL examples: a URL, even in edge records
    gids = named_values("gid", {"type": "string", "example": "12345"})
    assert all(re.fullmatch("[1-9][0-9]*", v) for v in gids)  # digits, not the hex a name ending in id gets
    bodies = named_values("contents", {"type": "string", "example": "It looks like the new widget form is broken."})
    assert sum(shape(v) == "prose" for v in bodies) > COUNT / 2  # edge records still get empty and unicode text


@pytest.mark.slow
def test_github_issues_get_open_and_closed_states() -> None:
    github = ingest_spec(str(shared_specs() / "github-rest" / "api.github.com-2020-09.json"))
    schema = github.endpoint("GET /repos/{owner}/{repo}/issues").response_schema
    for seed in (0, 1, 2):
        records = RecordGenerator(github.schemas, seed).records(schema, 5)  # the default sample size
        assert {r["state"] for r in records} == {"open", "closed"}, seed
        assert RecordGenerator(github.schemas, seed).records(schema, 5) == records
