"""Review committed to git: which proposals need review, and what accepting them writes into the manifest."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.mapping.test_propose import spec
from vitesse.errors import MappingError
from vitesse.ingest.models import Endpoint
from vitesse.manifest.models import MappingConfig, Transform
from vitesse.mapping.accept import acceptance
from vitesse.mapping.match import evidence_key
from vitesse.mapping.models import Candidate, MappingLogic, Transformation
from vitesse.mapping.propose import propose_mapping
from vitesse.mapping.review import EVIDENCE, mark_for_review

S = {"type": "string"}


def obj(*names: str) -> dict[str, Any]:
    return {"type": "object", "properties": dict.fromkeys(names, S)}


def propose(source: dict, dest: dict, config: MappingConfig | None = None, **kwargs: Any) -> MappingLogic:
    src = Endpoint(path="/people", method="GET", response_schema=source, record_path="data[]")
    dst = Endpoint(path="/contacts", method="POST", request_schema=dest)
    return propose_mapping(spec(src), src, spec(dst), dst, config or MappingConfig(), **kwargs)


def t(dest: str, confidence: float, reason: str = "similar names (80%)", **kwargs: Any) -> Transformation:
    kwargs.setdefault("source_field", dest)
    kwargs.setdefault("transform_type", "direct")
    return Transformation(dest_field=dest, confidence=confidence, reason=reason, **kwargs)


def logic_of(*transformations: Transformation, **kwargs: Any) -> MappingLogic:
    return MappingLogic(
        source_endpoint="/people",
        source_method="GET",
        dest_endpoint="/contacts",
        dest_method="POST",
        transformations=list(transformations),
        complexity_score=1,
        **kwargs,
    )


def test_only_what_the_mapper_proposed_below_review_below_needs_review() -> None:
    config = MappingConfig(
        hints={"id": "external_id"},
        transforms=[Transform(dest_field="status", transform_type="custom", template="'lead'")],
        constants={"board": "eng"},
        review_below=0.8,
    )
    rows = [
        t("notes", 0.72),
        t("phone", 0.8),  # at the threshold: confident enough
        t("title", 0.95),
        t("external_id", 0.5, "manual hint"),  # decided in the manifest, whatever its confidence says
        t("status", 0.5, "explicit transform in the manifest", transform_type="custom", template="'lead'"),
        t("board", 0.5, "constant in the manifest", source_field=None, transform_type="constant", value="eng"),
        t("label", 0.7, f"similar names (70%); {EVIDENCE} crm-to-mailwave"),
    ]
    mark_for_review(rows, config)
    assert [r.dest_field for r in rows if r.needs_review] == ["notes"]
    mark_for_review(rows, MappingConfig(review_below=0))  # 0 turns review off
    assert not any(r.needs_review for r in rows)


def test_propose_marks_a_name_split_and_carries_review_below() -> None:
    logic = propose(obj("id", "email", "full_name"), obj("email", "first_name", "last_name"))
    split = {r.dest_field: r for r in logic.transformations}
    assert split["first_name"].transform_type == "custom" and split["first_name"].confidence < 0.8
    assert split["first_name"].needs_review and split["last_name"].needs_review
    assert not split["email"].needs_review
    assert logic.review_below == 0.8
    relaxed = propose(obj("id", "email", "full_name"), obj("email", "first_name"), MappingConfig(review_below=0.7))
    assert relaxed.review_below == 0.7 and not any(r.needs_review for r in relaxed.transformations)


def test_a_pairing_accepted_in_another_integration_needs_no_review() -> None:
    # The matcher's reason for evidence must keep naming it the way `EVIDENCE` says, or this review rule breaks.
    evidence = {(evidence_key("notes_url"), evidence_key("remarks")): ["crm-to-mailwave"]}
    config = MappingConfig(review_below=0.99)
    logic = propose(obj("id", "notes_url"), obj("remarks"), config, evidence=evidence)
    (row,) = logic.transformations
    assert EVIDENCE in row.reason and row.confidence < 0.99
    assert not row.needs_review


def test_acceptance_writes_hints_and_transforms_for_what_a_hint_cannot_say() -> None:
    logic = logic_of(
        t("notes", 0.72, source_field="comments_url", transform_type="mapping", needs_review=True),
        t("tags", 0.7, source_field="labels[]", transform_type="mapping", needs_review=True),
        t(
            "full_name",
            0.75,
            source_field=None,
            source_fields=["first", "last"],
            transform_type="custom",
            template="[first, last] | select | join(' ')",
            needs_review=True,
        ),
        t("label", 0.7, source_field="id", transform_type="stringify", needs_review=True),
        t("email", 0.98),
    )
    accepted = acceptance(logic, MappingConfig(hints={"id": "external_id"}))
    assert accepted.hints == {"comments_url": "notes", "labels[]": "tags"}
    assert accepted.transforms == [
        {
            "dest_field": "full_name",
            "transform_type": "custom",
            "source_fields": ["first", "last"],
            "template": "[first, last] | select | join(' ')",
        },
        {"dest_field": "label", "transform_type": "stringify", "source_field": "id"},  # id already has a hint
    ]
    assert accepted.lines()[0] == "mapping.hints: comments_url: notes"
    assert "source_fields: [first, last]" in accepted.lines()[2]
    for entry in accepted.transforms:
        Transform.model_validate(entry)  # each entry is a valid manifest transform
    only = acceptance(logic, MappingConfig(), ["notes"])
    assert only.hints == {"comments_url": "notes"} and not only.transforms


def test_accepting_a_field_that_is_not_waiting_names_each_problem() -> None:
    logic = logic_of(
        t("notes", 0.72, needs_review=True),
        t("email", 0.98),
        below_threshold=[Candidate(dest_field="phone", source_field="mobile", confidence=0.5, reason="weak")],
    )
    with pytest.raises(MappingError) as caught:
        acceptance(logic, MappingConfig(), ["notse", "email", "phone"])
    message = caught.value.message
    assert "notse: no such destination field in the mapping; did you mean 'notes'?" in message
    assert "email: does not need review (similar names (80%), confidence 0.98)" in message
    assert "phone: not mapped, only a near miss (mobile, confidence 0.50): map it with the hint `mobile: phone`" in (
        message
    )
    assert message.endswith("fields needing review: notes")
    assert caught.value.code == "mapping.not_in_review"
    assert not acceptance(logic_of(t("email", 0.98)), MappingConfig())  # nothing waits: nothing to write
