"""The values a spec gives a string field beyond an enum, for the generator (`vitesse.guardian.synthetic`).

An enum-like string holds one of a few values the spec does not declare as an enum: GitHub's issue ``state`` has
only the example ``open``; ``closed`` is in the description of another schema's ``state`` ("either 'open' or
'closed'") and in the milestone's ``state`` enum. `SpecValues.enum_like` gathers them: the field's examples, the
values its description lists, and the value sets other schemas of the spec give a property of that name beside the
same example. A field is enum-like when its examples are all single tokens and the spec lists more values, or its
name says so (``state``, ``status``, ``type``...): a ``state`` whose examples are ``CA`` is an address's region,
one whose example is ``open`` is not.
"""

from __future__ import annotations

import re
from typing import Any

from vitesse.ingest.schemas import examples_of
from vitesse.mapping.vocabulary import concept, words
from vitesse.shapes import described_values, example_text

ENUM_WORDS = frozenset(
    {"state", "status", "type", "kind", "role", "mode", "level", "priority", "category", "visibility", "stage",
     "phase", "severity", "tier", "reason", "resolution", "association", "outcome", "result", "action"}
)  # fmt: skip
"""Last words of the names of fields that hold one of a few values (``state``, ``author_association``)."""
MAX_VALUES = 12
VALUE_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,39}$")
"""What one of a few values looks like: ``open``, ``in_progress``, ``User``; not free text, URLs or numbers."""


def listed(schema: Any) -> frozenset[str]:
    """The string values one property schema lists: its enum, or the values its description lists."""
    if not isinstance(schema, dict):
        return frozenset()
    enum = schema.get("enum")
    if isinstance(enum, list):
        return frozenset(v for v in enum if isinstance(v, str) and VALUE_TOKEN.match(v))
    return frozenset(v for v in described_values(str(schema.get("description") or "")) if VALUE_TOKEN.match(v))


class SpecValues:
    """The enum-like values of string fields, over one spec's ``schemas`` table (indexed on first need)."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self._index: dict[str, list[frozenset[str]]] | None = None

    def enum_like(self, schema: dict[str, Any], name: str) -> tuple[str, ...]:
        """The values of an enum-like string field called ``name``; () for any other string."""
        if schema.get("format") or schema.get("pattern") or "const" in schema:
            return ()
        examples = [e for e in dict.fromkeys(example_text(v) for v in examples_of(schema)) if e != ""]
        if not all(isinstance(e, str) and VALUE_TOKEN.match(e) for e in examples):
            return ()  # free text, URLs, numbers: not one of a few values
        tokens = words(name) if name else ()
        # a state named like an address's (``CA``, ``Ontario``) is a region; one with lower-case examples (``open``) not
        enum_name = bool(tokens) and tokens[-1] in ENUM_WORDS
        enum_name = enum_name and (concept(name) in (None, "status") or all(e.islower() for e in examples))
        given = [v for v in described_values(str(schema.get("description") or "")) if VALUE_TOKEN.match(v)]
        if examples and not set(examples) <= set(given):
            given = []  # the quoted words are about something else
        if not examples:
            return tuple(given[:MAX_VALUES]) if enum_name else ()
        siblings = [v for values in self.same_named(name) if values & set(examples) for v in sorted(values)]
        if not (given or siblings or enum_name):
            return ()
        return tuple(dict.fromkeys([*examples, *given, *siblings]))[:MAX_VALUES]

    def same_named(self, name: str) -> list[frozenset[str]]:
        """The value sets (enums, listed values) the spec's schemas give a property called ``name``."""
        if self._index is None:
            index: dict[str, list[frozenset[str]]] = {}
            for schema in self.schemas.values():
                parts = [schema, *(schema.get("allOf") or [])] if isinstance(schema, dict) else []
                for part in parts:
                    props = part.get("properties") if isinstance(part, dict) else None
                    for prop, sub in props.items() if isinstance(props, dict) else ():
                        values = listed(sub)
                        if values:
                            index.setdefault(prop, []).append(values)
            self._index = index
        return self._index.get(name, [])
