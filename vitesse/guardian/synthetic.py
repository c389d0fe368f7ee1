"""Synthetic source records from a record schema: realistic values and deliberate edge variations, deterministic.

Record ``i`` of a run is one of four kinds, in turn: a realistic full record, one with only the required fields,
an edge record (empty strings, nulls where allowed, unicode, boundary numbers) and another realistic one. Values
follow type, format (email, date-time, date, uri, uuid, ipv4), enum, pattern, length and range limits; names pick the
Faker provider (``first_name``, ``postal_code``, ``phone``...). The same seed gives the same records.

The spec's examples come before a name's guess. A string shaped like its examples takes that shape (a URL for an
``events_url`` without a format, digits for an id whose example is ``"12345"``). An enum-like string (``state``
with the example ``open``) takes the values the spec gives it like an enum (`vitesse.guardian.spec_values`), never a
Faker guess (US state codes). Enum values are taken in turn, so a few records already carry each one (a
``state == 'closed'`` transform is exercised).

Numbers stay inside the declared ranges: the source field's own bounds, and where it declares none (a digit-pattern
string, a bare integer) the bounds of the destination field it is mapped into (``targets``, see
`vitesse.guardian.ranges`). Unbounded pattern repeats (``+``, ``*``) stay short (`REPEAT_EXTRA`).
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from re._constants import MAXREPEAT  # type: ignore[import-not-found] - the parser rstr reads patterns with
from typing import Any

import rstr

from vitesse.guardian.ranges import NumberRange, inclusive_bounds
from vitesse.guardian.spec_values import SpecValues
from vitesse.ingest.schemas import allows_null, examples_of, ref_key, schema_type
from vitesse.mapping.vocabulary import concept, words
from vitesse.shapes import DISTINCTIVE, common_shape, conflicts, example_text, shape

KINDS = ("realistic", "required_only", "edge", "realistic")
UNICODE = "Zoë Ünïcødé 東京 🚀"
_EPOCH_2020 = 1_577_836_800
_SPAN = 6 * 365 * 86400
MAX_DEPTH = 12
MAX_REFS = 64  # refs followed along one path (real specs: at most 7), as in vitesse.mapping.fields
FULL_DEPTH = 3  # below this depth only required fields are generated, to keep deep schemas (Stripe) small
NUMBER_SPAN = 1000
"""Width of the generated range on a side no schema bounds: 0..1000 for a bare number."""
REPEAT_EXTRA = 14
"""How many times past its minimum an unbounded pattern repeat may run: ``^[0-9]+$`` gives 1 to 15 digits, inside
the integers every JSON parser keeps exact (2**53), where rstr's own limit of 100 gives 100-digit numbers."""


class _Xeger(rstr.Rstr):
    """rstr's pattern-to-text generator with unbounded repeats (``+``, ``*``, ``{n,}``) kept short.

    Bounded repeats (``{8,24}``) stay as the pattern says; an unbounded one runs at least `floor` times and at most
    `extra` times more (`from_pattern` moves both for a field's minLength and maxLength).
    """

    floor = 0
    extra = REPEAT_EXTRA

    def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
        if end_range >= MAXREPEAT:
            start_range = max(start_range, self.floor)
            end_range = start_range + self.extra
        return super()._handle_repeat(start_range, end_range, value)


class RecordGenerator:
    """Generates records for one schema (refs resolved through the spec's ``schemas`` table).

    ``targets`` maps source field paths (``age``, ``emails[].rank``) to the range of the numeric destination field
    each feeds (`vitesse.guardian.ranges.number_targets`); a field that declares no bounds of its own gets values
    inside that range (a digit-pattern string: the text of such a number, when the pattern allows it).
    """

    def __init__(self, schemas: dict[str, Any], seed: int, targets: Mapping[str, NumberRange] | None = None) -> None:
        from faker import Faker  # here, not at the top: importing faker costs ~0.2 s, for the test step alone

        self.schemas = schemas
        self.targets: Mapping[str, NumberRange] = targets or {}
        self.rng = random.Random(seed)
        self.faker = Faker("en_US")
        self.faker.seed_instance(seed)
        self.xeger = _Xeger(self.rng)
        self._turns: dict[str, int] = {}
        self._known: dict[str, tuple[str, ...]] = {}
        self._examples: dict[str, tuple[list[Any], str | None]] = {}
        self._makers: dict[str, Any] | None = None
        self.spec_values = SpecValues(schemas)

    def records(self, schema: dict[str, Any], count: int) -> list[dict[str, Any]]:
        out = []
        for index in range(count):
            kind = KINDS[index % len(KINDS)]
            resolved, seen, _ = self.resolve(schema, frozenset())
            value = self.object(resolved, kind, 0, seen, "") if schema_type(resolved) in ("object", None) else None
            out.append(value if isinstance(value, dict) else {})
        return out

    # -- schema handling ----------------------------------------------------------------------------------------
    def resolve(self, schema: Any, seen: frozenset[str]) -> tuple[dict[str, Any], frozenset[str], bool]:
        """(schema, seen refs, cycle?) with top-level refs followed and allOf merged, one oneOf/anyOf branch taken."""
        for _ in range(32):
            if not isinstance(schema, dict):
                return {}, seen, False
            ref = schema.get("$ref")
            key = ref_key(ref) if isinstance(ref, str) else None
            if key is None:
                break
            if key in seen or len(seen) >= MAX_REFS:  # a cycle, or a hostile chain as long as the recursion limit
                return {}, seen, True
            seen = seen | {key}
            schema = {**self.schemas.get(key, {}), **{k: v for k, v in schema.items() if k != "$ref"}}
        if "allOf" in schema:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            props = dict(merged.get("properties") or {})
            required = list(merged.get("required") or [])
            for part in schema["allOf"]:
                resolved, _, cycle = self.resolve(part, seen)
                if cycle:
                    continue
                for key, value in resolved.items():
                    if key == "properties":
                        props.update(value)
                    elif key == "required":
                        required += [r for r in value if r not in required]
                    else:
                        merged.setdefault(key, value)
            if props:
                merged["properties"] = props
            if required:
                merged["required"] = required
            schema = merged
        for keyword in ("oneOf", "anyOf"):
            variants = [v for v in schema.get(keyword) or [] if not (isinstance(v, dict) and v.get("type") == "null")]
            variants = [v for v in variants if not (isinstance(v, dict) and v.get("enum") == [""])] or variants
            if variants:
                chosen, seen, cycle = self.resolve(variants[0], seen)
                if cycle:
                    return {}, seen, True
                rest = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
                props = {**(rest.get("properties") or {}), **(chosen.get("properties") or {})}
                schema = {
                    **rest,
                    **chosen,
                    **({"properties": props} if props else {}),
                    "required": sorted(set(rest.get("required") or []) | set(chosen.get("required") or [])),
                }
                break
        return schema, seen, False

    # -- values -------------------------------------------------------------------------------------------------
    def value(self, schema: Any, name: str, kind: str, depth: int, seen: frozenset[str], path: str) -> Any:
        """A value for ``schema``; ``path`` is the field's path in the record (``address.city``, ``emails[].value``)."""
        schema, seen, cycle = self.resolve(schema, seen)
        if cycle:
            return None
        if "const" in schema:
            return schema["const"]
        nullable = allows_null(schema)
        if kind == "edge" and nullable and self.rng.random() < 0.5:
            return None
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            choices = [e for e in schema["enum"] if e is not None and e != ""] or schema["enum"]
            return self.in_turn(path, choices)
        kind_of = schema_type(schema)
        if kind_of == "string":
            known = self.known_values(schema, name, path)
            if known:
                return self.in_turn(path, list(known))
        target = self.targets.get(path)
        if kind_of == "object":
            return self.object(schema, kind, depth, seen, path)
        if kind_of == "array":
            return self.array(schema, name, kind, depth, seen, path)
        if kind_of == "integer":
            return self.integer(schema, name, kind, target)
        if kind_of == "number":
            return self.number(schema, kind, target)
        if kind_of == "boolean":
            return self.rng.random() < 0.5
        if kind_of == "null":
            return None
        if kind_of == "string":
            return self.string(schema, name, kind, target, path)
        return self.string({}, name, kind)  # untyped: a string is the safest guess

    def object(self, schema: dict[str, Any], kind: str, depth: int, seen: frozenset[str], path: str) -> dict[str, Any]:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        out: dict[str, Any] = {}
        if depth >= MAX_DEPTH:
            return out
        for name, sub in props.items():
            if not isinstance(sub, dict) or sub.get("writeOnly") is True:
                continue
            shallow = depth < FULL_DEPTH
            if name not in required and (kind == "required_only" or not shallow or self.rng.random() < 0.15):
                continue
            value = self.value(sub, name, kind, depth + 1, seen, f"{path}.{name}" if path else name)
            if value is None and name in required and not _allows_null(sub, self):
                continue
            out[name] = value
        extra = schema.get("additionalProperties")
        if not props and extra not in (None, False):
            where = f"{path}.source" if path else "source"
            value = "vitesse" if extra is True else self.value(extra, "source", kind, depth + 1, seen, where)
            if value is not None:
                out["source"] = value
        return out

    def array(
        self, schema: dict[str, Any], name: str, kind: str, depth: int, seen: frozenset[str], path: str
    ) -> list[Any]:
        low = int(schema.get("minItems", 0 if kind == "edge" else 1))
        high = int(schema.get("maxItems", max(low, 2)))
        count = low if kind in ("edge", "required_only") else self.rng.randint(low, max(low, min(high, 3)))
        items = schema.get("items", {})
        values = [self.value(items, name, kind, depth + 1, seen, f"{path}[]") for _ in range(count)]
        if any(v is None for v in values) and not _allows_null(items, self):
            return []  # a recursive item type: an empty list is the valid way out
        if schema.get("uniqueItems") is True:
            unique: list[Any] = []
            for v in values:
                if v not in unique:
                    unique.append(v)
            values = unique
        return values

    def integer(self, schema: dict[str, Any], name: str, kind: str, target: NumberRange | None = None) -> int:
        low, high, declared = _number_range(schema, target, integer=True)
        if not declared and (schema.get("format") in ("unix-time", "date-time") or _is_time_name(name)):
            return _EPOCH_2020 + self.rng.randrange(_SPAN)
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first, last = -(-low // step), high // step
            return step * (
                self.rng.choice([first, last]) if kind == "edge" else self.rng.randint(first, max(first, last))
            )
        if kind == "edge":
            return self.rng.choice([low, high])
        return self.rng.randint(low, high)

    def number(self, schema: dict[str, Any], kind: str, target: NumberRange | None = None) -> float:
        low, high, _ = _number_range(schema, target, integer=False)
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and step > 0:
            return step * self.rng.randint(int(-(-low // step)), max(int(-(-low // step)), int(high // step)))
        if kind == "edge":
            return float(self.rng.choice([low, high]))
        return round(self.rng.uniform(low, high), 2)

    def string(
        self, schema: dict[str, Any], name: str, kind: str, target: NumberRange | None = None, path: str = ""
    ) -> str:
        fmt = schema.get("format")
        min_length = int(schema.get("minLength", 0))
        max_length = schema.get("maxLength")
        pattern = schema.get("pattern")
        # a string whose examples are URLs, dates, numbers... is formatted in all but name
        examples, example_shape = self.examples_of(schema, path)
        free = not fmt and not pattern and example_shape not in DISTINCTIVE
        if kind == "edge" and free:
            if min_length == 0 and self.rng.random() < 0.5:
                return ""
            if max_length is None or max_length >= len(UNICODE):
                return UNICODE
        if pattern:
            text = self.number_text(schema, name, kind, target) if target is not None else None
            if text is None:
                text = self.from_pattern(pattern, min_length, max_length)
            if text is not None:
                return text
        text = (
            self.formatted(fmt, name, schema) if fmt else self.like_examples(examples, example_shape, name, max_length)
        )
        if len(text) < min_length:
            text = text + "x" * (min_length - len(text))
        if max_length is not None and len(text) > max_length:
            text = text[: int(max_length)]
        return text

    def number_text(self, schema: dict[str, Any], name: str, kind: str, target: NumberRange) -> str | None:
        """A number inside ``target`` written as text, if the string's pattern and lengths allow that text.

        A string that feeds a number (``parse_int`` of ``^[0-9]+$``) then carries a value the destination accepts;
        a pattern that allows no such text (``^[0-9]{12}$`` into an int32) keeps its own values, and the mismatch
        shows in the test.
        """
        if target.integer:
            return _text_if_fits(str(self.integer(schema, name, kind, target)), schema)
        value = self.number(schema, kind, target)
        low, high, _ = _number_range(schema, target, integer=False)
        whole = round(value)
        text = _text_if_fits(str(value), schema)
        if text is None and low <= whole <= high:
            text = _text_if_fits(str(whole), schema)  # 5.37 -> "5" for a digits-only pattern
        return text

    def from_pattern(self, pattern: str, min_length: int = 0, max_length: int | None = None) -> str | None:
        """A text matching ``pattern``, within the lengths if one of a few tries is; None if rstr cannot help."""
        try:
            compiled = re.compile(pattern)
        except re.error:
            return None
        matching = None
        self.xeger.floor, self.xeger.extra = 0, REPEAT_EXTRA
        for _ in range(5):
            try:
                text = self.xeger.xeger(pattern)
            except Exception:  # rstr cannot handle every regex: fall back to the name-based value
                return matching
            if compiled.search(text):
                if len(text) >= min_length and (max_length is None or len(text) <= max_length):
                    return text
                matching = text if matching is None else matching
            if len(text) < min_length:
                self.xeger.floor = min_length  # too short: unbounded repeats that long on the next tries
            elif max_length is not None and len(text) > max_length:
                self.xeger.extra //= 2  # too long: shorter ones
        return matching

    def moment(self) -> datetime:
        """A time between 2020 and 2026 (UTC), from the run's random stream."""
        return datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=self.rng.randrange(_SPAN))

    # -- values the spec gives --------------------------------------------------------------------------------
    def in_turn(self, path: str, choices: list[Any]) -> Any:
        """The next of ``choices`` for the field at ``path``, from a random start: every value comes round."""
        turn = self._turns.get(path)
        turn = self.rng.randrange(len(choices)) if turn is None else turn + 1
        self._turns[path] = turn
        return choices[turn % len(choices)]

    def known_values(self, schema: dict[str, Any], name: str, path: str) -> tuple[str, ...]:
        """The values of an enum-like string (see the module docstring); () for any other string."""
        if path not in self._known:
            self._known[path] = self.spec_values.enum_like(schema, name)
        return self._known[path]

    def examples_of(self, schema: dict[str, Any], path: str) -> tuple[list[Any], str | None]:
        """The field's examples (as values) and the shape they share, worked out once per field path."""
        found = self._examples.get(path) if path else None
        if found is None:
            examples = [example_text(v) for v in examples_of(schema)]
            found = (examples, common_shape(examples) if examples else None)
            if path:
                self._examples[path] = found
        return found

    def like_examples(self, examples: list[Any], expected: str | None, name: str, max_length: Any) -> str:
        """A name's guess, or a value shaped like the field's examples when the guess is not."""
        text = self.named(name, max_length)
        if expected is None:
            return text
        got = shape(text)
        if got == expected or (
            got is not None and expected in ("word", "token", "phrase") and not conflicts(expected, got)
        ):
            return text
        return self.shaped(expected, examples) or text

    def shaped(self, wanted: str, examples: list[Any]) -> str | None:
        """A value of shape ``wanted`` (`vitesse.shapes`), sized like the first example."""
        moment = self.moment()
        first = str(next((e for e in examples if shape(e) == wanted), ""))
        makers = {
            "url": self.faker.url,
            "email": self.faker.email,
            "uuid": lambda: str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "date": lambda: moment.date().isoformat(),
            "date-time": lambda: moment.isoformat().replace("+00:00", "Z"),
            "numeric": lambda: (
                str(self.rng.randint(1, 9))
                + "".join(str(self.rng.randint(0, 9)) for _ in range(max(0, min(len(first), 15) - 1)))
            ),
            "boolean": lambda: self.rng.choice(["true", "false"]),
            "word": self.faker.word,
            "token": lambda: f"{self.rng.getrandbits(40):x}",
            "phrase": lambda: " ".join(self.faker.words(2)),
            "prose": self.faker.sentence,
            "html": lambda: f"<p>{self.faker.sentence()}</p>",
        }
        maker = makers.get(wanted)
        return maker() if maker else None

    def formatted(self, fmt: str, name: str, schema: dict[str, Any]) -> str:
        moment = self.moment()
        if fmt == "email":
            return self.faker.email()
        if fmt == "date-time":
            return moment.isoformat().replace("+00:00", "Z")
        if fmt == "date":
            return moment.date().isoformat()
        if fmt in ("uri", "url", "uri-reference", "iri"):
            return self.faker.url() + ("avatar.png" if "avatar" in name or "image" in name else "")
        if fmt == "uuid":
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        if fmt == "ipv4":
            return self.faker.ipv4()
        if fmt == "ipv6":
            return self.faker.ipv6()
        if fmt in ("hostname", "idn-hostname"):
            return self.faker.domain_name()
        if fmt == "byte":
            return "dml0ZXNzZQ=="
        if fmt == "time":
            return moment.time().isoformat() + "Z"
        if fmt == "timezone":
            return "America/New_York"
        return self.named(name, schema.get("maxLength"))

    def named(self, name: str, max_length: Any) -> str:
        """A value that fits what the field's name says it holds."""
        found = concept(name) if name else None
        f = self.faker
        if found == "country":
            short = isinstance(max_length, int) and max_length <= 3
            return str(f.country_code() if short or "code" in words(name) else f.country())
        if self._makers is None:
            self._makers = self._concept_makers()
        if found in self._makers:
            return str(self._makers[found]())
        tokens = words(name) if name else ()
        if tokens and tokens[-1] == "id":
            return f"{self.rng.getrandbits(40):x}"
        if tokens and tokens[-1] in ("url", "uri", "link", "href"):
            return f.url()
        if tokens and tokens[-1] in ("at", "date", "time"):
            moment = self.moment()
            return moment.isoformat().replace("+00:00", "Z")
        return f.word()

    def _concept_makers(self) -> dict[str, Any]:
        """Vocabulary concept -> what makes a value of it (the country is `named`'s: it depends on the field)."""
        f = self.faker
        return {
            "email": f.email,
            "given_name": f.first_name,
            "family_name": f.last_name,
            "full_name": f.name,
            "nickname": f.first_name,
            "company": f.company,
            "job_title": f.job,
            "street": f.street_address,
            "street2": f.secondary_address,
            "city": f.city,
            "region": f.state_abbr,
            "postal_code": f.zipcode,
            "phone": lambda: "+1" + "".join(str(self.rng.randint(0, 9)) for _ in range(10)),
            "avatar": f.image_url,
            "website": f.url,
            "note": f.sentence,
            "language": lambda: "en",
            "timezone": lambda: "America/New_York",
            "currency": lambda: "usd",
            "username": f.user_name,
            "external_id": lambda: uuid.UUID(int=self.rng.getrandbits(128)).hex,
            "tags": f.word,
            "gender": lambda: self.rng.choice(["female", "male", "nonbinary"]),
        }


def _allows_null(schema: dict[str, Any], generator: RecordGenerator) -> bool:
    resolved, _, _ = generator.resolve(schema, frozenset())
    return allows_null(resolved)


def _bounds(schema: dict[str, Any], *, integer: bool) -> tuple[Any, Any]:
    """The inclusive (low, high) a schema declares, None for an open side."""
    return inclusive_bounds(
        schema.get("minimum"),
        schema.get("maximum"),
        schema.get("exclusiveMinimum"),
        schema.get("exclusiveMaximum"),
        integer=integer,
    )


def _number_range(schema: dict[str, Any], target: NumberRange | None, *, integer: bool) -> tuple[Any, Any, bool]:
    """(low, high, declared) of the numbers to generate for ``schema``.

    The source schema's own bounds come first; a side it leaves open takes the destination's (``target``); a side
    still open is `NUMBER_SPAN` away from the other (0..1000 with no bounds at all), kept inside the destination
    format's limits. ``declared``: some schema bounds the range.
    """
    own_low, own_high = _bounds(schema, integer=integer)
    low = own_low if own_low is not None or target is None else target.low
    high = own_high if own_high is not None or target is None else target.high
    declared = low is not None or high is not None
    span, zero = (NUMBER_SPAN, 0) if integer else (float(NUMBER_SPAN), 0.0)
    if low is None:
        low = high - span if high is not None and high < 0 else zero
    if high is None:
        high = low + span
    if target is not None and target.limits is not None:
        if own_low is None:
            low = min(max(low, target.limits[0]), target.limits[1])
        if own_high is None:
            high = max(min(high, target.limits[1]), target.limits[0])
    return low, max(low, high), declared


def _text_if_fits(text: str, schema: dict[str, Any]) -> str | None:
    """``text`` if the string schema's pattern and lengths allow it, else None."""
    pattern = schema.get("pattern")
    if len(text) < int(schema.get("minLength", 0)):
        return None
    if isinstance(schema.get("maxLength"), int) and len(text) > schema["maxLength"]:
        return None
    try:
        return text if not isinstance(pattern, str) or re.search(pattern, text) else None
    except re.error:
        return None


def _is_time_name(name: str) -> bool:
    tokens = words(name) if name else ()
    return bool(tokens) and tokens[-1] in ("at", "time", "timestamp", "created", "updated", "date")
