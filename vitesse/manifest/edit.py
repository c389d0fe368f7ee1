"""Write and change manifest files so git stays the source of truth: comments and layout are kept, and what is
written always validates (an invalid change raises `ManifestError` and leaves the file as it was)."""

from __future__ import annotations

import copy
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from vitesse.artifacts.store import write_atomic
from vitesse.errors import ManifestError
from vitesse.manifest.loader import ManifestFile, display_path, parse_manifest

WIDTH = 120
"""Where written lines wrap; an edit never wraps (re-wrapping a person's long lines would change their layout)."""


def _yaml(width: int = WIDTH) -> YAML:
    yaml = YAML()  # round-trip: comments, key order and quoting survive
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = width
    return yaml


def _dump(doc: Any, width: int = WIDTH) -> str:
    buffer = io.StringIO()
    _yaml(width).dump(doc, buffer)
    return buffer.getvalue()


def write_manifest(path: Path, data: Mapping[str, Any], *, header: str = "") -> ManifestFile:
    """Create ``path`` from ``data``; refuses to overwrite an existing file."""
    if path.exists():
        raise ManifestError([f"{display_path(path)}: already exists"], code="manifest.exists")
    text = "".join(f"# {line}\n" for line in header.splitlines()) + _dump(dict(data))
    loaded = parse_manifest(text, path)
    write_atomic(path, text.encode())
    return loaded


Key = str | tuple[str, ...]
"""A manifest key: dotted (``test.sample_size``), or the keys one by one when a name holds a dot (a field path as a
hint's key: ``("mapping", "hints", "address.city")``)."""


def edit_manifest(
    path: Path, changes: Mapping[Key, Any], *, append: Mapping[Key, list[Any]] | None = None
) -> ManifestFile:
    """Set keys (``source.spec``, ``test.sample_size``) in the manifest at ``path``; None removes a key. ``append``
    adds items to the list at each key (made if missing); an appended mapping is written on one line in flow style
    (``- {dest_field: name, transform_type: custom, ...}``). A new key goes after the last one of its mapping, below
    that entry's own end-of-line comment and above the comment lines that followed it.

    Returns the manifest as written; with no effective change the file is not touched.
    """
    original = path.read_text()
    doc = _yaml().load(original)
    if not isinstance(doc, dict):
        return parse_manifest(original, path)  # raises the loader's own error for a non-mapping document
    added: list[tuple[Any, Any, Any]] = []  # (container, previous last entry, new entry)
    for key, value in changes.items():
        *parents, leaf = _keys(key)
        node = _container(doc, parents, added)
        if value is None:
            node.pop(leaf, None)
        else:
            _put(node, leaf, value, added)
    for key, items in (append or {}).items():
        *parents, leaf = _keys(key)
        node = _container(doc, parents, added)
        if not isinstance(node.get(leaf), list):
            _put(node, leaf, CommentedSeq(), added)
        for item in items:
            seq = node[leaf]
            seq.append(_flow(item) if isinstance(item, Mapping) else item)
            if len(seq) > 1:
                added.append((seq, len(seq) - 2, len(seq) - 1))
    for node, last, new in added:  # once everything is in place, so a new block's comments go below it
        _carry_comments(node, last, new)
    text = _dump(doc, width=1 << 20)
    loaded = parse_manifest(text, path)
    if text != original:
        write_atomic(path, text.encode())
    return loaded


def _keys(key: Key) -> list[str]:
    return list(key) if isinstance(key, tuple) else key.split(".")


def _container(doc: Any, keys: list[str], added: list[tuple[Any, Any, Any]]) -> Any:
    node = doc
    for key in keys:
        if not isinstance(node.get(key), dict):
            _put(node, key, CommentedMap(), added)
        node = node[key]
    return node


def _flow(item: Mapping[str, Any]) -> CommentedMap:
    """``item`` on one line in flow style when that fits in `WIDTH` (with the list's indent), else as a block (its
    lists stay on one line: ``source_fields: [first_name, last_name]``)."""
    flow = CommentedMap()
    for key, value in item.items():
        if isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        flow[key] = value
    flow.fa.set_flow_style()
    if len(_dump([flow], width=1 << 20)) > WIDTH - 6:
        flow.fa.set_block_style()
    return flow


def _put(node: Any, key: str, value: Any, added: list[tuple[Any, Any, Any]]) -> None:
    """``node[key] = value``, noting a key added after the last one (it takes over the comments below that one)."""
    last = next(reversed(node), None) if key not in node else None
    node[key] = value
    if last is not None:
        added.append((node, last, key))


def _carry_comments(node: Any, last: Any, new: Any) -> None:
    """Move the comment lines below the entry ``last`` (ruamel keeps them on it, or on the last entry of its block)
    to the entry ``new`` just added after it, so they stay above what followed; an end-of-line comment stays."""
    holder, key = node, last
    while _comment(holder, key) is None and _is_block(holder[key]):
        holder, key = holder[key], _last_key(holder[key])
    token = _comment(holder, key)
    if token is None:
        return
    eol, _, rest = token.value.partition("\n")
    if not rest.strip():
        return
    moved = copy.copy(token)
    if eol.strip():
        token.value = eol + "\n"
        moved.value = "\n" + rest
    else:
        holder.ca.items[key][_slot(holder)] = None
    target, key = node, new
    while _is_block(target[key]):  # below a new block: on its last entry
        target, key = target[key], _last_key(target[key])
    target.ca.items.setdefault(key, [None, None, None, None])[_slot(target)] = moved


def _is_block(value: Any) -> bool:
    return isinstance(value, CommentedMap | CommentedSeq) and len(value) > 0 and not value.fa.flow_style()


def _last_key(value: Any) -> Any:
    return next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1


def _slot(node: Any) -> int:
    """Where ruamel keeps the comment after an entry: a mapping's is third, a sequence's first."""
    return 2 if isinstance(node, CommentedMap) else 0


def _comment(node: Any, key: Any) -> Any:
    entry = node.ca.items.get(key)
    return entry[_slot(node)] if entry and len(entry) > _slot(node) else None


def edit_mapping(
    path: Path,
    *,
    hints: Mapping[str, str] | None = None,
    remove_hints: list[str] | None = None,
    transforms: list[Mapping[str, Any]] | None = None,
    constants: Mapping[str, Any] | None = None,
    ignore: list[str] | None = None,
) -> ManifestFile:
    """Change the manifest's ``mapping`` section as the review page does, comments kept: ``hints`` (source field ->
    destination field) are set and ``remove_hints`` (source fields) removed; ``transforms`` replaces
    ``mapping.transforms`` and ``ignore`` replaces ``mapping.ignore`` (each given, even empty); ``constants`` are
    merged, a None value removing that constant. None leaves a part as it is. The result is validated as a whole before
    anything is written (`ManifestError`, the file untouched)."""
    changes: dict[Key, Any] = {}
    for source in remove_hints or []:
        changes[("mapping", "hints", source)] = None
    for source, dest in (hints or {}).items():
        changes[("mapping", "hints", source)] = dest
    for dest, value in (constants or {}).items():
        changes[("mapping", "constants", dest)] = value
    if ignore is not None:
        changes["mapping.ignore"] = list(ignore)
    append = None
    if transforms is not None:  # removed, then appended: each entry on one line, as `vitesse map --accept` writes
        changes["mapping.transforms"] = None
        append = {"mapping.transforms": [dict(t) for t in transforms]} if transforms else None
    if not changes:
        return parse_manifest(path.read_text(), path)
    return edit_manifest(path, changes, append=append)
