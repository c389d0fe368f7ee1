"""Catalog entries from the OpenAPI documents under ``integrations/specs/``: only the top of each document is read.

A YAML spec is not parsed whole (GitHub's is 3 MB): the top-level blocks the catalog needs (``openapi``/``swagger``,
``info``, ``servers``, ``externalDocs``, Swagger 2.0's ``host``/``basePath``/``schemes``) are cut out of the text and
only they are parsed; a JSON document is parsed whole (orjson, milliseconds). What was read is cached by the file's
mtime and size. Nothing is fetched: a ``$ref`` in ``info`` is not followed. A file that is not an OpenAPI document,
or cannot be read, is left out with a warning; one whose ``info`` lacks a title is listed under its file name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from vitesse import jsoncodec
from vitesse.catalog.models import MAX_DESCRIPTION, CatalogEntry
from vitesse.manifest.models import check_http_url
from vitesse.yaml_loader import load_yaml

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
MAX_SPEC_BYTES = 50_000_000
HEADER_KEYS = frozenset({"openapi", "swagger", "info", "servers", "externalDocs", "host", "basePath", "schemes"})
_TOP_KEY = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([^\s#'"{\[&*!|>%@`-][^:#]*?))\s*:(?:\s|$)""")

_cache: dict[Path, tuple[tuple[int, int], CatalogEntry | None, str | None]] = {}


def spec_entries(integrations_dir: Path) -> tuple[list[CatalogEntry], list[str]]:
    """One entry per OpenAPI document directly in ``integrations_dir/specs``, in file-name order, and warnings."""
    folder = integrations_dir / "specs"
    entries, warnings = [], []
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SPEC_SUFFIXES and p.is_file())
    except OSError:  # no specs folder (or not readable): an empty catalog part, not an error
        return [], []
    for path in files:
        entry, warning = spec_entry(path, f"integrations/specs/{path.name}", f"specs/{path.name}")
        if entry is not None:
            entries.append(entry)
        if warning is not None:
            warnings.append(warning)
    return entries, warnings


def spec_entry(path: Path, shown: str, location: str) -> tuple[CatalogEntry | None, str | None]:
    """The entry of the spec at ``path`` (listed as ``shown``, ingested as ``location``) or a warning, cached."""
    try:
        stat = path.stat()
    except OSError as exc:
        return None, f"{shown}: cannot be read ({exc.strerror or exc}); left out of the catalog"
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    entry, warning = _read(path, shown, location, stat.st_size)
    _cache[path] = (stamp, entry, warning)
    return entry, warning


def _read(path: Path, shown: str, location: str, size: int) -> tuple[CatalogEntry | None, str | None]:
    if size > MAX_SPEC_BYTES:
        return None, f"{shown}: {size} bytes, over the catalog's {MAX_SPEC_BYTES}; left out of the catalog"
    try:
        header = read_header(path.read_bytes(), json_file=path.suffix.lower() == ".json")
    except (OSError, ValueError, UnicodeDecodeError) as exc:  # YAMLError and JSON errors are ValueErrors here
        return None, f"{shown}: cannot be read ({_one_line(exc)}); left out of the catalog"
    if not isinstance(header, dict) or not ({"openapi", "swagger"} & header.keys()):
        return None, f"{shown}: not an OpenAPI document (no openapi or swagger key); left out of the catalog"
    return entry_of(header, path.stem, shown, location), None


def read_header(raw: bytes, *, json_file: bool) -> Any:
    """The document's top-level header keys (`HEADER_KEYS`) as plain data; ValueError if they cannot be parsed."""
    import yaml

    text = raw.decode("utf-8-sig")
    stripped = text.lstrip()
    try:
        if json_file or stripped.startswith(("{", "[")):
            data = jsoncodec.loads(text) if json_file else load_yaml(text)
            return {k: v for k, v in data.items() if k in HEADER_KEYS} if isinstance(data, dict) else data
        return load_yaml(_header_blocks(text))
    except yaml.YAMLError as exc:
        raise ValueError(f"invalid YAML: {getattr(exc, 'problem', None) or _one_line(exc)}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _header_blocks(text: str) -> str:
    """The lines of the top-level blocks whose key is one of `HEADER_KEYS` (a block ends at the next line that
    starts in column 0 and is not a list item, a comment or blank)."""
    kept: list[str] = []
    keeping = False
    for line in text.splitlines():
        if line.startswith(("---", "...")) and not kept:
            continue
        if line and not line[0].isspace() and not line.startswith(("#", "- ")) and line != "-":
            match = _TOP_KEY.match(line)
            key = next((g for g in match.groups() if g is not None), None) if match else None
            keeping = key is not None and key.strip() in HEADER_KEYS
        if keeping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def entry_of(header: dict[str, Any], stem: str, shown: str, location: str) -> CatalogEntry:
    info = header.get("info") if isinstance(header.get("info"), dict) else {}
    title = info.get("title")
    description = info.get("description")
    docs = header.get("externalDocs")
    return CatalogEntry(
        api_name=title.strip()[:200] if isinstance(title, str) and title.strip() else stem,
        description=" ".join(description.split())[:MAX_DESCRIPTION] if isinstance(description, str) else "",
        base_url=_base_url(header),
        documentation_url=http_url(docs.get("url")) if isinstance(docs, dict) else None,
        spec=location,
        source=shown,
    )


def _base_url(header: dict[str, Any]) -> str | None:
    servers = header.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = servers[0].get("url")
        variables = servers[0].get("variables")
        if isinstance(url, str) and isinstance(variables, dict):
            for name, variable in variables.items():
                if isinstance(variable, dict) and isinstance(variable.get("default"), str | int):
                    url = url.replace(f"{{{name}}}", str(variable["default"]))
        return http_url(url)
    host = header.get("host")
    if isinstance(host, str) and host:  # Swagger 2.0
        schemes = header.get("schemes")
        scheme = schemes[0] if isinstance(schemes, list) and schemes in (["http"], ["https"]) else "https"
        base = header.get("basePath") if isinstance(header.get("basePath"), str) else ""
        return http_url(f"{scheme}://{host}{base}")
    return None


def http_url(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL the create request accepts, else None."""
    if not isinstance(value, str) or not value.lower().startswith(("http://", "https://")) or len(value) > 2000:
        return None
    try:
        return check_http_url(value)
    except ValueError:
        return None


def _one_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
