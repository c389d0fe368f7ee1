"""``custom`` transforms: Jinja2 in its sandbox, never Python ``eval``.

A template with ``{{ }}`` renders to a string (``"{{ first_name }} {{ last_name }}"``); anything else is one Jinja2
expression whose value is kept as is (``"[first_name, last_name] | select | join(' ')"``, ``"'lead'"``). The record's
top-level fields are the variables. Templates are checked before use: no attributes or items starting with ``_``
(the way out of every Python sandbox), no ``import``/``include``/``extends`` (there is no loader: no file reads), and
Jinja2's ``SandboxedEnvironment`` guards what is left at run time.

A template runs within the limits of `vitesse.mapping.limits` (output, repetition, size built, integer bits, loop
iterations, wall clock), so one written to exhaust the machine costs a field error for that record, not minutes and
gigabytes. ``{% filter %}`` blocks and recursive loops are refused: their output is buffered inside Jinja2, out of
reach of the limit on output. A breach raises ``ValueError("transform for <field>: template output exceeds 65536
characters")`` and the like, which the compiled mapping reports as that record's field error.

Undefined names are the record's missing fields: empty in ``{{ }}``, falsy and None-like in expressions, and an
expression whose whole value is undefined gives None (the field is skipped, as for any missing source). Doing
arithmetic on one, or returning one inside a list or dict, is a field error naming it ("template refers to an
undefined name 'nosuchvar'"). Values JSON cannot hold (a method, bytes) are field errors too.
"""

from __future__ import annotations

from collections import abc
from collections.abc import Callable, Iterator
from functools import cache, update_wrapper
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2.environment import TemplateExpression
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing
from jinja2.visitor import NodeTransformer

from vitesse.errors import MappingError
from vitesse.mapping.limits import (
    BUDGET,
    MAX_OUTPUT_CHARS,
    Budget,
    Stopped,
    bounded_filter,
    built,
    check_binop,
    concat,
    current_budget,
    format_estimate,
    literal,
    loop,
    method_estimate,
    text_length,
)
from vitesse.mapping.money import FILTERS


class _Bounds(NodeTransformer):
    """Route loops, ``~`` and literals of a checked template through `loop`, `concat` and `literal`."""

    @staticmethod
    def _filter(node: nodes.Expr, name: str, args: list[nodes.Expr] | None = None) -> nodes.Filter:
        return nodes.Filter(node, name, args or [], [], None, None, lineno=node.lineno)

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        node.iter = self._filter(node.iter, "_vitesse_loop")
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Filter:
        self.generic_visit(node)
        return self._filter(node.nodes[0], "_vitesse_concat", node.nodes[1:])

    def _charged(self, node: nodes.Expr) -> nodes.Expr:
        self.generic_visit(node)
        return node if getattr(node, "ctx", "load") != "load" else self._filter(node, "_vitesse_literal")

    visit_List = visit_Tuple = visit_Dict = _charged


class _Undefined(ChainableUndefined):
    """Missing record fields are None-like in expressions but never silently print 'None'."""

    def __str__(self) -> str:
        return ""

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(())

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, _Undefined)

    def __hash__(self) -> int:
        return 0

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is missing:
            return f"template refers to an undefined name {self._undefined_name!r}"
        return f"template refers to {self._undefined_name!r}, which this {type(self._undefined_obj).__name__} lacks"


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, with the operators, calls and ``str.format`` that can build big values bounded."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget = current_budget()
        budget.tick()
        check_binop(budget, operator, left, right)
        result = super().call_binop(context, operator, left, right)
        return built(budget, result) if operator == "%" else result

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        budget.tick()
        estimate, args = method_estimate(obj, args, kwargs)
        budget.afford(estimate)
        return built(budget, super().call(context, obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        formatter = super().wrap_str_format(value)
        if formatter is None:
            return None
        text, is_map = value.__self__, value.__name__ == "format_map"

        def bounded(*args: Any, **kwargs: Any) -> str:
            mapping = args[0] if is_map and args and isinstance(args[0], abc.Mapping) else kwargs
            current_budget().afford(format_estimate(text, () if is_map else args, mapping))
            return formatter(*args, **kwargs)  # `call` charges the result

        return update_wrapper(bounded, value)


_FORBIDDEN_NODES = (
    nodes.Import,
    nodes.FromImport,
    nodes.Include,
    nodes.Extends,
    nodes.Macro,
    nodes.CallBlock,
    nodes.Block,
    nodes.Assign,
    nodes.AssignBlock,
)


@cache
def _environment() -> _Environment:
    env = _Environment(undefined=_Undefined, autoescape=False, loader=None)
    env.globals.clear()
    env.filters = {name: bounded_filter(name, function) for name, function in env.filters.items()}
    env.filters.update(_vitesse_loop=loop, _vitesse_concat=concat, _vitesse_literal=literal)
    env.filters.update({name: bounded_filter(name, function) for name, function in FILTERS.items()})
    return env


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def _parse(text: str, where: str) -> nodes.Template:
    """The checked tree of a template, or of an expression as a template assigning ``result``."""
    env = _environment()
    try:
        if is_template(text):
            tree = env.parse(text)
            _refuse(tree, where)
            return tree
        parser = Parser(env, text, state="variable")
        expression = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("not one expression", parser.stream.current.lineno)
    except TemplateSyntaxError as exc:
        raise MappingError(f"{where}: template does not parse: {exc.message}", code="mapping.template") from None
    except RecursionError:
        raise MappingError(f"{where}: template nests too deeply", code="mapping.template") from None
    _refuse(expression, where)
    return nodes.Template([nodes.Assign(nodes.Name("result", "store"), expression, lineno=1)], lineno=1)


def check_template(text: str, where: str) -> None:
    """Refuse a template that reaches for private attributes, imports or files; `MappingError` names the problem."""
    _parse(text, where)


def _refuse(tree: nodes.Node, where: str) -> None:
    wanted = (nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Const, nodes.FilterBlock, nodes.For, *_FORBIDDEN_NODES)
    for node in (tree, *tree.find_all(wanted)):
        if isinstance(node, nodes.Const) and isinstance(node.value, str) and node.value.startswith("__"):
            raise MappingError(
                f"{where}: the string {node.value!r} is not allowed in a custom transform (dunder "
                "names reach Python internals)",
                code="mapping.template_refused",
            )
        if isinstance(node, _FORBIDDEN_NODES):
            raise MappingError(
                f"{where}: '{type(node).__name__.lower()}' is not allowed in a custom transform "
                "(templates only read the record)",
                code="mapping.template_refused",
            )
        if isinstance(node, nodes.FilterBlock) or (isinstance(node, nodes.For) and node.recursive):
            kind = "'{% filter %}' blocks" if isinstance(node, nodes.FilterBlock) else "recursive loops"
            raise MappingError(
                f"{where}: {kind} are not allowed in a custom transform (their output cannot be bounded; "
                "use filters in {{ }})",
                code="mapping.template_refused",
            )
        name = getattr(node, "attr", None) or getattr(node, "name", None)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            name = node.arg.value
        if isinstance(name, str) and name.startswith("_"):
            raise MappingError(
                f"{where}: access to {name!r} is not allowed in a custom transform (names starting "
                "with '_' reach Python internals)",
                code="mapping.template_refused",
            )


def compile_template(text: str, where: str) -> Callable[[dict[str, Any]], Any]:
    """A function record -> value for a checked template or expression, run within the limits."""
    env = _environment()
    tree = _Bounds().visit(_parse(text, where))
    tree.set_environment(env)
    try:
        template = env.from_string(tree)
    except TemplateSyntaxError as exc:  # an unknown filter or test
        raise MappingError(f"{where}: template does not parse: {exc.message}", code="mapping.template") from None
    if is_template(text):

        def render(record: dict[str, Any]) -> Any:
            return _guard(lambda: _stream(template.generate(record)), where)

        return render
    expression = TemplateExpression(template, undefined_to_none=False)

    def evaluate(record: dict[str, Any]) -> Any:
        return _guard(lambda: _json_value(expression(record)), where)

    return evaluate


def _stream(pieces: Iterator[str]) -> str:
    budget, out, size = current_budget(), [], 0
    try:
        for piece in pieces:
            size += len(piece)
            if size > MAX_OUTPUT_CHARS:
                raise Stopped(f"template output exceeds {MAX_OUTPUT_CHARS} characters")
            out.append(piece)
            budget.tick()
    finally:
        pieces.close()  # type: ignore[attr-defined]
    return "".join(out)


def _json_value(value: Any) -> Any:
    """An expression's value as JSON data (tuples and iterators as lists), None if undefined, within the limits."""
    if isinstance(value, Undefined):
        return None
    budget, size = current_budget(), 0

    def charge(chars: int) -> None:
        nonlocal size
        size += chars
        if size > MAX_OUTPUT_CHARS:
            raise Stopped(f"template output exceeds {MAX_OUTPUT_CHARS} characters")

    def convert(item: Any) -> Any:
        if isinstance(item, str):
            charge(len(item) + 2)
            return str(item)
        if item is None or isinstance(item, bool | float):
            charge(5)
            return item
        if isinstance(item, int):
            charge(item.bit_length() // 3 + 1)
            return item
        if isinstance(item, Undefined):
            item._fail_with_undefined_error()
        if isinstance(item, dict):
            charge(2)
            return {key(k): convert(v) for k, v in item.items()}
        if isinstance(item, list | tuple | range | abc.Iterator | abc.MappingView):
            charge(2)
            out = []
            for element in item:
                charge(1)
                budget.tick()
                out.append(convert(element))
            return out
        raise Stopped(f"template value is a {type(item).__name__}, which JSON cannot hold")

    def key(item: Any) -> Any:
        if isinstance(item, Undefined):
            item._fail_with_undefined_error()
        if item is not None and not isinstance(item, str | int | float):
            raise Stopped(f"template value has a {type(item).__name__} key, which JSON cannot hold")
        charge(text_length(item) + 1)
        return str(item) if isinstance(item, str) else item

    return convert(value)


def _guard(run: Callable[[], Any], where: str) -> Any:
    token = BUDGET.set(Budget())
    try:
        return run()
    except Stopped as exc:
        raise ValueError(f"{where}: {exc}") from None
    except SecurityError as exc:
        raise ValueError(f"{where}: refused by the sandbox: {exc}") from None
    except UndefinedError as exc:
        raise ValueError(f"{where}: {exc}") from None
    finally:
        BUDGET.reset(token)
