"""Structure: a top-level section of the wrong type is an error naming it; deeper ones are warnings; schemas are
bounded in depth and stored with the types later steps read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from vitesse import jsoncodec
from vitesse.errors import SpecError
from vitesse.ingest import ingest_spec
from vitesse.ingest.schemas import MAX_SCHEMA_DEPTH


def spec_file(tmp_path: Path, doc: dict[str, Any]) -> str:
    path = tmp_path / "openapi.json"
    path.write_bytes(jsoncodec.dumps({"info": {"title": "T", "version": "1"}, **doc}))
    return str(path)


def listing(schema: Any, **operation: Any) -> dict[str, Any]:
    """An OpenAPI 3.0 document with ``GET /things`` answering ``schema``."""
    response = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    return {"openapi": "3.0.3", "paths": {"/things": {"get": {"responses": {"200": response}, **operation}}}}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"openapi": "3.0.3", "info": "x"}, "info: must be a mapping (got a string)"),
        ({"openapi": "3.0.3", "paths": [1, 2]}, "paths: must be a mapping (got a list)"),
        ({"openapi": "3.1.0", "webhooks": []}, "webhooks: must be a mapping (got a list)"),
        ({"openapi": "3.0.3", "components": []}, "components: must be a mapping (got a list)"),
        ({"openapi": "3.0.3", "components": {"securitySchemes": 1}}, "components.securitySchemes: must be a mapping"),
        ({"openapi": "3.0.3", "security": {"a": []}}, "security: must be a list (got a mapping)"),
        ({"swagger": "2.0", "definitions": [], "basePath": 1}, "basePath: must be a string (got a number)"),
    ],
)
def test_a_top_level_section_of_the_wrong_type_is_an_error(tmp_path: Path, doc: dict, message: str) -> None:
    with pytest.raises(SpecError, match=r"openapi\.json: .*" + re.escape(message)) as caught:
        ingest_spec(spec_file(tmp_path, doc))
    assert caught.value.code == "spec.invalid"


@pytest.mark.parametrize(
    ("doc", "warning"),
    [
        ({"openapi": "3.0.3", "servers": "https://x"}, "servers: must be a list (got a string); ignored"),
        ({"openapi": "3.1.0", "servers": {"url": "https://x"}}, "servers: must be a list (got a mapping); ignored"),
        ({"swagger": "2.0", "consumes": "application/json"}, "consumes: must be a list (got a string); ignored"),
    ],
)
def test_a_section_that_does_not_change_the_operations_is_ignored_with_a_warning(
    tmp_path: Path, doc: dict, warning: str
) -> None:
    spec = ingest_spec(spec_file(tmp_path, doc))
    assert warning in spec.warnings and spec.base_url is None


def test_every_wrong_section_is_named_at_once(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        ingest_spec(spec_file(tmp_path, {"openapi": "3.0.3", "info": 5, "paths": True, "tags": {}}))
    assert caught.value.message.endswith(
        "openapi.json: info: must be a mapping (got a number); paths: must be a mapping (got a boolean); "
        "tags: must be a list (got a mapping)"
    )


def test_a_null_section_counts_as_absent(tmp_path: Path) -> None:
    spec = ingest_spec(spec_file(tmp_path, {"openapi": "3.0.3", "paths": None, "servers": None, "components": None}))
    assert spec.endpoints == []


@pytest.mark.parametrize(
    ("doc", "warning"),
    [
        ({"openapi": "3.0.3", "paths": {"/x": 5}}, "paths./x: expected a path item mapping"),
        ({"openapi": "3.0.3", "paths": {"/x": {"get": 5}}}, "paths./x.get: expected an operation mapping"),
        (listing("a string"), "paths./things.get.responses.200: schema is a str, not an object; ignored"),
        (listing({"type": "object", "properties": 5}), "200.properties: expected a mapping of schema(s), not 5"),
        (listing({"allOf": {"type": "object"}}), "200.allOf: expected a list of schema(s), not {'type': 'object'}"),
        (listing({"items": "string", "type": "array"}), "200.items: expected a schema(s), not 'string'"),
        (listing({"required": True, "type": "object"}), "200.required: expected a list of property names"),
        (listing({"type": [{"a": 1}]}), "200: unknown schema type {'a': 1}"),
    ],
)
def test_deeper_structure_problems_are_warnings(tmp_path: Path, doc: dict, warning: str) -> None:
    spec = ingest_spec(spec_file(tmp_path, doc))
    assert any(warning in w for w in spec.warnings), spec.warnings


def test_wrongly_typed_leaves_are_read_as_absent(tmp_path: Path) -> None:
    doc = listing(
        {"type": "object", "properties": {"id": {"type": "string"}}},
        tags=5,
        responses={"200": {"description": "ok", "headers": True}},
    )
    doc["components"] = {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": ["X-Key"]},
            "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": 5},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": {"url": "x"}},
        }
    }
    spec = ingest_spec(spec_file(tmp_path, doc))
    assert spec.endpoints[0].tags == []
    assert [(s.name, s.param_name, s.bearer_format, s.openid_connect_url) for s in spec.auth] == [
        ("key", None, None, None),
        ("jwt", None, None, None),
        ("oidc", None, None, None),
    ]


def test_swagger_lists_of_the_wrong_kind_are_ignored(tmp_path: Path) -> None:
    doc = {
        "swagger": "2.0",
        "securityDefinitions": {"o": {"type": "oauth2", "flow": {"x": 1}, "tokenUrl": "https://a.example.com/t"}},
        "paths": {
            "/things": {
                "post": {
                    "consumes": [["application/json"], 5],
                    "parameters": [{"name": "body", "in": "body", "schema": {"type": "object"}}],
                    "responses": {"201": {"description": "ok"}},
                }
            }
        },
    }
    spec = ingest_spec(spec_file(tmp_path, doc))
    assert spec.endpoints[0].request_content_type == "application/json"
    assert spec.auth[0].flows == {}


def nested(levels: int, leaf: Any = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"} if leaf is None else leaf
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


def test_schemas_nested_within_the_limit_are_read(tmp_path: Path) -> None:
    levels = (MAX_SCHEMA_DEPTH - 1) // 2  # each level of properties is two levels of JSON
    spec = ingest_spec(spec_file(tmp_path, listing(nested(levels))))
    spec.model_dump(mode="json")


@pytest.mark.parametrize(
    ("schema", "at"),
    [
        (nested(MAX_SCHEMA_DEPTH // 2), "200" + ".a" * (MAX_SCHEMA_DEPTH // 2) + ": "),
        (nested(130), "200.a.a.a"),
        (nested(2, {"allOf": [nested(40)]}), "200.a.a.allOf[0].a.a"),
        ({"type": "object", "example": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]] * 1}, None),  # shallow enough
        (nested(20, {"type": "string", "example": nested(20)}), "200" + ".a" * 20 + ".example: "),
    ],
)
def test_deeper_schemas_are_a_named_error(tmp_path: Path, schema: dict, at: str | None) -> None:
    location = spec_file(tmp_path, listing(schema))
    if at is None:
        ingest_spec(location)
        return
    with pytest.raises(SpecError, match="schema nests deeper than vitesse reads") as caught:
        ingest_spec(location)
    assert f"openapi.json: paths./things.get.responses.{at}" in caught.value.message
    assert caught.value.code == "spec.too_deep"


def test_a_too_deep_named_schema_names_it(tmp_path: Path) -> None:
    doc = listing({"$ref": "#/components/schemas/Deep"})
    doc["components"] = {"schemas": {"Deep": nested(40)}}
    with pytest.raises(SpecError, match=r"openapi\.json: schemas\.Deep\.a\.a"):
        ingest_spec(spec_file(tmp_path, doc))


def test_yaml_keys_that_are_not_strings_become_strings(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /things:\n    get:\n      responses:\n"
        "        200:\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {type: object, properties: {1: {type: string}, 2.5: {type: integer}}, 7: x}\n"
    )
    spec = ingest_spec(str(path))
    schema = spec.endpoints[0].response_schema
    assert schema is not None
    assert set(schema["properties"]) == {"1", "2.5"} and schema["7"] == "x"
    assert spec.endpoints[0].response_status == "200"


def test_a_named_boolean_schema_is_stored_as_an_object(tmp_path: Path) -> None:
    doc = listing({"type": "object", "properties": {"any": {"$ref": "#/$defs/Any"}, "none": {"$ref": "#/$defs/No"}}})
    doc["openapi"] = "3.1.0"
    doc["$defs"] = {"Any": True, "No": False}
    spec = ingest_spec(spec_file(tmp_path, doc))
    assert sorted(spec.schemas.values(), key=len) == [{}, {"not": {}}]


def test_values_copied_as_they_are_are_bounded_too(tmp_path: Path) -> None:
    deep: Any = 1
    for _ in range(300):
        deep = [deep]
    doc = listing({"type": "object"}, **{"x-ratelimit-limit": deep, "x-ratelimit-window": 60})
    spec = ingest_spec(spec_file(tmp_path, doc))
    assert spec.endpoints[0].rate_limit is not None
    assert spec.endpoints[0].rate_limit.extensions == {"x-ratelimit-window": 60}
    assert "paths./things.get.x-ratelimit-limit: nested deeper than 64 levels; ignored" in spec.warnings
    spec.model_dump(mode="json")
    schema = {"type": "object", "discriminator": {"propertyName": "k", "mapping": {}, "x-extra": deep}}
    with pytest.raises(SpecError, match=r"responses\.200\.discriminator: schema nests deeper"):
        ingest_spec(spec_file(tmp_path, listing(schema)))
