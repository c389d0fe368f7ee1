"""The meaning check: mapped values against the destination field's own examples and listed values, and the source
field's own shape; no verdict where the specs give none. Then the whole test step on GitHub issues -> Asana tasks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import shared_specs
from vitesse.guardian.meaning import MeaningCheck, values_at
from vitesse.guardian.report import TestDetail, failures
from vitesse.guardian.run import Sides, run_tests
from vitesse.ingest import ApiSpec, ingest_spec
from vitesse.manifest.models import Side, TestConfig
from vitesse.mapping.fields import Field
from vitesse.mapping.models import MappingLogic

NOTES = Field("data.notes", "string", examples=("Mittens really likes the stuff from Humboldt.",))
DUE = Field("data.due", "string", examples=("2019-09-15",))
ASSIGNEE = Field(
    "data.assignee",
    "string",
    examples=("12345",),
    description='A string identifying a user. This can either be the string "me", an email, or the gid of a user.',
)
NAME = Field("data.name", "string", examples=("Buy catnip",))
BLOB = Field("data.external.data", "string", examples=("A blob of information.",))
LOOSE = Field("data.loose", "string", examples=("12345", "https://example.com/x"))
BARE = Field("data.bare", "string")
STATUS = Field("data.status", "string", examples=("todo",), description="Can be one of `todo`, `doing` or `done`.")
DESTS = [NOTES, DUE, ASSIGNEE, NAME, BLOB, LOOSE, BARE, STATUS]
SOURCES = [
    Field("comments_url", "string", format="uri"),
    Field("body", "string", examples=("I'm having a problem with this.",)),
    Field("labels_url", "string", examples=("https://api.github.com/repos/o/r/labels{/name}",)),
    Field("updated_at", "string", format="date-time"),
    Field("homepage", "string"),
    Field("login", "string", examples=("octocat",)),
    Field("email", "string", format="email"),
    Field("title", "string"),
    Field("state", "string", enum=("open", "closed"), examples=("open",)),
]


def logic(*pairs: tuple[str, str], transform_type: str = "mapping", reason: str = "name match") -> MappingLogic:
    return MappingLogic.model_validate(
        {
            "source_endpoint": "/issues",
            "source_method": "GET",
            "dest_endpoint": "/tasks",
            "dest_method": "POST",
            "complexity_score": 1,
            "transformations": [
                {
                    "source_field": s,
                    "dest_field": d,
                    "transform_type": transform_type,
                    "confidence": 0.7,
                    "reason": reason,
                }
                for s, d in pairs
            ],
        }
    )


def problems(record: dict[str, Any], *pairs: tuple[str, str], **kwargs: Any) -> list[tuple[str, str]]:
    check = MeaningCheck(logic(*pairs, **kwargs), SOURCES, DESTS)
    return [(p.field, p.check) for p in check.problems(record)]


def test_a_url_into_free_text_fails_the_examples_check() -> None:
    check = MeaningCheck(logic(("homepage", "data.notes")), SOURCES, DESTS)  # the source spec says nothing of it
    (found,) = check.problems({"data": {"notes": "https://api.github.com/repos/o/r/issues/1/comments"}})
    assert found.field == "data.notes" and found.check == "examples" and found.code == "meaning.examples"
    assert found.message == (
        "data.notes: the destination's examples are free text ('Mittens really likes the stuff from H...'); "
        "got a URL ('https://api.github.com/repos/o/r/issu...')"
    )


def test_the_source_fields_own_spec_is_the_strongest_evidence() -> None:
    check = MeaningCheck(logic(("comments_url", "data.notes"), ("labels_url", "data.name")), SOURCES, DESTS)
    found = check.problems({"data": {"notes": "Zoë Ünïcødé", "name": "Oceanographer"}})  # whatever was generated
    assert [(p.field, p.check) for p in found] == [("data.notes", "source"), ("data.name", "source")]
    assert "the source field comments_url holds URLs by its format uri" in found[0].message
    assert "the source field labels_url holds URLs by its examples ('https://api.github.com/repos/o/r/labe...')" in (
        found[1].message
    )
    # specs that agree settle it: a generated value of another shape is not held against the mapping
    assert problems({"data": {"notes": "https://example.com/"}}, ("body", "data.notes")) == []


def test_one_of_a_few_values_is_no_free_text() -> None:
    (found,) = MeaningCheck(logic(("state", "data.notes")), SOURCES, DESTS).problems({"data": {"notes": "closed"}})
    assert found.check == "source" and "holds one of a few values by its enum ('open', 'closed')" in found.message
    assert problems({"data": {"name": "closed"}}, ("state", "data.name")) == []  # a short text may be a state


def test_a_date_time_into_a_field_whose_examples_are_dates() -> None:
    assert problems({"data": {"due": "2020-07-12T05:24:20Z"}}, ("homepage", "data.due")) == [("data.due", "examples")]
    assert problems({"data": {"due": "2020-07-12T05:24:20Z"}}, ("updated_at", "data.due")) == [("data.due", "source")]
    assert problems({"data": {"due": "2020-07-12"}}, ("homepage", "data.due")) == []


def test_matching_shapes_and_fields_without_a_verdict_pass() -> None:
    record = {
        "data": {
            "notes": "It crashes on Safari when I try to create the widget.",
            "name": "Widget",  # a word is a short text
            "loose": "https://example.com/y",  # inconsistent examples: not checked
            "bare": "https://example.com/z",  # no examples: not checked
            "external": {"data": "https://github.com/o/r/issues/1"},  # a container's placeholder example
            "due": None,  # null and empty values are not checked
            "assignee": "",
        }
    }
    pairs = [(s, d) for s, d in zip(["homepage"] * 7, ["data.notes", "data.name", "data.loose", "data.bare",
             "data.external.data", "data.due", "data.assignee"], strict=True)]  # fmt: skip
    assert problems(record, *pairs) == []
    # a shape the destination's description names is allowed: Asana's assignee takes "an email" too
    assert problems({"data": {"assignee": "jane@example.com"}}, ("email", "data.assignee")) == []
    assert problems({"data": {"assignee": "https://x.test/u/1"}}, ("comments_url", "data.assignee")) == [
        ("data.assignee", "source")
    ]


def test_a_word_the_generator_made_up_is_not_judged() -> None:
    # homepage has no format and no examples: a word made for it may be the generator's guess, a URL is not
    assert problems({"data": {"due": "Oceanographer"}}, ("homepage", "data.due")) == []
    assert problems({"data": {"due": "https://example.com"}}, ("homepage", "data.due")) == [("data.due", "examples")]


def test_the_values_a_description_lists() -> None:
    assert problems({"data": {"status": "doing"}}, ("title", "data.status")) == []
    assert problems({"data": {"status": "CO"}}, ("title", "data.status")) == [("data.status", "values")]


def test_what_the_manifest_states_is_not_judged() -> None:
    record = {"data": {"notes": "https://api.github.com/x"}}
    assert problems(record, ("comments_url", "data.notes"), reason="explicit transform in the manifest") == []
    assert problems(record, ("comments_url", "data.notes"), reason="manual hint") == [("data.notes", "source")]


def test_values_at_reads_nested_fields_and_list_elements() -> None:
    record = {"a": {"b": 1}, "emails": [{"value": "x"}, {"value": "y"}, {}], "n": None}
    assert list(values_at(record, "a.b")) == [1]
    assert list(values_at(record, "emails[].value")) == ["x", "y"]
    assert list(values_at(record, "missing.x")) == [] and list(values_at(record, "n")) == [None]


def test_the_failure_report_names_the_check_and_a_fix() -> None:
    found = MeaningCheck(logic(("comments_url", "data.notes")), SOURCES, DESTS).problems(
        {"data": {"notes": "https://api.github.com/x"}}
    )
    test = TestDetail(1, "POST /tasks", "POST", "record", passed=False)
    test.errors = [p.message for p in found]
    test.problems = [(p.field, p.code) for p in found]
    (entry,) = failures([test], logic(("comments_url", "data.notes")))
    assert entry["problem"] == "meaning.source" and entry["check"] == "source"
    assert entry["suggestion"].startswith("data.notes gets comments_url via mapping, but the source field's spec")
    assert "(source check)" in entry["suggestion"] and "hint `<source field>: data.notes`" in entry["suggestion"]
    assert "state it in mapping.transforms" in entry["suggestion"]


# -- the whole test step on the real specs -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def github_asana() -> tuple[ApiSpec, ApiSpec]:
    github = ingest_spec(str(shared_specs() / "github-rest" / "api.github.com-2020-09.json"))
    asana = ingest_spec(str(shared_specs() / "asana" / "asana_oas.yaml"))
    return github, asana


def issues_to_tasks(github_asana: tuple[ApiSpec, ApiSpec], *transformations: dict[str, Any]) -> dict[str, Any]:
    github, asana = github_asana
    issues, tasks = github.endpoint("GET /repos/{owner}/{repo}/issues"), asana.endpoint("POST /tasks")
    mapping = MappingLogic.model_validate(
        {
            "source_endpoint": issues.path,
            "source_method": "GET",
            "dest_endpoint": tasks.path,
            "dest_method": "POST",
            "complexity_score": 2,
            "transformations": [
                {"transform_type": "mapping", "confidence": 0.7, "reason": "name match", **t} for t in transformations
            ],
        }
    )
    sides = Sides(github, issues, Side(api="GitHub"), asana, tasks, Side(api="Asana"))
    return run_tests(sides, mapping, TestConfig(), sample_size=20)


RIGHT = (
    {"source_field": "title", "dest_field": "data.name"},
    {"source_field": "body", "dest_field": "data.notes"},
    {"source_field": "id", "dest_field": "data.external.gid", "transform_type": "stringify"},
    {"source_field": "html_url", "dest_field": "data.external.data"},
    {"source_fields": ["state"], "dest_field": "data.completed", "transform_type": "custom",
     "template": "state == 'closed'"},
)  # fmt: skip


@pytest.mark.slow
def test_wrong_pairs_that_are_schema_valid_fail_the_gate(github_asana: tuple[ApiSpec, ApiSpec]) -> None:
    """The pairs that passed at 89.5: every value schema-valid, the meaning wrong."""
    results = issues_to_tasks(
        github_asana,
        {"source_field": "title", "dest_field": "data.name"},
        {"source_field": "comments_url", "dest_field": "data.notes"},
        {"source_field": "updated_at", "dest_field": "data.due_at"},
        {"source_field": "assignee.url", "dest_field": "data.assignee"},
    )
    assert results["health_score"]["data_quality"] == 100  # the schema accepts every record
    assert results["health_score"]["overall"] < 70 and not results["passed"]
    checks = {(f["field"], f["problem"]) for f in results["failures"]}
    assert checks == {("data.notes", "meaning.source"), ("data.assignee", "meaning.source")}
    # with a date field too, the schema's format check joins in (and the meaning check does not repeat it)
    results = issues_to_tasks(
        github_asana,
        {"source_field": "comments_url", "dest_field": "data.notes"},
        {"source_field": "updated_at", "dest_field": "data.due_on"},
    )
    assert results["health_score"]["overall"] < 70
    assert {(f["field"], f["problem"]) for f in results["failures"]} == {
        ("data.notes", "meaning.source"),
        ("data.due_on", "format"),
    }


@pytest.mark.slow
def test_the_right_pairs_pass_and_the_state_transform_sees_both_states(
    github_asana: tuple[ApiSpec, ApiSpec],
) -> None:
    results = issues_to_tasks(github_asana, *RIGHT)
    assert results["failures"] == [] and results["health_score"]["overall"] == 100
    samples = results["samples"]
    assert {s["source"]["state"] for s in samples} <= {"open", "closed"}
    completed = [t["transformed"]["data"]["completed"] for t in samples]
    assert set(completed) == {True, False}  # `state == 'closed'` is exercised both ways


def test_a_money_object_with_a_currency_and_no_amount_is_partial() -> None:
    from vitesse.guardian.meaning import MeaningCheck
    from vitesse.mapping.fields import Field
    from vitesse.mapping.models import MappingLogic, Transformation

    logic = MappingLogic(
        source_endpoint="/refunds",
        source_method="GET",
        dest_endpoint="/refunds",
        dest_method="POST",
        transformations=[
            Transformation(
                dest_field="amount_money.currency",
                source_field="currency",
                transform_type="direct",
                confidence=1,
                reason="hint",
            )
        ],
        complexity_score=1,
    )
    dests = [Field("amount_money.amount", type="integer"), Field("amount_money.currency", type="string")]
    check = MeaningCheck(logic, [Field("currency", type="string")], dests)
    [problem] = check.problems({"amount_money": {"currency": "USD"}})
    assert problem.code == "meaning.partial" and problem.field == "amount_money.amount"
    assert "no amount" in problem.message
    assert check.problems({"amount_money": {"currency": "USD", "amount": 5}}) == []
    assert check.problems({}) == []
