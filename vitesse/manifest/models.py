"""The integration manifest (`integrations/<name>.yaml`) as strict pydantic models.

Unknown keys are errors, secrets are only ever named by environment variable, and every variant (auth, transform)
is a union tagged by a ``type`` field. `vitesse schema` prints the JSON Schema generated from these models.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from vitesse.hosts import host_address

NAME_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
ENV_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
ENDPOINT_PATTERN = r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE) /\S*$"
HTTP_URL_PATTERN = r"^https?://[^\s/]+\S*$"

_HOST = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$")


def check_http_url(value: str) -> str:
    """An http(s) URL whose host is a valid DNS name (international names via IDNA) or IP address, and no controls.

    An IPv4 address must be dotted decimal: ``2852039166``, ``0xa9fea9fe`` or ``127.1`` name an address to every
    resolver while looking like a name (`vitesse.hosts`). Whether an address may be fetched is not decided here but by
    the fetch policy (``spec_access``), which sees through every spelling and IPv6 embedding."""
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise ValueError("contains control characters")
    parts = urlsplit(value)
    host = parts.hostname or ""
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number in range
    except ValueError:
        raise ValueError("the port must be a number from 0 to 65535") from None
    address = host_address(host)
    if address is not None:
        if ":" not in host and str(address) != host:  # resolvers read it as this address, people as a name
            raise ValueError(f"{host!r} is the IPv4 address {address} in a legacy spelling; write {address}")
        return value
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    if not _HOST.match(ascii_host):
        raise ValueError(f"{host!r} is not a valid host name")
    return value


EnvVar = Annotated[str, Field(pattern=ENV_PATTERN, description="Name of an environment variable holding a secret")]
HttpUrl = Annotated[
    str, Field(pattern=HTTP_URL_PATTERN, description="An http:// or https:// URL"), AfterValidator(check_http_url)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Discovery(Strict):
    """The seed's discovery result for one API, stored as given."""

    description: str = ""
    base_url: HttpUrl | None = None
    documentation_url: HttpUrl | None = None
    confidence_score: Annotated[float, Field(ge=0, le=1)] | None = None
    source: str | None = None


class BearerAuth(Strict):
    type: Literal["bearer"]
    token_env: EnvVar


class ApiKeyAuth(Strict):
    type: Literal["api_key"]
    key_env: EnvVar
    name: str = Field(min_length=1, description="Header, query parameter or cookie name")
    in_: Literal["header", "query", "cookie"] = Field("header", alias="in")

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class BasicAuth(Strict):
    type: Literal["basic"]
    username_env: EnvVar
    password_env: EnvVar


class OAuth2ClientCredentials(Strict):
    type: Literal["oauth2_client_credentials"]
    token_url: HttpUrl
    client_id_env: EnvVar
    client_secret_env: EnvVar
    scopes: list[str] = []


Auth = Annotated[
    BearerAuth | ApiKeyAuth | BasicAuth | OAuth2ClientCredentials,
    Field(discriminator="type"),
]


class SpecAccess(Strict):
    """What ingest may read while loading a spec. The defaults refuse everything a hostile spec could abuse."""

    remote_refs: bool = Field(False, description="Follow $refs to http(s) URLs (public hosts only)")
    ref_root: str = Field(
        ".", description="Folder (relative to the spec file) that file $refs may not leave; '.' is the spec's folder"
    )
    private_hosts: bool = Field(
        False,
        description="Allow loopback and private addresses for the spec URL, remote $refs and request sandboxes "
        "(link-local, i.e. cloud metadata, is always refused)",
    )
    outside_project: bool = Field(
        False,
        description="Read a local spec file outside the project folder (the path is resolved, symlinks followed)",
    )
    max_mb: Annotated[float, Field(gt=0, le=1024)] = Field(20, description="Size limit per document, in MB")
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30


class EnvValue(Strict):
    """A value read from an environment variable when the step or the service runs (``{env: GITHUB_OWNER}``)."""

    env: EnvVar


ParamValue = Annotated[
    str | bool | int | float | EnvValue,
    Field(description="A path or query parameter value: a string, number, boolean or {env: NAME}"),
]
PLACEHOLDER = re.compile(r"\{([^{}/?=&]+)\}")
"""``{name}`` in an endpoint path or a lookup/update template."""


class Side(Strict):
    api: str = Field(min_length=1, description="The API's name, e.g. Stripe")
    discovery: Discovery | None = None
    spec: str | None = Field(None, description="Path relative to the manifest, file:// or https:// URL")
    base_url: HttpUrl | None = Field(None, description="Default: the spec's first server")
    endpoint: str | None = Field(None, pattern=ENDPOINT_PATTERN, description="'METHOD /path', e.g. 'GET /v1/customers'")
    auth: Auth | None = None
    sandbox_url: HttpUrl | None = Field(None, description="Where the test step's shadow calls go")
    spec_access: SpecAccess = SpecAccess()
    params: dict[str, ParamValue] = Field(
        default_factory=dict,
        description="Path, query and header parameters of the endpoint, e.g. {owner: octocat, repo: hello-world}",
    )

    @field_validator("spec")
    @classmethod
    def _spec_location(cls, value: str | None) -> str | None:
        if value is not None and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value):
            scheme = value.split("://", 1)[0].lower()
            if scheme not in ("file", "https", "http"):
                raise ValueError(f"unsupported URL scheme {scheme!r}: use a path, file:// or https://")
        return value


class Incremental(Strict):
    """Read only what changed since the last sync: the service keeps the high-water mark of ``cursor_field``."""

    cursor_field: str = Field(min_length=1, description="Source record field that grows, e.g. updated_at")
    param: str = Field(min_length=1, description="Query parameter the next sync sends the mark as, e.g. since")
    initial: str | int | float | None = Field(None, description="The first sync's value; unset: read everything")


class WriteConfig(Strict):
    """How records reach the destination: ``insert`` (create each), ``upsert`` (find by match key, update when
    found, else create) or ``update`` (find, then update only)."""

    mode: Literal["insert", "upsert", "update"] = "insert"
    match_key: str | None = Field(None, description="Destination field that identifies a record, e.g. external_ref")
    lookup: str | None = Field(
        None,
        pattern=r"^GET /\S*$",
        description="'GET /path?param={field}': finds the record; {field} is a field of the transformed record",
    )
    update: str | None = Field(
        None,
        pattern=r"^(PATCH|PUT|POST) /\S*$",
        description="'PATCH /path/{id}': updates it; {id} (or any {name}) comes from the record the lookup found",
    )

    @model_validator(mode="after")
    def _complete(self) -> WriteConfig:
        if self.mode == "insert":
            extra = [k for k in ("match_key", "lookup", "update") if getattr(self, k) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)}: only used with mode upsert or update")
            return self
        missing = [k for k in ("match_key", "lookup", "update") if getattr(self, k) is None]
        if missing:
            raise ValueError(f"mode {self.mode} needs {', '.join(missing)}")
        assert self.lookup is not None and self.update is not None
        if not PLACEHOLDER.search(self.lookup):
            raise ValueError(
                f"lookup {self.lookup!r} names no field of the record; e.g. 'GET /contacts?email={{email}}'"
            )
        if not PLACEHOLDER.search(self.update.split("?", 1)[0]):
            raise ValueError(f"update {self.update!r} has no {{id}} in its path; e.g. 'PATCH /contacts/{{id}}'")
        return self


class SourceSide(Side):
    incremental: Incremental | None = None


class DestinationSide(Side):
    write: WriteConfig = WriteConfig()


TransformType = Literal[
    "direct",
    "mapping",
    "parse_int",
    "parse_float",
    "stringify",
    "parse_bool",
    "collect",
    "custom",
    "iso_to_unix",
    "unix_to_iso",
]


class Transform(Strict):
    """An explicit transformation; wins over anything the mapper infers for the same ``dest_field``."""

    dest_field: str = Field(min_length=1)
    transform_type: TransformType
    source_field: str | None = None
    source_fields: list[str] | None = None
    template: str | None = Field(None, description="Jinja2 expression for transform_type custom (sandboxed)")

    @model_validator(mode="after")
    def _inputs_match_type(self) -> Transform:
        kind = self.transform_type
        if kind == "custom":
            if not self.template:
                raise ValueError("transform_type custom needs a template")
        elif kind == "collect":
            if not self.source_fields:
                raise ValueError("transform_type collect needs source_fields (a list)")
        elif not self.source_field:
            raise ValueError(f"transform_type {kind} needs source_field")
        if self.template is not None and kind != "custom":
            raise ValueError("template is only used with transform_type custom")
        return self


class MappingConfig(Strict):
    hints: dict[str, str] = Field(default_factory=dict, description="source field -> destination field")
    transforms: list[Transform] = []
    ignore: list[str] = Field(default_factory=list, description="Destination fields the mapper must leave unset")
    constants: dict[str, JsonValue] = Field(
        default_factory=dict, description="Destination field -> fixed value (type-checked against the schema)"
    )
    min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.6
    review_below: Annotated[float, Field(ge=0, le=1)] = Field(
        0.8,
        description="Fields the mapper proposes below this confidence are marked needs_review and count as failed "
        "tests until accepted (`vitesse map NAME --accept`) or decided by a hint, transform or ignore; 0 turns it off",
    )


class TestConfig(Strict):
    __test__ = False  # not a pytest test class

    sample_size: Annotated[int, Field(ge=1, le=100)] = 5
    skip_destructive: bool = True
    threshold: Annotated[float, Field(ge=0, le=100)] = 70
    retest: str | None = Field(None, pattern=r"^\S+( \S+){4}$", description="Cron expression (5 fields)")
    seed: Annotated[int, Field(ge=0)] = 0
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = Field(5, description="Per shadow call")
    budget_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(120, description="For all shadow calls of a run")


class KubernetesConfig(Strict):
    namespace: str = Field("default", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    version: str = Field("1.34", pattern=r"^1\.\d+$", description="Kubernetes version the manifests are validated for")
    image: str | None = Field(None, description="Default: vitesse-<name>:<bundle version>")
    host: str | None = Field(None, description="Ingress host; default: any")
    ingress_class: str | None = None
    max_replicas: Annotated[int, Field(ge=1, le=1000)] | None = Field(None, description="HPA; default 4 x replicas")
    kubeconfig: str | None = Field(None, description="Default: in-cluster, else ~/.kube/config")
    state_size: str = Field(
        "1Gi",
        pattern=r"^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
        description="Size of the PersistentVolumeClaim that holds the SQLite state (runtime.state sqlite only)",
    )
    storage_class: str | None = Field(
        None,
        max_length=253,
        pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        description="StorageClass of the state's PersistentVolumeClaim; default: the cluster's default class",
    )


class DockerConfig(Strict):
    base_image: str = Field("vitesse-base:bookworm", description="An image with python3 (3.11) and ca-certificates")
    ca_bundle: str | None = Field(None, description="Extra CA certificate (PEM) baked into the image, for proxies")
    host: str | None = Field(None, description="Docker daemon URL; default: DOCKER_HOST or the local socket")


class EcsConfig(Strict):
    region: str = "us-east-1"
    endpoint_url: HttpUrl | None = Field(None, description="AWS endpoint override (e.g. a moto server)")
    cluster: str = "vitesse"
    image: str | None = Field(None, description="Default: vitesse-<name>:<bundle version>")
    subnets: list[str] = []
    security_groups: list[str] = []
    assign_public_ip: bool = False
    execution_role_arn: str | None = None
    task_role_arn: str | None = None
    vpc_id: str | None = Field(None, description="For the ALB target group")
    listener_arn: str | None = Field(None, description="ALB listener that routes /vitesse-<id> to the service")
    load_balancer_dns: str | None = Field(None, description="For the service URL")
    secrets: dict[str, str] = Field(default_factory=dict, description="Env var -> SSM parameter or Secrets Manager ARN")
    efs_file_system_id: str | None = Field(
        None,
        pattern=r"^fs-[0-9a-f]{8,40}$",
        description="EFS file system mounted at /var/lib/vitesse for the SQLite state (runtime.state sqlite only)",
    )
    efs_access_point_id: str | None = Field(
        None, pattern=r"^fsap-[0-9a-f]{8,40}$", description="EFS access point on efs_file_system_id; optional"
    )

    @model_validator(mode="after")
    def _access_point_needs_file_system(self) -> EcsConfig:
        if self.efs_access_point_id and not self.efs_file_system_id:
            raise ValueError("efs_access_point_id needs efs_file_system_id (the file system it belongs to)")
        return self


class DeployConfig(Strict):
    target: Literal["process", "docker", "kubernetes", "ecs"] = "process"
    environment: Literal["local", "eks", "ecs"] = "local"
    replicas: Annotated[int, Field(ge=1, le=100)] = 1
    memory_mb: Annotated[int, Field(ge=64, le=65536)] = 512
    cpu_cores: Annotated[float, Field(gt=0, le=64)] = 0.5
    auto_scale: bool = False
    health_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30
    kubernetes: KubernetesConfig = KubernetesConfig()
    ecs: EcsConfig = EcsConfig()
    docker: DockerConfig = DockerConfig()


class SqliteState(Strict):
    """One SQLite file: for one replica (the file lives beside the bundle or on the target's volume)."""

    type: Literal["sqlite"]


class PostgresState(Strict):
    """A PostgreSQL database shared by every replica; its URL (with the password) comes from an env var or secret."""

    type: Literal["postgresql"]
    url_env: EnvVar = Field("VITESSE_STATE_URL", description="Env var holding the postgresql:// URL")


StateConfig = Annotated[SqliteState | PostgresState, Field(discriminator="type")]


class RuntimeConfig(Strict):
    """How the deployed service moves records (DESIGN.md section 6)."""

    concurrency: Annotated[int, Field(ge=1, le=256)] = Field(16, description="Destination requests in flight")
    requests_per_second: Annotated[float, Field(gt=0)] | None = Field(
        None, description="Destination rate budget (token bucket); default: from the spec's hints, else none"
    )
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 5
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10
    backoff_seconds: Annotated[float, Field(ge=0, le=60)] = Field(0.5, description="First retry delay; doubles")
    max_backoff_seconds: Annotated[float, Field(ge=0, le=600)] = 30
    page_size: Annotated[int, Field(ge=1, le=1000)] = 100
    max_pages: Annotated[int, Field(ge=1)] = 100_000
    sync_interval_seconds: Annotated[float, Field(gt=0)] | None = Field(None, description="Periodic sync; off if unset")
    key_field: str | None = Field(None, description="Source field that identifies a record; default: id, else hash")
    state: StateConfig = Field(
        SqliteState(type="sqlite"),
        description="Where delivery marks, checkpoints and dead letters live; postgresql for several replicas",
    )


class Manifest(Strict):
    """One integration: what to read, where to write it, how to map, test and deploy it."""

    version: Literal[1]
    name: str = Field(pattern=NAME_PATTERN)
    title: str = Field("", max_length=200, description="Display name (the seed's integration name); default: name")
    description: str = ""
    intent: str = Field("", description="What the integration is for; feeds the mapper (the seed's user_intent)")
    source: SourceSide
    destination: DestinationSide
    mapping: MappingConfig = MappingConfig()
    test: TestConfig = TestConfig()
    deploy: DeployConfig = DeployConfig()
    runtime: RuntimeConfig = RuntimeConfig()
