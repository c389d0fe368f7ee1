"""JSON in and out for every JSON value a record can carry: orjson's speed, without orjson's limits.

orjson refuses integers outside [-2**63, 2**64) when writing, reads such integers as floats (silently losing
digits) and stops at 254 levels of nesting. Records from real APIs carry such values (20-digit ids, numbers parsed
out of digit strings), so these functions use orjson and take over exactly where orjson would fail or lose data:

- `dumps` writes with orjson; only if orjson refuses the value (an integer beyond 64 bits, deeper nesting) does it
  write the containers itself, handing every part orjson accepts back to orjson. The bytes are the ones orjson would
  write if it had no limits (same separators, float and string forms, key order), so a value has one text and
  content hashes stay stable.
- `loads` reads with orjson; only text holding an integer orjson cannot read exactly (it reads those as floats of
  2**63 or more) is read again with :mod:`json` for its numbers, after orjson has checked the text, so both paths
  accept the same documents and report the same errors (a ``json.JSONDecodeError`` with its line and column).

Nesting is limited to `MAX_DEPTH` levels both ways (what `loads` returns, `dumps` can write); deeper input is a
`JsonDepthError`. Every error either function raises for bad input is a ``ValueError`` (invalid JSON, too deep, an
integer of more than ``sys.get_int_max_str_digits()`` digits) or, for `dumps` of a type JSON cannot hold, orjson's
``TypeError``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import Any

import orjson

MAX_DEPTH = 512
"""Levels of nesting a value may have (``[[1]]`` has two)."""

ORJSON_DEPTH = 254
"""The most levels orjson writes; below `MAX_DEPTH` - this many levels a sub-value is written by hand."""

_INT_RANGE = range(-(2**63), 2**64)
"""The integers orjson writes and reads exactly."""

_DIGITS = bytes(ord("0") if 48 <= b <= 57 else ord("-") if b == ord("-") else ord(" ") for b in range(256))
"""`bytes.translate` table: digits to 0, - kept, the rest blank (a C-speed scan for long digit runs)."""

_LONG_INTEGER = re.compile(rb"(?<![0-9.eE+\-])-?[1-9][0-9]{18,}(?![0-9.eE])")
"""A whole integer token (or a digit run inside a string) that may lie outside `_INT_RANGE`."""


class JsonDepthError(ValueError):
    """A value nested deeper than `MAX_DEPTH` levels."""

    def __init__(self) -> None:
        super().__init__(f"JSON nested deeper than {MAX_DEPTH} levels")


def dumps(value: Any, *, sort_keys: bool = False, indent: bool = False) -> bytes:
    """UTF-8 JSON bytes of ``value``; ``sort_keys`` for canonical output, ``indent`` for two-space indentation.

    Keys that are not strings are written as orjson's ``OPT_NON_STR_KEYS`` writes them (``1`` -> ``"1"``).
    """
    option = orjson.OPT_NON_STR_KEYS
    if sort_keys:
        option |= orjson.OPT_SORT_KEYS
    if indent:
        option |= orjson.OPT_INDENT_2
    try:
        return orjson.dumps(value, option=option)
    except orjson.JSONEncodeError as exc:
        if not _beyond_orjson(exc):
            raise
    return _Writer(option, sort_keys=sort_keys, indent=indent).write(value)


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """The value of JSON text; integers of any size stay exact integers. Raises ``ValueError`` for invalid JSON."""
    if isinstance(data, str):
        raw: bytes | bytearray = data.encode("utf-8", "surrogatepass")  # orjson then rejects the surrogates
    else:
        raw = bytes(data) if isinstance(data, memoryview) else data
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if exc.msg.startswith("depth limit exceeded"):
            raise JsonDepthError from None
        if not (exc.msg.startswith("number is infinity") and _has_long_number(raw)):
            raise
        value = _exact(bytes(raw), checked=False)  # an integer of 309 digits or more reads as an infinite float
        _check_depth(value)
        return value
    # Writing the value back costs a third of reading it and proves two things at C speed: it has at most
    # ORJSON_DEPTH levels, and it holds no float as large as the ones orjson reads out-of-range integers as.
    try:
        written: bytes | None = orjson.dumps(value)
    except orjson.JSONEncodeError:  # deeper than ORJSON_DEPTH: nothing else in a value orjson read is refused
        written = None
    if (written is None or _has_huge_float(written)) and _has_long_number(raw):
        value, written = _exact(bytes(raw), checked=True), None
    if written is None:
        _check_depth(value)
    return value


def _has_huge_float(written: bytes) -> bool:
    """Whether orjson's text of a value holds a float of 1e18 or more (``-9.223372036854776e+18``, the float orjson
    reads -2**63 - 1 as; ``1.8446744073709552e+19``: 2**64). A string holding such text only costs a closer look."""
    at = written.find(b"e+")
    while at != -1:
        exponent = written[at + 2 : at + 5]
        if at and written[at - 1] in b"0123456789" and (len(exponent) == 3 or exponent[:2] >= b"18"):
            return True
        at = written.find(b"e+", at + 2)
    return False


def _has_long_number(raw: bytes | bytearray) -> bool:
    """Whether the text may hold an integer outside `_INT_RANGE`: 20 digits in a row, or - and 19."""
    scanned = raw.translate(_DIGITS)
    return b"0" * 20 in scanned or b"-" + b"0" * 19 in scanned


def _beyond_orjson(exc: Exception) -> bool:
    """Whether orjson refused a value only for its limits (64-bit integers, nesting), not for its type."""
    message = str(exc)
    return "64-bit range" in message or "Recursion limit reached" in message


def _exact(raw: bytes, *, checked: bool) -> Any:
    """Text holding long integers read by json, once orjson has found it valid (``checked``, or here with the long
    integers blanked out and every position kept, so its errors are orjson's)."""
    if not checked:
        orjson.loads(_LONG_INTEGER.sub(lambda m: b"0".ljust(len(m[0])), raw))
    text = raw.decode("utf-8")
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonDepthError from None
    except ValueError as exc:  # only an integer longer than Python's int-string limit gets here
        limit = sys.get_int_max_str_digits()
        huge = re.search(rb"[0-9]{%d}" % (limit + 1), raw) if limit else None
        at = len(raw[: huge.start()].decode("utf-8")) if huge else 0
        raise json.JSONDecodeError(f"integer longer than {limit} digits", text, at) from exc


def _check_depth(value: Any) -> None:
    """Raise `JsonDepthError` if ``value`` nests deeper than `MAX_DEPTH` (iteratively: no recursion to overflow)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth > MAX_DEPTH:
            raise JsonDepthError
        stack.extend((child, depth + 1) for child in children)


class _Writer:
    """Writes what orjson refuses: containers by hand (iteratively), every part orjson accepts by orjson.

    The containers come out byte for byte as orjson writes them: ``,`` and ``:`` compact; with indentation a new line
    and two spaces per level, ``": "`` after keys and ``[]`` / ``{}`` for empty containers.
    """

    def __init__(self, option: int, *, sort_keys: bool, indent: bool) -> None:
        self.option = option
        self.sort_keys = sort_keys
        self.indent = indent
        self.colon = b": " if indent else b":"

    def write(self, value: Any) -> bytes:
        parts: list[bytes] = []
        # Open containers: (their remaining children as (text before the child, child), closing text, depth).
        stack: list[tuple[Iterator[tuple[bytes, Any]], bytes, int]] = []
        pending: tuple[bytes, Any, int] | None = (b"", value, 0)
        while pending is not None or stack:
            if pending is not None:
                prefix, node, depth = pending
                pending = None
                parts.append(prefix)
                opened = self.open(node, depth, parts)
                if opened is None:
                    continue
                stack.append(opened)
            children, closing, depth = stack[-1]
            following = next(children, None)
            if following is None:
                parts.append(closing)
                stack.pop()
            else:
                pending = (following[0], following[1], depth + 1)
        return b"".join(parts)

    def open(self, node: Any, depth: int, parts: list[bytes]) -> tuple[Iterator[tuple[bytes, Any]], bytes, int] | None:
        """Write ``node`` (at ``depth`` levels inside the value) whole if orjson can; else open it for its children."""
        container = isinstance(node, dict | list | tuple)
        if container and depth >= MAX_DEPTH:
            raise JsonDepthError
        if not container and isinstance(node, int) and not isinstance(node, bool) and node not in _INT_RANGE:
            parts.append(b"%d" % node)
            return None
        if not container or not node or depth + ORJSON_DEPTH <= MAX_DEPTH:
            try:
                text = orjson.dumps(node, option=self.option)
            except orjson.JSONEncodeError as exc:
                if not (container and _beyond_orjson(exc)):
                    raise
            else:
                parts.append(text.replace(b"\n", self.newline(depth)) if self.indent and depth else text)
                return None
        inner = self.newline(depth + 1) if self.indent else b""
        first, later = inner, b"," + inner
        if isinstance(node, dict):
            items = [(*self.key(k), v) for k, v in node.items()]
            if self.sort_keys:
                items.sort(key=lambda item: item[0])
            children = (((later if i else first) + key + self.colon, v) for i, (_, key, v) in enumerate(items))
            parts.append(b"{")
            closing = b"}"
        else:
            parts.append(b"[")
            children = ((later if i else first, v) for i, v in enumerate(node))
            closing = b"]"
        return children, (self.newline(depth) if self.indent else b"") + closing, depth

    def newline(self, depth: int) -> bytes:
        return b"\n" + b"  " * depth

    @staticmethod
    def key(key: Any) -> tuple[str, bytes]:
        """(the key as text, for sorting; the key as written), as orjson's ``OPT_NON_STR_KEYS`` turns keys to text."""
        if isinstance(key, str):
            return key, orjson.dumps(key)
        if isinstance(key, int) and not isinstance(key, bool) and key not in _INT_RANGE:
            return str(key), b'"%d"' % key
        written = orjson.dumps({key: None}, option=orjson.OPT_NON_STR_KEYS)[1:-6]  # {"<key>":null}
        return orjson.loads(written), written
