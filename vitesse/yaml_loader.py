"""YAML reading with the libyaml C parser and YAML 1.2 core-schema scalars.

PyYAML resolves scalars by YAML 1.1, which real specs trip over: ``on``/``yes``/``no`` become booleans, ``12:30``
becomes the integer 750, ``2020-01-01`` a ``date`` that is not JSON, ``010`` the octal 8. vitesse resolves plain
scalars the YAML 1.2 way (only ``true``/``false`` are booleans, no timestamps, no sexagesimal numbers) for manifests
and specs alike, and keeps line/column positions for manifests so that errors can point at the right place.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class YamlLoader(yaml.CSafeLoader):
    """libyaml's C parser with YAML 1.2 core-schema implicit typing."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - PyYAML's class-level registry


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]),
):
    YamlLoader.add_implicit_resolver(_tag, _pattern, list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)  # exact at any size, as jsoncodec reads JSON documents and writes artifacts


YamlLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
# Explicitly tagged timestamps (!!timestamp) stay strings: artifacts are JSON.
YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_yaml(text: str | bytes) -> Any:
    """Parse one YAML document into plain Python data (no positions)."""
    return yaml.load(text, Loader=YamlLoader)


def compose_yaml(text: str) -> yaml.Node | None:
    """Parse one YAML document into nodes that keep their line/column marks."""
    return yaml.compose(text, Loader=YamlLoader)


def yaml_error_position(exc: yaml.YAMLError) -> tuple[int, int] | None:
    """The 1-based (line, column) of a YAML syntax error, where libyaml reports one."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return None
    return mark.line + 1, mark.column + 1


def yaml_error_message(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML syntax error, without PyYAML's multi-line excerpt."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    mark = getattr(exc, "context_mark", None)
    if context and mark is not None and ("parsing" in context or "scanning" in context):
        where = context.removeprefix("while ").replace("parsing ", "").removeprefix("a ").removeprefix("an ")
        return f"invalid YAML: {problem} (in the {where} that starts at {mark.line + 1}:{mark.column + 1})"
    return f"invalid YAML: {problem}"
