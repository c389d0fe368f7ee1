"""A manifest side's ``params``, ``incremental`` and ``write`` checked against the spec's endpoint.

Ingest runs `check_sides` for the endpoints the manifest names, map for the endpoints it reads and writes (named
or chosen), so a mistake stops the step before anything runs (every problem at once):

- every ``params`` name is a declared path, query or header parameter (else did-you-mean), its value fits the
  declared type and enum (``{env: NAME}`` values are read later and not checked), and no value is still the
  ``"<name>"`` that `vitesse new` writes;
- every required path parameter has a value, and every required query or header parameter too unless the runtime
  sends it (a pagination parameter, the incremental ``param``, an api_key auth);
- ``incremental.param`` is a query parameter of the source endpoint and ``cursor_field`` a field of its record;
- ``write.lookup`` is a GET and ``write.update`` a PATCH/PUT/POST of the destination spec (paths compared by shape:
  ``{id}`` stands for the spec's ``{contact_id}``), the lookup's query names are parameters it declares, its
  ``{field}``s name fields of the destination request (or ``params``), the update's ``{name}``s fields of the
  record the lookup finds, and ``match_key`` a destination request field.
"""

from __future__ import annotations

import difflib
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from vitesse.errors import ManifestError
from vitesse.ingest.models import ApiSpec, Endpoint, Parameter
from vitesse.manifest import ManifestFile
from vitesse.manifest.models import PLACEHOLDER, ApiKeyAuth, EnvValue, Side, WriteConfig
from vitesse.mapping.fields import flatten
from vitesse.params import placeholders, text

Problem = tuple[tuple[str, ...], str, str]
"""(manifest key, message, code)."""

SENT_PARAMS = ("path", "query", "header")
_INTEGER = re.compile(r"^[+-]?\d+$")
_PART = re.compile(r"^([^\[\]]+)\[[^\[\]]+\]$")
_TYPE_WORDS = {"integer": "an integer", "number": "a number", "boolean": "true or false"}


def check_sides(mf: ManifestFile, sides: list[tuple[str, ApiSpec, Endpoint]]) -> None:
    """`ManifestError` listing every problem of each ``(side name, spec, endpoint)``'s params, incremental read and
    write mode against that endpoint (each ``file:line:col: key: message [code]``); nothing when all fit."""
    problems = [
        mf.problem(where, message, code, key=code == "manifest.unknown_param" and where[-2] == "params")
        for side_name, spec, endpoint in sides
        for where, message, code in side_problems(side_name, getattr(mf.manifest, side_name), spec, endpoint)
    ]
    if problems:
        raise ManifestError(problems, code="manifest.params")


def side_problems(side_name: str, side: Side, spec: ApiSpec, endpoint: Endpoint) -> list[Problem]:
    """The problems `check_sides` reports for one side, as data."""
    problems: list[Problem] = []
    incremental = getattr(side, "incremental", None)
    write: WriteConfig | None = getattr(side, "write", None)
    targets = _write_targets(spec, write) if write is not None and write.mode != "insert" else {}
    extra = {name for e in targets.values() if e is not None for name in _declared(e)}
    extra |= {name for key in ("lookup", "update") for name in _template_names(getattr(write, key, None))}
    declared = _declared(endpoint)
    for name, value in side.params.items():
        key = (side_name, "params", name)
        if _is_placeholder(name, value):
            problems.append((key, f"still {value!r} from `vitesse new`; set the real value", "manifest.param_unset"))
            continue
        param = declared.get(name)
        if param is None and _bracketed(name, declared):
            continue  # created[gte]: a part of an object parameter (deepObject), whose schema is not a scalar's
        if param is None:
            cookie = next((p for p in endpoint.parameters if p.name == name and p.location == "cookie"), None)
            if cookie is not None:
                message = f"{name!r} is a cookie parameter of {endpoint.key}; vitesse sends path, query and headers"
                problems.append((key, message, "manifest.unknown_param"))
            elif name not in extra:
                message = f"{endpoint.key} has no parameter {name!r}{_did_you_mean(name, list(declared))}"
                problems.append((key, message, "manifest.unknown_param"))
            continue
        if (problem := value_problem(param, value)) is not None:
            problems.append((key, f"{value!r} does not fit: {endpoint.key} {problem}", "manifest.bad_param_value"))
    missing = [p for p in needed_params(endpoint, side.auth, incremental) if p.name not in side.params]
    if missing:
        example = "{" + ", ".join(f"{p.name}: ..." for p in missing) + "}"
        needs = ", ".join(f"{p.name} ({p.location})" for p in missing)
        fix = f"add to {side_name}.params: {example}" if side.params else f"add {side_name}.params: {example}"
        problems.append(((side_name, "params"), f"{endpoint.key} needs {needs}; {fix}", "manifest.missing_param"))
    if incremental is not None:
        problems += _incremental_problems(side_name, spec, endpoint, incremental)
    if write is not None and write.mode != "insert":
        problems += _write_problems(side_name, side, spec, endpoint, write, targets)
    return problems


def value_problem(param: Parameter, value: Any) -> str | None:
    """What the parameter's declared type or enum says against ``value`` (as the text it travels as), else None."""
    if isinstance(value, EnvValue) or (isinstance(value, dict) and set(value) == {"env"}):
        return None  # read when the step or service runs
    as_text = text(value)
    fits = {
        "integer": lambda: (isinstance(value, int) and not isinstance(value, bool)) or bool(_INTEGER.match(as_text)),
        "number": lambda: _is_number(value),
        "boolean": lambda: as_text in ("true", "false"),
    }.get(param.type or "")
    if fits is not None and not fits():
        return f"expects {_TYPE_WORDS[param.type or '']} for {param.name}"
    if param.enum is not None:
        allowed = [text(v) for v in param.enum if v is not None]
        if as_text not in allowed:
            shown = ", ".join(repr(v) for v in allowed[:10])
            if len(allowed) > 10:
                return f"expects one of {shown}... ({len(allowed)} values) for {param.name}" + _did_you_mean(
                    as_text, allowed
                )
            return f"expects one of {shown} for {param.name}"
    return None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _is_placeholder(name: str, value: Any) -> bool:
    """The ``"<owner>"`` value `vitesse new` writes for a required parameter, not yet replaced."""
    return isinstance(value, str) and value == f"<{name}>"


def _declared(endpoint: Endpoint) -> dict[str, Parameter]:
    return {p.name: p for p in endpoint.parameters if p.location in SENT_PARAMS}


def _bracketed(name: str, declared: dict[str, Parameter]) -> bool:
    """``created[gte]`` names a part of the declared query parameter ``created`` (Stripe's range filters)."""
    match = _PART.match(name)
    return match is not None and getattr(declared.get(match.group(1)), "location", None) == "query"


def needed_params(endpoint: Endpoint, auth: Any = None, incremental: Any = None) -> list[Parameter]:
    """The parameters ``params`` must set: every path parameter (a ``{name}`` in the path even if undeclared), and
    each required query or header parameter the runtime does not send itself (see `_runtime_sent`)."""
    declared = _declared(endpoint)
    path = [declared.get(n) or Parameter(name=n, location="path", required=True) for n in placeholders(endpoint.path)]
    sent = _runtime_sent(endpoint, auth, incremental)
    others = [p for p in endpoint.parameters if p.required and p.location in ("query", "header") and p.name not in sent]
    return list({p.name: p for p in path + others}.values())


def _runtime_sent(endpoint: Endpoint, auth: Any, incremental: Any) -> set[str]:
    """Parameters the runtime fills itself: pagination, the incremental mark, the credential (header names compared
    case-insensitively)."""
    sent: set[str] = set()
    pagination = endpoint.pagination
    if pagination is not None:
        sent |= {v for k, v in pagination.model_dump().items() if k.endswith("_param") and isinstance(v, str)}
    if incremental is not None:
        sent.add(incremental.param)
    if isinstance(auth, ApiKeyAuth):
        sent |= {auth.name, auth.name.lower()}
    sent.add("authorization")  # auth's business, never a params value
    return sent | {p.name for p in endpoint.parameters if p.location == "header" and p.name.lower() in sent}


def _incremental_problems(side_name: str, spec: ApiSpec, endpoint: Endpoint, incremental: Any) -> list[Problem]:
    problems: list[Problem] = []
    where = (side_name, "incremental")
    query = {p.name: p for p in endpoint.parameters if p.location == "query"}
    param = query.get(incremental.param)
    if param is None and not _bracketed(incremental.param, query):
        other = next((p for p in endpoint.parameters if p.name == incremental.param), None)
        message = (
            f"{incremental.param!r} is a {other.location} parameter of {endpoint.key}, not a query parameter"
            if other is not None
            else f"{endpoint.key} has no query parameter {incremental.param!r}"
            + _did_you_mean(incremental.param, list(query))
        )
        problems.append(((*where, "param"), message, "manifest.unknown_param"))
    elif incremental.initial is not None and (problem := value_problem(param, incremental.initial)) is not None:
        message = f"{incremental.initial!r} does not fit: {endpoint.key} {problem}"
        problems.append(((*where, "initial"), message, "manifest.bad_param_value"))
    fields = _fields(spec, endpoint, "response")
    if fields and incremental.cursor_field not in fields:
        message = f"the {endpoint.key} record has no field {incremental.cursor_field!r}" + _did_you_mean(
            incremental.cursor_field, fields
        )
        problems.append(((*where, "cursor_field"), message, "manifest.unknown_field"))
    return problems


def _write_targets(spec: ApiSpec, write: WriteConfig) -> dict[str, Endpoint | None]:
    """The spec's endpoints that ``write.lookup`` and ``write.update`` name (None where it has none)."""
    out: dict[str, Endpoint | None] = {}
    for key in ("lookup", "update"):
        template = getattr(write, key)
        if template is not None:
            method, path, _ = split_template(template)
            out[key] = find_by_shape(spec, method, path)
    return out


def split_template(template: str) -> tuple[str, str, dict[str, str]]:
    """``'GET /contacts?email={email}'`` -> (GET, /contacts, {email: '{email}'})."""
    method, _, target = template.partition(" ")
    parts = urlsplit(target)
    return method.upper(), parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def shape(path: str) -> str:
    """A path with its placeholders unnamed: ``/contacts/{id}`` and ``/contacts/{contact_id}`` are one shape."""
    return PLACEHOLDER.sub("{}", path.rstrip("/") or "/")


def find_by_shape(spec: ApiSpec, method: str, path: str) -> Endpoint | None:
    """The ``method`` endpoint on ``path``, by name or else by shape."""
    wanted = shape(path)
    return spec.endpoint(f"{method} {path}") or next(
        (e for e in spec.endpoints if e.method == method and shape(e.path) == wanted), None
    )


def _template_names(template: str | None) -> list[str]:
    if template is None:
        return []
    _, path, query = split_template(template)
    return placeholders(path) + [n for value in query.values() for n in placeholders(value)]


def _write_problems(
    side_name: str,
    side: Side,
    spec: ApiSpec,
    endpoint: Endpoint,
    write: WriteConfig,
    targets: dict[str, Endpoint | None],
) -> list[Problem]:
    problems: list[Problem] = []
    where = (side_name, "write")
    request = _fields(spec, endpoint, "request")
    known = set(request) | set(side.params)
    assert write.lookup is not None and write.update is not None and write.match_key is not None
    if request and write.match_key not in request:
        message = f"the {endpoint.key} request has no field {write.match_key!r}" + _did_you_mean(
            write.match_key, request
        )
        problems.append(((*where, "match_key"), message, "manifest.unknown_field"))
    for key, methods in (("lookup", ("GET",)), ("update", ("PATCH", "PUT", "POST"))):
        template = getattr(write, key)
        method, path, query = split_template(template)
        found = targets.get(key)
        if found is None:
            same_shape = [e.key for e in spec.endpoints if e.method in methods and shape(e.path) == shape(path)]
            options = [e.key for e in spec.endpoints if e.method in methods]
            hint = (
                f"; did you mean {', '.join(repr(k) for k in same_shape)}?"
                if same_shape
                else _did_you_mean(f"{method} {path}", options, cutoff=0.5)
                or f" (it has no {' or '.join(methods)} of that shape)"
            )
            message = f"{method} {path} is not an operation of the {spec.api_name} spec{hint}"
            problems.append(((*where, key), message, "manifest.unknown_endpoint"))
            continue
        declared_query = {p.name: p for p in found.parameters if p.location == "query"}
        for name in query:
            if name in declared_query or _bracketed(name, declared_query):
                continue
            if name not in _runtime_sent(found, side.auth, None):
                message = f"{found.key} has no query parameter {name!r}" + _did_you_mean(name, list(declared_query))
                problems.append(((*where, key), message, "manifest.unknown_param"))
        names = list(dict.fromkeys(_template_names(template)))
        if key == "lookup":
            for name in names:
                if name not in known:
                    message = (
                        f"{{{name}}} names no field of the record (the {endpoint.key} request) nor a "
                        f"{side_name}.params entry" + _did_you_mean(name, request)
                    )
                    problems.append(((*where, key), message, "manifest.unknown_field"))
        else:
            found_record = _fields(spec, targets["lookup"], "response") if targets.get("lookup") else []
            for name in names:
                if found_record and name not in found_record and name not in known:
                    message = (
                        f"{{{name}}} is no field of the record {write.lookup.split('?', 1)[0]} finds, nor of "
                        f"{side_name}.params" + _did_you_mean(name, found_record)
                    )
                    problems.append(((*where, key), message, "manifest.unknown_field"))
    return problems


def _fields(spec: ApiSpec, endpoint: Endpoint | None, which: str) -> list[str]:
    """Field paths of ``endpoint``'s record (``response``) or request body, as the mapper flattens them."""
    if endpoint is None:
        return []
    if which == "response":
        leaves = [f for f in flatten(endpoint.response_schema, spec.schemas) if not f.write_only]
    else:
        leaves = [f for f in flatten(endpoint.request_schema, spec.schemas) if not f.read_only]
    return [f.path for f in leaves]


def _did_you_mean(name: str, options: list[str], *, cutoff: float = 0.6) -> str:
    """``; did you mean 'x', 'y'?`` from the close options, else the options themselves when few, else ''."""
    close = difflib.get_close_matches(name, options, n=3, cutoff=cutoff)
    if close:
        return f"; did you mean {', '.join(repr(c) for c in close)}?"
    if not options:
        return " (it declares none)"
    if len(options) <= 8:
        return f" (it has {', '.join(options)})"
    return ""
