"""``custom`` transforms: Jinja2 in its sandbox, never Python ``eval``.

A template with ``{{ }}`` renders to a string (``"{{ first_name }} {{ last_name }}"``); anything else is one Jinja2
expression whose value is kept as is (``"[first_name, last_name] | select | join(' ')"``, ``"'lead'"``). The record's
top-level fields are the variables. Templates are checked before use: no attributes or items starting with ``_``
(the way out of every Python sandbox), no ``import``/``include``/``extends`` (there is no loader: no file reads), and
Jinja2's ``SandboxedEnvironment`` guards what is left at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from vitesse.errors import MappingError


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
def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=_Undefined, autoescape=False, loader=None)
    env.globals.clear()
    return env


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def check_template(text: str, where: str) -> None:
    """Refuse a template that reaches for private attributes, imports or files; `MappingError` names the problem."""
    env = _environment()
    try:
        tree = env.parse(text if is_template(text) else "{{ (" + text + ") }}")
    except TemplateSyntaxError as exc:
        raise MappingError(f"{where}: template does not parse: {exc.message}", code="mapping.template") from None
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Const, *_FORBIDDEN_NODES)):
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
    """A function record -> value for a checked template or expression."""
    check_template(text, where)
    env = _environment()
    if is_template(text):
        template = env.from_string(text)

        def render(record: dict[str, Any]) -> Any:
            return _guard(lambda: template.render(record), where)

        return render
    expression = env.compile_expression(text, undefined_to_none=True)

    def evaluate(record: dict[str, Any]) -> Any:
        return _guard(lambda: expression(**record), where)

    return evaluate


def _guard(run: Callable[[], Any], where: str) -> Any:
    try:
        value = run()
    except SecurityError as exc:
        raise ValueError(f"{where}: refused by the sandbox: {exc}") from None
    except UndefinedError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return None if isinstance(value, _Undefined) else value
