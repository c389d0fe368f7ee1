"""Extract every operation of a spec as an `Endpoint`, for Swagger 2.0 and OpenAPI 3.0/3.1 alike."""

from __future__ import annotations

import math
import re
from typing import Any

from vitesse.ingest.auth import security_requirements
from vitesse.ingest.models import Endpoint, Parameter
from vitesse.ingest.pagination import detect_pagination
from vitesse.ingest.ratelimit import rate_limit_hints
from vitesse.ingest.records import envelope_fields, find_record
from vitesse.ingest.refs import RefResolver, Unresolved
from vitesse.ingest.schemas import SchemaTable, ref_key

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SUCCESS = ("200", "201", "202", "203", "206", "207", "204", "2XX", "2xx", "default")
_PATH_PARAM = re.compile(r"{([^}/]+)}")
_LOCATIONS = ("path", "query", "header", "cookie")


def pick_media_type(content: dict[str, Any]) -> str | None:
    """The media type vitesse reads or writes: JSON first, then form encodings, then whatever is first."""
    types = [str(t) for t in content]
    lowered = [t.lower() for t in types]
    for test in (
        lambda t: t.split(";")[0].strip() == "application/json",
        lambda t: t.split(";")[0].strip().endswith("+json") or "json" in t,
        lambda t: t.startswith("application/x-www-form-urlencoded"),
        lambda t: t.startswith("multipart/form-data"),
    ):
        for original, low in zip(types, lowered, strict=True):
            if test(low):
                return original
    return types[0] if types else None


class EndpointExtractor:
    """Walks ``paths`` of one spec; resolves refs lazily through the resolver and schema table."""

    def __init__(self, doc: dict[str, Any], resolver: RefResolver, table: SchemaTable, dialect: str) -> None:
        self.doc = doc
        self.resolver = resolver
        self.table = table
        self.swagger2 = dialect == "swagger-2.0"
        self.warn = resolver.warnings.add
        self.operation_ids: dict[str, str] = {}
        self.doc_extensions = {k: v for k, v in _mapping(doc.get("info")).items() if str(k).startswith("x-")} | {
            k: v for k, v in doc.items() if str(k).startswith("x-")
        }

    def extract(self) -> list[Endpoint]:
        paths = self.doc.get("paths")
        if paths is None:
            return []
        if not isinstance(paths, dict):
            self.warn(f"paths: expected a mapping, got {type(paths).__name__}; no endpoints read")
            return []
        root = self.resolver.root.uri
        endpoints = []
        for path, item in paths.items():
            path = str(path)
            if path.startswith("x-"):
                continue
            if not path.startswith("/"):
                self.warn(f"paths.{path}: path does not start with '/'")
            try:
                item, item_uri = self.resolver.deref(item, root)
            except Unresolved:
                continue
            if not isinstance(item, dict):
                self.warn(f"paths.{path}: expected a path item mapping")
                continue
            for method in METHODS:
                if method not in item:
                    continue
                where = f"paths.{path}.{method}"
                try:
                    operation, op_uri = self.resolver.deref(item[method], item_uri)
                except Unresolved:
                    continue
                if not isinstance(operation, dict):
                    self.warn(f"{where}: expected an operation mapping")
                    continue
                endpoints.append(self._endpoint(path, method, operation, op_uri, item, item_uri, where))
        return endpoints

    # -- one operation ------------------------------------------------------------------------------------------
    def _endpoint(
        self, path: str, method: str, op: dict[str, Any], op_uri: str, item: dict[str, Any], item_uri: str, where: str
    ) -> Endpoint:
        params, body_params, form_params = self._parameters(item, item_uri, op, op_uri, where)
        self._check_path_params(path, params, where)
        operation_id = op.get("operationId") if isinstance(op.get("operationId"), str) else None
        if operation_id:
            if operation_id in self.operation_ids:
                self.warn(f"{where}: operationId {operation_id!r} is also used by {self.operation_ids[operation_id]}")
            else:
                self.operation_ids[operation_id] = f"{method.upper()} {path}"
        request_schema, request_type = self._request(op, op_uri, body_params, form_params, where)
        response = self._responses(op, op_uri, where)
        record, record_path = (None, "")
        pagination = None
        if response["schema"] is not None:
            record, record_path = find_record(self.table, response["schema"])
            fields = envelope_fields(self.table, response["schema"], record_path)
            pagination = detect_pagination(
                [p.name for p in params if p.location == "query"], fields, response["headers"], record_path
            )
        extensions = self.doc_extensions | {k: v for k, v in op.items() if str(k).startswith("x-")}
        security = op["security"] if "security" in op else self.doc.get("security")
        return Endpoint(
            path=path,
            method=method.upper(),
            operation_id=operation_id,
            summary=_summary(op),
            tags=[str(t) for t in _list(op.get("tags")) if isinstance(t, str | int) and not isinstance(t, bool)],
            deprecated=op.get("deprecated") is True,
            parameters=params,
            request_schema=self._inline_root(request_schema),
            request_content_type=request_type,
            response_schema=self._inline_root(record) if record is not None else None,
            response_status=response["status"],
            response_content_type=response["content_type"],
            record_path=record_path,
            pagination=pagination,
            rate_limit=rate_limit_hints(
                response["statuses"], response["all_headers"], extensions, lambda m: self.warn(f"{where}.{m}")
            ),
            security=security_requirements(security),
        )

    def _inline_root(self, schema: Any) -> dict[str, Any] | None:
        """Resolve a top-level ``$ref`` so the record's own properties are visible in the endpoint."""
        if not isinstance(schema, dict):
            return None
        ref = schema.get("$ref")
        key = ref_key(ref) if isinstance(ref, str) else None
        if key is None:
            return schema
        resolved = self.table.resolve(schema)
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        return {**resolved, **siblings, "x-schema-name": key}

    def _parameters(
        self, item: dict[str, Any], item_uri: str, op: dict[str, Any], op_uri: str, where: str
    ) -> tuple[list[Parameter], list[tuple[dict[str, Any], str]], list[dict[str, Any]]]:
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for raw_list, base in ((item.get("parameters"), item_uri), (op.get("parameters"), op_uri)):
            if raw_list is None:
                continue
            if not isinstance(raw_list, list):
                self.warn(f"{where}.parameters: expected a list")
                continue
            for raw in raw_list:
                try:
                    param, param_uri = self.resolver.deref(raw, base)
                except Unresolved:
                    continue
                if not isinstance(param, dict) or "name" not in param or "in" not in param:
                    self.warn(f"{where}.parameters: a parameter lacks 'name' or 'in'")
                    continue
                merged[(str(param["name"]), str(param["in"]))] = (param, param_uri)
        params, body, form = [], [], []
        for (name, location), (param, param_uri) in merged.items():
            if location == "body":
                body.append((param, param_uri))
            elif location == "formData":
                form.append(param)
            elif location in _LOCATIONS:
                schema = param.get("schema") if isinstance(param.get("schema"), dict) else param
                try:
                    schema = self.resolver.deref(schema, param_uri)[0]
                except Unresolved:
                    schema = {}
                kind = schema.get("type") if isinstance(schema, dict) else None
                params.append(
                    Parameter(
                        name=name,
                        location=location,
                        required=param.get("required") is True,
                        type=kind if isinstance(kind, str) else None,
                        **_value_rules(schema),
                    )
                )
            else:
                self.warn(f"{where}.parameters.{name}: unknown location {location!r}")
        return params, body, form

    def _check_path_params(self, path: str, params: list[Parameter], where: str) -> None:
        declared = {p.name for p in params if p.location == "path"}
        for name in _PATH_PARAM.findall(path):
            if name not in declared:
                self.warn(f"{where}: path parameter {name!r} is not declared")

    def _request(
        self,
        op: dict[str, Any],
        op_uri: str,
        body_params: list[tuple[dict[str, Any], str]],
        form_params: list[dict[str, Any]],
        where: str,
    ) -> tuple[Any, str | None]:
        if self.swagger2:
            consumes = _media_types(op.get("consumes")) or _media_types(self.doc.get("consumes"))
            if body_params:
                param, uri = body_params[0]
                content_type = pick_media_type({c: None for c in consumes}) if consumes else "application/json"
                return self.table.rewrite(param.get("schema", {}), uri, f"{where}.body"), content_type
            if form_params:
                properties = {
                    str(p["name"]): {k: v for k, v in p.items() if k not in ("name", "in", "required")}
                    for p in form_params
                }
                required = [str(p["name"]) for p in form_params if p.get("required") is True]
                schema = {"type": "object", "properties": properties, **({"required": required} if required else {})}
                form_type = next((c for c in consumes if "form" in str(c)), "application/x-www-form-urlencoded")
                return self.table.rewrite(schema, op_uri, f"{where}.formData"), form_type
            return None, None
        if "requestBody" not in op:
            return None, None
        try:
            body, body_uri = self.resolver.deref(op["requestBody"], op_uri)
        except Unresolved:
            return None, None
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict) or not content:
            self.warn(f"{where}.requestBody: no content")
            return None, None
        media = pick_media_type(content)
        media_object = content.get(media) if media is not None else None
        if not isinstance(media_object, dict) or "schema" not in media_object:
            return None, media
        return self.table.rewrite(media_object["schema"], body_uri, f"{where}.requestBody"), media

    def _responses(self, op: dict[str, Any], op_uri: str, where: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": None,
            "status": None,
            "content_type": None,
            "headers": [],
            "all_headers": [],
            "statuses": [],
        }
        responses = op.get("responses")
        if not isinstance(responses, dict) or not responses:
            self.warn(f"{where}: no responses declared")
            return out
        resolved: dict[str, tuple[dict[str, Any], str]] = {}
        for code, raw in responses.items():
            code = str(code)
            if code.startswith("x-"):
                continue
            try:
                response, uri = self.resolver.deref(raw, op_uri)
            except Unresolved:
                continue
            if isinstance(response, dict):
                resolved[code] = (response, uri)
                out["all_headers"].extend(str(h) for h in _mapping(response.get("headers")))
        out["statuses"] = list(resolved)
        success = [c for c in _SUCCESS if c in resolved] or sorted(c for c in resolved if c.startswith("2"))
        for code in success:
            response, uri = resolved[code]
            schema, media = self._response_schema(response, op)
            if schema is None and code == "default":
                continue
            out.update(status=code, content_type=media, headers=[str(h) for h in _mapping(response.get("headers"))])
            if schema is not None:
                out["schema"] = self.table.rewrite(schema, uri, f"{where}.responses.{code}")
                break
            if code != "default":
                break
        return out

    def _response_schema(self, response: dict[str, Any], op: dict[str, Any]) -> tuple[Any, str | None]:
        if self.swagger2:
            produces = _media_types(op.get("produces")) or _media_types(self.doc.get("produces"))
            produces = produces or ["application/json"]
            return response.get("schema"), (pick_media_type({p: None for p in produces}) if produces else None)
        content = response.get("content")
        if not isinstance(content, dict) or not content:
            return None, None
        media = pick_media_type(content)
        media_object = content.get(media) if media is not None else None
        if isinstance(media_object, dict) and "schema" in media_object:
            return media_object["schema"], media
        return None, media


MAX_ENUM = 1_000
"""Enum values kept per parameter; a longer list is left out (the parameter's values are then not checked)."""


def _value_rules(schema: Any) -> dict[str, Any]:
    """A parameter schema's ``enum``, ``format`` and ``default``, when they are plain scalars (what values in a
    manifest's ``params`` are checked against)."""
    if not isinstance(schema, dict):
        return {}
    out: dict[str, Any] = {}
    enum = schema.get("enum")
    if isinstance(enum, list) and 0 < len(enum) <= MAX_ENUM and all(v is None or _is_scalar(v) for v in enum):
        out["enum"] = enum
    if isinstance(schema.get("format"), str):
        out["format"] = schema["format"]
    if _is_scalar(schema.get("default")):
        out["default"] = schema["default"]
    return out


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | bool) or (isinstance(value, float) and math.isfinite(value))


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _media_types(value: Any) -> list[str]:
    """A ``consumes`` / ``produces`` list, its strings only."""
    return [t for t in _list(value) if isinstance(t, str)]


def _summary(op: dict[str, Any]) -> str | None:
    text = op.get("summary") or op.get("description")
    if not isinstance(text, str) or not text.strip():
        return None
    first = text.strip().splitlines()[0]
    return first if len(first) <= 200 else first[:197] + "..."
