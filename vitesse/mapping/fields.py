"""Flatten a record schema into field paths (``address.city``, ``emails[].value``) with what the mapper needs.

Refs point into the normalized spec's ``schemas`` table; ``allOf`` parts merge, ``oneOf``/``anyOf`` variants
contribute the union of their fields (required only where every variant requires it), recursion stops at a cycle,
at ``max_depth`` or after `MAX_REFS` refs. Leaves are scalars, arrays of scalars and free-form objects (``metadata``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vitesse.ingest.schemas import allows_null, examples_of, ref_key, schema_type

if TYPE_CHECKING:
    from vitesse.ingest.models import ApiSpec, Endpoint

SCALARS = ("string", "integer", "number", "boolean")
MAX_FIELDS = 5_000
MAX_REFS = 64
"""Refs followed along one path before the rest is treated like a cycle: a hostile chain of thousands of distinct
schemas (``A: {allOf: [$ref: B]}``, ``B: {allOf: [$ref: C]}``...) would otherwise exhaust Python's recursion limit;
real specs follow at most 7 (Box)."""


def leaf(path: str) -> str:
    """The last name of a field path: ``address.city`` -> ``city``, ``emails[].value`` -> ``value``."""
    return path.rsplit(".", 1)[-1].removesuffix("[]")


@dataclass(frozen=True)
class Field:
    """One leaf of a record: its path and what its schema says about it."""

    path: str
    type: str | None = None
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    required: bool = False
    nullable: bool = False
    description: str = ""
    item_type: str | None = None  # arrays: the item type
    free_form: bool = False
    read_only: bool = False
    write_only: bool = False
    pattern: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | bool | None = None  # a number (JSON Schema 6+) or True (draft 4: minimum is)
    exclusive_maximum: int | float | bool | None = None
    max_length: int | None = None
    deprecated: bool = False  # ``deprecated: true``, or a description that starts with "Deprecated"
    examples: tuple[Any, ...] = ()  # ``example``, ``examples`` (a list in 3.1) and ``x-example`` (`examples_of`)

    @property
    def name(self) -> str:
        """The last segment of the path, without ``[]``."""
        return leaf(self.path)

    @property
    def parent(self) -> str:
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""


_NONE: frozenset[str] = frozenset()
VENDOR_READ_ONLY = ("x-read-only", "x-readonly", "x-readOnly")
"""Vendor extensions that mark a field the server sets (Square's ``x-read-only`` on ``order.id`` and totals)."""
_DEPRECATED = re.compile(
    r"(^|[.!\n]\s*)deprecated\b|\b(this|the) (field|property|attribute|parameter) (is|has been) deprecated", re.I
)
"""A description that says the field itself is deprecated ("Deprecated at 2022-07-20, ...", "This field is
deprecated"), not one that mentions another deprecated field."""
_READ_ONLY = re.compile(r"\bpopulated by the system\b|(^|[.!\n]\s*)(read[- ]only|output only)\s*(\.|$)", re.I | re.M)
"""A description that says the field is the server's ("Populated by the system. Read-only.", "Output only."), where
the schema does not set ``readOnly``; "read-only after creation" is not."""


class _Flattener:
    def __init__(self, schemas: dict[str, Any], max_depth: int) -> None:
        self.schemas = schemas
        self.max_depth = max_depth
        self.fields: dict[str, Field] = {}

    def resolve(self, schema: Any, seen: frozenset[str]) -> tuple[dict[str, Any], frozenset[str]]:
        for _ in range(32):
            if not isinstance(schema, dict):
                return {}, seen
            ref = schema.get("$ref")
            key = ref_key(ref) if isinstance(ref, str) else None
            if key is None:
                return schema, seen
            if key in seen or len(seen) >= MAX_REFS:
                return {"x-vitesse-cycle": key}, seen
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            seen = seen | {key}
            schema = {**self.schemas.get(key, {}), **siblings}
        return {}, seen

    def merged(self, schema: Any, seen: frozenset[str]) -> tuple[dict[str, Any], frozenset[str]]:
        """``schema`` with its allOf parts merged and its oneOf/anyOf variants folded into one view."""
        schema, seen = self.resolve(schema, seen)
        parts = [schema]
        for part in schema.get("allOf") or []:
            resolved, _ = self.merged(part, seen)
            parts.append(resolved)
        variants = [self.merged(v, seen)[0] for v in (schema.get("oneOf") or []) + (schema.get("anyOf") or [])]
        out: dict[str, Any] = {}
        props: dict[str, Any] = {}
        required: set[str] = set()
        for part in parts:
            for key, value in part.items():
                if key not in ("allOf", "properties", "required", "x-required", "oneOf", "anyOf"):
                    out.setdefault(key, value)
            props.update(part.get("properties") or {})
            required.update(
                r for r in (part.get("required") or []) + (part.get("x-required") or []) if isinstance(r, str)
            )
        # Stripe's "emptyable" unions add {enum: [""]} so a field can be cleared: that variant adds no field.
        variants = [v for v in variants if v.get("enum") not in ([""], [None])] or variants
        real = [v for v in variants if schema_type(v) != "null"]
        if len(real) < len(variants):
            out["nullable"] = True
        scalar = next((v for v in real if schema_type(v) in SCALARS), None)
        if scalar is not None and any(schema_type(v) in ("object", None) and v.get("properties") for v in real):
            # An id-or-object union (Stripe's expandable fields): the record carries the id unless expanded.
            real = [scalar]
        if real:
            variant_required = [set(v.get("x-required") or ()) for v in real]
            for variant in real:
                for key, value in (variant.get("properties") or {}).items():
                    props.setdefault(key, value)
                for key, value in variant.items():
                    if key not in ("properties", "required", "x-required", "nullable"):
                        out.setdefault(key, value)
                if variant.get("nullable"):
                    out["nullable"] = True
            required |= set.intersection(*variant_required) if variant_required else set()
        if props:
            out["properties"] = props
        out["x-required"] = sorted(required)
        return out, seen

    def wrapper(self, schema: Any, seen: frozenset[str]) -> bool:
        """An object with properties, or a list of them (``data: {...}``, ``Items: [{...}]``)."""
        view, seen = self.merged(schema, seen)
        if schema_type(view) == "array":
            view, _ = self.merged(view.get("items", {}), seen)
        return bool(view.get("properties"))

    def walk(
        self,
        schema: Any,
        path: str,
        required: bool,
        depth: int,
        seen: frozenset[str],
        inherited: frozenset[str] = _NONE,
    ) -> None:
        """Fields under ``path``; ``inherited`` carries readOnly/writeOnly/deprecated down from a parent object
        (the children of a read-only ``created_by`` are read-only too)."""
        if len(self.fields) >= MAX_FIELDS:
            return
        view, seen = self.merged(schema, seen)
        inherited = inherited | _flags(view)
        kind = schema_type(view)
        props = view.get("properties") or {}
        if props and depth < self.max_depth:
            required_here = set(view.get("x-required") or ())
            if not path and len(props) == 1 and self.wrapper(next(iter(props.values())), seen):
                required_here |= set(props)  # a body that is one wrapper ({Items: [...]}) is sent with it
            for name, sub in props.items():
                child = f"{path}.{name}" if path else str(name)
                self.walk(sub, child, required and name in required_here, depth + 1, seen, inherited)
            return
        if kind == "array":
            items, item_seen = self.merged(view.get("items", {}), seen)
            item_kind = schema_type(items)
            if (items.get("properties")) and depth < self.max_depth:
                self.walk(items, f"{path}[]", required, depth + 1, item_seen, inherited)
                return
            self.add(path, view, required, inherited, item_type=item_kind)
            return
        if "x-vitesse-cycle" in view or not path:
            return
        self.add(path, view, required, inherited, free_form=kind == "object" or (kind is None and not props))

    def add(
        self,
        path: str,
        view: dict[str, Any],
        required: bool,
        inherited: frozenset[str],
        *,
        item_type: str | None = None,
        free_form: bool = False,
    ) -> None:
        kind = schema_type(view)
        enum = [view["const"]] if "const" in view else view.get("enum")  # 3.1's const: an enum of one
        self.fields[path] = Field(
            path=path,
            type=kind,
            format=view.get("format") if isinstance(view.get("format"), str) else None,
            enum=tuple(e for e in enum if e not in ("", None)) if isinstance(enum, list) else None,
            required=required,
            nullable=allows_null(view),
            description=str(view.get("description") or view.get("title") or "")[:300],
            item_type=item_type,
            free_form=free_form and kind in ("object", None),
            read_only="readOnly" in inherited,
            write_only="writeOnly" in inherited,
            pattern=view.get("pattern") if isinstance(view.get("pattern"), str) else None,
            minimum=_number(view.get("minimum")),
            maximum=_number(view.get("maximum")),
            exclusive_minimum=_exclusive(view.get("exclusiveMinimum")),
            exclusive_maximum=_exclusive(view.get("exclusiveMaximum")),
            max_length=view.get("maxLength") if isinstance(view.get("maxLength"), int) else None,
            deprecated="deprecated" in inherited,
            examples=tuple(examples_of(view)),
        )


def _flags(view: dict[str, Any]) -> frozenset[str]:
    """The flags of one schema that its children inherit."""
    found = {key for key in ("readOnly", "writeOnly", "deprecated") if view.get(key) is True}
    if any(view.get(key) is True for key in VENDOR_READ_ONLY):
        found.add("readOnly")  # Square's swagger 2.0 (no readOnly for properties there) and Mailchimp's say it so
    description = str(view.get("description") or "")
    if _DEPRECATED.search(description):
        found.add("deprecated")
    if _READ_ONLY.search(description):
        found.add("readOnly")
    return frozenset(found)


def _number(value: Any) -> int | float | None:
    """A numeric keyword's value, exact (integers beyond 64 bits stay integers), or None if it is not a number."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _exclusive(value: Any) -> int | float | bool | None:
    return True if value is True else _number(value)


def flatten(schema: dict[str, Any] | None, schemas: dict[str, Any], *, max_depth: int = 5) -> list[Field]:
    """The leaf fields of a record schema, in schema order."""
    if not schema:
        return []
    flattener = _Flattener(schemas, max_depth)
    root = schema.get("x-schema-name")
    flattener.walk(schema, "", True, 0, frozenset([root]) if isinstance(root, str) else frozenset())
    return list(flattener.fields.values())


def record_fields(spec: ApiSpec, endpoint: Endpoint) -> list[Field]:
    """The fields a mapping can read from ``endpoint``'s records (write-only ones left out)."""
    return [f for f in flatten(endpoint.response_schema, spec.schemas) if not f.write_only]


def request_fields(spec: ApiSpec, endpoint: Endpoint) -> list[Field]:
    """The fields a mapping can write in ``endpoint``'s request body (read-only ones left out)."""
    return [f for f in flatten(endpoint.request_schema, spec.schemas) if not f.read_only]
