"""Where a field lies in its record: how far from the record's root, under which containers, and whether those
containers are the record itself, a reference to another record, or a nested side object.

A field deep under containers the other side does not share (Stripe's
``last_finalization_error.source.klarna.first_name``) is rarely what a destination field at the root means; a
destination field inside a nested object that carries its own id (Xero's ``Invoice.Contact.Addresses[].City`` in a
payment) belongs to another record, which the write can only reference. Containers named after the record itself
(Square's ``item_data`` of a catalog item) and request wrappers (Asana's ``data``, Xero's ``Invoices[]``) count as
the root.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vitesse.mapping.fields import Field, leaf
from vitesse.mapping.vocabulary import NOISE, singular, words

CONTAINER_NOISE = NOISE - {"item"} | {"metadata", "spec", "properties"}
"""Words that make a container a wrapper (``data``, ``attributes``, ``profile``, Kubernetes' ``metadata`` and
``spec``, HubSpot's ``properties``); Square's ``item_data`` is a place of its own unless the record is an item."""
ID_LEAVES = frozenset({"id", "gid", "uid", "uuid", "key"})
_PARENT_SYNONYMS = {
    "location": "address",
    "addresses": "address",
    "postal": "address",
    "mailing": "address",
    "emails": "email",
    "phones": "phone",
    "numbers": "phone",
}


def record_words(texts: Iterable[str]) -> frozenset[str]:
    """The words that name the record type (from the intent, the endpoint paths, the schema names), singular; in
    prose, a CamelCase name is a vendor's (GitHub, DigitalOcean), whose parts name nothing."""
    found: set[str] = set()
    for text in texts:
        prose = "/" not in text
        for part in text.replace("{", " ").replace("}", " ").replace("/", " ").split():
            if prose and _VENDOR.fullmatch(part.strip(".,;:!?()'\"")):
                continue
            found.update(singular(w) for w in words(part) if len(w) > 2)
    return frozenset(found)


_VENDOR = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+")


_VERBS = frozenset({"search", "batch", "bulk", "import", "export", "list", "create", "upsert", "query", "json"})


def resource_words(path: str) -> frozenset[str]:
    """The words of the resource an endpoint path names: its last literal segment (``/user/keys`` -> key,
    ``/v2/customers/search`` -> customer), singular."""
    segments = [s for s in path.split("/") if s and not s.startswith("{") and s.split(".")[0].lower() not in _VERBS]
    last = segments[-1].split(".")[0] if segments else ""
    return frozenset(singular(w) for w in words(last))


def wrapper_prefix(fields: list[Field]) -> str:
    """The container that holds (nearly) every field (``data.``, ``Invoices[].``), or ''."""
    if len(fields) < 2:
        return ""
    counts: dict[str, int] = {}
    for field in fields:
        if "." in field.path:
            first = field.path.split(".", 1)[0]
            counts[first] = counts.get(first, 0) + 1
    if not counts:
        return ""
    first, count = max(counts.items(), key=lambda item: item[1])
    return first + "." if count >= 0.8 * len(fields) else ""


class Placement:
    """The containers of each field of one side, relative to the record's root."""

    def __init__(self, fields: list[Field], record: frozenset[str], *, request: bool = False) -> None:
        self.prefix = wrapper_prefix(fields) if request else ""  # a response record is already unwrapped
        self.record = record
        self.references = _reference_objects(fields, self.prefix)
        self.bare_id = not request and any("." not in f.path and f.name.lower() in ID_LEAVES for f in fields)
        # beside a record's bare id, Intercom's company_id is the key a user gave the company (in a request, every
        # id is the destination's to assign: Xero's RepeatingInvoiceID beside its ID)

    def containers(self, field: Field) -> list[frozenset[str]]:
        """The meaningful words of each container between the root and the field (record-self containers left out)."""
        path = field.path.removeprefix(self.prefix).replace("[]", "")
        out = []
        for part in path.split(".")[:-1]:
            kept = frozenset(_PARENT_SYNONYMS.get(w, singular(w)) for w in words(part) if w not in CONTAINER_NOISE)
            if kept and not kept <= self.record:
                out.append(kept)
        return out

    def own_id(self, field: Field) -> bool:
        """The id of the record itself (``id``, ``ItemID`` at the root) or of a record it references."""
        path = field.path.removeprefix(self.prefix)
        if "." not in path.replace("[].", "."):
            tokens = words(field.name)
            named = (
                tokens[-1:] == ("id",) and bool(tokens[:-1]) and all(singular(t) in self.record for t in tokens[:-1])
            )
            # ContactID of a contact; not MergedToContactID (another contact's)
            return field.name.lower() in ID_LEAVES or (named and not self.bare_id)
        tokens = words(field.name)
        if tokens[-1:] == ("id",) and tokens[:-1] and {singular(t) for t in tokens[:-1]} <= self.record:
            return True  # the record's id, repeated in its parts (RepeatingInvoices[].LineItems[].RepeatingInvoiceID)
        if field.parent.endswith("[]") and _is_own_id(field.name, field.parent.removesuffix("[]")):
            return True  # a part's own id (LineItems[].LineItemID), which the destination assigns too
        return any(field.parent.removesuffix("[]") == c and _is_own_id(field.name, c) for c in self.references)

    def related(self, field: Field) -> bool:
        """Some container on the way shares a word with the record's name (Square's ``item_variation_data`` of a
        catalog item, beside its ``modifier_data``)."""
        path = field.path.removeprefix(self.prefix).replace("[]", "")
        parts = [frozenset(singular(w) for w in words(p)) for p in path.split(".")[:-1]]
        return any(part & self.record and not part <= self.record | CONTAINER_NOISE for part in parts)

    def at_root(self, field: Field) -> bool:
        """No container between the record's root and the field (wrappers and record-self containers aside)."""
        return not self.containers(field)

    def references_around(self, field: Field) -> int:
        """How many referenced records the field lies inside (Xero's ``Invoice.Contact.DefaultCurrency`` in a
        payment: two, the invoice's contact)."""
        return sum(field.path.startswith((c + ".", c + "[].")) for c in self.references)

    def in_reference(self, field: Field) -> bool:
        """The field lies inside a nested object that has an id of its own, and is not that id."""
        for container in self.references:
            if field.path.startswith((container + ".", container + "[].")):
                rest = field.path[len(container) :].removeprefix("[]").removeprefix(".")
                return "." in rest or not _is_own_id(rest, container)
        return False


def _is_own_id(name: str, container: str) -> bool:
    """``id``/``gid``..., or the container's name (or its last words) + ID (``Invoice.InvoiceID``,
    ``FromBankAccount.AccountID``)."""
    tokens = [singular(t) for t in words(name)]
    own = [singular(t) for t in words(leaf(container))]
    named = tokens[:-1]
    return name.lower() in ID_LEAVES or (tokens[-1:] == ["id"] and bool(named) and own[-len(named) :] == named)


def _reference_objects(fields: list[Field], prefix: str) -> list[str]:
    """Nested objects that carry their own id (``Invoice`` with ``Invoice.InvoiceID``, ``assignee`` with
    ``assignee.gid``): other records, which a write references by id. List elements with ids (``LineItems[]``)
    are the record's own parts."""
    by_parent: dict[str, list[str]] = {}
    for field in fields:
        if field.parent and field.parent + "." != prefix and not field.parent.endswith("[]"):
            by_parent.setdefault(field.parent.removesuffix("[]"), []).append(field.name)
    return [
        parent
        for parent, leaves in by_parent.items()
        if len(leaves) >= 2 and any(_is_own_id(name, parent) for name in leaves)
    ]


def container_fit(source: list[frozenset[str]], dest: list[frozenset[str]]) -> float:
    """How well the containers of a source and a destination field agree (1 = same place).

    Each container on one side that no container on the other side shares a word with costs: the first one a
    little (``address.city`` -> ``city`` is common), every further one more (a field three objects deep is seldom
    what a root-level field means)."""
    source_words = frozenset().union(*source) if source else frozenset()
    dest_words = frozenset().union(*dest) if dest else frozenset()
    unmatched = sum(1 for c in source if not c & dest_words) + sum(1 for c in dest if not c & source_words)
    if unmatched == 0:
        return 1.0
    return 0.97 * 0.85 ** (unmatched - 1)
