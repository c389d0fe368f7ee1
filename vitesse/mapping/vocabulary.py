"""Field names as words: tokenizing, abbreviations, and the synonym vocabulary of people/organization records.

``EmailAddress``, ``email_address`` and ``emailAddress`` all become ``email address``, which the vocabulary knows as
the concept ``email``. Concepts are general knowledge about contact-like records (names, addresses, phones, dates),
not tuned to any one pair of APIs.
"""

from __future__ import annotations

import re
from functools import cache

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

ABBREVIATIONS = {
    "addr": "address",
    "tel": "phone",
    "telephone": "phone",
    "mob": "mobile",
    "cell": "mobile",
    "num": "number",
    "no": "number",
    "nbr": "number",
    "dob": "birth date",
    "fname": "first name",
    "lname": "last name",
    "org": "organization",
    "organisation": "organization",
    "desc": "description",
    "img": "image",
    "pic": "picture",
    "tz": "timezone",
    "lang": "language",
    "ext": "external",
    "gid": "id",
    "identifier": "id",
    "ref": "reference",
    "msg": "message",
    "qty": "quantity",
    "amt": "amount",
    "dt": "date",
    "ts": "timestamp",
    "zipcode": "zip",
    "postcode": "postal code",
    "firstname": "first name",
    "lastname": "last name",
    "fullname": "full name",
    "surname": "last name",
    "givenname": "given name",
    "familyname": "family name",
    "emailaddress": "email address",
    "phonenumber": "phone number",
    "username": "user name",
    "birthdate": "birth date",
    "birthday": "birth date",
    "signup": "sign up",
    "signedup": "signed up",
    "timezone": "timezone",
    "website": "website",
    "url": "url",
    "e": "e",
    "mail": "email",
    "nick": "nick",
    "nickname": "nickname",
    "postalcode": "postal code",
    "addressline": "address line",
    "countrycode": "country code",
    "jobtitle": "job title",
    # General software and bookkeeping abbreviations.
    "fs": "filesystem",
    "rootfs": "root filesystem",
    "readonly": "read only",
    "env": "environment",
    "dir": "directory",
    "workdir": "working directory",
    "cfg": "configuration",
    "config": "configuration",
    "repo": "repository",
    "repos": "repositories",
    "src": "source",
    "dst": "destination",
    "dest": "destination",
    "max": "maximum",
    "min": "minimum",
    "cnt": "count",
    "pct": "percent",
    "attr": "attribute",
    "attrs": "attributes",
    "param": "parameter",
    "params": "parameters",
    "ver": "version",
    "txn": "transaction",
    "acct": "account",
    "mem": "memory",
    "secs": "seconds",
}

# Words that name the record type or a container, not the field: customer_email is an email.
NOISE = {
    "customer",
    "customers",
    "contact",
    "contacts",
    "user",
    "users",
    "member",
    "members",
    "person",
    "profile",
    "the",
    "of",
    "a",
    "an",
    "is",
    "data",
    "attributes",
    "attribute",
    "record",
    "item",
    "value",
    "field",
    "fields",
    "info",
    "details",
    "detail",
    "object",
    "primary",
    "default",
    "main",
    "current",
}

CONCEPTS: dict[str, tuple[str, ...]] = {
    "given_name": ("first name", "given name", "forename", "first"),
    "family_name": ("last name", "family name", "surname", "last"),
    "middle_name": ("middle name", "middle"),
    "full_name": ("name", "full name", "display name", "contact name", "real name"),
    "nickname": ("nickname", "nick name", "alias", "preferred name"),
    "email": ("email", "email address", "e email", "email addresses", "emails"),
    "phone": (
        "phone",
        "phone number",
        "mobile",
        "mobile phone",
        "mobile number",
        "mobile phone number",
        "phone numbers",
        "phones",
    ),
    "company": (
        "company",
        "company name",
        "organization",
        "organization name",
        "business name",
        "employer",
        "business",
        "account name",
    ),
    "job_title": ("title", "job title", "position", "job"),
    "street": (
        "line 1",
        "address line 1",
        "address 1",
        "street",
        "street address",
        "address street",
        "street line 1",
        "address line1",
        "address",
    ),
    "street2": ("line 2", "address line 2", "address 2", "street 2", "street line 2", "address line2"),
    "city": ("city", "locality", "town", "city name"),
    "region": (
        "state",
        "region",
        "province",
        "administrative district level 1",
        "state code",
        "state province",
        "region code",
    ),
    "postal_code": ("postal code", "zip", "zip code", "post code", "postal"),
    "country": ("country", "country code", "country iso", "country name", "nation"),
    "external_id": (
        "external id",
        "reference id",
        "external reference",
        "foreign id",
        "remote id",
        "source id",
        "reference",
        "external key",
        "client id",
    ),
    "created_at": (
        "created",
        "created at",
        "date created",
        "creation date",
        "created on",
        "signed up at",
        "sign up date",
        "signed up",
        "signup at",
        "registered at",
        "registration date",
        "joined at",
        "created time",
        "creation time",
        "create time",
        "date joined",
        "date",
        "issue date",
        "issued at",
        "issued on",
        "date issued",
        "transaction date",
        "timestamp",
        "occurred at",
        "occurred",
        "happened at",
    ),
    "updated_at": (
        "updated",
        "updated at",
        "date updated",
        "last modified",
        "modified at",
        "updated on",
        "modified",
        "last updated",
        "update time",
        "last updated at",
    ),
    "birthday": ("birth date", "date of birth", "born", "birth"),
    "avatar": (
        "avatar",
        "avatar url",
        "image",
        "image url",
        "photo",
        "photo url",
        "picture",
        "picture url",
        "profile image",
        "profile picture",
    ),
    "language": ("language", "locale", "preferred language", "preferred locale", "preferred locales", "languages"),
    "timezone": ("timezone", "time zone"),
    "website": ("website", "web site", "homepage", "home page", "blog", "site", "website url"),
    "note": ("note", "notes", "comment", "comments", "description", "about", "bio", "body", "content", "memo"),
    "tags": ("tags", "tag", "labels", "label", "tag ids"),
    "custom_fields": (
        "metadata",
        "custom attributes",
        "custom fields",
        "properties",
        "extra",
        "meta",
        "custom data",
        "additional properties",
        "extended properties",
    ),
    "subscribed": (
        "subscribed",
        "marketing opt in",
        "email opt in",
        "accepts marketing",
        "opted in",
        "opt in",
        "newsletter",
        "marketing consent",
        "email subscribed",
    ),
    "username": ("user name", "login", "handle", "screen name"),
    "gender": ("gender", "sex"),
    "status": ("status", "state of account", "lifecycle stage"),
    "currency": ("currency", "currency code", "default currency"),
    # Documents, tasks, orders, products, payments, events.
    "due_date": ("due on", "due date", "due at", "due by", "deadline", "due"),
    "expires_at": ("expires at", "expires on", "expiry date", "expiration date", "expires", "expiry", "valid until"),
    "start_date": ("start on", "start date", "start at", "starts at", "start", "start time", "begins at"),
    "end_date": ("end on", "end date", "end at", "ends at", "end", "end time", "finish date"),
    "completed_at": (
        "completed at",
        "completed on",
        "closed at",
        "closed on",
        "finished at",
        "resolved at",
        "done at",
        "completion date",
    ),
    "completed": ("completed", "complete", "done", "closed", "resolved", "finished"),
    "archived": ("archived", "archive"),
    "paid_at": ("paid at", "paid on", "payment date", "paid date", "fully paid on date", "date paid"),
    "total": ("total", "total amount", "amount total", "grand total", "total money", "total price"),
    "subtotal": ("subtotal", "sub total", "subtotal amount", "net amount"),
    "tax": ("tax", "tax amount", "total tax", "tax money", "amount tax", "tax total"),
    "unit_price": (
        "unit price",
        "unit amount",
        "price",
        "price money",
        "price amount",
        "price money amount",
        "base price",
    ),
    "amount_due": ("amount due", "balance due", "amount remaining", "amount outstanding", "outstanding amount"),
    "quantity": ("quantity", "qty", "units", "quantity ordered"),
    "sku": ("sku", "stock keeping unit", "item code", "product code"),
    "discount": ("discount", "discount amount", "total discount", "amount off", "discount money"),
    "percentage": ("percentage", "percent", "percent off", "percentage off", "discount percentage", "rate", "tax rate"),
    "web_url": ("url", "html url", "web url", "permalink", "permalink url", "hosted url", "public url", "link"),
    "assignee": ("assignee", "assigned to", "assignee id", "assigned user"),
    "color": ("color", "colour"),
    "balance": ("balance", "account balance"),
    "tax_id": ("tax id", "tax number", "vat number", "tax ids", "vat id"),
    "last_seen_at": (
        "last seen at",
        "last seen",
        "last active",
        "last activity",
        "last login",
        "last activity at",
        "last login at",
    ),
}

_PHRASE_TO_CONCEPT = {phrase: concept for concept, phrases in CONCEPTS.items() for phrase in phrases}


def singular(word: str) -> str:
    """``items`` -> ``item``, ``addresses`` -> ``address``, ``categories`` -> ``category`` (enough for names)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


@cache
def words(name: str) -> tuple[str, ...]:
    """``EmailAddress`` / ``email_address`` / ``email-address`` -> ('email', 'address'), abbreviations expanded."""
    out: list[str] = []
    for raw in _WORDS.findall(name):
        word = raw.lower()
        expanded = ABBREVIATIONS.get(word, word)
        out.extend(expanded.split())
    return tuple(out)


@cache
def meaningful(name: str) -> tuple[str, ...]:
    """The words of a field name without record-type and container words (unless nothing else is left)."""
    tokens = words(name)
    kept = tuple(t for t in tokens if t not in NOISE)
    return kept or tokens


@cache
def concept(name: str) -> str | None:
    """The vocabulary concept of a field name, if it names one (``zipCode`` -> ``postal_code``)."""
    found = _PHRASE_TO_CONCEPT.get(" ".join(words(name)))
    if found is not None:
        return found
    tokens = meaningful(name)
    phrase = " ".join(tokens)
    found = _PHRASE_TO_CONCEPT.get(phrase)
    if found is None and len(tokens) > 1 and tokens[-1] in ("id", "ids") and {"external", "reference"} & set(tokens):
        found = "external_id"
    if found is None and tokens and tokens[-1] in ("url", "uri"):
        found = _PHRASE_TO_CONCEPT.get(" ".join(tokens[:-1]))
        found = found if found in LINK_CONCEPTS else None  # an avatar_url is an avatar; a comments_url no comment
    if found is None and len(tokens) > 1 and tokens[-1] in RENDERINGS:
        found = _PHRASE_TO_CONCEPT.get(" ".join(tokens[:-1]))  # description_plaintext is a description
    if found is None and tokens and singular(tokens[-1]) != tokens[-1]:
        found = _PHRASE_TO_CONCEPT.get(" ".join((*tokens[:-1], singular(tokens[-1]))))  # images: an image
    if found is None and len(tokens) > 1:
        # An email or phone of the record's party is one (receipt_email, buyer_email_address, billing_phone).
        for size in (2, 1):
            head = _PHRASE_TO_CONCEPT.get(" ".join(tokens[-size:]))
            if head in QUALIFIED_CONCEPTS and set(tokens[:-size]) <= PARTY_ROLES:
                return head
    if found is None and len(tokens) > 1:
        # Every word names the same concept on its own: state_province_region is a region.
        votes = {_PHRASE_TO_CONCEPT.get(t) for t in tokens}
        if len(votes) == 1 and None not in votes:
            found = votes.pop()
    return found


QUALIFIED_CONCEPTS = frozenset({"email", "phone"})
"""Concepts a name keeps with a party's role before it: a ``receipt_email`` is an email address."""
PARTY_ROLES = frozenset({"receipt", "buyer", "billing", "payer", "recipient", "work", "business", "contact", "owner"})
"""Roles that say whose email or phone it is (not which of several: ``alternate_emails``, ``second_email``)."""
RENDERINGS = frozenset({"plaintext", "plain", "html", "markdown", "md", "raw", "formatted", "rendered", "text"})
"""Words that name how a value is written, not what it is."""
LINK_CONCEPTS = frozenset({"avatar", "website", "web_url"})
"""Concepts whose values are links, so ``<concept>_url`` names them too."""

GENERIC = {
    "type",
    "name",
    "id",
    "value",
    "code",
    "status",
    "key",
    "label",
    "kind",
    "url",
    "href",
    "uri",
    "number",
    "text",
    "object",
    "amount",
    "date",
    "title",
}
"""Leaf names that mean little without their parent: a 'type' under 'credentials' is not a 'type' under 'tax_id'."""

# Containers of links and bookkeeping rather than record data.
HYPERMEDIA = {"_links", "links", "relationships", "_embedded", "meta", "included", "_meta", "jsonapi"}


def canonical(name: str) -> str:
    """The name as compared by similarity: its concept if it has one, else its meaningful words."""
    found = concept(name)
    return found.replace("_", " ") if found else " ".join(meaningful(name))


def path_words(path: str) -> tuple[str, ...]:
    """All meaningful words of a field path's parents (``address.city`` -> ('address',))."""
    parents = path.replace("[]", "").split(".")[:-1]
    return tuple(w for part in parents for w in meaningful(part) if w not in NOISE)
