"""Compile a mapping into one Python function, built once and shared by the test step and the runtime.

The mapping list is turned into straight-line Python source (one block per destination field, every name a
``repr``'d literal, never text from the spec pasted as code), compiled with ``compile()`` and called per record.
A bad value gives a per-record error for that field; the other fields and the other records carry on.

Path rules: ``a.b`` reads nested objects; ``a[].b`` into a destination without ``[]`` reads the first element;
``a[].b`` -> ``c[].d`` maps the list element-wise; a destination ``c[].d`` fed by a scalar writes the first element.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from vitesse.errors import MappingError
from vitesse.mapping.convert import CONVERTERS
from vitesse.mapping.models import MappingLogic, Transformation
from vitesse.mapping.sandbox import compile_template

FieldError = dict[str, str]


@dataclass(frozen=True)
class TransformResult:
    record: dict[str, Any]
    errors: list[FieldError]


class CompiledMapping:
    """``mapping(record) -> TransformResult``; ``mapping.source`` is the generated Python, for inspection."""

    def __init__(self, function: Callable[[Any], tuple[dict[str, Any], list[FieldError]]], source: str) -> None:
        self._function = function
        self.source = source

    def __call__(self, record: Any) -> TransformResult:
        if not isinstance(record, dict):
            return TransformResult({}, [{"field": "", "source": "", "error": "record is not a JSON object"}])
        out, errors = self._function(record)
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
            lines.append(f"{indent}{node} = {target}.setdefault({name!r}, {{}})")
        target = node
    name, is_list = segments[-1]
    stored = f"({value} if {value}.__class__ is list else [{value}])" if is_list else value
    lines.append(f"{indent}{target}[{name!r}] = {stored}")


def _split_list(path: str) -> tuple[str, str]:
    head, _, tail = path.partition("[]")
    return head, tail.removeprefix(".")


class _Builder:
    def __init__(self, logic: MappingLogic) -> None:
        self.logic = logic
        self.namespace: dict[str, Any] = {name: fn for name, fn in CONVERTERS.items()}
        self.lines = ["def transform(record):", "    out = {}", "    errors = []"]

    def build(self) -> CompiledMapping:
        for index, t in enumerate(self.logic.transformations):
            self._field(index, t)
        self.lines.append("    return out, errors")
        source = "\n".join(self.lines) + "\n"
        code = compile(source, f"<vitesse mapping {self.logic.source_endpoint} -> {self.logic.dest_endpoint}>", "exec")
        exec(code, self.namespace)
        return CompiledMapping(self.namespace["transform"], source)

    def _convert(self, t: Transformation, value: str) -> str:
        if t.transform_type in CONVERTERS:
            return f"{t.transform_type}({value})"
        return value

    def _field(self, index: int, t: Transformation) -> None:
        lines, ind = self.lines, "        "
        lines.append("    try:")
        sources = t.sources
        if t.transform_type == "custom":
            template = t.template or ""
            self.namespace[f"_custom{index}"] = compile_template(template, f"transform for {t.dest_field}")
            lines.append(f"{ind}v = _custom{index}(record)")
        elif t.transform_type == "collect":
            for k, source in enumerate(sources):
                _read(source, f"c{k}", "record", lines, ind)
            items = ", ".join(f"c{k}" for k in range(len(sources)))
            lines.append(f"{ind}v = [x for x in ({items},) if x is not None] or None")
        elif "[]" in sources[0] and "[]" in t.dest_field and not sources[0].endswith("[]"):
            self._element_wise(t, sources[0], ind)
            self._close(t)
            return
        else:
            _read(sources[0], "v", "record", lines, ind)
        lines.append(f"{ind}if v is not None:")
        _write(t.dest_field, self._convert(t, "v"), "out", lines, ind + "    ")
        self._close(t)

    def _element_wise(self, t: Transformation, source: str, ind: str) -> None:
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
        if src_inner:
            _read(src_inner, "v", "item", lines, inner)
        else:
            lines.append(f"{inner}v = item")
        lines.append(f"{inner}if v is None: continue")
        lines.append(f"{inner}while len(targets) <= position: targets.append({{}})")
        if dst_inner:
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
