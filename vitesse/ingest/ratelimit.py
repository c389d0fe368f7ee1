"""Rate-limit hints from a spec: 429 responses, rate-limit and Retry-After headers, ``x-ratelimit*`` extensions."""

from __future__ import annotations

from typing import Any

from vitesse.ingest.models import RateLimitHints

_HEADER_MARKERS = ("ratelimit", "rate-limit", "x-rate", "retry-after", "quota")


def is_rate_limit_header(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in _HEADER_MARKERS)


def rate_limit_hints(statuses: list[str], headers: list[str], extensions: dict[str, Any]) -> RateLimitHints | None:
    """Hints for one endpoint from its response statuses, declared response headers and vendor extensions."""
    declared = sorted({h for h in headers if is_rate_limit_header(h)}, key=str.lower)
    hints = RateLimitHints(
        status_429="429" in statuses,
        retry_after=any(h.lower() == "retry-after" for h in declared),
        headers=declared,
        extensions={k: v for k, v in extensions.items() if "rate" in k.lower() or "throttl" in k.lower()},
    )
    if not (hints.status_429 or hints.headers or hints.extensions):
        return None
    return hints
