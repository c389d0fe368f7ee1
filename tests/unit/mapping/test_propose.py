"""The mapper on small hand-made schemas: synonyms, types, hints, transforms, combinations, required fields."""

from __future__ import annotations

from typing import Any

import pytest

from vitesse.errors import MappingError
from vitesse.ingest.models import ApiSpec, Endpoint, SourceInfo
from vitesse.manifest.models import MappingConfig, Transform
from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.propose import propose_mapping


def spec(endpoint: Endpoint) -> ApiSpec:
    return ApiSpec(
        api_name="T",
        openapi_version="3.0.3",
        schema_dialect="openapi-3.0",
        endpoints=[endpoint],
        source=SourceInfo(location="-", sha256="-", documents=1, bytes=0),
    )


def obj(**properties: Any) -> dict[str, Any]:
    required = [k.removesuffix("_req") for k in properties if k.endswith("_req")]
    props = {k.removesuffix("_req"): v for k, v in properties.items()}
    return {"type": "object", "properties": props, **({"required": required} if required else {})}


S, INT, B = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
DT, UNIX = {"type": "string", "format": "date-time"}, {"type": "integer", "format": "unix-time"}

CUSTOMER = obj(
    id=S,
    email=S,
    first_name=S,
    last_name=S,
    phone=S,
    company_name=S,
    created=UNIX,
    vip=B,
    visits=INT,
    address=obj(line1=S, city=S, postal_code=S, country=S),
    shipping=obj(city=S),
    tags={"type": "array", "items": S},
    metadata={"type": "object", "additionalProperties": S},
)
CONTACT = obj(
    email_address_req=S,
    given_name=S,
    family_name=S,
    phone_number=S,
    organization=S,
    external_id=S,
    signed_up_at=DT,
    vip=S,
    visit_count=S,
    location=obj(street=S, city=S, zip=S, country_code=S),
    labels={"type": "array", "items": S},
    custom_fields={"type": "object"},
    favorite_color_req=S,
)


def propose(source: dict, dest: dict, config: MappingConfig | None = None, **kwargs: Any):
    src = Endpoint(path="/customers", method="GET", response_schema=source, record_path="data[]")
    dst = Endpoint(path="/contacts", method="POST", request_schema=dest)
    return propose_mapping(spec(src), src, spec(dst), dst, config or MappingConfig(), **kwargs)


def by_dest(logic) -> dict[str, Any]:
    return {t.dest_field: t for t in logic.transformations}


def test_a_careful_mapping() -> None:
    logic = propose(CUSTOMER, CONTACT)
    got = {d: (t.source_field, t.transform_type) for d, t in by_dest(logic).items()}
    assert got == {
        "email_address": ("email", "mapping"),
        "given_name": ("first_name", "mapping"),
        "family_name": ("last_name", "mapping"),
        "phone_number": ("phone", "mapping"),
        "organization": ("company_name", "mapping"),
        "external_id": ("id", "mapping"),
        "signed_up_at": ("created", "unix_to_iso"),
        "vip": ("vip", "stringify"),
        "location.street": ("address.line1", "mapping"),
        "location.city": ("address.city", "direct"),
        "location.zip": ("address.postal_code", "mapping"),
        "location.country_code": ("address.country", "mapping"),
        "labels": ("tags", "mapping"),
        "custom_fields": ("metadata", "mapping"),
    }
    assert logic.unmapped_required == ["favorite_color"]
    for t in logic.transformations:
        assert 0.6 <= t.confidence <= 1 and t.reason
    assert by_dest(logic)["given_name"].reason == "synonyms (given name)"
    assert 1 <= logic.complexity_score <= 10


def test_address_parts_follow_their_parent() -> None:
    # city exists under address and shipping: location.city must take address.city, not shipping.city
    assert by_dest(propose(CUSTOMER, CONTACT))["location.city"].source_field == "address.city"


def test_one_to_one_global_assignment() -> None:
    logic = propose(obj(phone=S), obj(phone=S, shipping=obj(phone=S)))
    assert [(t.dest_field, t.source_field) for t in logic.transformations] == [("phone", "phone")]
    assert logic.below_threshold[0].dest_field == "shipping.phone"
    assert "source already mapped" in logic.below_threshold[0].reason


def test_hints_and_transforms_win() -> None:
    config = MappingConfig(
        hints={"shipping.city": "location.city"},
        transforms=[
            Transform(dest_field="favorite_color", transform_type="custom", template="'blue'"),
            Transform(dest_field="organization", transform_type="stringify", source_field="visits"),
        ],
    )
    t = by_dest(propose(CUSTOMER, CONTACT, config))
    assert (t["location.city"].source_field, t["location.city"].reason, t["location.city"].confidence) == (
        "shipping.city",
        "manual hint",
        1.0,
    )
    assert t["favorite_color"].template == "'blue'"
    assert t["organization"].source_field == "visits"


def test_hint_to_a_missing_field_names_it() -> None:
    with pytest.raises(
        MappingError,
        match=r"mapping.hints.emial: source field 'emial' does not exist; did you mean "
        r"'email'\?",
    ):
        propose(CUSTOMER, CONTACT, MappingConfig(hints={"emial": "email_address"}))


def test_escaping_template_in_the_manifest_is_refused() -> None:
    config = MappingConfig(
        transforms=[
            Transform(dest_field="favorite_color", transform_type="custom", template="{{ email.__class__.__mro__ }}")
        ]
    )
    with pytest.raises(MappingError, match=r"mapping.transforms\[0\]: access to '__\w+__' is not allowed"):
        propose(CUSTOMER, CONTACT, config)


def test_min_confidence_leaves_weak_pairs_unmapped() -> None:
    logic = propose(obj(email=S, account_label=S), obj(email=S, account_labels=S), MappingConfig(min_confidence=0.95))
    assert [t.dest_field for t in logic.transformations] == ["email"]
    assert logic.below_threshold and logic.below_threshold[0].dest_field == "account_labels"


def test_full_name_from_first_and_last() -> None:
    logic = propose(obj(first_name=S, last_name=S), obj(name_req=S))
    t = by_dest(logic)["name"]
    assert (t.transform_type, t.source_fields) == ("custom", ["first_name", "last_name"])
    result = compile_mapping(logic)({"first_name": "Jenny", "last_name": "Rosen"})
    assert result.record == {"name": "Jenny Rosen"}
    assert compile_mapping(logic)({"first_name": "Jenny"}).record == {"name": "Jenny"}
    assert logic.unmapped_required == []


def test_first_and_last_split_from_a_full_name() -> None:
    logic = propose(obj(name=S), obj(first_name=S, last_name=S))
    run = compile_mapping(logic)
    assert run({"name": "Jenny Rosen"}).record == {"first_name": "Jenny", "last_name": "Rosen"}
    assert run({"name": "Cher"}).record == {"first_name": "Cher", "last_name": ""}


def test_one_line_address_from_parts() -> None:
    logic = propose(obj(address=obj(line1=S, city=S, state=S, postal_code=S)), obj(address=S))
    result = compile_mapping(logic)({"address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "1"}})
    assert result.record == {"address": "1 Main St, Springfield, 1"}


def test_list_element_to_scalar_reads_the_first() -> None:
    logic = propose(
        obj(emails={"type": "array", "items": obj(value=S)}, tags={"type": "array", "items": S}), obj(email=S, tag=S)
    )
    run = compile_mapping(logic)
    assert by_dest(logic)["email"].source_field == "emails[].value"
    assert run({"emails": [{"value": "a@b"}, {"value": "c@d"}], "tags": ["x", "y"]}).record == {
        "email": "a@b",
        "tag": "x",
    }


def test_evidence_from_other_integrations() -> None:
    plain = propose(obj(handle=S), obj(nickname=S))
    assert plain.transformations == []
    learned = propose(obj(handle=S), obj(nickname=S), evidence={("username", "nickname"): ["crm-sync"]})
    assert learned.transformations[0].reason.endswith("accepted before in crm-sync")
    assert learned.transformations[0].confidence >= 0.9


def test_generic_names_need_the_same_place() -> None:
    logic = propose(obj(relationships=obj(list=obj(type=S)), name=S), obj(credentials=obj(type=S), name=S))
    assert [t.dest_field for t in logic.transformations] == ["name"]


def test_no_fields_is_a_clear_error() -> None:
    with pytest.raises(MappingError, match="no request body fields"):
        propose(CUSTOMER, {"type": "object"})


def test_the_primary_phone_and_the_records_own_id() -> None:
    """Okta's ``primaryPhone`` over its ``mobilePhone``; Xero's ``ContactID`` (not ``MergedToContactID``, another
    contact's) is the contact's id and so its external reference elsewhere."""
    source = obj(ContactID=S, MergedToContactID=S, primaryPhone=S, mobilePhone=S)
    src = Endpoint(path="/Contacts", method="GET", response_schema=source, record_path="[]")
    dst = Endpoint(path="/contacts", method="POST", request_schema=obj(external_id=S, phone=S))
    logic = propose_mapping(spec(src), src, spec(dst), dst, MappingConfig())
    found = {t.dest_field: t.sources for t in logic.transformations}
    assert found == {"external_id": ["ContactID"], "phone": ["primaryPhone"]}


def test_a_login_described_as_an_email_and_a_one_value_source() -> None:
    """Box's ``login`` is "The email address the user uses to log in"; Klaviyo's JSON:API ``type`` (one allowed
    value) says nothing about a profile and feeds no ``userType``."""
    login = {"type": "string", "description": "The email address the user uses to log in"}
    source = obj(email=S, type={"type": "string", "enum": ["profile"]})
    src = Endpoint(path="/api/profiles", method="GET", response_schema=source, record_path="[]")
    dst = Endpoint(path="/users", method="POST", request_schema=obj(login=login, userType=S))
    logic = propose_mapping(spec(src), src, spec(dst), dst, MappingConfig())
    assert {t.dest_field: t.sources for t in logic.transformations} == {"login": ["email"]}
