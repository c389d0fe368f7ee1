"""``<project>/catalog.yaml``: the APIs a team adds to the catalog by hand, a list of entries.

```yaml
- name: Stripe
  description: Payments
  base_url: https://api.stripe.com
  documentation_url: https://stripe.com/docs/api
  spec: https://raw.githubusercontent.com/stripe/openapi/master/openapi/spec3.yaml   # or specs/stripe.json
```

Only ``name`` is required; unknown keys are refused. A problem never hides the rest of the catalog: a file that is
not YAML (or not a list) is left out, an invalid entry is left out, each with a warning
``catalog.yaml:line:col: [index].key: message [catalog.code]`` (the manifest's positions and messages).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from vitesse.catalog.models import MAX_DESCRIPTION, CatalogEntry
from vitesse.errors import ManifestError
from vitesse.manifest.loader import format_errors, positioned_document
from vitesse.manifest.models import HttpUrl

CATALOG_FILE = "catalog.yaml"
MAX_CATALOG_BYTES = 5_000_000


def _spec_location(value: str) -> str:
    """An http(s) URL or a path relative to integrations/ that stays inside it, as the ingest request takes it."""
    if "://" in value:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("use an http:// or https:// URL, or a path relative to integrations/")
        return value
    if value.startswith(("/", "~", "\\")) or ".." in value.replace("\\", "/").split("/"):
        raise ValueError("a path must be relative to integrations/ and stay inside it (e.g. specs/stripe.json)")
    return value


class CatalogItem(BaseModel):
    """One entry of catalog.yaml."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=MAX_DESCRIPTION)] = ""
    base_url: HttpUrl | None = None
    documentation_url: HttpUrl | None = None
    spec: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_spec_location)] | None = None


ITEMS = TypeAdapter(list[CatalogItem])


def file_entries(project_root: Path) -> tuple[list[CatalogEntry], list[str]]:
    """The valid entries of ``project_root/catalog.yaml`` (none when there is no such file) and a warning per
    problem."""
    path = project_root / CATALOG_FILE
    try:
        if path.stat().st_size > MAX_CATALOG_BYTES:
            return [], [f"{CATALOG_FILE}: over {MAX_CATALOG_BYTES} bytes; left out of the catalog"]
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [f"{CATALOG_FILE}: cannot be read ({exc.strerror or exc}); left out of the catalog"]
    return parse_catalog(raw, CATALOG_FILE)


def parse_catalog(raw: bytes | str, shown: str) -> tuple[list[CatalogEntry], list[str]]:
    try:
        doc = positioned_document(raw, shown, prefix="catalog")
    except ManifestError as exc:
        return [], [f"{p} (the whole file is left out of the catalog)" for p in exc.problems]
    if doc.data is None:
        return [], []
    if not isinstance(doc.data, list):
        kind = type(doc.data).__name__
        message = f"expected a list of entries (- name: ..., description: ..., spec: ...), got {kind}"
        return [], [f"{shown}:1:1: (document): {message} [catalog.wrong_type]"]
    bad: set[int] = set()
    warnings: list[str] = []
    try:
        ITEMS.validate_python(doc.data)
    except ValidationError as exc:
        bad = {e["loc"][0] for e in exc.errors() if e["loc"] and isinstance(e["loc"][0], int)}
        problems = format_errors(exc, doc, shown, root=CatalogItem, prefix="catalog")
        warnings = [f"{p} (entry left out of the catalog)" for p in problems]
    entries = [
        CatalogEntry(
            api_name=found.name,
            description=found.description,
            base_url=found.base_url,
            documentation_url=found.documentation_url,
            spec=found.spec,
            source=shown,
        )
        for index, item in enumerate(doc.data)
        if index not in bad and (found := CatalogItem.model_validate(item))
    ]
    return entries, warnings
