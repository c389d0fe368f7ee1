"""Conversions a pairing needs beyond a type cast, proposed as templates a reviewer can read:

- money in minor units (``1999``) into a decimal amount (``19.99``) and back, with the currency's exponent;
- a Unix time or a date-time into a ``format: date`` field;
- a lower-case currency code into a destination that lists upper-case ones;
- a state or status string into a boolean flag (``completed`` from ``state == 'closed'``), and a flag into a status
  (``'ACTIVE' if active else 'ARCHIVED'``).

Everything here reads the two specs only: formats, types, enums, examples and the values a description quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from vitesse.mapping.fields import Field, leaf
from vitesse.mapping.types import is_date, is_unix_time
from vitesse.mapping.vocabulary import concept, meaningful, words
from vitesse.shapes import described_values

MONEY_WORDS = frozenset({"amount", "price", "total", "subtotal", "cost", "fee", "tax", "balance", "money"})
_MINOR = re.compile(
    r"smallest (currency )?(unit|denomination)|minor unit|lowest denomination|in cents|\bcents\b|in pence", re.I
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Conversion:
    template: str
    reason: str


def field_values(field: Field) -> list[str]:
    """The string values a field is known to take: its enum, its examples, values its description quotes."""
    found = [str(v) for v in field.enum or ()] + [v for v in field.examples if isinstance(v, str)]
    found += described_values(field.description)
    return list(dict.fromkeys(v for v in found if v.strip()))


def expression(path: str) -> str | None:
    """A template expression reading ``path`` (``price_money.amount``), or None where a template cannot
    (list elements, names that are not identifiers)."""
    parts = path.split(".")
    return path if all(_IDENTIFIER.match(p) for p in parts) else None


def is_money(field: Field) -> bool:
    """A number named or described as money (``amount``, ``price_money.amount``, "in cents")."""
    if field.type not in ("integer", "number"):
        return False
    names = set(words(field.name)) | set(words(leaf(field.parent)))
    if is_unix_time(field) and not names & MONEY_WORDS:
        return False
    return bool(names & MONEY_WORDS) or bool(_MINOR.search(field.description))


def in_minor_units(field: Field) -> bool:
    """Integer amounts, or amounts whose description says cents / the smallest currency unit."""
    return field.type == "integer" or bool(_MINOR.search(field.description))


def currency_for(field: Field, sources: list[Field], element: str = "") -> Field | None:
    """The currency that goes with an amount: a sibling ``currency``, else one up its path (in a list element:
    only inside that element, ``element``), else one at the record's root."""
    currencies = [s for s in sources if concept(s.name) == "currency" and s.type == "string"]
    if element:
        inside = [c for c in currencies if c.path.startswith(element + "[].")]
        up = sorted((c for c in inside if field.path.startswith(c.parent + ".")), key=lambda c: -len(c.parent))
        return up[0] if up else None
    currencies = [c for c in currencies if "[]" not in c.path]
    sibling = [c for c in currencies if c.parent == field.parent]
    root = [c for c in currencies if not c.parent]
    found = sibling or root
    return found[0] if found else None


def element_paths(source: Field, dest: Field) -> tuple[str, str] | None:
    """(list, path inside its element) when ``source`` lies in a list's elements and ``dest`` in a list: the
    template then runs once per element (`vitesse.mapping.compile.per_element`)."""
    head, _, inner = source.path.partition("[].")
    if not inner or "[]" in inner or "[]." not in dest.path:
        return None
    return head, inner


def conversion(source: Field, dest: Field, sources: list[Field]) -> Conversion | None:
    """The template that turns ``source`` into what ``dest`` means, when a plain cast would be wrong."""
    element = element_paths(source, dest)
    read = expression(element[1] if element else source.path)
    if read is None:
        return None
    if is_money(source) and is_money(dest) and in_minor_units(source) != in_minor_units(dest):
        currency = currency_for(source, sources, element[0] if element else "")
        inside = element and currency is not None
        given = expression(currency.path.partition("[].")[2] if inside else currency.path) if currency else None
        function = "minor_to_major" if in_minor_units(source) else "major_to_minor"
        units = "minor units -> a decimal amount" if in_minor_units(source) else "a decimal amount -> minor units"
        each = " (for each element)" if element else ""
        if given:
            return Conversion(
                f"{read} | {function}({given})", f"{units} with {currency.path}'s ISO 4217 exponent{each}"
            )
        return Conversion(f"{read} | {function}", f"{units} (2 decimals: the record has no currency field){each}")
    if dest.type == "string" and is_date(dest) and (is_unix_time(source) or source.format == "date-time"):
        kind = "Unix seconds" if is_unix_time(source) else "a date-time"
        return Conversion(f"{read} | to_date", f"{kind} -> a date (YYYY-MM-DD)")
    table = enum_table(source, dest)
    if table:
        listed = ", ".join(f"{k} -> {v}" for k, v in table.items())
        missing = [str(v) for v in source.enum or () if str(v) not in table]
        rest = f"; no counterpart for {', '.join(missing)} (null)" if missing else ""
        return Conversion(f"{read} | translate({table!r})", f"enum values translated: {listed}{rest}")
    if concept(source.name) == "currency" and concept(dest.name) == "currency" and dest.enum:
        upper = all(str(v).isupper() for v in dest.enum)
        lower = "lowercase" in source.description.lower() or any(v.islower() for v in field_values(source))
        if upper and lower:
            return Conversion(f"({read} or '') | upper", "lower-case currency code -> the destination's upper case")
    return None


def enum_table(source: Field, dest: Field) -> dict[str, str] | None:
    """Source enum value -> destination enum value, when both sides list values and they differ: the same value
    in another case or spelling (``void`` -> ``VOIDED``), or a synonym of a state (``succeeded`` -> ``PAID``).
    None when they already agree or fewer than half of the source's values find a counterpart."""
    if not source.enum or not dest.enum or source.type != "string":
        return None
    targets = [str(v) for v in dest.enum]
    if {str(v) for v in source.enum} <= set(targets):
        return None
    table: dict[str, str] = {}
    for value in (str(v) for v in source.enum):
        found = next((t for t in targets if t.lower() == value.lower()), None)
        if found is None:
            close = process.extractOne(value.lower(), [t.lower() for t in targets], scorer=fuzz.ratio, score_cutoff=80)
            found = targets[close[2]] if close else None
        if found is None:
            group = next((g for g, _ in STATES.values() if value.lower() in g), None)
            found = next((t for t in targets if group and t.lower() in group), None)
        if found is not None:
            table[value] = found
    return table if len(table) * 2 >= len(source.enum) else None


STATES = {
    "completed": (
        {"closed", "completed", "complete", "done", "resolved", "finished", "published"},
        {"open", "active", "todo", "draft"},
    ),
    "closed": ({"closed", "completed", "done", "resolved"}, {"open", "active"}),
    "archived": ({"archived", "deleted", "inactive", "closed"}, {"active", "live", "published", "sellable", "open"}),
    "active": ({"active", "enabled", "live", "published", "open"}, {"inactive", "disabled", "archived", "closed"}),
    "enabled": ({"enabled", "active"}, {"disabled", "inactive"}),
    "paid": ({"paid", "succeeded", "settled"}, {"unpaid", "open", "draft", "failed", "pending"}),
    "cancelled": ({"cancelled", "canceled", "voided", "void"}, {"active", "open"}),
    "canceled": ({"cancelled", "canceled", "voided", "void"}, {"active", "open"}),
    "sold": ({"sellable", "available", "active"}, {"unavailable", "archived"}),
    "sellable": ({"sellable", "available", "sold"}, {"unavailable", "archived"}),
}
"""A boolean flag's word -> (state values that mean true, values that mean false)."""


def state_flag(dest: Field, sources: list[Field], at_root: Callable[[Field], bool]) -> tuple[Field, Conversion] | None:
    """A boolean like ``completed`` from the record's status/state string whose known values say which is which,
    or from a boolean flag that means it or its opposite (``active`` = not ``is_archived``)."""
    if dest.type != "boolean":
        return None
    flag = " ".join(meaningful(dest.name)).removeprefix("is ")
    if flag not in STATES:
        return None
    truthy, falsy = STATES[flag]
    found: list[tuple[int, Field, Conversion]] = []  # (rank: a flag that means it, a state, an opposite flag)
    for source in sources:
        read = expression(source.path)
        if read is None or not at_root(source):
            continue
        name = " ".join(meaningful(source.name)).removeprefix("is ")
        if source.type == "boolean" and name in truthy | falsy and name != flag:
            if name in truthy:
                found.append((0, source, Conversion(read, f"{dest.name} means {source.path}")))
            else:
                found.append((2, source, Conversion(f"not {read}", f"{dest.name} is the opposite of {source.path}")))
            continue
        if source.type != "string" or name not in ("state", "status"):
            continue
        values = field_values(source)
        yes = [v for v in values if v.lower() in truthy]
        no = [v for v in values if v.lower() in falsy]
        if yes:
            template = f"{read} in {yes!r}" if len(yes) > 1 else f"{read} == {yes[0]!r}"
            why = f"{dest.name} when {source.path} is {' or '.join(repr(v) for v in yes)}"
        elif no:
            template = f"{read} is not none and {read} not in {no!r}"
            why = f"{dest.name} unless {source.path} is {' or '.join(repr(v) for v in no)}"
        else:
            continue
        found.append((1, source, Conversion(template, why + " (values from the source spec)")))
    if not found:
        return None
    _, source, converted = min(found, key=lambda item: item[0])
    return source, converted


def flag_status(dest: Field, sources: list[Field], at_root: Callable[[Field], bool]) -> tuple[Field, Conversion] | None:
    """A status enum from a boolean flag whose word names one of its values (Stripe's ``active`` -> Xero's
    ``ACTIVE``/``ARCHIVED``): the value for true, and for false the value that means its opposite."""
    if dest.type != "string" or not dest.enum or concept(dest.name) != "status":
        return None
    values = [str(v) for v in dest.enum]
    for source in sources:
        read = expression(source.path)
        if source.type != "boolean" or read is None or not at_root(source):
            continue
        flag = " ".join(meaningful(source.name)).removeprefix("is ")
        if flag not in STATES:
            continue
        truthy, falsy = STATES[flag]
        yes = next((v for v in values if v.lower() == flag), None) or next(
            (v for v in values if v.lower() in truthy), None
        )
        no = next((v for v in values if v.lower() in falsy), None)
        if yes and no:
            return source, Conversion(
                f"{yes!r} if {read} else {no!r}", f"{dest.name} {yes} when {source.path} is true, else {no}"
            )
    return None
