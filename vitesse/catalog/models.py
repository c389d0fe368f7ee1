"""What the catalog holds: one entry per API, in the seed's discovery shape plus where its spec is."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

MAX_DESCRIPTION = 2000
"""What the create request accepts as a discovery's description: an entry can be sent back as it is."""


@dataclass(frozen=True)
class CatalogEntry:
    """One API: the seed's discovery result (``api_name`` ... ``source``) and ``spec``, a location the ingest request
    takes as ``source_spec_url`` / ``dest_spec_url`` (a path relative to ``integrations/`` or an http(s) URL)."""

    api_name: str
    description: str = ""
    base_url: str | None = None
    documentation_url: str | None = None
    spec: str | None = None
    source: str = "catalog.yaml"
    confidence_score: float = 1.0

    def scored(self, score: float) -> CatalogEntry:
        return replace(self, confidence_score=round(score, 3))

    def as_dict(self) -> dict[str, Any]:
        return {
            "api_name": self.api_name,
            "description": self.description,
            "base_url": self.base_url,
            "documentation_url": self.documentation_url,
            "confidence_score": self.confidence_score,
            "source": self.source,
            "spec": self.spec,
        }


@dataclass(frozen=True)
class CatalogResult:
    """Entries (best first) and what could not be read, each warning a ``file[:line:col]: message`` line."""

    entries: list[CatalogEntry]
    warnings: list[str] = field(default_factory=list)
