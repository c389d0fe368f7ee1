"""`ingest_spec`: one OpenAPI document (and everything it $refs) -> a normalized `ApiSpec`."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

from vitesse.errors import SpecError
from vitesse.ingest.auth import auth_schemes
from vitesse.ingest.checks import check_structure, detect_version, document_warnings, full_validation_warnings
from vitesse.ingest.endpoints import EndpointExtractor
from vitesse.ingest.fetch import read_document, to_uri, uri_path
from vitesse.ingest.models import ApiSpec, SourceInfo
from vitesse.ingest.parse import parse_document
from vitesse.ingest.refs import Document, RefResolver, Warnings
from vitesse.ingest.schemas import SchemaTable
from vitesse.manifest.loader import display_path
from vitesse.manifest.models import SpecAccess


def ingest_spec(
    location: str,
    *,
    base_dir: Path | None = None,
    access: SpecAccess | None = None,
    api_name: str | None = None,
    base_url: str | None = None,
    full_validation: bool = False,
) -> ApiSpec:
    """Load, resolve and normalize the spec at ``location`` (a path relative to ``base_dir``, file:// or http(s)).

    Raises `SpecError` with a one-line message for anything that makes the spec unusable (a top-level section of
    the wrong type among them); everything else (missing refs, refused remote refs, structural problems further
    down) becomes a warning in the result.
    """
    access = access or SpecAccess()
    uri = to_uri(location, base_dir)
    raw, final_uri = read_document(uri, access)
    where = display_path(uri_path(final_uri)) if final_uri.startswith("file:") else final_uri
    data = parse_document(raw, where)
    version, dialect, version_warnings = detect_version(data, where)
    structure_warnings = check_structure(data, dialect, where)
    warnings = Warnings()
    for message in version_warnings + structure_warnings + document_warnings(data, dialect):
        warnings.add(message)
    resolver = RefResolver(Document(final_uri, data, len(raw), hashlib.sha256(raw).hexdigest()), access, warnings)
    table = SchemaTable(resolver)
    try:
        endpoints = EndpointExtractor(data, resolver, table, dialect).extract()
        table.drain()
        schemes = auth_schemes(data, resolver)
    except RecursionError:
        raise SpecError(f"{where}: schemas are nested too deeply to read", code="spec.too_deep") from None
    servers = _servers(data, dialect, final_uri)
    if not servers and not base_url:
        warnings.add("no servers declared; set base_url in the manifest")
    if full_validation:
        for message in full_validation_warnings(data, dialect):
            warnings.add(f"schema: {message}")
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    title = info.get("title") if isinstance(info.get("title"), str) else None
    info_version = info.get("version")
    return ApiSpec(
        api_name=api_name or title or Path(urlparse(final_uri).path).stem,
        title=title,
        spec_version=str(info_version) if isinstance(info_version, str | int | float) else None,
        openapi_version=version,
        schema_dialect=dialect,
        base_url=base_url or (servers[0] if servers else None),
        servers=servers,
        auth=schemes,
        endpoints=endpoints,
        schemas=table.schemas,
        warnings=warnings.as_list(),
        source=SourceInfo(
            location=location,
            sha256=resolver.root.sha256,
            documents=len(resolver.documents),
            bytes=resolver.total_bytes,
        ),
    )


def _servers(doc: dict[str, Any], dialect: str, doc_uri: str) -> list[str]:
    """Server base URLs, with variables set to their defaults and relative URLs resolved against a remote spec."""
    if dialect == "swagger-2.0":
        host = doc.get("host")
        if not isinstance(host, str) or not host:
            return []
        schemes = [s for s in doc.get("schemes") or [] if s in ("https", "http")] or ["https"]
        base_path = doc.get("basePath") if isinstance(doc.get("basePath"), str) else ""
        ordered = sorted(schemes, key=lambda s: s != "https")
        return [f"{scheme}://{host}{base_path}".rstrip("/") for scheme in ordered]
    servers = []
    listed = doc.get("servers")
    for server in listed if isinstance(listed, list) else []:  # anything else is not a server list
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}

        def default(match: re.Match[str], variables: dict[str, Any] = variables) -> str:
            var = variables.get(match.group(1))
            return str(var.get("default", match.group(0))) if isinstance(var, dict) else match.group(0)

        url = re.sub(r"{([^}]+)}", default, url)
        try:
            if not urlparse(url).scheme and urlparse(doc_uri).scheme in ("http", "https"):
                url = urljoin(doc_uri, url)
        except ValueError:  # e.g. "http://[::1": not a URL anyone can call
            continue
        servers.append(url.rstrip("/") or url)
    return servers
