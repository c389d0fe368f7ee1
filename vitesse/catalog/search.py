"""Search the catalog: rapidfuzz over each entry's name and description, case-insensitive, best first.

``confidence_score`` (0..1) is the best of: 1 when the query is part of the name; else the name's weighted ratio with
the query (``WRatio``: whole, partial and token-order-insensitive matches, typos forgiven); and the description's
partial ratio, which counts less (`DESCRIPTION_WEIGHT`) so that an API named like the query ranks above one that
only mentions it. Entries under `MIN_SCORE` are left out; an empty query lists every entry (score 1) by name.
"""

from __future__ import annotations

from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from vitesse.catalog.file import file_entries
from vitesse.catalog.models import CatalogEntry, CatalogResult
from vitesse.catalog.specs import spec_entries

MIN_SCORE = 0.7
DESCRIPTION_WEIGHT = 0.85


def load_catalog(project_root: Path) -> CatalogResult:
    """Every entry: catalog.yaml's, then the specs' (a spec catalog.yaml already names is not repeated)."""
    listed, warnings = file_entries(project_root)
    found, spec_warnings = spec_entries(project_root / "integrations")
    named = {e.spec for e in listed if e.spec}
    return CatalogResult(listed + [e for e in found if e.spec not in named], warnings + spec_warnings)


def score(query: str, entry: CatalogEntry) -> float:
    """How well ``entry`` matches ``query``, 0..1."""
    wanted, name_text = default_process(query), default_process(entry.api_name)
    if wanted and wanted in name_text:
        return 1.0
    name = fuzz.WRatio(wanted, name_text)
    described = fuzz.partial_ratio(wanted, default_process(entry.description)) if entry.description else 0
    return max(name, described * DESCRIPTION_WEIGHT) / 100


def search_catalog(project_root: Path, query: str = "", limit: int = 20) -> CatalogResult:
    """The entries matching ``query``, best first (ties by name), at most ``limit``, with the catalog's warnings."""
    catalog = load_catalog(project_root)
    query = query.strip()
    if not query:
        ranked = sorted(catalog.entries, key=lambda e: e.api_name.lower())
    else:
        scored = [e.scored(s) for e in catalog.entries if (s := score(query, e)) >= MIN_SCORE]
        ranked = sorted(scored, key=lambda e: (-e.confidence_score, e.api_name.lower()))
    return CatalogResult(ranked[:limit], catalog.warnings)
