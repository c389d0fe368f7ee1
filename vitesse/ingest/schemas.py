"""Collect the schemas endpoints reach into one table, with every ``$ref`` rewritten to ``#/schemas/<name>``.

Each named schema is stored once, however often it is used and however it recurses, so the normalized spec stays
small (Stripe: a few MB, not the gigabytes full inlining would give) and exact. Names come from the spec
(``components/schemas/customer`` -> ``customer``); schemas from other files get their file or pointer name,
suffixed on a clash.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from vitesse.errors import SpecError
from vitesse.ingest.refs import RefResolver, Unresolved

SCHEMA_REF_PREFIX = "#/schemas/"
MAX_SCHEMA_DEPTH = 64
"""Levels of JSON nesting a stored schema may have (``{properties: {a: {}}}`` has three). Real specs stay under 20
(Box: 19, Stripe: 18); the bound keeps every later step (pydantic writes 255 levels at most, the flattener and the
record generator recurse) well inside its limits, since named schemas are stored flat and refs do not nest."""
# JSON Schema keywords whose values are subschemas: maps of them, single ones, lists of them.
MAP_KEYWORDS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
SCHEMA_KEYWORDS = (
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
    "items",
)
LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
_TYPES = {"string", "number", "integer", "boolean", "array", "object", "null", "file"}
_COMPONENT = re.compile(r"^/(?:components/schemas|definitions)/([^/]+)$")


def schema_type(schema: dict[str, Any]) -> str | None:
    """The JSON type a (resolved) schema describes: its ``type`` (the non-null one of a 3.1 type list), else what its
    keywords imply (properties or additionalProperties: object; items: array); None when nothing says."""
    kind = schema.get("type")
    if isinstance(kind, list):
        real = [k for k in kind if isinstance(k, str) and k != "null"]
        if real:
            return real[0]
        return "null" if "null" in kind or not kind else None  # [{...}] names no type
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


def allows_null(schema: dict[str, Any]) -> bool:
    """Null is a valid value: OpenAPI 3.0 ``nullable``, Swagger 2 ``x-nullable`` or a 3.1 type list with null."""
    kind = schema.get("type")
    return (
        schema.get("nullable") is True
        or schema.get("x-nullable") is True
        or (isinstance(kind, list) and "null" in kind)
    )


def escape_key(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def schema_ref(key: str) -> str:
    return SCHEMA_REF_PREFIX + escape_key(key)


def ref_key(ref: str) -> str | None:
    """The table key of a rewritten ``#/schemas/<name>`` ref."""
    if not ref.startswith(SCHEMA_REF_PREFIX):
        return None
    return ref[len(SCHEMA_REF_PREFIX) :].replace("~1", "/").replace("~0", "~")


def nesting(value: Any, limit: int) -> int:
    """Levels of nesting of a JSON value (``[[1]]``: 2), counted iteratively up to ``limit`` + 1."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                break
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def reachable_schemas(schema: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``schemas`` that ``schema`` refers to (``#/schemas/<name>``), directly or through each other."""
    found: dict[str, Any] = {}
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            key = ref_key(ref) if isinstance(ref, str) else None
            if key is not None and key not in found and key in schemas:
                found[key] = schemas[key]
                stack.append(schemas[key])
            stack.extend(v for k, v in node.items() if k != "$ref")
        elif isinstance(node, list):
            stack.extend(node)
    return found


class SchemaTable:
    """Rewrites schemas for the artifact and holds the named schemas they reference."""

    def __init__(self, resolver: RefResolver) -> None:
        self.resolver = resolver
        self.schemas: dict[str, Any] = {}
        self._keys: dict[tuple[str, str], str] = {}
        self._pending: deque[tuple[str, str, str]] = deque()
        self._taken: set[str] = set()
        root = resolver.root.data if isinstance(resolver.root.data, dict) else {}
        components = root.get("components") if isinstance(root.get("components"), dict) else {}
        for section in (components.get("schemas"), root.get("definitions")):
            if isinstance(section, dict):
                self._taken.update(str(name) for name in section)

    # -- naming -------------------------------------------------------------------------------------------------
    def _key_for(self, uri: str, pointer: str) -> str:
        found = self._keys.get((uri, pointer))
        if found is not None:
            return found
        match = _COMPONENT.match(pointer)
        if uri == self.resolver.root.uri and match:
            key = match.group(1).replace("~1", "/").replace("~0", "~")
        else:
            key = self._fresh_name(uri, pointer)
        self._keys[(uri, pointer)] = key
        self._taken.add(key)
        self._pending.append((key, uri, pointer))
        return key

    def _fresh_name(self, uri: str, pointer: str) -> str:
        tokens = [t for t in pointer.split("/") if t and not t.isdigit()]
        if tokens and tokens[-1] not in ("schema", "items", "properties") and not pointer.startswith("/paths"):
            base = tokens[-1].replace("~1", "/").replace("~0", "~")
        else:
            stem = uri.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0] or "schema"
            base = stem + ("_" + "_".join(tokens[-2:]) if tokens else "")
        name, n = base, 1
        while name in self._taken:
            n += 1
            name = f"{base}_{n}"
        return name

    # -- rewriting ----------------------------------------------------------------------------------------------
    def rewrite(self, schema: Any, base_uri: str, where: str, depth: int = 1) -> Any:
        """A copy of ``schema`` with refs pointing into the table (targets are queued for `drain`); ``depth`` is the
        copy's level of nesting in the stored schema (`MAX_SCHEMA_DEPTH`)."""
        if isinstance(schema, bool):
            return schema
        if not isinstance(schema, dict):
            self.resolver.warnings.add(f"{where}: schema is a {type(schema).__name__}, not an object; ignored")
            return {}
        self._check_depth(depth, base_uri, where)
        out: dict[str, Any] = {}
        for raw_key, value in schema.items():
            key = str(raw_key)  # YAML allows `200:` or `true:` as keys; JSON Schema keywords are strings
            if key == "$ref":
                try:
                    uri, pointer = self.resolver.locate(value, base_uri)
                    self.resolver.target(uri, pointer, value, base_uri)
                except Unresolved:
                    out["x-vitesse-unresolved"] = value if isinstance(value, str) else repr(value)
                    continue
                out["$ref"] = schema_ref(self._key_for(uri, pointer))
            elif key in MAP_KEYWORDS and isinstance(value, dict):
                members, members_uri = value, base_uri
                if isinstance(value.get("$ref"), str):  # a whole map pulled in by $ref (seen in multi-file specs)
                    try:
                        members, members_uri = self.resolver.deref(value, base_uri)
                    except Unresolved:
                        members = {}
                    members = members if isinstance(members, dict) else {}
                out[key] = {
                    str(name): self.rewrite(sub, members_uri, f"{where}.{name}", depth + 2)
                    for name, sub in members.items()
                }
            elif key in SCHEMA_KEYWORDS and isinstance(value, dict | bool):
                out[key] = self.rewrite(value, base_uri, f"{where}.{key}", depth + 1)
            elif (key in LIST_KEYWORDS and isinstance(value, list)) or (key == "items" and isinstance(value, list)):
                out[key] = [
                    self.rewrite(sub, base_uri, f"{where}.{key}[{i}]", depth + 2) for i, sub in enumerate(value)
                ]
            elif key == "discriminator" and isinstance(value, dict) and isinstance(value.get("mapping"), dict):
                self._check_depth(depth + nesting(value, MAX_SCHEMA_DEPTH), base_uri, f"{where}.{key}")
                out[key] = {
                    **value,
                    "mapping": {k: self._mapping_ref(v, base_uri) for k, v in value["mapping"].items()},
                }
            elif key in MAP_KEYWORDS or key in SCHEMA_KEYWORDS or key in LIST_KEYWORDS:
                expected = "a mapping of" if key in MAP_KEYWORDS else "a list of" if key in LIST_KEYWORDS else "a"
                self.resolver.warnings.add(f"{where}.{key}: expected {expected} schema(s), not {value!r:.40}; ignored")
            elif key in ("required", "x-required") and not (
                isinstance(value, list) and all(isinstance(name, str) for name in value)
            ):
                self.resolver.warnings.add(f"{where}.{key}: expected a list of property names; ignored")
                if isinstance(value, list):
                    out[key] = [name for name in value if isinstance(name, str)]
            else:
                if key == "type":
                    self._check_type(value, where)
                elif isinstance(value, dict | list):  # example, default, enum, x-...: copied as they are
                    self._check_depth(depth + nesting(value, MAX_SCHEMA_DEPTH), base_uri, f"{where}.{key}")
                out[key] = value
        return out

    def _check_depth(self, depth: int, base_uri: str, where: str) -> None:
        if depth > MAX_SCHEMA_DEPTH:
            shown = where if len(where) <= 160 else f"{where[:80]} ... {where[-60:]}"
            raise SpecError(
                f"{self.resolver.where(base_uri)}: {shown}: schema nests deeper than vitesse reads ({MAX_SCHEMA_DEPTH} "
                "levels of JSON, each level of properties is two); name inner schemas in components and $ref them",
                code="spec.too_deep",
            )

    def _mapping_ref(self, value: Any, base_uri: str) -> Any:
        if not isinstance(value, str) or ("#" not in value and "/" not in value and "." not in value):
            return value  # a bare schema name, as OpenAPI allows
        try:
            uri, pointer = self.resolver.locate(value, base_uri)
            self.resolver.target(uri, pointer, value, base_uri)
        except Unresolved:
            return value
        return schema_ref(self._key_for(uri, pointer))

    def _check_type(self, value: Any, where: str) -> None:
        names = value if isinstance(value, list) else [value]
        unknown = [n for n in names if not (isinstance(n, str) and n in _TYPES)]
        if unknown:
            self.resolver.warnings.add(f"{where}: unknown schema type {unknown[0]!r}")

    def drain(self) -> None:
        """Rewrite every queued ref target into the table (targets may queue more)."""
        while self._pending:
            key, uri, pointer = self._pending.popleft()
            target = self.resolver.target(uri, pointer, pointer, uri)
            rewritten = self.rewrite(target, uri, f"schemas.{key}")
            # A named boolean schema (3.1) is stored as the object that means the same: later steps read objects.
            self.schemas[key] = rewritten if not isinstance(rewritten, bool) else {} if rewritten else {"not": {}}

    # -- reading ------------------------------------------------------------------------------------------------
    def resolve(self, schema: Any, hops: int = 16) -> dict[str, Any]:
        """Follow rewritten refs at the top of ``schema`` to a concrete schema ({} if none)."""
        for _ in range(hops):
            if not isinstance(schema, dict):
                return {}
            ref = schema.get("$ref")
            key = ref_key(ref) if isinstance(ref, str) else None
            if key is None:
                return schema
            if key not in self.schemas:
                self.drain()
            schema = self.schemas.get(key, {})
        return {}


def examples_of(schema: dict[str, Any]) -> list[Any]:
    """The scalar examples of a schema: ``example``, ``x-example`` and the ``examples`` list (OpenAPI 3.1), at most
    five, booleans aside."""
    found = [schema[k] for k in ("example", "x-example") if k in schema]
    if isinstance(schema.get("examples"), list):
        found += schema["examples"]
    return [v for v in found if isinstance(v, str | int | float) and not isinstance(v, bool)][:5]
