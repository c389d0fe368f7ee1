"""Score every (source field, destination field) pair and assign them one-to-one, globally.

Score of a pair, each part in 0..1:

    name     1.0 same canonical name or vocabulary concept; else rapidfuzz token-sort similarity x 0.85
    context  similarity of the containers (address.city prefers address.* over shipping.address.*)
    detail   description overlap, format agreement, words of the intent
    score    (0.8 name + 0.1 context + 0.1 detail) x type fit (1 as is, ~0.9 convertible, 0.2 not)

then lowered for what the specs say about the pair (`vitesse.mapping.context`): containers one side has and the other
lacks (a little for one, more for each further one), a destination field inside a referenced record or the id the
destination assigns, a source described as another record's id, containers that report errors, deprecated fields,
enums that do not overlap, list elements read into scalars, and whole-record values read into a list that another
source list fills (`Matcher._per_element`). Names alike only once normalized stay below 0.9. Words naming the record
itself (``InvoiceNumber`` of an invoice, Square's ``item_data``) count as the root; outside people records
``name``/``title``/``summary`` (or a string named like the resource) are the record's label and ``state`` its
status; a description may name the caller's own key for the record (Twilio's ``UniqueName``).

Evidence from other committed integrations (their hints and transforms) lifts a pair to at least 0.9. The pairs are
then assigned with the Hungarian algorithm (scipy's ``linear_sum_assignment``) to maximize the total of
(score - floor)², so a strong pair is never stolen by whichever field came first, nor displaced by two weak ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from vitesse.mapping.context import CONTAINER_NOISE, ID_LEAVES, Placement, container_fit, singular
from vitesse.mapping.fields import Field, leaf
from vitesse.mapping.types import compatibility
from vitesse.mapping.vocabulary import GENERIC, HYPERMEDIA, NOISE, concept, meaningful, words
from vitesse.shapes import DISTINCTIVE, FORMAT_SHAPES, LABELS, common_shape, conflicts

DIAGNOSTICS = frozenset({"error", "warning", "validation", "failure"})
"""Containers that report on a record (``last_finalization_error``, ``ValidationErrors[]``) rather than hold it."""
FUZZY_KNEE = 0.85
NAME_FLOOR = 0.5  # pairs whose names are less alike than this are never considered
NORMALIZED = "same name once normalized"
_STOP = NOISE | {
    "to",
    "for",
    "in",
    "and",
    "or",
    "on",
    "if",
    "this",
    "that",
    "which",
    "be",
    "are",
    "was",
    "with",
    "by",
    "as",
    "it",
    "its",
    "can",
    "will",
    "set",
    "used",
    "e",
    "g",
    "example",
    "from",
    "at",
}
_DESCRIPTION_WORDS = re.compile(r"[a-z]+")


@dataclass
class Match:
    source: Field
    dest: Field
    score: float
    transform_type: str
    reason: str


Evidence = dict[tuple[str, str], list[str]]


def _description_words(field: Field) -> frozenset[str]:
    text = field.description.lower()
    return frozenset(w for w in _DESCRIPTION_WORDS.findall(text) if len(w) > 2 and w not in _STOP)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over the smaller set (1 when one side's containers are all in the other's); 1 for two empty
    sets, 0.5 when one side has none."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.5
    return len(a & b) / min(len(a), len(b))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.5
    return len(a & b) / len(a | b)


_REFERENCE = re.compile(r"\b(a |the )?(binding )?reference to\b|\brefers to\b|\bpoints to\b", re.I)
_ID_OF_ANOTHER = re.compile(r"\s*(the )?(unique )?(id|identifier)s? (of|for) (the|a|an)\b", re.I)
"""A description that says the field is another record's id (Stripe's expandable ``default_price``: "The ID of the
Price object that is the default price for this product")."""
_KEY_WORDS = frozenset({"id", "ids", "key", "reference", "number", "code", "sku", "identifier", "name"})
_API_LINK = re.compile(r"https?://api\.|/api/v?\d|\bAPI (URL|address|endpoint)\b", re.I)


def _api_link(field: Field) -> bool:
    """A URL field whose examples or description point at an API, not at a page (``https://api.github.com/...``)."""
    return any(isinstance(v, str) and _API_LINK.search(v) for v in field.examples) or bool(
        _API_LINK.search(field.description)
    )


def _holds_key(field: Field, found: str | None) -> bool:
    """A field that can hold a key of a record: an id, a reference, a number or code, or a name."""
    return found in ("external_id", "sku") or bool(set(words(field.name)) & _KEY_WORDS) or field.type == "object"


def effective_name(field: Field, record: frozenset[str] = frozenset()) -> str:
    """The name a field is compared by: a bare generic leaf takes its parent's name along (``emails[].value`` is an
    email, ``company.name`` a company name) unless the parent is the record itself; a leading word naming the record
    goes (``InvoiceNumber`` of an invoice is its ``number``)."""
    name = field.name
    tokens = words(name)
    # Words naming the record or the field's own container go (Xero's LineItems[].LineAmount is an amount), but
    # the last word is the head (closed_issues is a count of issues): only the words before it can go.
    container = {singular(w) for w in words(leaf(field.parent))}
    if _REFERENCE.search(field.description):
        record = frozenset()  # volumeName "is the binding reference to the PersistentVolume": another record's name
    kept = [t for t in tokens[:-1] if singular(t) not in record | container] + list(tokens[-1:])
    stripped = len(kept) < len(tokens)
    if stripped:
        name = "_".join(kept)  # InvoiceNumber of an invoice: its number; user_id of a user: its id
    if " ".join(meaningful(name)) in GENERIC | {"value"} and field.parent and not stripped:
        parent = leaf(field.parent)
        if name == "amount" and words(parent)[-1:] == ("money",):
            base = parent.rsplit("_", 1)[0] if "_" in parent else name  # Square's base_price_money.amount: a price
            above = (
                [w for w in words(leaf(field.parent.rsplit(".", 1)[0])) if w not in NOISE]
                if "." in field.parent
                else []
            )
            if base == "amount" and above:
                return "_".join([*above, "amount"])  # discount_data.amount_money.amount: the discount's amount
            return base
        if not {singular(w) for w in words(parent)} <= record | CONTAINER_NOISE:
            return f"{parent}_{name}"
    return name


def evidence_key(path: str) -> str:
    """How a pairing is remembered across integrations (`vitesse.mapping.learning`): the concept or words of the
    field's name, a generic leaf with its parent's (``external.gid`` -> "external id"), never cut down to a bare
    "id" (``customer_id`` stays "customer id", which is not the record's own id)."""
    name = effective_name(Field(path))
    found = concept(name)
    return found.replace("_", " ") if found else " ".join(words(name))


PERSON_WORDS = frozenset(
    {"customer", "contact", "user", "member", "person", "people", "profile", "lead", "subscriber", "employee"}
    | {"recipient", "candidate", "patient", "student", "audience", "account"}
)
"""Record types whose ``name`` is a person's (or company's) full name and whose ``title`` is a job title."""
RECORD_LABELS = frozenset(
    {"name", "title", "summary", "subject", "headline", "display name", "label", "caption", "friendly name", "nickname"}
)
"""What labels a record that is not a person: a task's name is an issue's title."""


PARTIES = frozenset(
    {"customer", "contact", "client", "buyer", "payer", "payee", "recipient", "vendor", "supplier", "member"}
)
"""The counterparty of a document (an invoice's customer, a payment's contact)."""


def _money_part(field: Field) -> bool:
    """A leaf of a money object (Square's ``amount_money.amount``): its container is part of its name."""
    return words(leaf(field.parent))[-1:] == ("money",)


def _party_name(name: str) -> bool:
    tokens = words(name)
    party = [t for t in tokens if t != "id"]
    return bool(party) and set(party) <= PARTIES and len(tokens) <= 2


def _party_key(field: Field) -> bool:
    """A key of a party object: ``Contact.ContactNumber``, ``customer.id``, ``Contact.ContactID``."""
    if not field.parent or field.type not in ("string", "integer", None):
        return False
    container = words(leaf(field.parent))
    rest = [t for t in words(field.name) if t not in container]
    return bool(container) and set(container) <= PARTIES and rest in (["number"], ["id"], ["code"], ["key"])


def field_shape(field: Field) -> str | None:
    """The shape a field's values have by its format, else by its examples (a URL, a date, free text...)."""
    if field.type not in ("string", None):
        return None
    return FORMAT_SHAPES.get(field.format or "") or common_shape(field.examples)


def enum_fit(source: Field, dest: Field) -> float | None:
    """The share of the source's enum values that the destination's enum has (case aside), None unless both
    sides list values."""
    if not source.enum or not dest.enum:
        return None
    wanted = {str(v).lower() for v in dest.enum}
    return sum(str(v).lower() in wanted for v in source.enum) / len(source.enum)


_EMAIL_TEXT = re.compile(r"\s*(the |an? )?(\w+ )?e-?mail address\b", re.I)
_REGION = re.compile(r"subdivision|province|ISO 3166|county", re.I)
_EXTERNAL = re.compile(
    r"\b(application|user|client|merchant|developer|caller)[- ]defined\b[^.]*\b(identif|unique)"
    r"|\b(in|from|by) (an )?external systems?\b|\byour (own )?(unique )?(identifier|reference) (for|of)\b",
    re.I,
)
"""A description saying the field holds the caller's own key for the record (Twilio's ``UniqueName``: "An
application-defined string that uniquely identifies the resource")."""


def _concept(
    field: Field,
    name: str,
    person: bool,
    containers: Sequence[frozenset[str]] = (),
    resource: frozenset[str] = frozenset(),
) -> str | None:
    """A name's concept; outside people records (and outside addresses) a name or title is the record's label and a
    state its status, unless its description says it is a region (a tax rate's ``state``: "ISO 3166-2 subdivision
    code"), and a string at the root named like the resource is its label (the ``tag`` of Mailchimp's tags). A
    string without a concept may be the caller's own key for the record by its description (`_EXTERNAL`)."""
    description = field.description
    if not person and not any("address" in c for c in containers):
        phrase = " ".join(meaningful(name))
        if phrase in RECORD_LABELS:
            return "label"
        if not containers and field.type in ("string", None) and " " not in phrase and singular(phrase) in resource:
            return "label"
        if phrase == "state":
            return "region" if _REGION.search(description) else "status"
        if phrase == "code":
            return "sku"  # an item's or product's code
    found = concept(name)
    if found in (None, "username") and field.type in ("string", None) and _EMAIL_TEXT.match(description):
        return "email"  # Box's login: "The email address the user uses to log in"
    if (
        found is None
        and field.type in ("string", None)
        and "idempotency" not in words(name)
        and _EXTERNAL.search(description)
    ):
        return "external_id"
    return found


QUALIFIED_HEADS = frozenset({"id", "ids", "type", "count", "number", "code", "key", "kind"})
"""Generic words that keep the record-type word before them: without it they say nothing."""
WORD_SYNONYMS = {
    **{"label": "name", "link": "url", "href": "url", "uri": "url", "kind": "type", "begin": "start"},
    **{"labels": "names", "links": "urls", "hrefs": "urls", "uris": "urls", "kinds": "types"},
}
"""Words that say the same inside a longer name (``from_label`` is ``from_name``, ``download_link`` a
``download_url``); alone, a word goes by the concepts of `vitesse.mapping.vocabulary` (a bare ``label`` is a tag)."""


SECONDARY_LABELS = frozenset({"message", "text"})
"""What labels a record that has no name or title of its own (a Box task's ``message``)."""


def _label_fallback(
    concepts: list[str | None], fields: list[Field], containers: list[list[frozenset[str]]], person: bool
) -> int | None:
    """Outside people records, a side whose record has no label at its root takes its one root ``message`` (or
    ``text``) as the label (a Box task's message is an Asana task's name); the index of that field, if any."""
    if person or any(c == "label" and not where for c, where in zip(concepts, containers, strict=True)):
        return None
    found = [
        k
        for k, f in enumerate(fields)
        if not containers[k] and f.type in ("string", None) and " ".join(meaningful(f.name)) in SECONDARY_LABELS
    ]
    if len(found) != 1:
        return None
    concepts[found[0]] = "label"
    return found[0]


def _canonical(name: str, found: str | None) -> str:
    if found:
        return found.replace("_", " ")
    kept = meaningful(name)
    tokens = words(name) if len(kept) == 1 and kept[0] in QUALIFIED_HEADS else kept
    # customer_id is a customer's id, not the record's; user_count a count of users, userType a type of user
    if len(tokens) > 1:
        tokens = tuple(WORD_SYNONYMS.get(t, t) for t in tokens)
    return " ".join(tokens)


class Matcher:
    """Scores pairs for one (source, destination) field set."""

    def __init__(
        self,
        sources: list[Field],
        dests: list[Field],
        *,
        intent: str = "",
        evidence: Evidence | None = None,
        record: frozenset[str] = frozenset(),
        person: bool | None = None,
        resources: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
    ) -> None:
        self.sources = sources
        self.dests = dests
        self.source_place = Placement(sources, record)
        self.dest_place = Placement(dests, record, request=True)
        self.source_containers = [self.source_place.containers(f) for f in sources]
        self.dest_containers = [self.dest_place.containers(f) for f in dests]
        self.intent_words = frozenset(meaningful(intent)) if intent else frozenset()
        self.evidence = evidence or {}
        self.source_names = [effective_name(f, record) for f in sources]
        self.dest_names = [effective_name(f, record) for f in dests]
        person = (not record or bool(record & PERSON_WORDS)) if person is None else person
        self.source_concepts = [
            _concept(f, n, person, c, resources[0])
            for n, c, f in zip(self.source_names, self.source_containers, sources, strict=True)
        ]
        self.dest_concepts = [
            _concept(f, n, person, c, resources[1])
            for n, c, f in zip(self.dest_names, self.dest_containers, dests, strict=True)
        ]
        self.source_fallback = _label_fallback(self.source_concepts, sources, self.source_containers, person)
        self.dest_fallback = _label_fallback(self.dest_concepts, dests, self.dest_containers, person)
        self.source_canon = [_canonical(n, c) for n, c in zip(self.source_names, self.source_concepts, strict=True)]
        self.dest_canon = [_canonical(n, c) for n, c in zip(self.dest_names, self.dest_concepts, strict=True)]
        self.source_parents = [frozenset().union(*c) for c in self.source_containers]
        self.dest_parents = [frozenset().union(*c) for c in self.dest_containers]
        self._party_links: set[tuple[int, int]] | None = None
        self.source_related = [self.source_place.related(f) for f in sources]
        self.source_keys = [evidence_key(f.path) for f in sources]
        self.dest_keys = [evidence_key(f.path) for f in dests]
        self.source_shapes = [field_shape(f) for f in sources]
        self.dest_shapes = [field_shape(f) for f in dests]
        self.source_desc = [_description_words(f) for f in sources]
        self.source_id_of_another = [bool(_ID_OF_ANOTHER.match(f.description)) for f in sources]
        self.dest_id_of_another = [bool(_ID_OF_ANOTHER.match(f.description)) for f in dests]
        self.dest_desc = [_description_words(f) for f in dests]

    @property
    def party_links(self) -> set[tuple[int, int]]:
        """(dest, source) pairs that link the same party: Xero's ``Contact.ContactNumber`` and Stripe's ``customer``
        (or ``customer_id``), the counterparty of an invoice, an order or a payment, referenced by its key."""
        if self._party_links is None:
            dests = [i for i, d in enumerate(self.dests) if _party_key(d)]
            sources = [
                j
                for j, f in enumerate(self.sources)
                if not self.source_containers[j] and f.type in ("string", "integer") and _party_name(f.name)
            ]
            self._party_links = {(i, j) for i in dests for j in sources}
        return self._party_links

    def name_matrix(self) -> np.ndarray:
        """Name similarity of every (dest, source) pair, vectorized."""
        ratio = (
            process.cdist(self.dest_canon, self.source_canon, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=1)
            / 100.0
        )
        # Below 85% alike, names fall off fast: locked/liked (73%) or starred_at/start_at (78%) mean different things.
        fuzzy = np.where(ratio >= FUZZY_KNEE, ratio, ratio * (ratio / FUZZY_KNEE) ** 2) * 0.85
        dest_concepts = np.array([c or f"~d{i}" for i, c in enumerate(self.dest_concepts)], dtype=object)
        source_concepts = np.array([c or f"~s{i}" for i, c in enumerate(self.source_concepts)], dtype=object)
        same = (dest_concepts[:, None] == source_concepts[None, :]) | (
            np.array(self.dest_canon, dtype=object)[:, None] == np.array(self.source_canon, dtype=object)[None, :]
        )
        names = np.where(same, 1.0, fuzzy)
        for i, j in self.party_links:
            names[i, j] = max(names[i, j], 0.85)
        # The source record's own id is the natural external reference on the other side; the source's own
        # external/reference id points at a third system, so it ranks below.
        for j, source in enumerate(self.sources):
            own_id = not self.source_containers[j] and self.source_place.own_id(source)
            for i, dest_concept in enumerate(self.dest_concepts):
                if dest_concept != "external_id":
                    continue
                if own_id:
                    names[i, j] = max(names[i, j], 0.95)
                elif self.source_concepts[j] == "external_id":
                    names[i, j] = min(names[i, j], 0.88)
        return names

    def score(self, i: int, j: int, name: float) -> Match:
        source, dest = self.sources[j], self.dests[i]
        fit, kind = compatibility(source, dest)
        context = _jaccard(self.source_parents[j], self.dest_parents[i])
        desc = _jaccard(self.source_desc[j], self.dest_desc[i]) if self.source_desc[j] and self.dest_desc[i] else 0.3
        detail = desc
        if source.format and source.format == dest.format:
            detail = min(1.0, detail + 0.4)
        if self.intent_words & (set(meaningful(dest.name)) | set(meaningful(source.name))):
            detail = min(1.0, detail + 0.2)
        source_name, dest_name = self.source_names[j], self.dest_names[i]
        shared = set(words(source_name)) & set(words(dest_name))
        if shared:
            detail = min(1.0, detail + 0.3 * len(shared) / max(len(words(dest_name)), 1))
        generic_source = " ".join(meaningful(source_name)) in GENERIC
        generic_dest = " ".join(meaningful(dest_name)) in GENERIC
        generic = generic_source or generic_dest
        same_concept = self.dest_concepts[i] is not None and self.dest_concepts[i] == self.source_concepts[j]
        linked = (i, j) in self.party_links
        same_money = (_money_part(source) or _money_part(dest)) and meaningful(source_name) == meaningful(dest_name)
        if (
            generic
            and not same_money  # amount -> amount_money.amount: the container is part of the name
            and self.dest_concepts[i] != "external_id"
            and not (same_concept and (context == 1.0 or (self.source_related[j] and not generic_source)))
            and not linked
        ):
            name *= _overlap(self.source_parents[j], self.dest_parents[i])  # a bare 'type' or 'name' only means
            # the same thing in the same place (lines.data[] and LineItems[] are one place)
            if meaningful(source_name) != meaningful(dest_name):
                name *= 0.5  # and userType is not just any type
        value = (0.8 * name + 0.1 * context + 0.1 * detail) * (1.0 if fit >= 1 else 0.4 + 0.6 * fit)
        reasons = [self._name_reason(i, j, name)]
        value *= container_fit(self.source_containers[j], self.dest_containers[i])
        if self.source_related[j]:
            value = min(1.0, value * 1.02)  # under a container named partly after the record
        if linked:
            reasons.append(f"{source.path} identifies the same party as {dest.parent}")
        elif self.dest_place.in_reference(dest):
            value *= 0.7  # a field of another record the destination's object only references
            if self.dest_place.references_around(dest) > 1:
                value *= 0.8  # and of one that record references (a payment's invoice's contact)
            reasons.append("inside a referenced record")
        if self.source_place.in_reference(source) and not self.dest_place.in_reference(dest):
            value *= 0.85  # a field of another record the source embeds (an issue's milestone.due_on)
            reasons.append(f"a field of the {source.parent} the source record references")
        source_words, dest_words = self.source_parents[j], self.dest_parents[i]
        if (source_words ^ dest_words) & DIAGNOSTICS:
            value *= 0.6  # an error or a warning about the record is not the record's data
        markup = {"html", "markdown", "md"}
        if markup & set(words(source.name)) and not markup & set(words(dest.name)):
            value *= 0.95  # the plain-text rendering of a description, when there is one, over its HTML
        source_shape, dest_shape = self.source_shapes[j], self.dest_shapes[i]
        if conflicts(dest_shape, source_shape):
            value *= 0.6
            reasons.append(f"the examples differ ({LABELS[source_shape]} -> {LABELS[dest_shape]})")
        elif source_shape is not None and source_shape == dest_shape and source_shape in DISTINCTIVE:
            value = min(1.0, value + 0.02)
        if "purchase" in dest_words and "purchase" not in source_words:
            value *= 0.95  # a price in a commerce API is what a customer pays: Xero's SalesDetails, not PurchaseDetails
        if same_concept and {"primary", "main"} & set(words(source.name)):
            value = min(1.0, value + 0.03)  # Okta's primaryPhone over its mobilePhone: the one a person gave first
        translation = enum_fit(source, dest)
        if translation is not None and translation < 1.0:
            value *= 0.7 + 0.3 * translation
            reasons.append(f"only {round(translation * 100)}% of the source's enum values are the destination's")
        if self.source_containers[j] and source.name.lower() in ID_LEAVES and not source_words & dest_words:
            value *= 0.75  # the id of another record in the source system means nothing to the destination
            reasons.append("the id of a record the source references")
        elif self.source_id_of_another[j] and not _holds_key(dest, self.dest_concepts[i]):
            value *= 0.6  # Stripe's default_price is "The ID of the Price object", not an amount
            reasons.append("the source holds the id of another record")
        elif self.dest_id_of_another[i] and not _holds_key(source, self.source_concepts[j]):
            value *= 0.6  # a Stripe quote line's price is "The ID of the price object": no unit amount goes there
            reasons.append("the destination takes the id of another record")
        if self.dest_concepts[i] == "web_url" and _api_link(source) and not _api_link(dest):
            value *= 0.85  # GitHub's url is the API's address; its html_url is the page a person opens
            reasons.append("the source is an API address")
        if self.dest_place.own_id(dest) and self.dest_concepts[i] != "external_id":
            value *= 0.6  # the destination assigns its records' ids (and those of the records they reference)
        if source.deprecated:
            value *= 0.8
            reasons.append("the source field is deprecated")
        if dest.deprecated:
            value *= 0.85
            reasons.append("the destination field is deprecated")
        source_parts = set(source.path.replace("[]", "").split(".")[:-1])
        if source_parts & HYPERMEDIA and not set(dest.path.replace("[]", "").split(".")[:-1]) & HYPERMEDIA:
            value *= 0.75
        into_list = "[]" in dest.path.removeprefix(self.dest_place.prefix)  # beyond the request wrapper (contacts[])
        if "[]" in source.path and not into_list:
            value *= 0.9
        if j == self.source_fallback or i == self.dest_fallback:
            value = min(value, 0.85)  # the record's only text standing in for its label: likely, not certain
            reasons.append("the record's only text as its label")
        if reasons[0] == NORMALIZED:
            value = min(value, 0.89)  # alike only once words are dropped (userType -> type) or split: not certain
        key = (self.source_keys[j], self.dest_keys[i])
        if key in self.evidence:
            value = max(value, 0.9)
            reasons.append(f"accepted before in {', '.join(sorted(self.evidence[key])[:3])}")
        if kind != "direct":
            reasons.append(f"{source.type or '?'} -> {dest.type or '?'} via {kind}")
        if "[]" in source.path and not into_list:
            reasons.append("first element of the list")
        if kind == "direct" and source.name != dest.name:
            kind = "mapping"
        return Match(source, dest, round(min(1.0, value), 3), kind, "; ".join(reasons))

    def _name_reason(self, i: int, j: int, name: float) -> str:
        source, dest = self.sources[j], self.dests[i]
        if source.name == dest.name:
            return "same name"
        if self.source_concepts[j] and self.source_concepts[j] == self.dest_concepts[i]:
            return f"synonyms ({self.source_concepts[j].replace('_', ' ')})"
        if self.source_canon[j] == self.dest_canon[i]:
            return NORMALIZED
        if self.dest_concepts[i] == "external_id" and name >= 0.949:
            return "the source record's id as the external reference"
        return f"similar names ({min(100, round(name * 100 / 0.85))}%)"

    def candidates(self) -> list[Match]:
        """Every pair worth considering (name similarity at least `NAME_FLOOR`, or backed by evidence)."""
        names = self.name_matrix()
        out = []
        rows, cols = np.nonzero(names >= NAME_FLOOR)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            if self.dests[i].read_only:
                continue
            out.append(self.score(i, j, float(names[i, j])))
        if self.evidence:
            seen = {(m.dest.path, m.source.path) for m in out}
            dest_index = {}
            for i, canon in enumerate(self.dest_keys):
                dest_index.setdefault(canon, []).append(i)
            for j, canon in enumerate(self.source_keys):
                for (src, dst), _ in self.evidence.items():
                    if src != canon:
                        continue
                    for i in dest_index.get(dst, []):
                        if (self.dests[i].path, self.sources[j].path) not in seen:
                            out.append(self.score(i, j, float(names[i, j])))
        return self._per_element(out)

    def _per_element(self, out: list[Match]) -> list[Match]:
        """A destination list whose fields strong pairs fill from one source list (Xero's ``LineItems[]`` from
        Stripe's ``lines.data[]``) holds values of each element: a field of the whole record (the invoice's ``tax``)
        or of another list is seldom what one of its fields means."""
        support: dict[tuple[str, str], int] = {}
        for match in out:
            if match.score >= 0.7 and (pair := self._lists(match)) and pair[0] and pair[1]:
                support[pair] = support.get(pair, 0) + 1
        aligned: dict[str, str] = {}
        for (dest_list, source_list), count in sorted(support.items(), key=lambda item: -item[1]):
            if count >= 2 and dest_list not in aligned:
                aligned[dest_list] = source_list
        if not aligned:
            return out
        for index, match in enumerate(out):
            dest_list, source_list = self._lists(match)
            if dest_list in aligned and source_list != aligned[dest_list]:
                whole = (
                    f"each {aligned[dest_list]} element"
                    if not source_list
                    else f"{aligned[dest_list]}, not {source_list}"
                )
                out[index] = Match(
                    match.source,
                    match.dest,
                    round(match.score * 0.7, 3),
                    match.transform_type,
                    f"{match.reason}; {dest_list} is filled from {whole}",
                )
        return out

    def _lists(self, match: Match) -> tuple[str, str]:
        """The innermost list (beyond the request wrapper) each side of a pair lies in, '' for none."""
        dest = match.dest.path.removeprefix(self.dest_place.prefix)
        return dest.rpartition("[]")[0], match.source.path.rpartition("[]")[0]


def assign(candidates: list[Match], dests: list[Field], sources: list[Field], floor: float = 0.5) -> list[Match]:
    """The one-to-one set of pairs with the highest total of (score - floor)² (ties broken toward shallower
    paths)."""
    if not candidates:
        return []
    from scipy.optimize import linear_sum_assignment  # here: scipy.optimize alone costs more than the rest of the CLI

    dest_index = {f.path: i for i, f in enumerate(dests)}
    source_index = {f.path: j for j, f in enumerate(sources)}
    weights = np.zeros((len(dests), len(sources)), dtype=np.float64)
    chosen: dict[tuple[int, int], Match] = {}
    for match in candidates:
        i, j = dest_index[match.dest.path], source_index[match.source.path]
        depth = match.source.path.count(".") + match.source.path.count("[]")
        # Convex in the score: one strong pair outweighs two weak ones that would displace it.
        weight = max(match.score - floor, 1e-3) ** 2 - depth * 1e-6
        if weight > weights[i, j]:
            weights[i, j] = weight
            chosen[(i, j)] = match
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [chosen[(i, j)] for i, j in zip(rows.tolist(), cols.tolist(), strict=True) if (i, j) in chosen]


def best_per_dest(candidates: list[Match]) -> dict[str, Match]:
    best: dict[str, Match] = {}
    for match in candidates:
        if match.dest.path not in best or match.score > best[match.dest.path].score:
            best[match.dest.path] = match
    return best


def describe(match: Match) -> dict[str, Any]:
    return {
        "dest_field": match.dest.path,
        "source_field": match.source.path,
        "confidence": match.score,
        "reason": match.reason,
    }
