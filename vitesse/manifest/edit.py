"""Write and change manifest files so git stays the source of truth: comments and layout are kept, and what is
written always validates (an invalid change raises `ManifestError` and leaves the file as it was)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from vitesse.artifacts.store import write_atomic
from vitesse.errors import ManifestError
from vitesse.manifest.loader import ManifestFile, display_path, parse_manifest


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, key order and quoting survive
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 120
    return yaml


def _dump(doc: Any) -> str:
    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    return buffer.getvalue()


def write_manifest(path: Path, data: Mapping[str, Any], *, header: str = "") -> ManifestFile:
    """Create ``path`` from ``data``; refuses to overwrite an existing file."""
    if path.exists():
        raise ManifestError([f"{display_path(path)}: already exists"], code="manifest.exists")
    text = "".join(f"# {line}\n" for line in header.splitlines()) + _dump(dict(data))
    loaded = parse_manifest(text, path)
    write_atomic(path, text.encode())
    return loaded


def edit_manifest(path: Path, changes: Mapping[str, Any]) -> ManifestFile:
    """Set dotted keys (``source.spec``, ``test.sample_size``) in the manifest at ``path``; None removes a key.

    Returns the manifest as written; with no effective change the file is not touched.
    """
    original = path.read_text()
    doc = _yaml().load(original)
    if not isinstance(doc, dict):
        return parse_manifest(original, path)  # raises the loader's own error for a non-mapping document
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        node = doc
        for key in parents:
            if not isinstance(node.get(key), dict):
                node[key] = CommentedMap()
            node = node[key]
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    text = _dump(doc)
    loaded = parse_manifest(text, path)
    if text != original:
        write_atomic(path, text.encode())
    return loaded
