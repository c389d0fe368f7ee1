"""The mapping diff of `vitesse plan`: fields added, removed, their source, transform, confidence and review changed;
endpoints and unmapped required fields; plain dicts, so an older artifact compares too."""

from __future__ import annotations

from typing import Any

from vitesse.plan.mapping_diff import diff_mappings, view


def t(dest: str, source: str | list[str] | None = None, kind: str = "direct", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"dest_field": dest, "transform_type": kind, "confidence": 0.9, "reason": "r"}
    if isinstance(source, list):
        out["source_fields"] = source
    elif source is not None:
        out["source_field"] = source
    return {**out, **extra}


def logic(*transformations: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "source_method": "GET",
        "source_endpoint": "/customers",
        "dest_method": "POST",
        "dest_endpoint": "/contacts",
        "transformations": list(transformations),
        "unmapped_required": [],
        **extra,
    }


def test_the_same_mapping_has_no_changes() -> None:
    same = logic(t("email_address", "email"), t("external_id", "id"))
    diff = diff_mappings(same, same)
    assert diff.fields == [] and diff.endpoints == {} and not diff.changes


def test_fields_added_removed_and_changed_by_destination() -> None:
    before = logic(t("email_address", "email"), t("organization", "company_name"), t("external_id", "id"))
    after = logic(t("email_address", "email"), t("external_id", "email"), t("phone_number", "phone", "mapping"))
    diff = diff_mappings(before, after)
    changes = {c.dest_field: c for c in diff.fields}
    assert [c.dest_field for c in diff.fields] == ["external_id", "organization", "phone_number"]
    assert changes["phone_number"].change == "added" and changes["phone_number"].before is None
    assert changes["phone_number"].after == {
        "source": "phone",
        "transform_type": "mapping",
        "confidence": 0.9,
        "needs_review": False,
    }
    assert changes["organization"].change == "removed" and changes["organization"].before["source"] == "company_name"
    assert changes["external_id"].change == "changed" and changes["external_id"].aspects == ["source"]
    assert (changes["external_id"].before["source"], changes["external_id"].after["source"]) == ("id", "email")
    assert diff.changes


def test_transform_type_template_and_constant_value_are_the_transform() -> None:
    before = logic(
        t("name", ["first_name", "last_name"], "custom", template="{{ first_name }} {{ last_name }}"),
        t("signed_up_at", "created", "unix_to_iso"),
        t("board", None, "constant", value="engineering"),
    )
    after = logic(
        t("name", ["first_name", "last_name"], "custom", template="[first_name, last_name] | join(' ')"),
        t("signed_up_at", "created", "direct"),
        t("board", None, "constant", value="platform"),
    )
    diff = diff_mappings(before, after)
    assert {c.dest_field: c.aspects for c in diff.fields} == {
        "board": ["transform"],
        "name": ["transform"],
        "signed_up_at": ["transform"],
    }
    board = next(c for c in diff.fields if c.dest_field == "board")
    assert (board.before["value"], board.after["value"]) == ("engineering", "platform")
    name = next(c for c in diff.fields if c.dest_field == "name")
    assert name.after["source"] == ["first_name", "last_name"] and "template" in name.after


def test_confidence_counts_to_two_decimals_and_review_on_its_own() -> None:
    before = logic(t("a", "x", confidence=0.871), t("b", "y", confidence=0.7, needs_review=True))
    after = logic(t("a", "x", confidence=0.874), t("b", "y", confidence=0.95))
    diff = diff_mappings(before, after)
    assert [(c.dest_field, c.aspects) for c in diff.fields] == [("b", ["confidence", "needs_review"])]
    assert diff.needs_review == []
    assert diff_mappings(after, before).needs_review == ["b"]


def test_endpoints_and_unmapped_required_fields() -> None:
    before = logic(t("email_address", "email"), unmapped_required=["email_address"])
    after = logic(t("email_address", "email"), dest_endpoint="/leads", unmapped_required=["owner"])
    diff = diff_mappings(before, after)
    assert diff.endpoints == {"destination": {"before": "POST /contacts", "after": "POST /leads"}}
    assert (diff.unmapped_required_before, diff.unmapped_required) == (["email_address"], ["owner"])
    assert diff.changes
    unmapped_only = diff_mappings(logic(unmapped_required=[]), logic(unmapped_required=["owner"]))
    assert unmapped_only.fields == [] and unmapped_only.changes


def test_before_the_first_map_every_field_is_added() -> None:
    diff = diff_mappings(None, logic(t("email_address", "email"), t("external_id", "id")))
    assert [(c.dest_field, c.change) for c in diff.fields] == [("email_address", "added"), ("external_id", "added")]
    assert diff.endpoints == {}  # nothing to compare an endpoint with


def test_an_older_artifact_without_newer_keys_still_compares() -> None:
    old = {"transformations": [{"dest_field": "email_address", "source_field": "email", "transform_type": "direct"}]}
    diff = diff_mappings(old, logic(t("email_address", "email", confidence=0.0)))
    assert diff.fields == []
    assert view({"dest_field": "x", "transform_type": "direct"})["source"] is None
