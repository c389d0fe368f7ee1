"""Field names as words, and flattening record schemas into field paths."""

from __future__ import annotations

import pytest

from vitesse.mapping.fields import flatten
from vitesse.mapping.vocabulary import concept, words


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("EmailAddress", ("email", "address")),
        ("email_address", ("email", "address")),
        ("emailAddress", ("email", "address")),
        ("email-address", ("email", "address")),
        ("HTTPStatusCode", ("http", "status", "code")),
        ("address_line_1", ("address", "line", "1")),
        ("fname", ("first", "name")),
        ("dob", ("birth", "date")),
    ],
)
def test_words(name: str, expected: tuple[str, ...]) -> None:
    assert words(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("given_name", "given_name"),
        ("firstName", "given_name"),
        ("surname", "family_name"),
        ("zipCode", "postal_code"),
        ("postcode", "postal_code"),
        ("customer_email", "email"),
        ("company_name", "company"),
        ("organisation", "company"),
        ("address1", "street"),
        ("administrative_district_level_1", "region"),
        ("state_province_region", "region"),
        ("external_app_user_id", "external_id"),
        ("custom_attributes", "custom_fields"),
        ("signed_up_at", "created_at"),
        ("avatar_url", "avatar"),
        ("favorite_color", None),
        ("id", None),
    ],
)
def test_concepts(name: str, expected: str | None) -> None:
    assert concept(name) == expected


SCHEMAS = {
    "Address": {
        "type": "object",
        "required": ["city"],
        "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
    },
    "Node": {"type": "object", "properties": {"name": {"type": "string"}, "parent": {"$ref": "#/schemas/Node"}}},
}


def test_flatten_nested_required_and_arrays() -> None:
    record = {
        "type": "object",
        "required": ["id", "address"],
        "properties": {
            "id": {"type": "string"},
            "address": {"$ref": "#/schemas/Address"},
            "billing": {"$ref": "#/schemas/Address"},
            "emails": {
                "type": "array",
                "items": {"type": "object", "properties": {"value": {"type": "string", "format": "email"}}},
            },
            "tags": {"type": "array", "items": {"type": "string"}},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "created": {"type": ["integer", "null"]},
        },
    }
    fields = {f.path: f for f in flatten(record, SCHEMAS)}
    assert list(fields) == [
        "id",
        "address.city",
        "address.zip",
        "billing.city",
        "billing.zip",
        "emails[].value",
        "tags",
        "metadata",
        "created",
    ]
    assert fields["address.city"].required and not fields["billing.city"].required
    assert not fields["address.zip"].required
    assert fields["emails[].value"].format == "email"
    assert (fields["tags"].type, fields["tags"].item_type) == ("array", "string")
    assert fields["metadata"].free_form
    assert fields["created"].type == "integer" and fields["created"].nullable


def test_flatten_stops_at_cycles() -> None:
    fields = [f.path for f in flatten({"$ref": "#/schemas/Node"}, SCHEMAS)]
    assert fields == ["name"]  # parent is a Node again: the walk stops at the first repeat


def test_all_of_merges_and_one_of_unions() -> None:
    record = {
        "allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
            {
                "oneOf": [
                    {"required": ["b"], "properties": {"b": {"type": "integer"}}},
                    {"properties": {"c": {"type": "boolean"}}},
                ]
            },
        ]
    }
    fields = {f.path: f for f in flatten(record, {})}
    assert set(fields) == {"a", "b", "c"}
    assert fields["a"].required and not fields["b"].required


def test_expandable_id_or_object_is_the_id_and_emptyable_object_is_the_object() -> None:
    record = {
        "type": "object",
        "properties": {
            "customer": {"anyOf": [{"type": "string"}, {"$ref": "#/schemas/Address"}]},
            "address": {"anyOf": [{"$ref": "#/schemas/Address"}, {"type": "string", "enum": [""]}]},
        },
    }
    fields = {f.path: f.type for f in flatten(record, SCHEMAS)}
    assert fields == {"customer": "string", "address.city": "string", "address.zip": "string"}
