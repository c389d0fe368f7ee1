"""API discovery for the seed's first step: the project's own catalog of APIs to integrate.

The catalog is every OpenAPI document under ``<project>/integrations/specs/`` (its ``info.title``,
``info.description``, first server URL and ``externalDocs.url``, `vitesse.catalog.specs`) plus the entries of
``<project>/catalog.yaml``, which users extend (`vitesse.catalog.file`). `search_catalog` ranks them against a
query (`vitesse.catalog.search`). Nothing is fetched over the network; a file that cannot be read is a warning.
"""

from vitesse.catalog.models import CatalogEntry, CatalogResult
from vitesse.catalog.search import load_catalog, search_catalog

__all__ = ["CatalogEntry", "CatalogResult", "load_catalog", "search_catalog"]
