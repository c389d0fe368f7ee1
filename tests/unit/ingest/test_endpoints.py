"""Endpoint extraction on the example specs and on small Swagger 2.0 / OpenAPI 3.1 documents."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES
from vitesse.errors import SpecError
from vitesse.ingest import ingest_spec
from vitesse.ingest.models import CursorPagination, OffsetPagination, PagePagination

CRM = str(EXAMPLES / "specs" / "acme-crm.yaml")
MAILWAVE = str(EXAMPLES / "specs" / "mailwave.yaml")


def test_crm_list_endpoint_yields_the_record_object() -> None:
    spec = ingest_spec(CRM)
    assert [e.key for e in spec.endpoints] == [
        "GET /customers",
        "POST /customers",
        "GET /customers/{customer_id}",
        "PATCH /customers/{customer_id}",
        "GET /orders",
    ]
    customers = spec.endpoint("GET /customers")
    assert customers.record_path == "data[]"
    assert customers.response_schema["x-schema-name"] == "Customer"
    assert {"id", "email", "created", "address"} <= set(customers.response_schema["properties"])
    assert customers.response_schema["properties"]["address"] == {"$ref": "#/schemas/Address"}
    assert spec.schemas["Address"]["properties"]["city"]["type"] == "string"
    assert customers.pagination == CursorPagination(
        cursor_param="starting_after", cursor_path="next_cursor", has_more_path="has_more", limit_param="limit"
    )
    assert customers.rate_limit.status_429 and customers.rate_limit.retry_after
    assert customers.rate_limit.headers == ["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"]
    assert customers.security == [["bearerAuth"]]
    assert [p.name for p in customers.parameters] == ["limit", "starting_after", "email"]


def test_crm_other_endpoints() -> None:
    spec = ingest_spec(CRM)
    create = spec.endpoint("POST /customers")
    assert create.request_schema["required"] == ["email"]
    assert create.request_content_type == "application/json"
    assert create.response_status == "201" and create.record_path == ""
    assert create.pagination is None
    one = spec.endpoint("GET /customers/{customer_id}")
    assert one.parameters[0].location == "path" and one.parameters[0].required
    orders = spec.endpoint("GET /orders")
    assert orders.record_path == "orders[]"
    assert orders.pagination == OffsetPagination(offset_param="offset", limit_param="limit", total_path="total")
    assert spec.auth[0].type == "bearer"
    assert spec.base_url == "https://api.acme-crm.example/v1"
    assert spec.schema_dialect == "openapi-3.0"


def test_mailwave_openapi_31() -> None:
    spec = ingest_spec(MAILWAVE)
    assert spec.schema_dialect == "openapi-3.1"
    contacts = spec.endpoint("GET /contacts")
    assert contacts.record_path == "contacts[]"
    assert contacts.pagination == PagePagination(
        page_param="page", size_param="per_page", total_pages_path="total_pages"
    )
    assert spec.endpoint("GET /lists").record_path == "[]"
    assert spec.auth[0].model_dump(exclude_none=True, exclude_defaults=True) == {
        "name": "apiKey",
        "type": "api_key",
        "location": "header",
        "param_name": "X-Mailwave-Key",
    }
    create = spec.endpoint("POST /contacts")
    assert create.request_schema["properties"]["phone_number"] == {"type": ["string", "null"]}


SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Legacy", "version": "1"},
    "host": "legacy.example.com",
    "basePath": "/api",
    "schemes": ["http", "https"],
    "consumes": ["application/json"],
    "securityDefinitions": {
        "key": {"type": "apiKey", "in": "query", "name": "api_key"},
        "oauth": {"type": "oauth2", "flow": "application", "tokenUrl": "https://x/token", "scopes": {"read": "r"}},
    },
    "paths": {
        "/users": {
            "get": {
                "parameters": [
                    {"name": "page", "in": "query", "type": "integer"},
                    {"name": "per_page", "in": "query", "type": "integer"},
                ],
                "responses": {
                    200: {
                        "description": "ok",
                        "schema": {
                            "type": "object",
                            "properties": {
                                "users": {"type": "array", "items": {"$ref": "#/definitions/User"}},
                                "total_pages": {"type": "integer"},
                            },
                        },
                    }
                },
            },
            "post": {
                "parameters": [{"name": "body", "in": "body", "schema": {"$ref": "#/definitions/User"}}],
                "responses": {"201": {"description": "created"}},
            },
        },
        "/upload": {
            "post": {
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"name": "file", "in": "formData", "type": "file", "required": True},
                    {"name": "note", "in": "formData", "type": "string"},
                ],
                "responses": {"204": {"description": "ok"}},
            }
        },
    },
    "definitions": {
        "User": {
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "string"}, "age": {"type": "integer", "x-nullable": True}},
        }
    },
}


def test_swagger_2_bodies_forms_servers_and_auth(tmp_path: Path) -> None:
    path = tmp_path / "legacy.yaml"
    path.write_text(yaml.safe_dump(SWAGGER))
    spec = ingest_spec(str(path))
    assert spec.schema_dialect == "swagger-2.0"
    assert spec.servers == ["https://legacy.example.com/api", "http://legacy.example.com/api"]
    users = spec.endpoint("GET /users")
    assert users.record_path == "users[]" and users.response_schema["x-schema-name"] == "User"
    assert users.pagination.type == "page"
    create = spec.endpoint("POST /users")
    assert create.request_schema["required"] == ["email"]
    assert create.request_content_type == "application/json"
    assert create.response_status == "201" and create.response_schema is None
    upload = spec.endpoint("POST /upload")
    assert upload.request_content_type == "multipart/form-data"
    assert upload.request_schema == {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "file"}, "note": {"type": "string"}},
    }
    assert [(a.name, a.type, a.location) for a in spec.auth] == [("key", "api_key", "query"), ("oauth", "oauth2", None)]
    assert spec.auth[1].flows == {"clientCredentials": {"tokenUrl": "https://x/token", "scopes": ["read"]}}


def test_server_variables_take_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "openapi": "3.0.0",
                "info": {"title": "S", "version": "1"},
                "paths": {},
                "servers": [
                    {
                        "url": "https://{region}.example.com/{v}/",
                        "variables": {"region": {"default": "eu"}, "v": {"default": "v2"}},
                    }
                ],
            }
        )
    )
    assert ingest_spec(str(path)).base_url == "https://eu.example.com/v2"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"swagger": "1.2", "paths": {}}, "swagger '1.2' is not supported"),
        ({"openapi": "4.0.0", "paths": {}}, "openapi '4.0.0' is not supported"),
        ({"info": {"title": "x"}, "paths": {}}, "no 'openapi' or 'swagger' version field"),
        ({"Pet": {"type": "object"}}, "not an OpenAPI document"),
    ],
)
def test_unusable_documents_are_clear_errors(tmp_path: Path, doc: dict, message: str) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(SpecError, match=message):
        ingest_spec(str(path))


def test_newer_minor_version_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("openapi: 3.2.0\ninfo: {title: x, version: '1'}\npaths: {}\nservers: [{url: 'https://x'}]\n")
    spec = ingest_spec(str(path))
    assert spec.warnings == ["openapi 3.2.0 is newer than 3.1; read with 3.1 rules"]


def test_structural_problems_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "openapi": "3.0.0",
                "info": {"title": "x"},
                "paths": {
                    "/a/{id}": {"get": {"operationId": "dup", "responses": {"200": {"description": "ok"}}}},
                    "/b": {"get": {"operationId": "dup"}},
                },
            }
        )
    )
    warnings = ingest_spec(str(path)).warnings
    assert "info.version: missing" in warnings
    assert "paths./a/{id}.get: path parameter 'id' is not declared" in warnings
    assert "paths./b.get: operationId 'dup' is also used by GET /a/{id}" in warnings
    assert "paths./b.get: no responses declared" in warnings
    assert "no servers declared; set base_url in the manifest" in warnings


def test_full_validation_reports_schema_violations(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "openapi: 3.0.0\ninfo: {title: x, version: '1'}\nservers: [{url: 'https://x'}]\n"
        "paths:\n  /a:\n    get:\n      responses: {'200': {descripton: ok}}\n"
    )
    assert ingest_spec(str(path)).warnings == []
    warnings = ingest_spec(str(path), full_validation=True).warnings
    assert warnings and all(w.startswith("schema: ") for w in warnings)
    assert any(
        "paths['/a'].get.responses['200']" in w and "'description' is a required property" in w for w in warnings
    ), warnings


def test_file_url_location(tmp_path: Path) -> None:
    spec = ingest_spec(Path(CRM).as_uri())
    assert spec.title == "Acme CRM API"
    assert spec.source.location.startswith("file://")


def test_a_page_of_messages_is_a_list_of_records_and_error_messages_are_not(tmp_path: Path) -> None:
    """Twilio's ``{messages: [...], next_page_uri, page_size}`` is a page of message records; a body whose
    ``messages`` sit beside the resource itself is that resource."""
    message = {"type": "object", "properties": {"body": {"type": "string"}, "sid": {"type": "string"}}}
    listing = {"type": "array", "items": message}
    page = {"messages": listing, "next_page_uri": {"type": "string"}, "page_size": {"type": "integer"}}
    result = {"id": {"type": "string"}, "messages": listing}
    paths = {
        f"/{name}": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": body}}}}}}}
        for name, body in (("messages", page), ("imports", result))
    }  # fmt: skip
    document = tmp_path / "spec.yaml"
    document.write_text(yaml.safe_dump({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}))
    spec = ingest_spec(str(document))
    assert spec.endpoint("GET /messages").record_path == "messages[]"
    assert spec.endpoint("GET /imports").record_path == ""
