"""Property-based: whatever a spec or a manifest holds, reading it either works or fails with a `VitesseError`.

Hypothesis builds small OpenAPI documents (random nesting under the keys OpenAPI uses, and valid skeletons with one
leaf or branch replaced) and small manifests, and runs them in-process through what `vitesse ingest` runs: the spec
through `ingest_spec` and the artifact's serialization and read-back, the manifest through `load_manifest`.
Derandomized, so every run (and CI) tries the same examples.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vitesse import jsoncodec
from vitesse.errors import VitesseError
from vitesse.ingest import ApiSpec, ingest_spec
from vitesse.manifest import load_manifest
from vitesse.mapping.fields import flatten

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SPEC_KEYS = [
    "openapi", "swagger", "info", "title", "version", "paths", "components", "schemas", "servers", "url",
    "variables", "default", "enum", "security", "securitySchemes", "securityDefinitions", "definitions", "type",
    "properties", "items", "allOf", "oneOf", "anyOf", "not", "additionalProperties", "$ref", "required", "nullable",
    "responses", "200", "201", "default", "content", "application/json", "schema", "parameters", "name", "in",
    "requestBody", "headers", "tags", "consumes", "produces", "host", "basePath", "schemes", "flows", "flow",
    "clientCredentials", "tokenUrl", "scopes", "scheme", "bearerFormat", "openIdConnectUrl", "discriminator",
    "mapping", "format", "example", "get", "post", "/things", "/things/{id}", "operationId", "summary",
    "description", "deprecated", "x-ratelimit-limit", "x-nullable", "Retry-After", "data", "has_more", "cursor",
]  # fmt: skip
TEXTS = [
    "", "3.0.3", "3.1.0", "2.0", "object", "array", "string", "integer", "null", "query", "path", "body",
    "formData", "header", "#/components/schemas/Thing", "#/definitions/Thing", "#/paths", "#", "#nope",
    "other.yaml", "/etc/passwd", "http://[::1/x", "http://[::ffff:169.254.169.254]/x.yaml", "http://2852039166/x",
    "https://example.invalid/x.json#/Thing", "https://a:99999/x", "{id}", "/x/{id}", "application/json",
    "apiKey", "http", "oauth2", "bearer", "accessCode", "~0~1", "\u00e9\u20ac", "x-",
]  # fmt: skip


def _ref(target: str) -> dict[str, Any]:
    return {"$ref": target}


keys = st.one_of(st.sampled_from(SPEC_KEYS), st.text(max_size=6), st.integers(-3, 300), st.booleans())
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(TEXTS),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5), st.builds(_ref, st.sampled_from(TEXTS))
    ),
    max_leaves=25,
)


THING = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string"},
        "count": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}},
        "owner": {"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": True},
        "kind": {"oneOf": [{"type": "string", "enum": ["a", "b"]}, {"$ref": "#/components/schemas/Owner"}]},
        "meta": {"type": "object", "additionalProperties": {"type": "string"}, "example": {"k": "v"}},
    },
}
OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "T", "version": "1", "x-ratelimit-limit": 10},
    "servers": [{"url": "https://{region}.api.example.com/v1", "variables": {"region": {"default": "eu"}}}],
    "security": [{"key": []}],
    "paths": {
        "/things": {
            "parameters": [{"$ref": "#/components/parameters/Limit"}],
            "get": {
                "operationId": "listThings",
                "tags": ["things"],
                "parameters": [{"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-RateLimit-Remaining": {"schema": {"type": "integer"}}},
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                                        "has_more": {"type": "boolean"},
                                        "next_cursor": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "429": {"description": "slow down"},
                },
            },
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {"201": {"$ref": "#/components/responses/One"}},
                "security": [{"oauth": ["write"]}, {"bearer": []}],
            },
        },
        "/things/{id}": {
            "get": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"$ref": "#/components/responses/One"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Thing": THING,
            "Owner": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "boss": {"$ref": "#/components/schemas/Owner"}},
                "discriminator": {"propertyName": "name", "mapping": {"x": "#/components/schemas/Thing"}},
            },
        },
        "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}},
        "responses": {
            "One": {
                "description": "one",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
            }
        },
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {"tokenUrl": "https://auth.example.com/token", "scopes": {"write": "w"}}
                },
            },
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://auth.example.com/.well-known"},
        },
    },
}
SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "T", "version": "1"},
    "host": "api.example.com",
    "basePath": "/v1",
    "schemes": ["https"],
    "consumes": ["application/json"],
    "produces": ["application/json"],
    "securityDefinitions": {
        "basic": {"type": "basic"},
        "oauth": {"type": "oauth2", "flow": "application", "tokenUrl": "https://a.example.com/t", "scopes": {}},
    },
    "paths": {
        "/things": {
            "get": {
                "parameters": [{"name": "page", "in": "query", "type": "integer"}],
                "responses": {
                    "200": {"description": "ok", "schema": {"type": "array", "items": {"$ref": "#/definitions/Thing"}}}
                },
            },
            "post": {
                "parameters": [{"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Thing"}}],
                "responses": {"201": {"description": "ok", "schema": {"$ref": "#/definitions/Thing"}}},
            },
            "put": {
                "consumes": ["application/x-www-form-urlencoded"],
                "parameters": [{"name": "name", "in": "formData", "type": "string", "required": True}],
                "responses": {"204": {"description": "done"}},
            },
        }
    },
    "definitions": {"Thing": {"type": "object", "properties": {"id": {"type": "string"}}}},
}
MANIFEST = {
    "version": 1,
    "name": "x",
    "description": "d",
    "source": {
        "api": "A",
        "spec": "specs/a.yaml",
        "endpoint": "GET /things",
        "base_url": "https://api.example.com",
        "auth": {"type": "bearer", "token_env": "A_TOKEN"},
        "spec_access": {"remote_refs": False, "max_mb": 5},
        "discovery": {"base_url": "https://a.example.com", "confidence_score": 0.5},
    },
    "destination": {
        "api": "B",
        "spec": "specs/b.yaml",
        "endpoint": "POST /things",
        "sandbox_url": "http://127.0.0.1:4010",
        "auth": {"type": "api_key", "in": "header", "name": "X-Key", "key_env": "B_KEY"},
    },
    "mapping": {
        "hints": {"id": "external_id"},
        "transforms": [{"dest_field": "status", "transform_type": "custom", "template": "'lead'"}],
        "min_confidence": 0.6,
    },
    "test": {"sample_size": 5, "threshold": 70, "retest": "0 */6 * * *"},
    "deploy": {"target": "process"},
}
MANIFEST_KEYS = [
    "version", "name", "source", "destination", "api", "spec", "endpoint", "auth", "type", "token_env", "mapping",
    "hints", "transforms", "test", "deploy", "target", "runtime", "state", "spec_access", "sandbox_url",
    "base_url", "discovery", "kubernetes", "docker", "ecs", "in", "key_env",
]  # fmt: skip


def paths_of(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position in a document (the root excluded), in document order."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    found = []
    for key, child in children:
        found.append((*prefix, key))
        found.extend(paths_of(child, (*prefix, key)))
    return found


def replaced(doc: Any, path: tuple[Any, ...], value: Any, delete: bool) -> None:
    """Set (or delete, in a mapping) the value at ``path`` if the path still exists in ``doc``."""
    parent = doc
    for key in path[:-1]:
        in_list = isinstance(parent, list) and isinstance(key, int) and key < len(parent)
        if not (in_list or (isinstance(parent, dict) and key in parent)):
            return
        parent = parent[key]
    last = path[-1]
    if isinstance(parent, dict):
        if delete:
            parent.pop(last, None)
        else:
            parent[last] = value
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        parent[last] = value


def mutated(base: dict[str, Any], replacement: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``base`` with one to three positions replaced by drawn values (or deleted)."""
    positions = paths_of(base)

    @st.composite
    def build(draw: Callable[..., Any]) -> dict[str, Any]:
        doc = copy.deepcopy(base)
        for _ in range(draw(st.integers(1, 3))):
            replaced(doc, draw(st.sampled_from(positions)), draw(replacement), delete=draw(st.booleans()))
        return doc

    return build()


top_level = st.fixed_dictionaries(
    {"openapi": st.one_of(st.sampled_from(["3.0.3", "3.1.0", "3.2.0"]), scalars)},
    optional={
        key: values
        for key in ("info", "paths", "components", "servers", "security", "tags", "webhooks", "externalDocs")
    },
)
swagger_top_level = st.fixed_dictionaries(
    {"swagger": st.just("2.0")},
    optional={
        key: values
        for key in (
            *("info", "host", "basePath", "schemes", "consumes", "produces", "paths", "definitions"),
            *("parameters", "responses", "securityDefinitions", "security"),
        )
    },
)
documents = st.one_of(top_level, swagger_top_level, mutated(OPENAPI, values), mutated(SWAGGER, values))


def assert_clean(run: Callable[[], Any]) -> Any:
    """Run ``run``: it may fail, but only with a `VitesseError` that is not an internal error."""
    try:
        return run()
    except VitesseError as exc:
        assert "internal error" not in exc.message.lower(), exc.message
        assert exc.message.strip(), "an empty error message"
        return None


def ingest_like_the_cli(doc: dict[str, Any], as_yaml: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("openapi.yaml" if as_yaml else "openapi.json")
        if as_yaml:
            path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
        else:
            path.write_bytes(jsoncodec.dumps(doc))
        spec = assert_clean(lambda: ingest_spec(str(path)))
    if spec is None:
        return
    stored = spec.model_dump(mode="json")  # what the ingest artifact holds, written and read back as later steps do
    again = ApiSpec.model_validate(jsoncodec.loads(jsoncodec.dumps(stored)))
    for endpoint in again.endpoints:  # what `vitesse fields` and the mapper read
        flatten(endpoint.response_schema, again.schemas)
        flatten(endpoint.request_schema, again.schemas)


@SETTINGS
@given(doc=documents, as_yaml=st.booleans())
def test_any_spec_ingests_or_fails_with_a_named_error(doc: dict[str, Any], as_yaml: bool) -> None:
    ingest_like_the_cli(doc, as_yaml)


@SETTINGS
@given(doc=st.dictionaries(keys, values, max_size=6))
def test_any_mapping_ingests_or_fails_with_a_named_error(doc: dict[Any, Any]) -> None:
    ingest_like_the_cli({"openapi": "3.0.3", **doc}, as_yaml=False)


manifest_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(MANIFEST_KEYS), st.text(max_size=5)), inner, max_size=4),
    ),
    max_leaves=12,
)
manifests = st.one_of(
    mutated(MANIFEST, manifest_values),
    st.dictionaries(st.sampled_from(MANIFEST_KEYS), manifest_values, max_size=6),
)


@SETTINGS
@given(data=manifests, cut=st.integers(0, 400))
def test_any_manifest_loads_or_fails_with_a_named_error(data: dict[str, Any], cut: int) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "integrations" / "x.yaml"
        path.parent.mkdir()
        for body in (text, text[:cut]):  # whole, and cut short (broken YAML)
            path.write_text(body)
            assert_clean(lambda path=path: load_manifest(path))


def test_a_ref_chain_longer_than_the_recursion_limit_is_cut_off() -> None:
    """``S0: {allOf: [$ref: S1]}``, ``S1: {allOf: [$ref: S2]}``... 2,000 deep: ingest stores it flat; the flattener
    and the record generator stop after `MAX_REFS` refs instead of exhausting Python's recursion limit."""
    from vitesse.guardian.synthetic import RecordGenerator
    from vitesse.mapping.fields import MAX_REFS

    schemas: dict[str, Any] = {
        f"S{i}": {"allOf": [_ref(f"#/components/schemas/S{i + 1}")], "properties": {f"p{i}": {"type": "string"}}}
        for i in range(2000)
    }
    schemas["S2000"] = {"type": "object", "properties": {"id": {"type": "string"}}}
    response = {"description": "ok", "content": {"application/json": {"schema": _ref("#/components/schemas/S0")}}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/things": {"get": {"responses": {"200": response}}}},
        "components": {"schemas": schemas},
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "openapi.json"
        path.write_bytes(jsoncodec.dumps(doc))
        spec = ingest_spec(str(path))
    record = spec.endpoints[0].response_schema
    assert len(spec.schemas) == 2001
    assert len(flatten(record, spec.schemas)) == MAX_REFS
    generated = RecordGenerator(spec.schemas, 0).records(record or {}, 1)[0]
    assert "p0" in generated and len(generated) <= MAX_REFS + 1
