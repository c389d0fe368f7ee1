"""The URLs a sync calls: the manifest's ``params`` resolved once, placed where each endpoint declares them.

`vitesse.params` does the work (reading ``{env: NAME}``, filling ``{name}`` with percent-encoded values, splitting
the rest into query and header parameters); this module turns its errors into the runtime's and guarantees that no
URL the runtime calls still has a ``{`` in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vitesse.errors import RuntimeSyncError, VitesseError
from vitesse.ingest.models import Parameter
from vitesse.params import placeholders, request_parts, resolve


def resolved(params: Mapping[str, Any], where: str) -> dict[str, str]:
    """A side's params as URL text, env values read now; a missing variable is a `RuntimeSyncError` naming it."""
    try:
        return resolve(params, where)
    except VitesseError as exc:
        raise RuntimeSyncError(exc.message, code="runtime.missing_env") from None


def locations(parameters: list[Parameter]) -> dict[str, str]:
    """Parameter name -> where the endpoint declares it (``path``, ``query``, ``header``, ``cookie``)."""
    return {p.name: p.location for p in parameters}


@dataclass(frozen=True)
class Call:
    """One prepared request target: method, full URL (path filled), query and header parameters."""

    method: str
    url: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def endpoint_call(
    base_url: str,
    method: str,
    path: str,
    values: Mapping[str, str],
    parameters: list[Parameter],
    where: str,
    *,
    declared_only: bool = False,
) -> Call:
    """The call of an endpoint with these parameter values: path placeholders filled, the others in the query or a
    header as the endpoint declares. ``declared_only``: leave out values the endpoint neither declares nor has a
    placeholder for (the destination's params were written for its create endpoint, not its lookup or update)."""
    if declared_only:
        known = set(locations(parameters)) | set(placeholders(path))
        values = {k: v for k, v in values.items() if k in known}
    try:
        filled, query, headers = request_parts(path, values, locations(parameters), where)
    except VitesseError as exc:
        raise RuntimeSyncError(exc.message, code="runtime.missing_param") from None
    return Call(method, checked(join(base_url, filled), where), query, headers)


def join(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def checked(url: str, where: str) -> str:
    """``url`` if no placeholder is left in it, else a clear error (never call ``/tasks/{id}`` literally)."""
    if "{" in url or "}" in url:
        raise RuntimeSyncError(
            f"{where}: the URL {url} still has a placeholder; every {{name}} needs a value from {where}.params "
            "(or, for destination.write, from the records)",
            code="runtime.unfilled_url",
        )
    return url
