"""The deploy bundle: everything the runtime needs, as one versioned JSON file built from the artifacts.

The runtime never parses a spec or imports Dagster: the bundle carries the two endpoints (URL, method, record path,
pagination, content type, rate-limit hints), the auth references (env-var names only), the mapping and the runtime
settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vitesse import jsoncodec
from vitesse.artifacts import ArtifactStore, integration_id, utc_now, write_atomic
from vitesse.artifacts.steps import upstream
from vitesse.errors import ArtifactError
from vitesse.hashing import content_hash
from vitesse.ingest.models import ApiSpec, Endpoint, Parameter, RateLimitHints
from vitesse.ingest.models import Pagination as PaginationModel
from vitesse.ingest.schemas import reachable_schemas
from vitesse.ingest.step import specs_of
from vitesse.manifest import ManifestFile
from vitesse.manifest.models import Auth, RuntimeConfig
from vitesse.mapping.endpoints import named_endpoint
from vitesse.mapping.models import MappingLogic


class SideBundle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api: str
    base_url: str
    method: str
    path: str
    parameters: list[Parameter] = Field(default_factory=list)
    record_path: str = ""
    pagination: PaginationModel | None = None
    content_type: str | None = None
    auth: Auth | None = None
    rate_limit: RateLimitHints | None = None
    request_schema: dict[str, Any] | None = Field(
        None, description="Destination: the request schema every transformed record is checked against before sending"
    )
    schemas: dict[str, Any] = Field(default_factory=dict, description="The spec schemas request_schema refers to")
    schema_dialect: str = "openapi-3.0"


class Bundle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal[1] = 1
    integration: str
    integration_id: str
    version: str = ""
    versions: dict[str, str] = Field(default_factory=dict, description="Artifact versions it was built from")
    source: SideBundle
    destination: SideBundle
    mapping: MappingLogic
    runtime: RuntimeConfig
    created_at: str = ""

    def content(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude={"version", "created_at"})


def build_bundle(mf: ManifestFile, store: ArtifactStore) -> Bundle:
    """The bundle of an integration from its latest ingest and map artifacts and its manifest."""
    ingested = upstream(store, mf, "ingest", needed_by="bundle")
    mapped = upstream(store, mf, "map", needed_by="bundle")
    logic = MappingLogic.model_validate(mapped.data["mapping_logic"])
    source_spec, dest_spec = specs_of(ingested)
    m = mf.manifest
    sides = []
    for spec, side, key, name in (
        (source_spec, m.source, f"{logic.source_method} {logic.source_endpoint}", "source"),
        (dest_spec, m.destination, f"{logic.dest_method} {logic.dest_endpoint}", "destination"),
    ):
        endpoint = named_endpoint(spec, key, name)
        base_url = side.base_url or spec.base_url
        if not base_url:
            raise ArtifactError(
                f"{mf.name}: {name} has no base URL; set {name}.base_url in the manifest", code="bundle.no_base_url"
            )
        sides.append(
            SideBundle(
                api=side.api,
                base_url=base_url,
                method=endpoint.method,
                path=endpoint.path,
                parameters=endpoint.parameters,
                record_path=endpoint.record_path,
                pagination=endpoint.pagination,
                content_type=endpoint.request_content_type if name == "destination" else endpoint.response_content_type,
                auth=side.auth,
                rate_limit=endpoint.rate_limit,
                **(_request_schema(spec, endpoint) if name == "destination" else {}),
            )
        )
    versions = {"ingest": ingested.version, "map": mapped.version}
    tested = store.latest(mf.name, "test")
    if tested is not None:
        versions["test"] = tested.version
    bundle = Bundle(
        integration=mf.name,
        integration_id=integration_id(mf.name),
        versions=versions,
        source=sides[0],
        destination=sides[1],
        mapping=logic,
        runtime=m.runtime,
    )
    return bundle.model_copy(update={"version": content_hash(bundle.content()), "created_at": utc_now()})


def _request_schema(spec: ApiSpec, endpoint: Endpoint) -> dict[str, Any]:
    """The destination's request schema with just the spec schemas it refers to (the runtime validates with it)."""
    if not endpoint.request_schema:
        return {}
    return {
        "request_schema": endpoint.request_schema,
        "schemas": reachable_schemas(endpoint.request_schema, spec.schemas),
        "schema_dialect": spec.schema_dialect,
    }


def write_bundle(bundle: Bundle, path: Path) -> Path:
    write_atomic(path, jsoncodec.dumps(bundle.model_dump(mode="json", by_alias=True), indent=True))
    return path


def load_bundle(path: Path) -> Bundle:
    """Read a bundle file; `ArtifactError` with the file name if it is missing or not a bundle."""
    try:
        return Bundle.model_validate(jsoncodec.loads(Path(path).read_bytes()))
    except FileNotFoundError:
        raise ArtifactError(
            f"{path}: no such bundle file; build one with `vitesse runtime bundle NAME`", code="bundle.not_found"
        ) from None
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise ArtifactError(f"{path}: not a vitesse bundle ({first})", code="bundle.invalid") from None
