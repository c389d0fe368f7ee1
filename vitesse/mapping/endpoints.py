"""Choose the source endpoint to read and the destination endpoint to write when the manifest names neither."""

from __future__ import annotations

import re

from vitesse.ingest.models import ApiSpec, Endpoint
from vitesse.mapping.fields import Field, flatten
from vitesse.mapping.models import EndpointChoice, EndpointOption
from vitesse.mapping.vocabulary import canonical, meaningful, words

_PEOPLE = {
    "contact",
    "contacts",
    "customer",
    "customers",
    "user",
    "users",
    "people",
    "person",
    "persons",
    "profile",
    "profiles",
    "member",
    "members",
    "lead",
    "leads",
    "subscriber",
    "subscribers",
    "client",
    "clients",
    "account",
    "accounts",
    "employee",
    "employees",
}
_VERSION = re.compile(r"^v\d+(\.\d+)*$|^\d{4}-\d{2}-\d{2}$|^api$")


def resource_words(path: str) -> set[str]:
    """The words of a path's literal segments (``/v1/customers/{id}`` -> {'customers'})."""
    out: set[str] = set()
    for segment in path.strip("/").split("/"):
        if not segment or segment.startswith("{") or _VERSION.match(segment.lower()):
            continue
        out.update(w for w in words(segment.split(".")[0]))
    return out


def _intent_match(path: str, intent_words: set[str]) -> float:
    found = resource_words(path)
    if not found:
        return 0.0
    last = [w for w in words(path.rstrip("/").rsplit("/", 1)[-1].split(".")[0])]
    direct = intent_words & found
    if direct and set(last) & direct:
        return 1.0
    if direct:
        return 0.7
    if found & _PEOPLE and intent_words & _PEOPLE:
        return 0.6
    return 0.0


def _intent_words(intent: str) -> set[str]:
    tokens = set(meaningful(intent)) | set(words(intent))
    return tokens | {t + "s" for t in tokens} | {t.removesuffix("s") for t in tokens}


def choose_source(spec: ApiSpec, intent: str) -> EndpointChoice:
    """The list endpoint whose records the intent is about (paginated, no path parameters preferred)."""
    wanted = _intent_words(intent)
    options = []
    for endpoint in spec.endpoints:
        if endpoint.method != "GET" or not endpoint.record_path.endswith("[]") or not endpoint.response_schema:
            continue
        match = _intent_match(endpoint.path, wanted)
        score = 0.6 * match + 0.2 * (endpoint.pagination is not None) + 0.2 * ("{" not in endpoint.path)
        reason = f"list endpoint; intent match {match:.1f}" + (", paginated" if endpoint.pagination else "")
        options.append(EndpointOption(endpoint=endpoint.key, score=round(score, 3), reason=reason))
    return _choice(options, spec, "source", "a GET endpoint that returns a list of records")


def choose_destination(spec: ApiSpec, intent: str, source_fields: list[Field]) -> EndpointChoice:
    """The create/update endpoint whose request the source records fill best."""
    wanted = _intent_words(intent)
    source_names = {canonical(f.name) for f in source_fields}
    options = []
    for endpoint in spec.endpoints:
        if endpoint.method not in ("POST", "PUT", "PATCH") or not endpoint.request_schema:
            continue
        fields = [f for f in flatten(endpoint.request_schema, spec.schemas) if not f.read_only]
        if not fields:
            continue
        overlap = sum(canonical(f.name) in source_names for f in fields) / len(fields)
        match = _intent_match(endpoint.path, wanted)
        create = endpoint.method == "POST" and "{" not in endpoint.path
        score = 0.4 * match + 0.4 * min(1.0, overlap * 2) + 0.2 * create
        reason = f"{'creates' if create else 'updates'} records; intent match {match:.1f}; {overlap:.0%} of its fields"
        options.append(EndpointOption(endpoint=endpoint.key, score=round(score, 3), reason=reason))
    return _choice(options, spec, "destination", "a POST/PUT/PATCH endpoint with a request body")


def _choice(options: list[EndpointOption], spec: ApiSpec, side: str, wanted: str) -> EndpointChoice:
    from vitesse.errors import MappingError

    if not options:
        raise MappingError(
            f"{side}: the {spec.api_name} spec has no {wanted}; name one with {side}.endpoint",
            code="mapping.no_endpoint",
        )
    options.sort(key=lambda o: (-o.score, o.endpoint))
    return EndpointChoice(chosen=options[0].endpoint, from_manifest=False, alternatives=options[1:6])


def named_endpoint(spec: ApiSpec, key: str, side: str, *, label: str | None = None) -> Endpoint:
    """The endpoint the manifest names (``<side>.endpoint``, or ``label``), or a `MappingError` with the closest real
    ones."""
    import difflib

    from vitesse.errors import MappingError

    endpoint = spec.endpoint(key)
    if endpoint is None:
        close = difflib.get_close_matches(key, [e.key for e in spec.endpoints], n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise MappingError(
            f"{label or side + '.endpoint'} {key!r} is not in the {spec.api_name} spec{hint}",
            code="mapping.no_endpoint",
        )
    return endpoint
