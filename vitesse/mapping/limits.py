"""Resource limits for ``custom`` templates (`vitesse.mapping.sandbox`).

A template runs within limits, so one written to exhaust the machine (``(email * 100000000) | length``, loops in
loops) costs a field error for that record, not minutes and gigabytes. Each evaluation (one record, one field) may:

- output at most `MAX_OUTPUT_CHARS` (65,536) characters: a template's render is streamed and stopped there, an
  expression's value is measured as it is turned into JSON data;
- repeat a string to at most `MAX_OUTPUT_CHARS` characters and a list to at most `MAX_ITEMS` (10,000) items with
  ``*``, and ask ``batch``/``slice`` for at most `MAX_ITEMS` groups;
- build at most `MAX_BUILT_CHARS` (1 MiB) in all: every string made by ``+``, ``*``, ``~``, ``%``, a filter or a
  method, and every list or dict made by a literal, an operator, a filter or a method, counted as its JSON text
  (shared parts each time they appear, so ``[x, x]`` holds ``x`` twice); estimated before the work where one step
  could blow up (``center(10**9)``, ``replace``, ``join``, ``format``...), so the memory is never taken;
- compute integers of at most `MAX_INT_BITS` (4,096) bits with ``*`` and ``**``;
- loop at most `MAX_LOOP_ITERATIONS` (100,000) times, all loops together;
- run for at most `TIME_BUDGET_SECONDS` (0.5 s) of wall clock, checked at every loop iteration, output piece,
  ``+``, ``*``, ``**``, ``%``, filter and call.

What an evaluation has used is its `Budget`, found through `current_budget`; a breach raises `Stopped`.
"""

from __future__ import annotations

import re
import time
from collections import abc
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import wraps
from string import Formatter
from typing import Any

from jinja2.exceptions import SecurityError

MAX_OUTPUT_CHARS = 65_536
"""Characters a template may output for one value (and the longest string ``*`` may repeat to)."""

MAX_ITEMS = 10_000
"""Items a list repeated with ``*`` may reach; groups ``batch`` and ``slice`` may make."""

MAX_BUILT_CHARS = 1_048_576
"""Characters of strings, lists and dicts one evaluation may build in all."""

MAX_INT_BITS = 4_096
"""Bits of an integer ``*`` and ``**`` may compute."""

MAX_LOOP_ITERATIONS = 100_000
"""Loop iterations of one evaluation, all loops together."""

TIME_BUDGET_SECONDS = 0.5
"""Wall-clock seconds one evaluation (one record, one field) may take."""


class Stopped(Exception):
    """A template went past a limit or made a value JSON cannot hold; the message says which. (Not a ValueError or
    TypeError: Jinja2's filters catch some of those.)"""


class Budget:
    """What one evaluation has used so far."""

    __slots__ = ("built", "deadline", "loops")

    def __init__(self) -> None:
        self.deadline = time.monotonic() + TIME_BUDGET_SECONDS
        self.built = 0
        self.loops = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise Stopped(f"template ran longer than {TIME_BUDGET_SECONDS} s")

    def afford(self, chars: int) -> None:
        if self.built + chars > MAX_BUILT_CHARS:
            raise Stopped(f"template builds more than {MAX_BUILT_CHARS} characters")

    def spend(self, chars: int) -> None:
        self.afford(chars)
        self.built += chars

    def left(self) -> int:
        return MAX_BUILT_CHARS - self.built + 1


BUDGET: ContextVar[Budget | None] = ContextVar("vitesse_template_budget", default=None)


def current_budget() -> Budget:
    """The running evaluation's budget; a fresh one when Jinja2 folds constants while compiling."""
    return BUDGET.get() or Budget()


def _size(value: Any, limit: int = MAX_BUILT_CHARS) -> int:
    """About how many characters ``value`` takes as JSON text, shared parts counted each time; stops past ``limit``."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item) + 2
        elif isinstance(item, dict):
            total += 2 * len(item) + 2
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, list | tuple):
            total += len(item) + 2
            if total <= limit:
                stack.extend(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        else:
            total += 4
        if total > limit:
            return total
    return total


def text_length(value: Any) -> int:
    """About how many characters ``str(value)`` has."""
    return len(value) if isinstance(value, str | bytes) else _size(value)


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str, default: Any = None) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def built(budget: Budget, value: Any) -> Any:
    """Charge a string, list or dict an operation returned to the budget; return it."""
    if isinstance(value, str | bytes):
        budget.spend(len(value))
    elif isinstance(value, list | tuple | dict):
        budget.spend(_size(value, budget.left()))
    return value


def _too_many(count: int) -> None:
    if count > MAX_ITEMS:
        raise Stopped(f"template asks for {count} items (the limit is {MAX_ITEMS})")


def _big_number(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise Stopped(f"template computes a number of over {MAX_INT_BITS} bits")


_PERCENT_SPEC = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)


def _percent_estimate(text: str | bytes, args: Any) -> int:
    """About how long ``text % args`` is: the text plus, per conversion, its value and its width and precision."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    values = args if isinstance(args, tuple) else (args,)
    total, position = len(text), 0
    for spec in _PERCENT_SPEC.finditer(text):
        key, width, precision, kind = spec.groups()
        if kind == "%":
            continue
        for number in (width, precision):
            if number == "*":
                total += _int(values[position]) if position < len(values) else 0
                position += 1
            elif number:
                total += int(number)
        if key is not None and isinstance(args, abc.Mapping):
            total += text_length(args.get(key))
        else:
            total += text_length(values[position]) if position < len(values) else 0
            position += 1
    return total


def format_estimate(text: str, args: tuple[Any, ...], kwargs: abc.Mapping[str, Any]) -> int:
    """About how long ``text.format(*args, **kwargs)`` is."""
    total, auto = len(text), 0
    for _, field, spec, _ in Formatter().parse(text):
        if field is None:
            continue
        if "{" in (spec or ""):
            raise SecurityError("nested fields in a format spec are not allowed in a custom transform")
        root = re.match(r"[^.\[]*", field).group()  # type: ignore[union-attr]
        if root == "":
            root, auto = str(auto), auto + 1
        position = int(root) if root.isdigit() else None
        value = kwargs.get(root) if position is None else args[position] if position < len(args) else None
        total += text_length(value) + max((int(n) for n in re.findall(r"\d+", spec or "")), default=0)
    return total


def check_binop(budget: Budget, operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        times, seq = (left, right) if isinstance(left, int) else (right, left)
        if isinstance(times, int) and isinstance(seq, str | bytes | list | tuple):
            length = len(seq) * max(times, 0)
            if isinstance(seq, str | bytes):
                if length > MAX_OUTPUT_CHARS:
                    raise Stopped(f"template repeats a string to {length} characters (the limit is {MAX_OUTPUT_CHARS})")
                budget.spend(length)
            else:
                if length > MAX_ITEMS:
                    raise Stopped(f"template repeats a list to {length} items (the limit is {MAX_ITEMS})")
                budget.spend(_size(seq, budget.left() // max(times, 1)) * max(times, 0))
        elif isinstance(left, int) and isinstance(right, int):
            _big_number(left.bit_length() + right.bit_length())
    elif operator == "+":
        if isinstance(left, str | bytes | list | tuple) and isinstance(right, str | bytes | list | tuple):
            budget.spend(_size(left, budget.left()) + _size(right, budget.left()))
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            _big_number(left.bit_length() * right)
    elif operator == "%" and isinstance(left, str | bytes):
        budget.afford(_percent_estimate(left, right))


def method_estimate(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, tuple[Any, ...]]:
    """About how long the result of a string method that can grow its string is (and the arguments to call it with)."""
    owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
    if isinstance(owner, int) and name == "to_bytes":
        return _int(_arg(args, kwargs, 0, "length", 1)), args
    if not isinstance(owner, str | bytes):
        return 0, args
    if name in ("center", "ljust", "rjust", "zfill"):
        return len(owner) + _int(_arg(args, kwargs, 0, "width", 0)), args
    if name == "expandtabs":
        tab = "\t" if isinstance(owner, str) else b"\t"
        return len(owner) + owner.count(tab) * _int(_arg(args, kwargs, 0, "tabsize", 8)), args  # type: ignore[arg-type]
    if name == "replace" and len(args) >= 2:
        old, new, count = args[0], args[1], _arg(args, kwargs, 2, "count", -1)
        found = owner.count(old) if old else len(owner) + 1
        return len(owner) + (min(found, count) if _int(count) >= 0 else found) * len(new), args
    if name == "join" and args:
        items = list(args[0])
        parts = sum(len(item) for item in items if isinstance(item, str | bytes))
        return parts + len(owner) * max(len(items) - 1, 0), (items, *args[1:])
    if name == "translate" and args:
        table = args[0]
        values = table.values() if isinstance(table, abc.Mapping) else table if isinstance(table, list | tuple) else ()
        longest = max((len(v) for v in values if isinstance(v, str | bytes)), default=1)
        return len(owner) * max(longest, 1), args
    return 0, args


def _wordwrap_estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    text, width, wrap = args[0], _int(_arg(args, kwargs, 1, "width", 79)), _arg(args, kwargs, 3, "wrapstring")
    lines = 2 * text_length(text) // max(width, 1) + (text.count("\n") if isinstance(text, str) else 0) + 2
    return text_length(text) + lines * (len(wrap) if isinstance(wrap, str) else 1)


def _indent_estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    text, width = args[0], _arg(args, kwargs, 1, "width", 4)
    lines = (text.count("\n") if isinstance(text, str) else 0) + 1
    return text_length(text) + lines * (len(width) if isinstance(width, str) else _int(width))


def _urlize_estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    extra = sum(len(a) for a in (_arg(args, kwargs, 3, "target"), _arg(args, kwargs, 4, "rel")) if isinstance(a, str))
    return (text_length(args[0]) // 4 + 1) * extra


def _sum_estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    items, start = args[0], _arg(args, kwargs, 2, "start", 0)
    if not isinstance(start, list | tuple):
        return 0  # numbers (Python's sum adds no strings, and no lists to 0)
    return len(items) * sum(_size(i) for i in (*items, start))  # adding lists copies the total so far each time


def _join_estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    items, glue = args[0], _arg(args, kwargs, 1, "d", "")
    parts = 0 if _arg(args, kwargs, 2, "attribute") is not None else sum(text_length(i) for i in items)
    return parts + text_length(glue) * max(len(items) - 1, 0)


def _replace_estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    if len(args) < 3:
        return 0  # the filter itself says what is missing
    text, old, new = str(args[0]), str(args[1]), str(args[2])
    count = _arg(args, kwargs, 3, "count")
    found = text.count(old) if old else len(text) + 1
    return len(text) + (min(found, count) if isinstance(count, int) and count >= 0 else found) * len(new)


def _tojson_estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    indent = _arg(args, kwargs, 1, "indent")
    return _size(args[0]) * (1 + (len(indent) if isinstance(indent, str) else _int(indent)))


def _round_estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    if _arg(args, kwargs, 2, "method", "common") != "common":
        _big_number(abs(_int(_arg(args, kwargs, 1, "precision", 0))) * 4)  # it computes 10 ** precision
    return 0


def _groups(name: str) -> Callable[[tuple[Any, ...], dict[str, Any]], int]:
    """``batch`` and ``slice``: at most `MAX_ITEMS` groups (or items per group), whatever they fill them with."""

    def estimate(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
        _too_many(_int(_arg(args, kwargs, 1, name)))
        return 0

    return estimate


_FILTER_ESTIMATES: dict[str, Callable[[tuple[Any, ...], dict[str, Any]], int]] = {
    "center": lambda a, k: text_length(a[0]) + _int(_arg(a, k, 1, "width", 80)),
    "indent": _indent_estimate,
    "wordwrap": _wordwrap_estimate,
    "urlize": _urlize_estimate,
    "format": lambda a, k: _percent_estimate(str(a[0]), k or tuple(a[1:])),
    "batch": _groups("linecount"),
    "slice": _groups("slices"),
    "join": _join_estimate,
    "replace": _replace_estimate,
    "sum": _sum_estimate,
    "round": _round_estimate,
    "tojson": _tojson_estimate,
}
"""Filters one call of which can build far more than it is given: how much, before it runs (arguments without the
context Jinja2 passes first)."""

_MATERIALIZE = frozenset({"join", "sum"})
"""Filters whose iterable is read into a list first, to estimate from it."""


def bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    estimate = _FILTER_ESTIMATES.get(name)
    skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # context, eval context or environment

    @wraps(function)  # keeps jinja_pass_arg, so Jinja2 calls it the same way
    def bounded(*args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        budget.tick()
        if estimate is not None and len(args) > skip:
            given = args[skip:]
            if name in _MATERIALIZE:
                given = (list(given[0]), *given[1:])
            budget.afford(estimate(given, kwargs))
            args = (*args[:skip], *given)
        return built(budget, function(*args, **kwargs))

    return bounded


def loop(iterable: Any) -> Iterator[Any]:
    """Every ``{% for %}`` iterates through this: it counts the iterations and watches the clock."""
    budget = current_budget()
    for item in iterable:
        budget.loops += 1
        if budget.loops > MAX_LOOP_ITERATIONS:
            raise Stopped(f"template loops more than {MAX_LOOP_ITERATIONS} times")
        budget.tick()
        yield item


def concat(*parts: Any) -> str:
    """``a ~ b ~ c``, charged to the budget."""
    budget = current_budget()
    budget.tick()
    texts = [str(part) for part in parts]
    budget.spend(sum(map(len, texts)))
    return "".join(texts)


def literal(value: Any) -> Any:
    """A list, tuple or dict literal, charged to the budget (``[x, x]`` holds ``x`` twice)."""
    budget = current_budget()
    budget.tick()
    return built(budget, value)
