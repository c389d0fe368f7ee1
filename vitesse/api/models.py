"""Request and response bodies of the REST API, as in the seed's examples (plus a few documented extensions).

Requests are strict: unknown fields and wrong types are a 400 that names the field. Every step request is optional
in full; what it sets is written into the manifest before the step runs, so git stays the source of truth.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue

from vitesse.manifest.models import HttpUrl, Transform, check_http_url


def _utf8(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text (lone surrogate)") from None
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _spec_location(value: str) -> str:
    """An http(s) URL, or a path relative to integrations/ that stays inside it (no file://, no absolute path)."""
    if "://" in value:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("use an http:// or https:// URL, or a path relative to integrations/")
        return check_http_url(value)
    if value.startswith(("/", "~", "\\")) or ".." in value.replace("\\", "/").split("/"):
        raise ValueError("a path must be relative to integrations/ and stay inside it")
    return value


Text = Annotated[str, AfterValidator(_utf8)]
Url = Annotated[HttpUrl, Field(max_length=2000), AfterValidator(_utf8)]
SpecLocation = Annotated[
    str,
    Field(
        min_length=1, max_length=2000, description="http(s) URL of the OpenAPI document, or a path under integrations/"
    ),
    AfterValidator(_utf8),
    AfterValidator(_spec_location),
]
FieldPath = Annotated[Text, Field(min_length=1, max_length=300)]
EndpointRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        pattern=r"^((GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE) )?/\S*$",
        description="'/customers' (the method is chosen: GET to read, POST/PUT/PATCH to write) or 'GET /customers'",
    ),
    AfterValidator(_utf8),
]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DiscoveryIn(Request):
    """The seed's discovery result for one API."""

    api_name: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Annotated[Text, Field(max_length=2000)] = ""
    base_url: Url | None = None
    documentation_url: Url | None = None
    confidence_score: Annotated[float, Field(ge=0, le=1)] | None = None
    source: Annotated[Text, Field(max_length=200)] | None = None


class CreateRequest(Request):
    """Step 1. ``name`` is a display name; the manifest file is ``integrations/<slug of name>.yaml``."""

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    source_discovery: DiscoveryIn
    dest_discovery: DiscoveryIn
    user_intent: Annotated[Text, Field(max_length=2000)] = ""
    deployment_target: Literal["local", "eks", "ecs"] = "local"
    description: Annotated[Text, Field(max_length=2000)] = ""
    target: Literal["process", "docker", "kubernetes", "ecs"] | None = Field(
        None, description="vitesse deploy target; default: process for local, kubernetes for eks, ecs for ecs"
    )


class IngestRequest(Request):
    """Step 2: where the two OpenAPI documents are (default: what the manifest already names)."""

    source_spec_url: SpecLocation | None = None
    dest_spec_url: SpecLocation | None = None
    full_validation: bool = False


class MapRequest(Request):
    """Step 3: the endpoints to map (default: the manifest's, else the mapper proposes) and manual hints."""

    source_endpoint: EndpointRef | None = None
    dest_endpoint: EndpointRef | None = None
    mapping_hints: Annotated[dict[FieldPath, FieldPath], Field(max_length=500)] | None = Field(
        None, description="source field -> destination field; replaces the manifest's mapping.hints"
    )
    min_confidence: Annotated[float, Field(ge=0, le=1)] | None = None


class TestRequest(Request):
    """Step 4 (default: the manifest's test settings)."""

    __test__ = False  # not a pytest test class

    test_sample_size: Annotated[int, Field(ge=1, le=100)] | None = None
    skip_destructive: bool | None = None
    source_sandbox_url: Url | None = Field(
        None,
        description="Where the source's shadow GET goes for this run (e.g. a Prism mock). Not saved in the manifest; "
        "gets placeholder credentials only; the host obeys source.spec_access (loopback needs private_hosts)",
    )
    dest_sandbox_url: Url | None = Field(
        None, description="Where the destination's shadow writes go for this run (same rules as source_sandbox_url)"
    )


class DeployRequest(Request):
    """Step 5 (default: the manifest's deploy settings)."""

    replicas: Annotated[int, Field(ge=1, le=100)] | None = None
    memory_mb: Annotated[int, Field(ge=64, le=65536)] | None = None
    cpu_cores: Annotated[float, Field(gt=0, le=64)] | None = None
    auto_scale: bool | None = None
    dry_run: bool = Field(False, description="Render (and validate) the deployment; apply nothing")


# -- responses ----------------------------------------------------------------------------------------------------


class ErrorEnvelope(BaseModel):
    """The seed's error envelope (``code`` is vitesse's stable error code)."""

    status: Literal["failed"]
    error: str
    http_status: int
    code: str


class NextStep(BaseModel):
    next_step: str | None = None
    next_endpoint: str | None = None
    version: str = Field(description="The artifact version (content hash) this step stored")


class IntegrationRecord(BaseModel):
    id: str
    name: str
    manifest_name: str
    manifest_path: str
    status: str
    description: str
    user_intent: str
    deployment_target: str
    source_discovery: dict[str, Any]
    dest_discovery: dict[str, Any]


class CreateData(NextStep):
    integration: IntegrationRecord


class DriftChange(BaseModel):
    """One change of a field (or endpoint) the integration uses, since the baseline ingest (vitesse.ingest.drift)."""

    side: Literal["source", "destination"]
    endpoint: str = Field(description="METHOD /path")
    field: str = Field(description="Field path, e.g. address.city; empty for endpoint_removed")
    change: Literal["added", "removed", "type", "required", "enum", "format", "endpoint_removed"]
    before: JsonValue = None
    after: JsonValue = None
    breaking: bool
    mapped: bool = Field(description="The mapping reads (source) or writes (destination) the field")


class Drift(BaseModel):
    baseline: str | None = Field(description="The ingest version compared with; null on the first ingest")
    changes: list[DriftChange]
    breaking: int


class IngestData(NextStep):
    source_endpoints: list[str]
    dest_endpoints: list[str]
    warnings: dict[str, list[str]]
    drift: Drift | None = Field(
        None, description="Contract drift since the baseline ingest (the one the latest passed test used)"
    )


class MappedField(BaseModel):
    """One row of the proposed mapping (the seed's transformation), as the review table shows it."""

    dest_field: str
    source_field: str | None = None
    source_fields: list[str] | None = None
    transform_type: str
    confidence: float
    reason: str
    template: str | None = None
    value: JsonValue = None
    needs_review: bool = Field(
        False,
        description="Proposed below mapping.review_below and not yet accepted: a failed test until a person accepts it "
        "(`vitesse map NAME --accept FIELD`) or sets a hint, transform or ignore",
    )


class NearMiss(BaseModel):
    """A pairing the mapper considered but did not make (below min_confidence, or its source went elsewhere)."""

    dest_field: str
    source_field: str
    confidence: float
    reason: str


class MapData(NextStep):
    transformation_count: int
    complexity_score: int | float
    source_endpoint: str
    dest_endpoint: str
    unmapped_required: list[str]
    transformations: list[MappedField] = Field(default_factory=list, description="The proposed mapping, row by row")
    needs_review: list[str] = Field(
        default_factory=list, description="Destination fields proposed below mapping.review_below, not yet accepted"
    )
    near_misses: list[NearMiss] = Field(default_factory=list, description="Pairings considered but not made")
    proposals: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Manifest keys the specs make obvious (never applied by themselves)"
    )


class TestData(NextStep):
    __test__ = False

    health_score: dict[str, float]
    test_count: int
    passed_tests: int
    failed_tests: int
    notes: list[str] = Field(
        default_factory=list, description="What the run did differently, e.g. placeholder credentials for a sandbox"
    )


class DeployData(NextStep):
    container_id: str | None
    service_url: str | None
    deployment_time_seconds: float
    target: str
    dry_run: bool


class Envelope(BaseModel):
    status: Literal["success"]
    integration_id: str
    current_step: str


class CreateEnvelope(Envelope):
    data: CreateData


class IngestEnvelope(Envelope):
    data: IngestData


class MapEnvelope(Envelope):
    data: MapData


class TestEnvelope(Envelope):
    __test__ = False

    data: TestData


class DeployEnvelope(Envelope):
    data: DeployData


class StepState(BaseModel):
    step: str
    version: str | None
    created_at: str | None
    versions: int
    current: bool = Field(
        description="Its manifest sections unchanged, built on the latest upstream versions, and those current: the "
        "rule the deploy gate applies"
    )
    stale_reason: str | None = Field(
        None, description="Why it is not current, e.g. 'built on map 3f2a..., latest is 9c1d...'; null when current"
    )


SERVICE_STATES = "running, unhealthy, stopped, deployed (kubernetes/ecs: applied, not checked) or - (never deployed)"


class DriftCounts(BaseModel):
    baseline: str | None = Field(description="The ingest version the contracts are compared with")
    change_count: int
    breaking: int


class IntegrationState(BaseModel):
    integration_id: str
    name: str
    manifest_name: str
    status: str
    current_step: str
    health_score: dict[str, float] | None
    last_updated: str | None
    created_at: str | None
    error: str | None
    http_status: int | None
    steps: list[StepState]
    service: str = Field("-", description=f"The deployed service, apart from the pipeline's status: {SERVICE_STATES}")
    service_detail: str | None = None
    service_url: str | None = None
    drift: dict[str, Any] | None = Field(
        None,
        description="The contract drift the latest ingest found: baseline, changes[{side, endpoint, field, change, "
        "before, after, breaking, mapped}], breaking (a count)",
    )


class IntegrationItem(BaseModel):
    id: str
    name: str
    manifest_name: str
    status: str
    health_score: dict[str, float] | None
    created_at: str | None
    last_updated: str | None
    error: str | None
    stale: list[str] | None = Field(None, description="The steps that ran and are no longer current")
    service: str = Field("-", description=f"The deployed service: {SERVICE_STATES}")
    drift: DriftCounts | None = None


class IntegrationList(BaseModel):
    status: Literal["success"]
    data: list[IntegrationItem]
    count: int


# -- the review page's routes (catalog, manifest, endpoints, mapping edits, accept, preview, test runs, stop) -------


class CatalogEntry(BaseModel):
    """The seed's discovery result plus ``spec``: send it back as ``source_discovery`` (without ``spec``) and
    ``spec`` as ``source_spec_url`` / ``dest_spec_url`` of the ingest request."""

    api_name: str
    description: str
    base_url: str | None
    documentation_url: str | None
    confidence_score: float = Field(ge=0, le=1)
    source: str = Field(description="Where the entry comes from: 'catalog.yaml' or 'integrations/specs/<file>'")
    spec: str | None = Field(description="A spec location the ingest request takes, e.g. specs/acme-crm.yaml")


class CatalogList(BaseModel):
    status: Literal["success"]
    data: list[CatalogEntry]
    count: int
    warnings: list[str] = Field(
        default_factory=list,
        description="Catalog files left out, in full or in part: 'catalog.yaml:3:5: [0].nme: unknown key ...'",
    )


class ManifestText(BaseModel):
    path: str = Field(description="The manifest's path in the project, e.g. integrations/crm-to-mailwave.yaml")
    yaml: str = Field(description="The file's text, comments included")


class ManifestData(ManifestText):
    manifest: dict[str, Any] = Field(description="The parsed manifest, keys as the file spells them")


class ManifestEnvelope(Envelope):
    data: ManifestData


class EndpointField(BaseModel):
    path: str = Field(description="Field path: address.city, emails[].value")
    type: str | None
    required: bool
    format: str | None
    description: str


class EndpointParameter(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str
    in_: str = Field(alias="in")
    required: bool
    type: str | None


class EndpointItem(BaseModel):
    key: str = Field(description="'GET /customers': what source.endpoint / destination.endpoint take")
    method: str
    path: str
    summary: str | None
    record_fields: list[EndpointField] = Field(
        description="Source: the response record's fields; destination: the request body's"
    )
    pagination: dict[str, Any] | None
    parameters: list[EndpointParameter]


class EndpointPage(BaseModel):
    side: Literal["source", "destination"]
    total: int = Field(description="How many endpoints match the filters (the page holds at most limit of them)")
    endpoints: list[EndpointItem]


class EndpointsEnvelope(Envelope):
    data: EndpointPage


class MappingEditRequest(Request):
    """Changes to the manifest's mapping section (each part optional; comments in the file are kept)."""

    hints: Annotated[dict[FieldPath, FieldPath], Field(max_length=500)] | None = Field(
        None, description="source field -> destination field, set (merged into mapping.hints)"
    )
    remove_hints: Annotated[list[FieldPath], Field(max_length=500)] | None = Field(
        None, description="Source fields whose hint is removed"
    )
    transforms: Annotated[list[Transform], Field(max_length=500)] | None = Field(
        None, description="Replaces mapping.transforms"
    )
    constants: Annotated[dict[FieldPath, JsonValue], Field(max_length=500)] | None = Field(
        None, description="destination field -> fixed value, merged into mapping.constants; null removes one"
    )
    ignore: Annotated[list[FieldPath], Field(max_length=500)] | None = Field(
        None, description="Replaces mapping.ignore (destination fields the mapper leaves unset)"
    )


class AcceptRequest(Request):
    fields: Annotated[list[FieldPath], Field(min_length=1, max_length=500)] | None = Field(
        None, description="Destination fields to accept; null: every field that needs review"
    )


class AcceptData(BaseModel):
    accepted: list[str] = Field(description="The destination fields accepted (none when nothing needed review)")
    entries: list[str] = Field(description="What was written, one manifest entry per line")
    map_version: str = Field(description="The map artifact made with them (the step re-ran)")
    manifest: ManifestText


class AcceptEnvelope(Envelope):
    data: AcceptData


class PreviewRequest(Request):
    count: Annotated[int, Field(ge=1, le=50)] = 3
    seed: Annotated[int, Field(ge=0)] | None = Field(None, description="Synthetic records' seed; default test.seed")
    records: Annotated[list[dict[str, JsonValue]], Field(min_length=1, max_length=50)] | None = Field(
        None, description="Source records to run; default: the spec's examples, else synthetic records"
    )


class PreviewError(BaseModel):
    field: str
    message: str
    code: str


class PreviewRecord(BaseModel):
    source: dict[str, Any]
    output: dict[str, Any] | None
    errors: list[PreviewError] = Field(description="The mapping's errors, then the destination schema's")


class PreviewData(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    records: list[PreviewRecord]
    from_: Literal["request", "examples", "synthetic"] = Field(alias="from")
    map_version: str = Field(description="The map artifact the records ran through")


class PreviewEnvelope(Envelope):
    data: PreviewData


class TestRun(BaseModel):
    __test__ = False

    version: str
    created_at: str
    health_score: dict[str, float]
    threshold: float
    passed: bool
    test_count: int
    passed_tests: int
    failed_tests: int
    failures: list[dict[str, Any]] = Field(
        description="Most frequent first: field, problem, count, example, suggestion (the fix)"
    )


class TestRunsEnvelope(Envelope):
    data: list[TestRun]
