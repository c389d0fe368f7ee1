"""Compile a mapping into one Python function, built once and shared by the test step and the runtime.

The mapping list is turned into straight-line Python source (one block per destination field, every name a
``repr``'d literal, never text from the spec pasted as code), compiled with ``compile()`` and called per record.
A bad value gives a per-record error for that field; the other fields and the other records carry on.

Path rules: ``a.b`` reads nested objects; ``a[].b`` into a destination without ``[]`` reads the first element;
``a[].b`` -> ``c[].d`` maps the list element-wise; a destination ``c[].d`` fed by a scalar writes the first element.
A ``custom`` template whose source fields all lie in one list's elements (``lines.data[].amount``,
``lines.data[].currency``) and whose destination is in a list (``LineItems[].LineAmount``) runs once per element,
reading that element's fields (``amount | minor_to_major(currency)``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from vitesse.errors import MappingError
from vitesse.mapping.convert import BOOL_WORDS, CONVERTERS
from vitesse.mapping.models import MappingLogic, Transformation
from vitesse.mapping.sandbox import compile_template

FieldError = dict[str, str]

_FAST_PATHS = {
    "parse_int": "({v} if {v}.__class__ is int else int({v}) if {v}.__class__ is str and {v}.isdecimal() "
    "else {fn}({v}))",
    "parse_float": "({v} if {v}.__class__ is float else {fn}({v}))",
    "stringify": "({v} if {v}.__class__ is str else str({v}) if {v}.__class__ is int or {v}.__class__ is float "
    "else {fn}({v}))",
    "parse_bool": "({v} if {v}.__class__ is bool else _BOOLS[{v}] if {v}.__class__ is str and {v} in _BOOLS "
    "else {fn}({v}))",
    "iso_to_unix": "({v} if {v}.__class__ is int else {fn}({v}))",
}


@dataclass(frozen=True)
class TransformResult:
    record: dict[str, Any]
    errors: list[FieldError]


class CompiledMapping:
    """``mapping(record) -> TransformResult``; ``mapping.source`` is the generated Python, for inspection."""

    def __init__(
        self, function: Callable[[dict[str, Any]], tuple[dict[str, Any], list[FieldError]]], source: str
    ) -> None:
        self.function = function
        """The generated function itself, for hot loops over records known to be objects: -> (output, errors)."""
        self.source = source

    def __call__(self, record: Any) -> TransformResult:
        if not isinstance(record, dict):
            return TransformResult({}, [{"field": "", "source": "", "error": "record is not a JSON object"}])
        out, errors = self.function(record)
        return TransformResult(out, errors)

    def many(self, records: Iterable[Any]) -> list[TransformResult]:
        return [self(record) for record in records]


def _segments(path: str) -> list[tuple[str, bool]]:
    """``a.b[].c`` -> [('a', False), ('b', True), ('c', False)]: (name, is a list)."""
    out = []
    for part in path.split("."):
        out.append((part.removesuffix("[]"), part.endswith("[]")))
    return out


def _read(path: str, var: str, root: str, lines: list[str], indent: str) -> None:
    """Emit code that sets ``var`` to the value at ``path`` in ``root`` (None if absent; first element of lists)."""
    for position, (name, is_list) in enumerate(_segments(path)):
        if position == 0 and root == "record":  # the record itself is always a dict
            lines.append(f"{indent}{var} = record.get({name!r})")
        elif position == 0:
            lines.append(f"{indent}{var} = {root}.get({name!r}) if {root}.__class__ is dict else None")
        else:
            lines.append(f"{indent}{var} = {var}.get({name!r}) if {var}.__class__ is dict else None")
        if is_list:
            lines.append(f"{indent}{var} = ({var}[0] if {var} else None) if {var}.__class__ is list else None")


def _write(path: str, value: str, root: str, lines: list[str], indent: str) -> None:
    """Emit code that stores ``value`` at ``path`` under ``root``, creating objects (and first elements) as needed."""
    segments = _segments(path)
    target = root
    for depth, (name, is_list) in enumerate(segments[:-1]):
        node = f"_n{depth}"
        if is_list:
            lines.append(f"{indent}{node} = {target}.setdefault({name!r}, [])")
            lines.append(f"{indent}if not {node}: {node}.append({{}})")
            lines.append(f"{indent}{node} = {node}[0]")
        else:
            lines.append(f"{indent}{node} = {target}.get({name!r})")
            lines.append(f"{indent}if {node} is None: {node} = {target}[{name!r}] = {{}}")
        target = node
    name, is_list = segments[-1]
    stored = f"({value} if {value}.__class__ is list else [{value}])" if is_list else value
    lines.append(f"{indent}{target}[{name!r}] = {stored}")


def per_element(t: Transformation) -> bool:
    """A custom template that runs once per list element: its sources all lie in one list's elements and its
    destination is in a list (module docstring)."""
    heads = {_split_list(path) for path in t.sources}
    if t.transform_type != "custom" or not heads or "[]" not in t.dest_field or not _split_list(t.dest_field)[1]:
        return False
    lists = {head for head, inner in heads}
    return len(lists) == 1 and all(inner and "[]" not in inner for _, inner in heads) and "[]" in t.sources[0]


def _split_list(path: str) -> tuple[str, str]:
    head, _, tail = path.partition("[]")
    return head, tail.removeprefix(".")


class _Builder:
    def __init__(self, logic: MappingLogic) -> None:
        self.logic = logic
        self.namespace: dict[str, Any] = {**CONVERTERS, "_BOOLS": BOOL_WORDS, "_deepcopy": copy.deepcopy}
        self.header: list[str] = []
        self.prefixes: dict[str, str] = {}
        self.lines: list[str] = []

    def build(self) -> CompiledMapping:
        for index, t in enumerate(self.logic.transformations):
            self._field(index, t)
        body = [
            "def transform(record):",
            "    out = {}",
            "    errors = []",
            *self.header,
            *self.lines,
            "    return out, errors",
        ]
        source = "\n".join(body) + "\n"
        code = compile(source, f"<vitesse mapping {self.logic.source_endpoint} -> {self.logic.dest_endpoint}>", "exec")
        exec(code, self.namespace)
        return CompiledMapping(self.namespace["transform"], source)

    def _prefix(self, prefix: str) -> str:
        """A local holding the source object at ``prefix`` (or None), read once per record for all its fields."""
        found = self.prefixes.get(prefix)
        if found is not None:
            return found
        var = f"p{len(self.prefixes)}"
        parent, _, name = prefix.rpartition(".")
        if parent:
            parent_var = self._prefix(parent)
            self.header.append(f"    {var} = {parent_var}.get({name!r}) if {parent_var} is not None else None")
        else:
            self.header.append(f"    {var} = record.get({name!r})")
        self.header.append(f"    if {var}.__class__ is not dict: {var} = None")
        self.prefixes[prefix] = var
        return var

    def _read(self, path: str, var: str, lines: list[str], indent: str) -> None:
        """Emit code that sets ``var`` to the value at ``path`` in the record, sharing object lookups."""
        segments = _segments(path)
        plain = next((i for i, (_, is_list) in enumerate(segments) if is_list), len(segments) - 1)
        plain = min(plain, len(segments) - 1)
        if plain == 0:
            _read(path, var, "record", lines, indent)
            return
        prefix = self._prefix(".".join(name for name, _ in segments[:plain]))
        rest = ".".join(name + ("[]" if is_list else "") for name, is_list in segments[plain:])
        lines.append(f"{indent}{var} = {prefix}")
        lines.append(f"{indent}if {var} is not None:")
        _read(rest, var, var, lines, indent + "    ")

    def _convert(self, t: Transformation, value: str) -> str:
        """The conversion call, with the already-right-type case inlined (no call at all)."""
        fast = _FAST_PATHS.get(t.transform_type)
        if fast is not None:
            return fast.format(v=value, fn=t.transform_type)
        if t.transform_type in CONVERTERS:
            return f"{t.transform_type}({value})"
        return value

    def _field(self, index: int, t: Transformation) -> None:
        lines, ind = self.lines, "        "
        lines.append("    try:")
        sources = t.sources
        if t.transform_type == "constant":  # written as given, null included; lists and objects copied per record
            self.namespace[f"_const{index}"] = t.value
            copy = isinstance(t.value, dict | list)
            _write(t.dest_field, f"_deepcopy(_const{index})" if copy else f"_const{index}", "out", lines, ind)
            self._close(t)
            return
        if t.transform_type == "custom":
            template = t.template or ""
            self.namespace[f"_custom{index}"] = compile_template(template, f"transform for {t.dest_field}")
            if per_element(t):
                self._element_wise(t, sources[0], ind, template=f"_custom{index}")
                self._close(t)
                return
            lines.append(f"{ind}v = _custom{index}(record)")
        elif t.transform_type == "collect":
            for k, source in enumerate(sources):
                self._read(source, f"c{k}", lines, ind)
            items = ", ".join(f"c{k}" for k in range(len(sources)))
            lines.append(f"{ind}v = [x for x in ({items},) if x is not None] or None")
        elif "[]" in sources[0] and "[]" in t.dest_field and not sources[0].endswith("[]"):
            self._element_wise(t, sources[0], ind)
            self._close(t)
            return
        else:
            self._read(sources[0], "v", lines, ind)
        lines.append(f"{ind}if v is not None:")
        _write(t.dest_field, self._convert(t, "v"), "out", lines, ind + "    ")
        self._close(t)

    def _element_wise(self, t: Transformation, source: str, ind: str, template: str | None = None) -> None:
        """``a[].b`` -> ``c[].d``, element by element; with ``template``, its value for each element (an object)."""
        lines = self.lines
        src_list, src_inner = _split_list(source)
        dst_list, dst_inner = _split_list(t.dest_field)
        _read(src_list, "items", "record", lines, ind)
        lines.append(f"{ind}if items.__class__ is list:")
        lines.append(f"{ind}    targets = out")
        for name, _ in _segments(dst_list)[:-1]:
            lines.append(f"{ind}    targets = targets.setdefault({name!r}, {{}})")
        last = _segments(dst_list)[-1][0]
        lines.append(f"{ind}    targets = targets.setdefault({last!r}, [])")
        lines.append(f"{ind}    for position, item in enumerate(items):")
        inner = ind + "        "
        if template is not None:
            lines.append(f"{inner}if item.__class__ is not dict: continue")
            lines.append(f"{inner}v = {template}(item)")
        elif src_inner:
            _read(src_inner, "v", "item", lines, inner)
        else:
            lines.append(f"{inner}v = item")
        lines.append(f"{inner}if v is None: continue")
        lines.append(f"{inner}while len(targets) <= position: targets.append({{}})")
        if dst_inner and template is not None:
            _write(dst_inner, "v", "targets[position]", lines, inner)
        elif dst_inner:
            _write(dst_inner, self._convert(t, "v"), "targets[position]", lines, inner)
        else:
            lines.append(f"{inner}targets[position] = {self._convert(t, 'v')}")

    def _close(self, t: Transformation) -> None:
        source = ", ".join(t.sources) or "template"
        self.lines.append("    except Exception as exc:")
        self.lines.append(
            f"        errors.append({{'field': {t.dest_field!r}, 'source': {source!r}, "
            f"'error': f'{t.transform_type}: {{exc}}'}})"
        )


def compile_mapping(logic: MappingLogic | dict[str, Any]) -> CompiledMapping:
    """Build the transform function of a mapping (a `MappingLogic` or the ``mapping_logic`` artifact data)."""
    if isinstance(logic, dict):
        logic = MappingLogic.model_validate(logic)
    try:
        return _Builder(logic).build()
    except MappingError:
        raise
    except (SyntaxError, ValueError) as exc:
        raise MappingError(f"mapping does not compile: {exc}", code="mapping.compile") from None
