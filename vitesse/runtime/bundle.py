"""The deploy bundle: everything the runtime needs, as one versioned JSON file built from the artifacts.

The runtime never parses a spec or imports Dagster: the bundle carries the two endpoints (URL, method, record path,
pagination, content type, rate-limit hints), the auth references (env-var names only), the mapping and the runtime
settings; and, when the manifest sets them, each side's ``params`` (``{env: NAME}`` stays a reference, read when the
service runs), the source's ``incremental`` settings and the destination's write mode with its lookup and update
endpoints resolved against the destination spec. Those three keys are left out of the file when unset, so a bundle
of a manifest without them is byte for byte what it was before they existed (same content, same version).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from vitesse import jsoncodec
from vitesse.artifacts import ArtifactStore, integration_id, utc_now, write_atomic
from vitesse.artifacts.steps import upstream
from vitesse.errors import ArtifactError
from vitesse.hashing import content_hash
from vitesse.ingest.models import ApiSpec, Endpoint, Parameter, RateLimitHints
from vitesse.ingest.models import Pagination as PaginationModel
from vitesse.ingest.params import find_by_shape, split_template
from vitesse.ingest.schemas import reachable_schemas
from vitesse.ingest.step import specs_of
from vitesse.manifest import ManifestFile
from vitesse.manifest.models import Auth, Incremental, ParamValue, RuntimeConfig, WriteConfig
from vitesse.mapping.endpoints import named_endpoint
from vitesse.mapping.models import MappingLogic


class LookupBundle(BaseModel):
    """``destination.write.lookup`` resolved: where to GET the records that may match, and how to read the answer."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["GET"] = "GET"
    path: str = Field(description="The manifest's path template; {name}: a param, else a transformed-record field")
    query: dict[str, str] = Field(default_factory=dict, description="Query name -> template, e.g. {email: '{email}'}")
    parameters: list[Parameter] = Field(default_factory=list, description="The spec endpoint's declared parameters")
    record_path: str = ""
    pagination: PaginationModel | None = None


class UpdateBundle(BaseModel):
    """``destination.write.update`` resolved: how to change the record the lookup found."""

    model_config = ConfigDict(extra="forbid")

    method: str
    path: str = Field(description="The manifest's path template; {name}: the found record's field, else a param")
    query: dict[str, str] = Field(default_factory=dict)
    parameters: list[Parameter] = Field(default_factory=list)
    content_type: str | None = None


class WriteBundle(BaseModel):
    """The destination's write mode (`vitesse.runtime.writes`); absent from the bundle for plain ``insert``."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["insert", "upsert", "update"] = "insert"
    match_key: str | None = None
    lookup: LookupBundle | None = None
    update: UpdateBundle | None = None


_LEFT_OUT_UNSET = ("params", "incremental", "write")
"""SideBundle keys newer than bundle format 1's first files: not written when unset, so old bundles keep their
content and version."""


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
    params: dict[str, ParamValue] = Field(
        default_factory=dict, description="The manifest's params; {env: NAME} is read when the service runs"
    )
    incremental: Incremental | None = Field(None, description="Source: read only what changed since the last sync")
    write: WriteBundle | None = Field(None, description="Destination: upsert/update; unset: insert")

    @model_serializer(mode="wrap")
    def _leave_out_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for key in _LEFT_OUT_UNSET:
            if key in data and not data[key]:
                del data[key]
        return data


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
    versions = {"ingest": ingested.version, "map": mapped.version}
    tested = store.latest(mf.name, "test")
    if tested is not None:
        versions["test"] = tested.version
    return bundle_from(mf, source_spec, dest_spec, logic, versions)


def bundle_from(
    mf: ManifestFile, source_spec: ApiSpec, dest_spec: ApiSpec, logic: MappingLogic, versions: dict[str, str]
) -> Bundle:
    """The bundle of these specs and this mapping, ``versions`` the artifact versions it is said to be built from;
    reads and writes nothing (`vitesse plan` builds the bundle a deploy would ship with it)."""
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
                params=side.params,
                **({"incremental": m.source.incremental} if name == "source" else {}),
                **({"write": _write(mf.name, dest_spec, m.destination.write)} if name == "destination" else {}),
            )
        )
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


def _write(integration: str, spec: ApiSpec, write: WriteConfig) -> WriteBundle | None:
    """The write mode with its lookup and update endpoints found in the destination spec (None for insert).

    Map time checks them in full (names, did-you-mean); this is the bundle's safety net: an endpoint the spec does
    not have is an `ArtifactError` naming the manifest key. Placeholder names may differ from the spec's (``{id}``
    where the spec says ``{task_gid}``): they say where the value comes from, so paths are compared by shape.
    """
    if write.mode == "insert":
        return None
    assert write.lookup is not None and write.update is not None
    _, lookup_path, lookup_query, lookup = _endpoint(integration, spec, write.lookup, "lookup")
    update_method, update_path, update_query, update = _endpoint(integration, spec, write.update, "update")
    return WriteBundle(
        mode=write.mode,
        match_key=write.match_key,
        lookup=LookupBundle(
            path=lookup_path,
            query=lookup_query,
            parameters=lookup.parameters,
            record_path=lookup.record_path,
            pagination=lookup.pagination,
        ),
        update=UpdateBundle(
            method=update_method,
            path=update_path,
            query=update_query,
            parameters=update.parameters,
            content_type=update.request_content_type,
        ),
    )


def _endpoint(integration: str, spec: ApiSpec, template: str, key: str) -> tuple[str, str, dict[str, str], Endpoint]:
    """(method, path template, query templates, the spec endpoint) of ``'PATCH /tasks/{id}?opt=x'``."""
    method, path, query = split_template(template)
    found = find_by_shape(spec, method, path)
    if found is None:
        raise ArtifactError(
            f"{integration}: destination.write.{key}: {method} {path} is not in the {spec.api_name} spec; "
            f"fix destination.write.{key} in the manifest and run `vitesse map` again",
            code="bundle.no_endpoint",
        )
    return method, path, query, found


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
