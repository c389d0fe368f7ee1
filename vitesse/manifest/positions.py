"""YAML nodes -> plain data plus a map from each field path to its (line, column), for error messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

MAX_NODES = 100_000


@dataclass
class Positioned:
    """Plain data from a YAML document, with the position of every value and every mapping key."""

    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[tuple[Path, tuple[int, int], str]] = field(default_factory=list)

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that exists in the document."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found:
                return found
        return (1, 1)


class _Builder:
    def __init__(self, result: Positioned) -> None:
        self.result = result
        self.constructor = yaml.constructor.SafeConstructor()
        self.count = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        self.result.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(value_node, path)
                    for item in merged if isinstance(merged, list) else [merged]:
                        if isinstance(item, dict):
                            out = {**item, **out}
                    continue
                key = self.constructor.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if not isinstance(key, str | int | float | bool) or isinstance(key, bool):
                    self.result.problems.append((path, position, "mapping keys must be plain strings"))
                    continue
                key = str(key)
                if key in out:
                    self.result.problems.append(
                        ((*path, key), position, f"duplicate key {key!r} (an earlier value would be ignored)")
                    )
                self.result.keys[(*path, key)] = position
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError:  # a tag safe YAML does not construct (!!python/object...): a problem, not a crash
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            self.result.problems.append((path, (line, col), f"unsupported YAML tag {node.tag!r}"))
            return None


class _TooLarge(Exception):
    pass


def build_positioned(node: yaml.Node | None) -> Positioned:
    """Turn a composed YAML node tree into `Positioned` data; duplicate keys and alias bombs are reported."""
    result = Positioned(data=None)
    if node is None:
        return result
    try:
        result.data = _Builder(result).build(node, ())
    except _TooLarge:
        result.data = None
        result.problems.append(((), (1, 1), f"document expands to more than {MAX_NODES} values (YAML alias bomb?)"))
    return result
