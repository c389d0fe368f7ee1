"""Version detection and validation warnings for spec documents.

Structural checks run on every ingest: a top-level section of the wrong type is an error (`check_structure`),
anything deeper a warning found during the walk (cheap). Full validation against the official OpenAPI
JSON Schemas (shipped with openapi-spec-validator) is opt-in: it takes seconds on the 3-4 MB vendor specs.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from vitesse import jsoncodec
from vitesse.errors import SpecError

if TYPE_CHECKING:
    import jsonschema

MAX_VALIDATION_WARNINGS = 20


def detect_version(doc: Any, where: str) -> tuple[str, str, list[str]]:
    """(version string, schema dialect, warnings) of a root document; `SpecError` if it is not a usable spec."""
    if not isinstance(doc, dict):
        got = "a list" if isinstance(doc, list) else type(doc).__name__
        raise SpecError(
            f"{where}: not an OpenAPI document (the top level is {got}, expected a mapping)", code="spec.not_openapi"
        )
    if "openapi" in doc:
        version = _version_text(doc["openapi"])
        match = re.match(r"^3\.(\d+)(\.\d+)?", version)
        if not match:
            raise SpecError(
                f"{where}: openapi {version!r} is not supported (use Swagger 2.0, OpenAPI 3.0 or 3.1)",
                code="spec.unsupported_version",
            )
        minor = int(match.group(1))
        if minor == 0:
            return version, "openapi-3.0", []
        if minor == 1:
            return version, "openapi-3.1", []
        return version, "openapi-3.1", [f"openapi {version} is newer than 3.1; read with 3.1 rules"]
    if "swagger" in doc:
        version = _version_text(doc["swagger"])
        if version != "2.0":
            raise SpecError(
                f"{where}: swagger {version!r} is not supported (use Swagger 2.0, OpenAPI 3.0 or 3.1)",
                code="spec.unsupported_version",
            )
        return version, "swagger-2.0", []
    if "paths" in doc or "info" in doc:
        raise SpecError(
            f"{where}: no 'openapi' or 'swagger' version field; add e.g. openapi: 3.0.3", code="spec.not_openapi"
        )
    raise SpecError(
        f"{where}: not an OpenAPI document (no 'openapi' or 'swagger' field; is it a fragment that another file "
        "$refs?)",
        code="spec.not_openapi",
    )


def _version_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


# What the top-level sections (and the sections of ``components``) must be; a wrong type there means the document is
# not read as its author meant (``paths: [..]`` would give an API without endpoints), so it is an error, not a warning.
_MAPPING, _LIST, _TEXT = (dict, "a mapping"), (list, "a list"), (str, "a string")
_SECTIONS: dict[str, dict[str, tuple[type, str]]] = {
    "openapi": {
        "info": _MAPPING,
        "servers": _LIST,
        "paths": _MAPPING,
        "webhooks": _MAPPING,
        "components": _MAPPING,
        "security": _LIST,
        "tags": _LIST,
        "externalDocs": _MAPPING,
        "jsonSchemaDialect": _TEXT,
    },
    "swagger-2.0": {
        "info": _MAPPING,
        "host": _TEXT,
        "basePath": _TEXT,
        "schemes": _LIST,
        "consumes": _LIST,
        "produces": _LIST,
        "paths": _MAPPING,
        "definitions": _MAPPING,
        "parameters": _MAPPING,
        "responses": _MAPPING,
        "securityDefinitions": _MAPPING,
        "security": _LIST,
        "tags": _LIST,
        "externalDocs": _MAPPING,
    },
}
_COMPONENTS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
)


_SOFT = frozenset(
    {"servers", "tags", "externalDocs", "jsonSchemaDialect", "host", "basePath", "schemes", "consumes", "produces"}
)
"""Sections whose wrong type does not change which operations and schemas are read: ignored with a warning (the
manifest's ``base_url`` stands in for unusable servers)."""


def check_structure(doc: dict[str, Any], dialect: str, where: str) -> list[str]:
    """`SpecError` naming every top-level section (and ``components`` section) of the wrong type, e.g.
    ``openapi.yaml: paths: must be a mapping (got a list)``; the warnings for `_SOFT` sections of the wrong type,
    which are ignored. A section set to null counts as absent."""
    expected = dict(_SECTIONS["swagger-2.0" if dialect == "swagger-2.0" else "openapi"])
    found = [(key, doc.get(key)) for key in expected]
    components = doc.get("components")
    if dialect != "swagger-2.0" and isinstance(components, dict):
        expected |= {f"components.{key}": _MAPPING for key in _COMPONENTS}
        found += [(f"components.{key}", components.get(key)) for key in _COMPONENTS]
    wrong = [(key, value) for key, value in found if value is not None and not isinstance(value, expected[key][0])]
    problems = [f"{key}: must be {expected[key][1]} (got {_type_name(value)})" for key, value in wrong]
    if any(key not in _SOFT for key, _ in wrong):
        raise SpecError(f"{where}: " + "; ".join(problems), code="spec.invalid")
    return [f"{problem}; ignored" for problem in problems]


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    names = {str: "a string", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), type(value).__name__)


def document_warnings(doc: dict[str, Any], dialect: str) -> list[str]:
    """Problems of the document as a whole that do not stop ingest."""
    warnings = []
    info = doc.get("info")
    if not isinstance(info, dict):
        warnings.append("info: missing (title and version are required)")
    else:
        for key in ("title", "version"):
            if key not in info:
                warnings.append(f"info.{key}: missing")
    if "paths" not in doc:
        if dialect != "openapi-3.1":
            warnings.append("paths: missing (required before OpenAPI 3.1)")
        else:
            warnings.append("paths: none declared; the spec has no endpoints to read or write")
    return warnings


@cache
def _validator(dialect: str) -> jsonschema.protocols.Validator:
    import jsonschema  # opt-in feature: imported on first use

    folder = {"swagger-2.0": "v2.0", "openapi-3.0": "v3.0", "openapi-3.1": "v3.1"}[dialect]
    text = resources.files("openapi_spec_validator").joinpath(f"resources/schemas/{folder}/schema.json").read_bytes()
    schema = jsoncodec.loads(text)
    return jsonschema.validators.validator_for(schema)(schema)


def full_validation_warnings(doc: dict[str, Any], dialect: str) -> list[str]:
    """Violations of the official OpenAPI JSON Schema, as warnings naming the JSON path (at most 20)."""
    from jsonschema.exceptions import best_match

    warnings = []
    for error in _validator(dialect).iter_errors(doc):
        if error.context:  # a oneOf/anyOf failure: report the branch that came closest
            error = best_match(error.context)
        warnings.append(f"{error.json_path.removeprefix('$.') or '(document)'}: {_short(error.message)}")
        if len(warnings) >= MAX_VALIDATION_WARNINGS:
            warnings.append(f"... stopped after {MAX_VALIDATION_WARNINGS} schema violations")
            break
    return warnings


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."
