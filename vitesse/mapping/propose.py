"""Propose the mapping between a source record and a destination request, the way a careful engineer would.

Order of authority: explicit ``transforms`` in the manifest, then ``hints``, then the matcher's global assignment,
then combinations (a full name from first and last names, or the reverse; a one-line address), flags and statuses
from a state or a flag, the one value a required field allows (as a constant), and a required code or key from the
source record's id. Pairs below ``min_confidence`` are left unmapped and listed as near misses; destination fields
that are required and unmapped are listed too.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from vitesse.errors import MappingError
from vitesse.ingest.models import ApiSpec, Endpoint
from vitesse.manifest.models import MappingConfig
from vitesse.mapping.complexity import complexity_score
from vitesse.mapping.constants import constant_transformations
from vitesse.mapping.context import Placement, record_words, resource_words, wrapper_prefix
from vitesse.mapping.conversions import conversion, currency_for, element_paths, flag_status, state_flag
from vitesse.mapping.fields import Field, record_fields, request_fields
from vitesse.mapping.match import PERSON_WORDS, Evidence, Matcher, assign, best_per_dest
from vitesse.mapping.models import Candidate, EndpointChoice, MappingLogic, Transformation
from vitesse.mapping.review import mark_for_review
from vitesse.mapping.sandbox import check_template
from vitesse.mapping.types import compatibility
from vitesse.mapping.vocabulary import concept, path_words, words

NEAR_MISS_MARGIN = 0.2


def _lookup(path: str, fields: dict[str, Field], side: str, where: str) -> Field:
    found = fields.get(path) or fields.get(path.removesuffix("[]"))
    if found is None:
        close = difflib.get_close_matches(path, list(fields), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise MappingError(f"{where}: {side} field {path!r} does not exist{hint}", code="mapping.unknown_field")
    return found


def _source_path(source: Field, dest: Field) -> str:
    """A leaf array read into a scalar destination reads its first element (``tags[]``)."""
    if source.type == "array" and dest.type not in ("array", None) and not source.path.endswith("[]"):
        return source.path + "[]"
    return source.path


def _paired(
    source: Field, dest: Field, sources: list[Field], kind: str, confidence: float, reason: str
) -> Transformation:
    """``dest`` filled from ``source``: as is or by a cast, or by the conversion the pair needs (money units,
    date-time -> date, currency case)."""
    converted = conversion(source, dest, sources)
    if converted is not None:
        return Transformation(
            dest_field=dest.path,
            source_fields=[source.path],  # the template may read more of the record (a currency) by name
            transform_type="custom",
            template=converted.template,
            confidence=confidence,
            reason=f"{reason}; {converted.reason}",
        )
    return Transformation(
        dest_field=dest.path,
        source_field=_source_path(source, dest),
        transform_type=kind,
        confidence=confidence,
        reason=reason,
    )


def propose_mapping(
    source_spec: ApiSpec,
    source_endpoint: Endpoint,
    dest_spec: ApiSpec,
    dest_endpoint: Endpoint,
    config: MappingConfig,
    *,
    intent: str = "",
    evidence: Evidence | None = None,
    endpoint_choice: dict[str, EndpointChoice] | None = None,
) -> MappingLogic:
    """The mapping from ``source_endpoint``'s records to ``dest_endpoint``'s request body."""
    sources = record_fields(source_spec, source_endpoint)
    dests = request_fields(dest_spec, dest_endpoint)
    if not sources:
        raise MappingError(
            f"source endpoint {source_endpoint.key} has no record schema to read fields from", code="mapping.no_fields"
        )
    if not dests:
        raise MappingError(
            f"destination endpoint {dest_endpoint.key} has no request body fields to write", code="mapping.no_fields"
        )
    source_by_path = {f.path: f for f in sources}
    dest_by_path = {f.path: f for f in dests}
    chosen: dict[str, Transformation] = {}

    for index, explicit in enumerate(config.transforms):
        where = f"mapping.transforms[{index}]"
        _lookup(explicit.dest_field, dest_by_path, "destination", where)
        for source in ([explicit.source_field] if explicit.source_field else []) + (explicit.source_fields or []):
            _lookup(source, source_by_path, "source", where)
        if explicit.template:
            check_template(explicit.template, where)
        chosen[explicit.dest_field] = Transformation(
            dest_field=explicit.dest_field,
            source_field=explicit.source_field,
            source_fields=explicit.source_fields,
            transform_type=explicit.transform_type,
            template=explicit.template,
            confidence=1.0,
            reason="explicit transform in the manifest",
        )
    for constant in constant_transformations(dict(config.constants), dests):
        if constant.dest_field in chosen:
            raise MappingError(
                f"mapping.constants.{constant.dest_field}: the field also has an explicit transform; keep one",
                code="mapping.conflict",
            )
        chosen[constant.dest_field] = constant
    for source_path, dest_path in config.hints.items():
        where = f"mapping.hints.{source_path}"
        source = _lookup(source_path, source_by_path, "source", where)
        dest = _lookup(dest_path, dest_by_path, "destination", where)
        if dest.path in chosen:
            continue
        _, kind = compatibility(source, dest)
        if kind == "direct" and source.name != dest.name:
            kind = "mapping"
        chosen[dest.path] = _paired(source, dest, sources, kind, 1.0, "manual hint")

    for index, ignored in enumerate(config.ignore):
        _lookup(ignored, dest_by_path, "destination", f"mapping.ignore[{index}]")
    used_sources = {s for t in chosen.values() for s in t.sources}
    # A field with one allowed value takes no source (`_fixed_values` sets it) and, as a source (JSON:API's
    # type: profile), says nothing about the record.
    open_dests = [f for f in dests if f.path not in chosen and f.path not in config.ignore and not _one_value(f)]
    open_sources = [f for f in sources if f.path not in used_sources and not _one_value(f)]
    record = record_words([intent, source_endpoint.path, dest_endpoint.path])
    resources = (resource_words(source_endpoint.path), resource_words(dest_endpoint.path))
    person = _people(resources[0] | resources[1])
    matcher = Matcher(
        open_sources, open_dests, intent=intent, evidence=evidence, record=record, person=person, resources=resources
    )
    candidates = matcher.candidates()
    floor = max(0.0, config.min_confidence - NEAR_MISS_MARGIN)
    strong = [c for c in candidates if c.score >= config.min_confidence]
    assigned = assign(strong, open_dests, open_sources, floor=config.min_confidence - 0.1)
    below: list[Candidate] = []
    for match in assigned:
        if match.score >= config.min_confidence:
            chosen[match.dest.path] = _paired(
                match.source, match.dest, sources, match.transform_type, match.score, match.reason
            )
    taken_sources = {s.removesuffix("[]") for t in chosen.values() for s in t.sources}
    for dest_path, match in sorted(best_per_dest(candidates).items()):
        if dest_path not in chosen and match.score >= floor:
            why = (
                "source already mapped to another field"
                if match.score >= config.min_confidence
                else f"below min_confidence {config.min_confidence}"
            )
            below.append(
                Candidate(
                    dest_field=dest_path,
                    source_field=match.source.path,
                    confidence=match.score,
                    reason=f"{match.reason}; {why}",
                )
            )
    automatic = [d for d in dests if d.path not in config.ignore]
    _combine_names(chosen, sources, automatic, split=_people(resources[0]))
    _combine_address(chosen, sources, automatic)
    source_place = Placement(sources, record)
    dest_place = Placement(dests, record, request=True)
    own = [d for d in automatic if not dest_place.in_reference(d)]
    flags = [d for d in own if dest_place.at_root(d)]  # the record's own flags, not automatic_tax.enabled
    _state_flags(chosen, [s for s in sources if s.path not in taken_sources], flags, source_place.at_root)

    _money_currencies(chosen, sources, automatic)
    below += _currencies_without_amounts(chosen, automatic)
    _fixed_values(chosen, automatic)
    own_id = next((s for s in sources if "." not in s.path and source_place.own_id(s)), None)
    if own_id is not None and own_id.path not in {s for t in chosen.values() for s in t.sources}:
        _key_from_id(chosen, own_id, [d for d in own if not dest_place.own_id(d)])

    containers = [t for path, t in chosen.items() if path not in {f.path for f in dests}]  # whole-object constants
    transformations = [chosen[f.path] for f in dests if f.path in chosen] + containers
    filled = [t.dest_field for t in containers]
    unmapped_required = [
        f.path
        for f in dests
        if f.required and f.path not in chosen and not f.path.startswith(tuple(p + s for p in filled for s in ".["))
    ]
    mark_for_review(transformations, config)  # what the mapper proposed below review_below waits for a person
    return MappingLogic(
        source_endpoint=source_endpoint.path,
        source_method=source_endpoint.method,
        dest_endpoint=dest_endpoint.path,
        dest_method=dest_endpoint.method,
        source_record_path=source_endpoint.record_path,
        transformations=transformations,
        complexity_score=complexity_score(transformations, unmapped_required),
        unmapped_required=unmapped_required,
        below_threshold=below,
        endpoint_choice=endpoint_choice or {},
        min_confidence=config.min_confidence,
        review_below=config.review_below,
        source_field_count=len(sources),
        dest_field_count=len(dests),
    )


def _people(resource: frozenset[str]) -> bool:
    """Whether the resources an endpoint names hold people (customers, users...): GitHub's /user/keys hold keys."""
    return not resource or bool(resource & PERSON_WORDS)


def _first(fields: list[Field], wanted: str, *, top_level: bool = False) -> Field | None:
    """The shallowest field of a concept (only those directly on the record, or under containers, if asked)."""
    found = [f for f in fields if concept(f.name) == wanted and not (top_level and path_words(f.path))]
    return min(found, key=lambda f: (f.path.count("."), "[]" in f.path, f.path)) if found else None


def _of_the_record(field: Field) -> bool:
    """Not in a list and not deprecated: Stripe's ``sources.data[].klarna.first_name`` is no customer's name."""
    return "[]" not in field.path and not field.deprecated


def _combine_names(chosen: dict[str, Transformation], sources: list[Field], dests: list[Field], *, split: bool) -> None:
    """A full name from first + last names, or (``split``: the source records are people) first and last names
    split from a full name, in place of a guess from a list or a deprecated field."""
    full_dest = _first(
        [d for d in dests if d.path not in chosen and d.type in ("string", None)], "full_name", top_level=True
    )
    own = [s for s in sources if _of_the_record(s)]
    given, family = _first(own, "given_name"), _first(own, "family_name")
    dest_has_parts = _first(dests, "given_name") or _first(dests, "family_name")
    if full_dest is not None and given is not None and family is not None and not dest_has_parts:
        chosen[full_dest.path] = Transformation(
            dest_field=full_dest.path,
            source_fields=[given.path, family.path],
            transform_type="custom",
            template=f"[{given.path}, {family.path}] | select | join(' ')",
            confidence=0.85,
            reason=f"full name from {given.path} and {family.path}",
        )
        return
    full_source = _first(own, "full_name")
    if not split or full_source is None or _first(own, "given_name") or _first(own, "family_name"):
        return
    by_path = {s.path.removesuffix("[]"): s for s in sources}

    def open_to_split(dest: Field) -> bool:
        t = chosen.get(dest.path)
        if t is None:
            return True
        fed = [by_path.get(s.removesuffix("[]")) for s in t.sources]
        return t.confidence < 1.0 and bool(fed) and all(f is not None and not _of_the_record(f) for f in fed)

    for wanted, expression in (
        ("given_name", "({0} or '').split(' ', 1)[0]"),
        ("family_name", "(({0} or '').split(' ', 1) + [''])[1]"),
    ):
        dest = _first([d for d in dests if open_to_split(d)], wanted, top_level=True)
        if dest is not None:
            chosen[dest.path] = Transformation(
                dest_field=dest.path,
                source_fields=[full_source.path],
                transform_type="custom",
                template=expression.format(full_source.path),
                confidence=0.75,
                reason=f"{wanted.replace('_', ' ')} split from {full_source.path}",
            )


def _state_flags(
    chosen: dict[str, Transformation], sources: list[Field], dests: list[Field], at_root: Callable[[Field], bool]
) -> None:
    """Boolean flags (``completed``, ``archived``) from the record's state or status string or a boolean that
    means them, and status values from a flag (``active``); a boolean source feeds one field."""
    for dest in dests:
        if dest.path in chosen:
            continue
        found = state_flag(dest, sources, at_root) or flag_status(dest, sources, at_root)
        if found is not None:
            source, converted = found
            chosen[dest.path] = Transformation(
                dest_field=dest.path,
                source_fields=[source.path],
                transform_type="custom",
                template=converted.template,
                confidence=0.7,
                reason=converted.reason,
            )
            if source.type == "boolean":
                sources = [s for s in sources if s.path != source.path]


def _money_currencies(chosen: dict[str, Transformation], sources: list[Field], dests: list[Field]) -> None:
    """The currency of each destination money object whose amount is mapped (Square's ``tip_money.currency``
    beside ``tip_money.amount``): the currency that goes with the amount's source, which may already feed another
    money object. A scalar cannot fill every element of a list, so a list's money needs a currency in its own
    element."""
    by_path = {s.path.removesuffix("[]"): s for s in sources}
    prefix = wrapper_prefix(dests)
    for dest in dests:
        amount = chosen.get(f"{dest.parent}.amount") if dest.parent else None
        if dest.path in chosen or concept(dest.name) != "currency" or amount is None or len(amount.sources) != 1:
            continue
        source = by_path.get(amount.sources[0].removesuffix("[]"))
        if source is None:
            continue
        element = element_paths(source, dest)
        currency = currency_for(source, sources, element[0] if element else "")
        if currency is None or ("[]" in dest.path.removeprefix(prefix) and element is None):
            continue
        chosen[dest.path] = _paired(
            currency, dest, sources, "direct", 0.85, f"the currency of {source.path}, the amount in {dest.parent}"
        )


def _currencies_without_amounts(chosen: dict[str, Transformation], dests: list[Field]) -> list[Candidate]:
    """Guessed currencies of destination money objects whose amount nothing fills (Square's
    ``price_override_money.currency`` alone), taken back as near misses: a money object with a currency and no
    amount is refused at the gate (`vitesse.guardian.meaning`)."""
    paths = {d.path for d in dests}
    out = []
    for dest in dests:
        t = chosen.get(dest.path)
        amount = f"{dest.parent}.amount"
        if t is None or t.confidence >= 1.0 or not t.sources or concept(dest.name) != "currency" or amount not in paths:
            continue
        if amount not in chosen:
            del chosen[dest.path]
            out.append(
                Candidate(
                    dest_field=dest.path,
                    source_field=t.sources[0],
                    confidence=t.confidence,
                    reason=f"{t.reason}; nothing fills {amount}, and a currency alone is no money",
                )
            )
    return out


def _one_value(field: Field) -> bool:
    """The field's schema allows one value only (an enum of one, a ``const``)."""
    return field.enum is not None and len(field.enum) == 1


def _fixed_values(chosen: dict[str, Transformation], dests: list[Field]) -> None:
    """A required field that accepts one value only (JSON:API's ``data.type: profile``, a ``const``) gets it as a
    constant, unless something fills it already."""
    for dest in dests:
        if dest.required and dest.path not in chosen and _one_value(dest):
            chosen[dest.path] = Transformation(
                dest_field=dest.path,
                transform_type="constant",
                value=dest.enum[0],
                confidence=1.0,
                reason="the only value the destination accepts",
            )


_CODE_WORDS = frozenset({"code", "key", "sku", "reference"})


def _key_from_id(chosen: dict[str, Transformation], own_id: Field, dests: list[Field]) -> None:
    """A required code or key nothing fills (Xero's ``Items[].Code``) from the source record's own id, the one
    value that identifies the record on both sides; left for review."""
    for dest in dests:
        if (
            dest.required
            and dest.path not in chosen
            and dest.type in ("string", None)
            and not dest.enum
            and (set(words(dest.name)) & _CODE_WORDS or concept(dest.name) == "external_id")
        ):
            limit = f" (at most {dest.max_length} characters)" if dest.max_length else ""
            chosen[dest.path] = _paired(
                own_id,
                dest,
                [],
                "direct" if own_id.name == dest.name else "mapping",
                0.6,
                f"required, and nothing else identifies the record: the source's id{limit}",
            )
            return


_ADDRESS_PARTS = ("street", "street2", "city", "region", "postal_code", "country")


def _combine_address(chosen: dict[str, Transformation], sources: list[Field], dests: list[Field]) -> None:
    """A one-line ``address`` string from the source's street, city, region, postal code and country fields."""
    target = next(
        (d for d in dests if words(d.name) == ("address",) and d.type == "string" and not path_words(d.path)), None
    )
    if target is None or (target.path in chosen and chosen[target.path].confidence >= 1.0):
        return  # nothing to fill, or the manifest decided
    if any(words(s.name) == ("address",) and s.type == "string" for s in sources):
        return  # the source has a one-line address too: the matcher pairs them
    by_parent: dict[str, dict[str, Field]] = {}
    for source in sources:
        part = concept(source.name)
        if part in _ADDRESS_PARTS and source.type == "string" and "[]" not in source.path:
            by_parent.setdefault(source.parent, {}).setdefault(part, source)
    parts = max(by_parent.values(), key=len, default={})
    if "street" not in parts or len(parts) < 3:
        return
    fields = [parts[p].path for p in _ADDRESS_PARTS if p in parts]
    chosen[target.path] = Transformation(
        dest_field=target.path,
        source_fields=fields,
        transform_type="custom",
        template="[" + ", ".join(fields) + "] | select | join(', ')",
        confidence=0.8,
        reason="one-line address from " + ", ".join(fields),
    )
