"""The shape of a value (URL, email, date, date-time, uuid, numeric string, word, token, short text, free text...),
the shape a field's own examples share, which shapes clearly contradict each other, and the values a description
lists ("Either `open` or `closed`").

The generator uses these to make values like the spec's examples (`vitesse.guardian.synthetic`); the meaning check
uses them to tell a URL going into a free-text field (`vitesse.guardian.meaning`). Only clear conflicts count: a
word into a short-text field, a token into a URL field or a UUID into a numeric-id field are not conflicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$")
_NUMERIC = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_WORD = re.compile(r"^[^\W\d_]+$")
_HTML = re.compile(r"^\s*<[A-Za-z!/][^>]*>.*</?[A-Za-z][^>]*>\s*$", re.S)
PROSE_WORDS = 4
"""A text of this many words or more is free text (prose); fewer, a short text (a name, a title)."""

LABELS = {
    "url": "a URL",
    "email": "an email address",
    "uuid": "a UUID",
    "date": "a date",
    "date-time": "a date-time",
    "numeric": "a numeric string",
    "boolean": "a boolean",
    "number": "a number",
    "word": "a single word",
    "token": "an identifier-like token",
    "html": "HTML",
    "phrase": "short text",
    "prose": "free text",
    "choice": "one of a few values",
}
PLURAL = {
    "url": "URLs",
    "email": "email addresses",
    "uuid": "UUIDs",
    "date": "dates",
    "date-time": "date-times",
    "numeric": "numeric strings",
    "boolean": "booleans",
    "number": "numbers",
    "word": "single words",
    "token": "identifier-like tokens",
    "html": "HTML",
    "phrase": "short text",
    "prose": "free text",
    "choice": "one of a few values",
}

FORMAT_SHAPES = {
    "uri": "url",
    "url": "url",
    "iri": "url",
    "email": "email",
    "idn-email": "email",
    "uuid": "uuid",
    "date": "date",
    "date-time": "date-time",
}
"""String formats whose values have one shape (``uri-reference`` does not: a relative path is a token)."""

_TEXTS = {"url", "email", "uuid", "date", "date-time", "html"}
CONFLICTS: dict[str, frozenset[str]] = {
    "url": frozenset({"email", "uuid", "date", "date-time", "numeric", "word", "phrase", "prose", "boolean", "html"}),
    "email": frozenset(
        {"url", "uuid", "date", "date-time", "numeric", "word", "token", "phrase", "prose", "boolean", "html"}
    ),
    "date": frozenset({"url", "email", "uuid", "date-time", "numeric", "word", "phrase", "prose", "boolean", "html"}),
    "date-time": frozenset({"url", "email", "uuid", "date", "numeric", "word", "phrase", "prose", "boolean", "html"}),
    "uuid": frozenset({"url", "email", "date", "date-time", "phrase", "prose", "boolean", "html"}),
    "numeric": frozenset({"url", "email", "date", "date-time", "prose", "boolean", "html"}),
    "boolean": frozenset({"url", "email", "uuid", "date", "date-time", "phrase", "prose", "html"}),
    "word": frozenset({"url", "email", "uuid", "date", "date-time", "numeric", "html"}),
    "token": frozenset({"url", "date", "date-time", "prose", "html"}),
    "phrase": frozenset(_TEXTS - {"html"}),
    "prose": frozenset(_TEXTS - {"html"} | {"choice"}),
    "html": frozenset(_TEXTS - {"html"} | {"choice"}),
}
"""Destination shape -> value shapes that clearly do not belong there. What is left out is deliberate: a token
(``example.com/x``) may be a URL, a word may be a short text, an identifier may be a UUID or a numeric string, an
email may be a username. ``choice`` is a source field's shape only: one of the values its enum lists (a state
into a field whose examples are sentences)."""

DISTINCTIVE = frozenset({"url", "email", "uuid", "date", "date-time", "numeric", "boolean"})
"""Value shapes that say something on their own. A word or a sentence made up for a field whose spec gives no
example may be the generator's guess; a URL or a date is not."""


def shape(value: Any) -> str | None:
    """The shape of one value; None for null and empty or blank strings (nothing to judge)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if " " not in text and "\n" not in text:
        if _URL.match(text):
            return "url"
        if _EMAIL.match(text):
            return "email"
        if _UUID.match(text):
            return "uuid"
        if _DATE.match(text):
            return "date"
        if _NUMERIC.match(text):
            return "numeric"
        if text.lower() in ("true", "false"):
            return "boolean"
        if _WORD.match(text):
            return "word"
    if _DATE_TIME.match(text):
        return "date-time"
    if text.startswith("<") and _HTML.match(text):
        return "html"
    if not any(c.isspace() for c in text):
        return "token"
    return "prose" if len(text.split()) >= PROSE_WORDS or text[-1] in ".!?" else "phrase"


def example_text(value: Any) -> Any:
    """An example as its value: GitHub writes some quoted twice (``'"2020-07-09T00:17:55Z"'``)."""
    if isinstance(value, str) and len(value) > 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def common_shape(values: Iterable[Any]) -> str | None:
    """The shape every example shares (empty ones aside); None when there is none or they disagree. Words and
    tokens make tokens; short and free texts, short text."""
    found = {shape(example_text(v)) for v in values} - {None}
    if found == {"word", "token"}:
        return "token"
    if found == {"phrase", "prose"}:
        return "phrase"
    return found.pop() if len(found) == 1 else None


def conflicts(expected: str | None, got: str | None) -> bool:
    """Whether a value of shape ``got`` clearly does not belong where values of shape ``expected`` go."""
    return expected is not None and got is not None and got in CONFLICTS.get(expected, frozenset())


_LISTING = re.compile(
    r"\b(either|one of|can be|could be|may be|must be|possible values?|allowed values?|valid values?|"
    r"accepted values?|values? (are|is|include)|supported values?|options are)\b",
    re.I,
)
_QUOTED = re.compile(r"`([^`\s]{1,40})`|'([^'\s]{1,40})'|\"([^\"\s]{1,40})\"")


def described_values(description: str) -> tuple[str, ...]:
    """The values a description lists after "either", "one of", "can be", "possible values"...: the quoted words
    of that sentence (``State of the issue; either 'open' or 'closed'`` -> open, closed); () for fewer than two."""
    if not description:
        return ()
    found: list[str] = []
    for match in _LISTING.finditer(description):
        rest = description[match.end() : match.end() + 240]
        end = re.search(r"[.;](\s|$)|\n\n", rest)
        sentence = rest[: end.start()] if end else rest
        for quoted in _QUOTED.findall(sentence):
            value = next(q for q in quoted if q)
            if value not in found:
                found.append(value)
    return tuple(found) if len(found) >= 2 else ()
