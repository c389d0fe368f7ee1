"""Bytes -> plain data for spec documents: JSON through jsoncodec (orjson, exact big integers), YAML through libyaml,
with hostile-input guards."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from vitesse import jsoncodec
from vitesse.errors import SpecError
from vitesse.yaml_loader import load_yaml, yaml_error_message, yaml_error_position

MAX_EXPANDED_NODES = 5_000_000
_ANCHOR = re.compile(rb"(?:^|[\s,\[{:-])&[^\s,\[\]{}]+")


def parse_document(raw: bytes, where: str) -> Any:
    """Parse a JSON or YAML document; raise `SpecError` naming ``where`` and the position of a syntax error."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(f"{where}: document is UTF-16; save it as UTF-8", code="spec.parse")
    head = raw.lstrip()[:1]
    if not head:
        raise SpecError(f"{where}: document is empty", code="spec.parse")
    if head in (b"{", b"["):
        try:
            return jsoncodec.loads(raw)
        except jsoncodec.JsonDepthError:
            raise SpecError(
                f"{where}: document is nested deeper than {jsoncodec.MAX_DEPTH} levels", code="spec.parse"
            ) from None
        except json.JSONDecodeError as exc:
            if where.lower().endswith(".json"):
                raise SpecError(
                    f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}", code="spec.parse"
                ) from None
            json_error = exc  # YAML is (nearly) a superset of JSON: a flow-style YAML file may still parse
    else:
        json_error = None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{where}: not UTF-8 text (invalid byte at offset {exc.start})", code="spec.parse") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        if json_error is not None:
            raise SpecError(
                f"{where}:{json_error.lineno}:{json_error.colno}: invalid JSON: {json_error.msg}", code="spec.parse"
            ) from None
        line, col = yaml_error_position(exc) or (1, 1)
        raise SpecError(f"{where}:{line}:{col}: {yaml_error_message(exc)}", code="spec.parse") from None
    except RecursionError:
        raise SpecError(f"{where}: document is nested too deeply to parse", code="spec.parse") from None
    if _ANCHOR.search(raw):
        check_expansion(data, where)
    return data


def check_expansion(data: Any, where: str, limit: int = MAX_EXPANDED_NODES) -> None:
    """Refuse YAML whose aliases expand to more than ``limit`` values (the "billion laughs" attack)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        known = sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in open_nodes:
            raise SpecError(f"{where}: a YAML alias refers to itself (recursive data)", code="spec.parse")
        open_nodes.add(id(node))
        children = node.values() if isinstance(node, dict) else node
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                raise SpecError(
                    f"{where}: YAML aliases expand to more than {limit:,} values (an alias bomb?); refusing the "
                    "document",
                    code="spec.alias_bomb",
                )
        open_nodes.discard(id(node))
        sizes[id(node)] = total
        return total

    try:
        size(data)
    except RecursionError:
        raise SpecError(f"{where}: document is nested too deeply", code="spec.parse") from None
