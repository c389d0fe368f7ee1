"""The ingest step: OpenAPI documents -> normalized `ApiSpec`s (the seed's source_api_spec / dest_api_spec)."""

from vitesse.ingest.models import ApiSpec, AuthScheme, Endpoint, Parameter, RateLimitHints
from vitesse.ingest.spec import ingest_spec
from vitesse.ingest.step import ingest, ingest_side

__all__ = ["ApiSpec", "AuthScheme", "Endpoint", "Parameter", "RateLimitHints", "ingest", "ingest_side", "ingest_spec"]
