"""Unreviewed low-confidence fields are failed tests: they lower the health score and a mostly unsure mapping fails."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from vitesse.artifacts import ArtifactStore
from vitesse.cli import cli
from vitesse.guardian.report import TestDetail, failures, health_score
from vitesse.guardian.review import review_tests
from vitesse.mapping.models import MappingLogic, Transformation

SOURCE, DEST = "GET /issues", "POST /tasks"


def logic_with(unsure: int, sure: int = 2) -> MappingLogic:
    rows = [
        Transformation(
            dest_field=f"field_{i}",
            source_field=f"source_{i}",
            transform_type="mapping",
            confidence=0.7,
            reason="similar names (70%)",
            needs_review=True,
        )
        for i in range(unsure)
    ]
    rows += [
        Transformation(
            dest_field=f"sure_{i}", source_field=f"sure_{i}", transform_type="direct", confidence=0.96, reason="same"
        )
        for i in range(sure)
    ]
    return MappingLogic(
        source_endpoint="/issues",
        source_method="GET",
        dest_endpoint="/tasks",
        dest_method="POST",
        transformations=rows,
        complexity_score=1,
        review_below=0.8,
    )


def records(count: int) -> list[TestDetail]:
    return [TestDetail(index=i + 1, endpoint=DEST, method="POST", kind="record") for i in range(count)]


def test_one_failed_review_test_per_field_that_needs_review() -> None:
    tests = review_tests(logic_with(3), DEST, "POST", first_index=6)
    assert [(t.index, t.kind, t.passed, t.endpoint) for t in tests] == [
        (6, "review", False, DEST),
        (7, "review", False, DEST),
        (8, "review", False, DEST),
    ]
    assert tests[0].problems == [("field_0", "needs_review")]
    assert tests[0].errors == [
        "field_0: proposed from source_0 at confidence 0.70 and not reviewed (below review_below 0.8; similar names "
        "(70%)): accept it with `vitesse map <name> --accept field_0`, or set a hint, transform or ignore"
    ]
    assert review_tests(logic_with(0), DEST, "POST", first_index=1) == []


def test_many_unreviewed_fields_fail_the_gate_and_never_cover_the_endpoint() -> None:
    reviewed = health_score(records(5), [SOURCE, DEST], 5, 5, [], covered_offline={SOURCE})
    assert reviewed["overall"] == 100
    tests = records(5) + review_tests(logic_with(10), DEST, "POST", first_index=6)
    unsure = health_score(tests, [SOURCE, DEST], 5, 5, [], covered_offline={SOURCE})
    assert unsure["success_rate"] == 33.3 and unsure["endpoint_coverage"] == 100  # records still cover it
    assert unsure["overall"] == round(100 / 3 * 0.7 + 30, 1) < 70
    alone = health_score(review_tests(logic_with(2), DEST, "POST", first_index=1), [SOURCE, DEST], 0, 0, [])
    assert alone["endpoint_coverage"] == 0  # a review test covers nothing


def test_the_failure_report_says_how_to_review() -> None:
    logic = logic_with(1)
    (failure,) = failures(review_tests(logic, DEST, "POST", first_index=1), logic)
    assert (failure["field"], failure["problem"], failure["count"]) == ("field_0", "needs_review", 1)
    assert failure["suggestion"] == (
        "review source_0 -> field_0 (mapping): if right, commit it with `vitesse map <name> --accept field_0` "
        "(every such field: --accept alone); if wrong, a hint or transform for field_0, or mapping.ignore"
    )


def test_the_test_step_counts_them(project: Path) -> None:
    manifest = project / "integrations" / "crm-to-mailwave.yaml"
    manifest.write_text(
        manifest.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.6\n  review_below: 1\n")
    )
    runner = CliRunner()
    for step in ("ingest", "map"):
        assert runner.invoke(cli, [step, "crm-to-mailwave", "--project", str(project)]).exit_code == 0
    result = runner.invoke(cli, ["test", "crm-to-mailwave", "--json", "--project", str(project)])
    assert result.exit_code == 1 and json.loads(result.stdout)["code"] == "gate.below_threshold"
    artifact = ArtifactStore(project / ".vitesse").latest("crm-to-mailwave", "test")
    assert artifact is not None
    logic = ArtifactStore(project / ".vitesse").latest("crm-to-mailwave", "map")
    assert logic is not None
    waiting = [t["dest_field"] for t in logic.data["mapping_logic"]["transformations"] if t["needs_review"]]
    review = [t for t in artifact.data["test_details"] if t["kind"] == "review"]
    assert len(review) == len(waiting) >= 10 and all(t["status"] == "failed" for t in review)
    assert {f["field"] for f in artifact.data["failures"] if f["problem"] == "needs_review"} == set(waiting)
    assert artifact.data["failed_tests"] == len(review)  # the records themselves pass


def test_review_tests_weigh_the_same_whatever_the_sample_size() -> None:
    """3 of 6 mapped fields unreviewed: the success rate is at most 50% with 5 records and with 50."""
    for count in (5, 50):
        logic = logic_with(3, sure=3)
        tests = records(count) + review_tests(logic, DEST, "POST", count + 1, "issues-to-tasks", records=count)
        score = health_score(tests, [SOURCE, DEST], count, count, [], covered_offline={SOURCE})
        assert 45 <= score["success_rate"] <= 50, (count, score)
        assert not score["overall"] >= 70
        assert "vitesse map issues-to-tasks --accept field_0" in tests[count].errors[0]
    one = records(50) + review_tests(logic_with(1, sure=5), DEST, "POST", 51, records=50)
    assert health_score(one, [SOURCE, DEST], 50, 50, [], covered_offline={SOURCE})["overall"] >= 70


def test_a_mapping_that_carries_nothing_of_the_record_fails_the_gate() -> None:
    """Only a constant (or nothing) fills the destination: every record would arrive the same, so each record test
    fails, with the change that fixes it; one field from the source and the same records pass."""
    from tests.unit.mapping.test_propose import S, obj, spec
    from vitesse.guardian.run import Sides, run_tests
    from vitesse.ingest.models import Endpoint
    from vitesse.manifest.models import MappingConfig, Side, TestConfig
    from vitesse.mapping.propose import propose_mapping

    source = Endpoint(path="/notes", method="GET", response_schema=obj(body=S), record_path="[]")
    kind = {"type": "string", "enum": ["comment"]}
    dest = Endpoint(path="/stories", method="POST", request_schema=obj(text=S, kind_req=kind))
    sides = Sides(spec(source), source, Side(api="A"), spec(dest), dest, Side(api="B"))
    empty = propose_mapping(spec(source), source, spec(dest), dest, MappingConfig())
    assert [t.transform_type for t in empty.transformations] == ["constant"]
    results = run_tests(sides, empty, TestConfig(), sample_size=3)
    assert not results["passed"] and results["health_score"]["overall"] < 70
    assert results["failures"][0]["problem"] == "empty"
    assert "nothing from the source reaches the destination" in results["failures"][0]["suggestion"]
    hinted = propose_mapping(spec(source), source, spec(dest), dest, MappingConfig(hints={"body": "text"}))
    assert run_tests(sides, hinted, TestConfig(), sample_size=3)["passed"]
