"""``mapping.constants``: destination fields with a fixed value (a workspace id, a list id, a source tag).

Each value is checked against the destination field's schema when the mapping is proposed (type, enum, pattern,
length, range), so a typo fails ``vitesse map`` with the field's name instead of every record at the destination. A
constant may also fill a whole object or list (``memberships: [{project: "123"}]``): it is then checked as one.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from vitesse import jsoncodec
from vitesse.errors import MappingError
from vitesse.mapping.fields import Field
from vitesse.mapping.models import Transformation

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def constant_transformations(constants: dict[str, Any], dests: list[Field]) -> list[Transformation]:
    """One ``constant`` transformation per entry; `MappingError` naming the field for an unknown field or a value
    its schema refuses."""
    by_path = {f.path: f for f in dests}
    out, problems = [], []
    for path, value in constants.items():
        where = f"mapping.constants.{path}"
        field = by_path.get(path) or by_path.get(path.removesuffix("[]"))
        if field is not None:
            problem = value_problem(field, value)
        elif any(f.path.startswith((path + ".", path + "[]")) for f in dests):
            container = "a list" if any(f.path.startswith(path + "[]") for f in dests) else "an object"
            wanted = list if container == "a list" else dict
            problem = None if isinstance(value, wanted) else f"{path} is {container} in the destination schema"
        else:
            close = difflib.get_close_matches(path, list(by_path), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            problems.append(f"{where}: destination field {path!r} does not exist{hint}")
            continue
        if problem:
            problems.append(f"{where}: {_yaml(value)} does not fit: {problem}")
            continue
        out.append(
            Transformation(
                dest_field=path,
                transform_type="constant",
                value=value,
                confidence=1.0,
                reason="constant in the manifest",
            )
        )
    if problems:  # every wrong constant at once
        raise MappingError("; ".join(problems), code="mapping.bad_constant")
    return out


def _yaml(value: Any) -> str:
    """A value as the manifest spells it (``true``, ``null``, ``"x"``), not as Python does."""
    return jsoncodec.dumps(value).decode()


def value_problem(field: Field, value: Any) -> str | None:
    """What the destination field's schema says against ``value``, or None when it fits."""
    if value is None:
        return None if field.nullable else "the field is not nullable"
    kinds = _PYTHON_TYPES.get(field.type or "")
    if kinds is not None and (not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)):
        got = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list", dict: "object"}
        return f"expected {field.type}, got {got.get(type(value), type(value).__name__)}"
    if field.enum is not None and value not in field.enum:
        return f"expected one of {', '.join(repr(v) for v in field.enum[:10])}"
    if isinstance(value, str):
        if field.pattern is not None and not _matches(field.pattern, value):
            return f"does not match the pattern {field.pattern!r}"
        if field.max_length is not None and len(value) > field.max_length:
            return f"longer than {field.max_length} characters"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if field.minimum is not None and value < field.minimum:
            return f"below the minimum {field.minimum}"
        if field.maximum is not None and value > field.maximum:
            return f"above the maximum {field.maximum}"
    return None


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:  # an ECMA pattern Python cannot read: the destination decides
        return True
