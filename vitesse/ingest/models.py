"""The normalized spec that ingest produces and every later step reads (the seed's ``source_api_spec``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthScheme(Model):
    """One security scheme of the spec, normalized across Swagger 2.0 and OpenAPI 3.x."""

    name: str
    type: Literal["bearer", "basic", "api_key", "oauth2", "openid_connect", "mutual_tls", "other"]
    location: Literal["header", "query", "cookie"] | None = Field(None, description="api_key: where the key goes")
    param_name: str | None = Field(None, description="api_key: the header/query/cookie name")
    bearer_format: str | None = None
    flows: dict[str, dict[str, Any]] = Field(default_factory=dict, description="oauth2: flow -> token_url, scopes")
    openid_connect_url: str | None = None
    description: str | None = None


class CursorPagination(Model):
    """The next request carries a cursor read from the response (or from the last record)."""

    type: Literal["cursor"] = "cursor"
    cursor_param: str
    cursor_path: str | None = Field(None, description="Response field holding the next cursor, e.g. meta.next_cursor")
    cursor_from_record: str | None = Field(None, description="Record field whose last value is the cursor (Stripe)")
    has_more_path: str | None = Field(None, description="Response boolean that says whether more pages exist")
    limit_param: str | None = None


class OffsetPagination(Model):
    type: Literal["offset"] = "offset"
    offset_param: str
    limit_param: str | None = None
    total_path: str | None = None


class PagePagination(Model):
    type: Literal["page"] = "page"
    page_param: str
    size_param: str | None = None
    total_pages_path: str | None = None


class LinkHeaderPagination(Model):
    """RFC 8288 ``Link: <...>; rel="next"`` headers (GitHub)."""

    type: Literal["link_header"] = "link_header"
    size_param: str | None = None


class NextUrlPagination(Model):
    """The response body carries the full URL of the next page (Twilio ``next_page_uri``, JSON:API ``links.next``)."""

    type: Literal["next_url"] = "next_url"
    next_url_path: str
    size_param: str | None = None


Pagination = Annotated[
    CursorPagination | OffsetPagination | PagePagination | LinkHeaderPagination | NextUrlPagination,
    Field(discriminator="type"),
]


class RateLimitHints(Model):
    """What the spec says about rate limits (the runtime's default budget comes from here)."""

    status_429: bool = False
    retry_after: bool = Field(False, description="A Retry-After header is declared")
    headers: list[str] = Field(default_factory=list, description="Declared rate-limit headers, e.g. X-RateLimit-Limit")
    extensions: dict[str, Any] = Field(default_factory=dict, description="x-ratelimit* vendor extensions")


Scalar = str | int | float | bool


class Parameter(Model):
    """A declared path, query, header or cookie parameter; what ``params`` in the manifest is checked against."""

    name: str
    location: Literal["path", "query", "header", "cookie"]
    required: bool = False
    type: str | None = None
    enum: list[Scalar | None] | None = Field(None, description="The values the spec allows, when it lists them")
    format: str | None = None
    default: Scalar | None = None

    @model_serializer(mode="wrap")
    def _leave_out_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``enum``, ``format`` and ``default`` only when the spec says them: artifacts and bundles of parameters
        without them keep the content (and version) they had before these keys existed."""
        data = handler(self)
        for key in ("enum", "format", "default"):
            if key in data and data[key] is None:
                del data[key]
        return data


class Endpoint(Model):
    """One operation: a method on a path, its record schemas, pagination and rate-limit hints."""

    path: str
    method: str
    operation_id: str | None = None
    summary: str | None = None
    tags: list[str] = Field(default_factory=list)
    deprecated: bool = False
    parameters: list[Parameter] = Field(default_factory=list)
    request_schema: dict[str, Any] | None = None
    request_content_type: str | None = None
    response_schema: dict[str, Any] | None = Field(
        None, description="The record object: for list endpoints the item of the list"
    )
    response_status: str | None = None
    response_content_type: str | None = None
    record_path: str = Field("", description="Where records sit in the response body: '' (the body), '[]', 'data[]'")
    pagination: Pagination | None = None
    rate_limit: RateLimitHints | None = None
    security: list[list[str]] = Field(default_factory=list, description="Alternatives of required scheme names")

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


class SourceInfo(Model):
    location: str
    sha256: str
    documents: int = Field(description="Documents read: the root plus every file or URL reached by $ref")
    bytes: int


class ApiSpec(Model):
    """A whole API, normalized: what the seed stores as ``source_api_spec`` / ``dest_api_spec``."""

    api_name: str
    title: str | None = None
    spec_version: str | None = Field(None, description="info.version")
    openapi_version: str
    schema_dialect: Literal["swagger-2.0", "openapi-3.0", "openapi-3.1"]
    base_url: str | None = None
    servers: list[str] = Field(default_factory=list)
    auth: list[AuthScheme] = Field(default_factory=list)
    endpoints: list[Endpoint] = Field(default_factory=list)
    schemas: dict[str, Any] = Field(
        default_factory=dict, description="Named schemas the endpoints reach; '$ref': '#/schemas/<name>' points here"
    )
    warnings: list[str] = Field(default_factory=list)
    source: SourceInfo

    def endpoint(self, key: str) -> Endpoint | None:
        """The endpoint named ``'METHOD /path'``, if the spec has it."""
        method, _, path = key.partition(" ")
        return next((e for e in self.endpoints if e.method == method.upper() and e.path == path), None)
