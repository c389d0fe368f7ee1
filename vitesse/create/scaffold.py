"""`vitesse new NAME`: write a starter manifest that validates, for the user to fill in."""

from __future__ import annotations

from pathlib import Path

from vitesse.errors import ManifestError
from vitesse.manifest import ManifestFile, parse_manifest

TEMPLATE = """\
version: 1
name: {name}
description: {description}
intent: {intent}
source:
  api: {source_api}
  spec: {source_spec}          # path relative to this file, file:// or https:// URL
  # endpoint: GET /customers   # optional: the mapper proposes one
  # auth: {{type: bearer, token_env: SOURCE_API_TOKEN}}
destination:
  api: {dest_api}
  spec: {dest_spec}
  # endpoint: POST /contacts
  # auth: {{type: api_key, in: header, name: X-Api-Key, key_env: DEST_API_KEY}}
mapping:
  hints: {{}}                  # source field -> destination field
  min_confidence: 0.6
test:
  sample_size: 5
  threshold: 70
deploy:
  target: process
"""


def scaffold_manifest(
    folder: Path,
    name: str,
    *,
    source_api: str = "Source",
    dest_api: str = "Destination",
    source_spec: str = "specs/source.yaml",
    dest_spec: str = "specs/destination.yaml",
    intent: str = "",
    description: str = "",
    overwrite: bool = False,
) -> ManifestFile:
    """Write ``<folder>/<name>.yaml`` from the template and return it loaded (it must validate)."""
    path = folder / f"{name}.yaml"
    if path.exists() and not overwrite:
        raise ManifestError([f"{path}: already exists; edit it, or pick another name"], code="manifest.exists")

    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    text = TEMPLATE.format(
        name=name,
        description=quote(description or f"{source_api} to {dest_api}"),
        intent=quote(intent),
        source_api=quote(source_api),
        dest_api=quote(dest_api),
        source_spec=quote(source_spec),
        dest_spec=quote(dest_spec),
    )
    loaded = parse_manifest(text, path)  # refuse to write what would not validate
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return loaded
