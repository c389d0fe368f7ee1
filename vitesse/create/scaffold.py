"""`vitesse new NAME`: write a starter manifest that validates, for the user to fill in."""

from __future__ import annotations

import re
from pathlib import Path

from vitesse.errors import ManifestError
from vitesse.manifest import ManifestFile, parse_manifest
from vitesse.manifest.models import ENDPOINT_PATTERN

TEMPLATE = """\
version: 1
name: {name}
description: {description}
intent: {intent}
source:
  api: {source_api}
  spec: {source_spec}          # path relative to this file, file:// or https:// URL
{source_endpoint}  # auth: {{type: bearer, token_env: SOURCE_API_TOKEN}}
destination:
  api: {dest_api}
  spec: {dest_spec}
{dest_endpoint}  # auth: {{type: api_key, in: header, name: X-Api-Key, key_env: DEST_API_KEY}}
mapping:
  hints: {{}}                  # source field -> destination field
  min_confidence: 0.6
  review_below: 0.8          # proposals below it wait for `vitesse map {name} --accept`
test:
  sample_size: 5
  threshold: 70
deploy:
  target: process
"""


ENDPOINT_EXAMPLES = {"source": "GET /customers   # optional: the mapper proposes one", "destination": "POST /contacts"}
UNSET = "<{}>"
"""The value `vitesse new` writes for a parameter the endpoint requires: it validates, ingest and map refuse it."""


def scaffold_manifest(
    folder: Path,
    name: str,
    *,
    source_api: str = "Source",
    dest_api: str = "Destination",
    source_spec: str = "specs/source.yaml",
    dest_spec: str = "specs/destination.yaml",
    source_endpoint: str | None = None,
    dest_endpoint: str | None = None,
    intent: str = "",
    description: str = "",
    overwrite: bool = False,
) -> ManifestFile:
    """Write ``<folder>/<name>.yaml`` from the template and return it loaded (it must validate).

    With an endpoint given and its spec a file that exists, the parameters the endpoint requires are written as
    ``params`` with the value ``"<name>"`` each (`unset_params` lists them) for the user to fill in."""
    path = folder / f"{name}.yaml"
    if path.exists() and not overwrite:
        raise ManifestError([f"{path}: already exists; edit it, or pick another name"], code="manifest.exists")

    text = TEMPLATE.format(
        name=name,
        description=_quote(description or f"{source_api} to {dest_api}"),
        intent=_quote(intent),
        source_api=_quote(source_api),
        dest_api=_quote(dest_api),
        source_spec=_quote(source_spec),
        dest_spec=_quote(dest_spec),
        source_endpoint=_access_line(folder, source_spec)
        + _endpoint_lines(folder, "source", source_spec, source_endpoint),
        dest_endpoint=_access_line(folder, dest_spec)
        + _endpoint_lines(folder, "destination", dest_spec, dest_endpoint),
    )
    loaded = parse_manifest(text, path)  # refuse to write what would not validate
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return loaded


def unset_params(mf: ManifestFile) -> list[str]:
    """``side.params.name`` of every value still as `vitesse new` wrote it."""
    return [
        f"{side_name}.params.{key}"
        for side_name in ("source", "destination")
        for key, value in getattr(mf.manifest, side_name).params.items()
        if value == UNSET.format(key)
    ]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _access_line(folder: Path, spec: str) -> str:
    """``spec_access: {outside_project: true}`` when the user names a local spec outside the project folder: they
    chose it, so the scaffold allows it (and says so) rather than ingest refusing it later."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", spec) and not spec.startswith("file://"):
        return ""
    path = Path(spec.removeprefix("file://"))
    root = (folder.parent if folder.name == "integrations" else folder).resolve()
    if (folder / path).resolve().is_relative_to(root):
        return ""
    return "  spec_access: {outside_project: true}   # the spec is outside the project folder\n"


def _endpoint_lines(folder: Path, side: str, spec: str, endpoint: str | None) -> str:
    """The side's ``endpoint`` line (a comment without one) and, when its spec is a local file, ``params`` with the
    parameters it requires."""
    if endpoint is None:
        return f"  # endpoint: {ENDPOINT_EXAMPLES[side]}\n"
    lines = f"  endpoint: {_quote(endpoint)}\n"
    local = folder / spec if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", spec) else None
    if local is None or not local.is_file() or not re.match(ENDPOINT_PATTERN, endpoint):
        return lines  # nothing to read (a malformed endpoint: the manifest's own check says what is wrong)
    from vitesse.ingest.params import needed_params
    from vitesse.ingest.spec import ingest_spec
    from vitesse.mapping.endpoints import named_endpoint

    found = named_endpoint(ingest_spec(str(local)), endpoint, side)
    needed = needed_params(found)
    if needed:
        lines += "  params: {" + ", ".join(f"{_key(p.name)}: {_quote(UNSET.format(p.name))}" for p in needed) + "}"
        lines += "   # required by the endpoint: fill in\n"
    return lines


def _key(name: str) -> str:
    return name if re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name) else _quote(name)
