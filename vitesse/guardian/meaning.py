"""The meaning check of the test step: does each mapped value look like what the destination field holds?

A record can be schema-valid and still wrong: a ``comments_url`` in Asana's ``notes`` (free text), an
``updated_at`` date-time in a field whose examples are dates, ``assignee.url`` in a field whose examples are gids.
For each mapped destination field this compares, beyond the JSON schema (which the validator checks):

- ``examples``: the value's shape (`vitesse.shapes`) against the shape the destination field's own
  examples share. Only shapes that say something on their own are judged (a URL, an email, a date, a date-time, a
  UUID, a numeric string, a boolean): a word made up for a source field the spec gives no example of may be the
  generator's guess.
- ``source``: for a value passed through unchanged (``direct``, ``mapping``), the source field's own shape (its
  format, its enum, else its examples) against the destination's: the strongest evidence, and it also settles a
  pair whose shapes agree (the generated value is then not held against the mapping). An enum's value (a state)
  does not go into a field whose examples are sentences.
- ``values``: a destination without an enum whose description lists its values ("one of `a`, `b`"), backed by its
  examples, gets one of them.
- ``partial``: a money object (an amount and a currency side by side, Square's ``amount_money``) written with its
  currency and without its amount: schema-valid where neither is required, and a refund of nothing.

Only clear conflicts count: a field without examples, or whose examples disagree, is not checked; null and empty
values are not; a free-text example of a container-like field (``external.data``: "A blob of information.") is a
placeholder; a shape the description names is allowed ("the gid of a user, or an email"). What the manifest states
itself (``mapping.transforms``, ``mapping.constants``) is the user's word and is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vitesse.mapping.fields import Field
from vitesse.mapping.models import MappingLogic, Transformation
from vitesse.mapping.vocabulary import concept, words
from vitesse.shapes import (
    DISTINCTIVE,
    FORMAT_SHAPES,
    LABELS,
    PLURAL,
    common_shape,
    conflicts,
    described_values,
    example_text,
    shape,
)

CHECKS = ("examples", "source", "values", "partial")
PASS_THROUGH = frozenset({"direct", "mapping"})
USER_STATED = "explicit transform in the manifest"
"""The reason the mapper gives a transformation copied from ``mapping.transforms``."""
GENERIC_NAMES = frozenset(
    {"data", "metadata", "meta", "blob", "payload", "extra", "custom", "context", "info", "value", "values",
     "properties", "attributes", "content", "details", "misc", "other"}
)  # fmt: skip
"""Names of container-like fields, whose free-text examples are placeholders, not the shape of their values."""
_NAMED = {
    "url": re.compile(r"\b(url|uri|link|href|web address)s?\b", re.I),
    "email": re.compile(r"\be-?mail", re.I),
}
"""Value shapes a destination's description may name as allowed ("the gid of a user, or an email")."""
QUOTE_CHARS = 40


def quote(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 3] + "...")


@dataclass(frozen=True)
class MeaningProblem:
    """One mapped value that does not fit what the destination field holds: the field, the check, why."""

    field: str
    check: str
    message: str

    @property
    def code(self) -> str:
        """The problem code of the failure report: ``meaning.examples``, ``meaning.source``, ``meaning.values``."""
        return f"meaning.{self.check}"


@dataclass(frozen=True)
class _Plan:
    """What one destination field is checked against, worked out once per run."""

    dest: str
    expected: str | None  # the shape the destination's examples share
    example: Any
    allowed: frozenset[str]  # value shapes the destination's description names
    listed: tuple[str, ...]  # values the destination's description lists, backed by its examples
    source: str | None  # a pass-through transformation's source field
    source_shape: str | None
    source_by: str  # "its format uri" or "its examples ('https://...')"


class MeaningCheck:
    """The meaning checks of one mapping, compiled once: ``check.problems(transformed_record)``."""

    def __init__(self, logic: MappingLogic, source_fields: list[Field], dest_fields: list[Field]) -> None:
        sources = {f.path: f for f in source_fields}
        dests = {f.path: f for f in dest_fields}
        self.plans = [
            plan for t in logic.transformations if (plan := _plan(t, dests.get(t.dest_field), sources)) is not None
        ]
        self.money = money_objects(dest_fields)

    def problems(self, record: Any, *, skip: frozenset[str] | set[str] = frozenset()) -> list[MeaningProblem]:
        """The meaning problems of one transformed record; fields in ``skip`` (already failing the schema) aside."""
        found = []
        for plan in self.plans:
            if plan.dest in skip:
                continue
            for value in values_at(record, plan.dest):
                problem = _judge(plan, value)
                if problem is not None:
                    found.append(problem)
                    break
        for container, (amount, currency) in self.money.items():
            for value in values_at(record, container) if container else [record]:
                if isinstance(value, dict) and value.get(currency) not in (None, "") and value.get(amount) is None:
                    where = f"{container}.{amount}" if container else amount
                    found.append(
                        MeaningProblem(
                            where,
                            "partial",
                            f"{where}: the money object has a currency ({quote(value.get(currency))}) and no amount; "
                            f"map its amount, or leave the currency out",
                        )
                    )
                    break
        return found


def money_objects(dest_fields: list[Field]) -> dict[str, tuple[str, str]]:
    """Containers holding an amount and a currency side by side: container path -> (amount leaf, currency leaf)."""
    by_parent: dict[str, dict[str, str]] = {}
    for field in dest_fields:
        names = words(field.name)
        if field.type in ("integer", "number") and names[-1:] == ("amount",):
            by_parent.setdefault(field.parent, {}).setdefault("amount", field.name)
        elif field.type == "string" and concept(field.name) == "currency":
            by_parent.setdefault(field.parent, {}).setdefault("currency", field.name)
    return {p: (k["amount"], k["currency"]) for p, k in by_parent.items() if len(k) == 2 and p}


def _plan(t: Transformation, dest: Field | None, sources: dict[str, Field]) -> _Plan | None:
    if dest is None or t.transform_type == "constant" or t.reason == USER_STATED:
        return None
    if dest.enum or dest.type not in ("string", None) or dest.format in FORMAT_SHAPES:
        return None  # the schema checks enums, types and these formats itself
    examples = [example_text(v) for v in dest.examples if example_text(v) != ""]
    expected = _shape_of(dest, examples)
    listed = described_values(dest.description)
    if not (examples and all(isinstance(e, str) and e in listed for e in examples)):
        listed = ()
    if expected is None and not listed:
        return None
    source = None
    if t.transform_type in PASS_THROUGH and len(t.sources) == 1:
        source = sources.get(t.sources[0]) or sources.get(t.sources[0].removesuffix("[]"))
    source_shape, source_by = None, ""
    if source is not None:
        if source.format in FORMAT_SHAPES:
            source_shape, source_by = FORMAT_SHAPES[source.format], f"by its format {source.format}"
        elif source.enum and all(isinstance(v, str) for v in source.enum):
            source_shape, source_by = "choice", f"by its enum ({', '.join(quote(v) for v in source.enum[:4])})"
        else:
            source_examples = [example_text(v) for v in source.examples if example_text(v) != ""]
            source_shape = _shape_of(source, source_examples)
            if source_shape is not None:
                source_by = f"by its examples ({quote(source_examples[0])})"
    allowed = frozenset(s for s, pattern in _NAMED.items() if pattern.search(dest.description))
    return _Plan(
        dest=dest.path,
        expected=expected,
        example=examples[0] if examples else None,
        allowed=allowed,
        listed=listed,
        source=source.path if source is not None else None,
        source_shape=source_shape,
        source_by=source_by,
    )


def _shape_of(field: Field, examples: list[Any]) -> str | None:
    """The shape a field's examples share, unless they are a container's placeholder text."""
    found = common_shape(examples) if examples else None
    if found in ("phrase", "prose") and field.name.lower() in GENERIC_NAMES:
        return None
    return found


def _judge(plan: _Plan, value: Any) -> MeaningProblem | None:
    got = shape(value)
    if got is None:
        return None
    if plan.listed and isinstance(value, str):
        if value.lower() not in {v.lower() for v in plan.listed}:
            return MeaningProblem(
                plan.dest,
                "values",
                f"{plan.dest}: the destination's description lists the values "
                f"{', '.join(quote(v) for v in plan.listed[:6])}; got {quote(value)}",
            )
        return None
    if plan.expected is None:
        return None
    wanted = f"the destination's examples are {PLURAL[plan.expected]} ({quote(plan.example)})"
    if plan.source_shape is not None:
        if conflicts(plan.expected, plan.source_shape) and plan.source_shape not in plan.allowed:
            return MeaningProblem(
                plan.dest,
                "source",
                f"{plan.dest}: {wanted}; the source field {plan.source} holds {PLURAL[plan.source_shape]} "
                f"{plan.source_by} (got {quote(value)})",
            )
        return None  # the two specs agree: the generated value is not held against the mapping
    if got in DISTINCTIVE and conflicts(plan.expected, got) and got not in plan.allowed:
        return MeaningProblem(plan.dest, "examples", f"{plan.dest}: {wanted}; got {LABELS[got]} ({quote(value)})")
    return None


def values_at(record: Any, path: str) -> Iterator[Any]:
    """Every value at ``path`` in a record (``a.b``, ``emails[].value``: one per list element)."""
    nodes = [record]
    for part in path.split("."):
        name, is_list = part.removesuffix("[]"), part.endswith("[]")
        nodes = [n.get(name) for n in nodes if isinstance(n, dict) and name in n]
        if is_list:
            nodes = [item for n in nodes if isinstance(n, list) for item in n]
    yield from nodes
