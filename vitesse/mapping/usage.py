"""What a mapping uses of its two endpoints: the source fields it reads (with the names its templates read) and the
destination fields it writes; what `vitesse.ingest.drift` judges a contract change against."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vitesse.mapping.fields import Field
from vitesse.mapping.models import MappingLogic, Transformation


def _norm(path: str) -> str:
    return path.removesuffix("[]")


def related(a: str, b: str) -> bool:
    """``a`` and ``b`` are the same field, or one lies inside the other (``address`` and ``address.city``)."""
    return a == b or a.startswith((b + ".", b + "[]")) or b.startswith((a + ".", a + "[]"))


@dataclass(frozen=True)
class Usage:
    """What one mapping uses: per side its endpoint (``METHOD /path``) and field paths, and for each source field
    the destination fields it fills (their schema as the destination spec now has it)."""

    endpoints: dict[str, str] = field(default_factory=dict)
    fields: dict[str, frozenset[str]] = field(default_factory=dict)
    feeds: dict[str, tuple[Field, ...]] = field(default_factory=dict)

    def uses(self, side: str, endpoint: str, path: str) -> bool:
        if self.endpoints.get(side) != endpoint:
            return False
        if not path:  # the endpoint itself
            return True
        path = _norm(path)
        return any(related(path, used) for used in self.fields.get(side, ()))

    def fed(self, path: str) -> list[Field]:
        """The destination fields source field ``path`` fills."""
        path = _norm(path)
        return [f for used, dests in self.feeds.items() if related(path, used) for f in dests]


def _chain(node: Any) -> str | None:
    """``a.b.c`` for a chain of attribute or constant-item lookups on a name in a template."""
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name if node.ctx == "load" else None
    if isinstance(node, nodes.Getattr):
        base = _chain(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _chain(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


def template_reads(t: Transformation) -> set[str]:
    """The record paths a custom template names (``{{ first_name }}``, ``price.amount | minor(price.currency)``),
    also relative to the list its sources lie in (a template run per element reads the element's fields)."""
    if not t.template:
        return set()
    from jinja2 import Environment, TemplateSyntaxError, nodes

    text = t.template if "{{" in t.template or "{%" in t.template else "{{ " + t.template + " }}"
    try:
        tree = Environment().parse(text)
    except TemplateSyntaxError:
        return set()
    chains = {c for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)) if (c := _chain(node))}
    names = {c for c in chains if not any(other.startswith(c + ".") for other in chains)}
    heads = {s.split("[]", 1)[0] + "[]" for s in t.sources if "[]" in s}
    return names | {f"{head}.{name}" for head in heads for name in names}


def usage_of(
    logic: MappingLogic | None, dest_fields: Iterable[Field] = (), *, cursor_field: str | None = None
) -> Usage:
    """What ``logic`` uses; ``dest_fields`` (the destination endpoint's request fields) give what each source field
    fills; the incremental ``cursor_field`` is read too."""
    if logic is None:
        return Usage()
    by_path = {f.path: f for f in dest_fields}
    reads: set[str] = {cursor_field} if cursor_field else set()
    writes: set[str] = set()
    feeds: dict[str, list[Field]] = {}
    for t in logic.transformations:
        read = reads_of(t)
        reads |= read
        writes.add(_norm(t.dest_field))
        dest = by_path.get(t.dest_field) or by_path.get(_norm(t.dest_field))
        if dest is not None:
            for path in read:
                feeds.setdefault(path, []).append(dest)
    return Usage(
        endpoints={
            "source": f"{logic.source_method} {logic.source_endpoint}",
            "destination": f"{logic.dest_method} {logic.dest_endpoint}",
        },
        fields={"source": frozenset(reads), "destination": frozenset(writes)},
        feeds={path: tuple(dests) for path, dests in feeds.items()},
    )


def reads_of(t: Transformation) -> set[str]:
    """The record paths ``t`` reads: its source fields and the names its template reads."""
    return {_norm(s) for s in t.sources} | template_reads(t)


def touching(logic: MappingLogic, change: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What ``logic`` does with the changed field: its transformations that read (source) or write (destination)
    it, by what they compute (confidence and reason left out)."""
    path = _norm(change["field"])
    return sorted(
        (t.dest_field, tuple(t.sources), t.transform_type, t.template or "", json.dumps(t.value, sort_keys=True))
        for t in logic.transformations
        if (
            any(related(path, read) for read in reads_of(t))
            if change["side"] == "source"
            else related(path, _norm(t.dest_field))
        )
    )
