"""Validate records against an endpoint's schema with the spec's own dialect, reporting failing field paths.

OpenAPI 3.0 and Swagger 2.0 schemas are JSON Schema draft 4 with extensions (``nullable``, ``x-nullable``), which are
turned into plain JSON Schema once; OpenAPI 3.1 schemas are JSON Schema 2020-12 as they are. Formats are checked
(email, date-time, uri, uuid...), as Prism and most servers do. Validators are compiled once per schema.

Shared by the test step and the deployed runtime, which checks every transformed record before sending it. With
``fast=True`` (the runtime: many records, one schema) a draft-4 record is first checked by a fastjsonschema validator
compiled to Python (~25x faster than jsonschema on a valid record; compiling costs up to a second on a large schema,
which a test step of 100 records would not win back); only a record it rejects goes to jsonschema, whose verdict
and field paths are the answer. So jsonschema decides every rejection, and tests/unit/test_validation.py pins that
the two agree on records of real specs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from vitesse.ingest.schemas import LIST_KEYWORDS, MAP_KEYWORDS, SCHEMA_KEYWORDS, reachable_schemas


@dataclass(frozen=True)
class Violation:
    """One way a record breaks its schema: the field path (``address.city``, ``emails[].value``), what is wrong."""

    field: str
    code: str
    message: str


def to_json_schema(schema: Any, dialect: str) -> Any:
    """OpenAPI 3.0 / Swagger 2.0 schema -> plain JSON Schema draft 4 (``nullable`` becomes a null alternative)."""
    if dialect == "openapi-3.1" or not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in MAP_KEYWORDS and isinstance(value, dict):
            out[key] = {name: to_json_schema(sub, dialect) for name, sub in value.items()}
        elif key in SCHEMA_KEYWORDS and isinstance(value, dict):
            out[key] = to_json_schema(value, dialect)
        elif key in LIST_KEYWORDS and isinstance(value, list):
            out[key] = [to_json_schema(sub, dialect) for sub in value]
        elif key in ("nullable", "x-nullable", "discriminator", "example", "examples", "xml", "externalDocs"):
            continue
        else:
            out[key] = value
    if schema.get("nullable") is True or schema.get("x-nullable") is True:
        if "$ref" in out or "allOf" in out or "oneOf" in out or "anyOf" in out:
            return {"anyOf": [out, {"type": "null"}]}
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


class RecordValidator:
    """A compiled validator for one record schema of a spec."""

    def __init__(self, schema: dict[str, Any], schemas: dict[str, Any], dialect: str, *, fast: bool = False) -> None:
        converted = {name: to_json_schema(sub, dialect) for name, sub in reachable_schemas(schema, schemas).items()}
        root = {**to_json_schema(schema, dialect), "schemas": converted}
        if dialect == "openapi-3.1":
            cls: Any = jsonschema.Draft202012Validator
        else:
            cls = jsonschema.Draft4Validator
        # OpenAPI 3.0 and Swagger define date, uuid and others beyond draft 4's formats: check every known one
        checker = cls.FORMAT_CHECKER if dialect == "openapi-3.1" else jsonschema.FormatChecker()
        self.validator = cls(root, format_checker=checker)
        self.fast = _fast_validator(root, dialect, checker) if fast else None

    def violations(self, record: Any) -> list[Violation]:
        """Every violation of one record, each with the field it concerns."""
        if self.fast is not None and self.fast(record):
            return []
        found: list[Violation] = []
        for error in self.validator.iter_errors(record):
            found.extend(_explain(error))
        return sorted(set(found), key=lambda v: (v.field, v.code))

    def is_valid(self, record: Any) -> bool:
        if self.fast is not None and self.fast(record):
            return True
        return self.validator.is_valid(record)


NEWER_KEYWORDS = frozenset(
    {
        "prefixItems", "unevaluatedProperties", "unevaluatedItems", "dependentRequired", "dependentSchemas",
        "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "$anchor", "minContains",
        "maxContains", "contentSchema", "$vocabulary",
    }
)  # fmt: skip
"""JSON Schema 2019-09 / 2020-12 keywords that draft 7 does not know: an OpenAPI 3.1 schema without them (and
without the array form of ``items``, whose meaning changed) means the same under draft 7."""


def _draft7_compatible(root: Any) -> bool:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if NEWER_KEYWORDS & node.keys() or isinstance(node.get("items"), list):
                return False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True


def _fast_validator(root: dict[str, Any], dialect: str, checker: jsonschema.FormatChecker) -> Any:
    """A fastjsonschema check (True: valid): draft 4 for OpenAPI 3.0 / Swagger 2.0, draft 7 for OpenAPI 3.1 schemas
    that mean the same there; None where that does not hold or fastjsonschema cannot compile the schema. Formats are
    judged by ``checker``, jsonschema's, so the two never disagree on one."""
    import fastjsonschema

    if dialect == "openapi-3.1" and not _draft7_compatible(root):
        return None
    draft = "draft-07" if dialect == "openapi-3.1" else "draft-04"
    try:
        # use_default=False: fastjsonschema would otherwise write schema defaults into the record it checks
        formats = {name: functools.partial(_conforms, checker, name) for name in checker.checkers}
        check = fastjsonschema.compile(
            {**root, "$schema": f"http://json-schema.org/{draft}/schema#"}, formats=formats, use_default=False
        )
    except (fastjsonschema.JsonSchemaDefinitionException, RecursionError, ValueError, TypeError, KeyError):
        return None

    def fast(record: Any) -> bool:
        try:
            check(record)
        except fastjsonschema.JsonSchemaValueException:
            return False
        except Exception:  # a schema construct fastjsonschema mishandles: jsonschema decides
            return False
        return True

    return fast


def _conforms(checker: jsonschema.FormatChecker, name: str, value: Any) -> bool:
    return bool(checker.conforms(value, name))


def field_path(parts: Any) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += "[]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _is_null_branch(parent: ValidationError, sub: ValidationError) -> bool:
    """Whether ``sub`` comes from a ``{"type": "null"}`` alternative (nullable fields): not worth reporting."""
    branches = parent.validator_value if isinstance(parent.validator_value, list) else []
    index = sub.relative_schema_path[0] if sub.relative_schema_path else None
    return isinstance(index, int) and index < len(branches) and branches[index] == {"type": "null"}


def _explain(error: ValidationError) -> list[Violation]:
    where = field_path(error.absolute_path)
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = [p for p in error.validator_value if p not in instance]
        return [Violation(f"{where}.{p}" if where else p, "required", "required field is missing") for p in missing]
    if error.validator in ("anyOf", "oneOf") and error.context:
        required_sets = [sub.validator_value for sub in error.context if sub.validator == "required"]
        if required_sets and len(required_sets) == len({id(s) for s in required_sets}) and len(required_sets) > 1:
            names = sorted({p for group in required_sets for p in group})
            return [Violation(where or "(record)", "required", f"one of {', '.join(names)} is required")]
        real = [sub for sub in error.context if not _is_null_branch(error, sub)]
        return _explain(best_match(real or error.context))
    if error.validator == "additionalProperties":
        instance = error.instance if isinstance(error.instance, dict) else {}
        allowed = set((error.schema or {}).get("properties") or {})
        extra = [k for k in instance if k not in allowed]
        return [Violation(f"{where}.{k}" if where else k, "additional", "not allowed by the schema") for k in extra]
    message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return [Violation(where or "(record)", str(error.validator), message)]
