"""Rate-limit hints from a spec: 429 responses, rate-limit and Retry-After headers, ``x-ratelimit*`` extensions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vitesse.ingest.models import RateLimitHints
from vitesse.ingest.schemas import MAX_SCHEMA_DEPTH, nesting

_HEADER_MARKERS = ("ratelimit", "rate-limit", "x-rate", "retry-after", "quota")


def is_rate_limit_header(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in _HEADER_MARKERS)


def rate_limit_hints(
    statuses: list[str], headers: list[str], extensions: dict[str, Any], warn: Callable[[str], None] | None = None
) -> RateLimitHints | None:
    """Hints for one endpoint from its response statuses, declared response headers and vendor extensions (an
    extension nested deeper than a schema may be is left out, with a warning)."""
    declared = sorted({h for h in headers if is_rate_limit_header(h)}, key=str.lower)
    kept = {k: v for k, v in extensions.items() if "rate" in k.lower() or "throttl" in k.lower()}
    for key in [k for k, v in kept.items() if nesting(v, MAX_SCHEMA_DEPTH) > MAX_SCHEMA_DEPTH]:
        del kept[key]
        if warn:
            warn(f"{key}: nested deeper than {MAX_SCHEMA_DEPTH} levels; ignored")
    hints = RateLimitHints(
        status_429="429" in statuses,
        retry_after=any(h.lower() == "retry-after" for h in declared),
        headers=declared,
        extensions=kept,
    )
    if not (hints.status_429 or hints.headers or hints.extensions):
        return None
    return hints
