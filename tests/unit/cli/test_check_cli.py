"""Fixture tests beside the manifest (`integrations/<name>.tests.yaml`) through the CLI runner: `vitesse check`,
`vitesse validate --with-tests`, `vitesse map --write-fixtures`, and the cases as tests of `vitesse test`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from vitesse.artifacts import ArtifactStore
from vitesse.cli import cli
from vitesse.fixtures.loader import load_fixtures
from vitesse.manifest import find_manifests
from vitesse.project import Project

NAME = "crm-to-mailwave"


def invoke(project: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--project", str(project)])


def fixtures_file(project: Path) -> Path:
    return project / "integrations" / f"{NAME}.tests.yaml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def mapped(project: Path) -> Path:
    for step in ("ingest", "map"):
        assert invoke(project, step, NAME).exit_code == 0
    return project


def test_the_demo_fixture_file_passes(mapped: Path) -> None:
    result = invoke(mapped, "check", NAME)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    head = rf"{NAME}: 3 of 3 case\(s\) passed \(integrations/{NAME}.tests.yaml, map [0-9a-f]{{16}}, [0-9.]+ ms\)$"
    assert re.match(head, lines[0])
    assert lines[1:] == [
        "  passed  a full customer",
        "  passed  a lead with only the required fields",
        "  passed  a malformed email is refused",
    ]
    assert invoke(mapped, "check").stdout.splitlines()[1:] == lines[1:]  # no NAME: every one with a fixture file


def test_a_failing_case_prints_the_diff_field_by_field(mapped: Path) -> None:
    path = fixtures_file(mapped)
    edit(path, "      given_name: Jenny\n", "      given_name: Jennifer\n")  # changed
    # the mapping still writes custom_fields (unexpected) and no nickname (missing)
    edit(path, "      custom_fields: {plan: pro}\n", "      nickname: JR\n")
    edit(path, "email_address: \"is not a 'email'\"", "email_address: required")  # the wrong error
    result = invoke(mapped, "check", NAME)
    assert result.exit_code == 1
    out = result.stdout
    assert f"{NAME}: 1 of 3 case(s) passed" in out
    assert f"  FAILED  a full customer ({path}:6:5)" in out
    assert '          given_name: expected "Jennifer", got "Jenny"' in out
    assert '          custom_fields: unexpected field (got {"plan":"pro"})' in out
    assert '          nickname: missing (expected "JR")' in out
    assert "  passed  a lead with only the required fields" in out
    assert (
        "          email_address: expected an error matching \"required\", got [format] 'not-an-email' is not a "
        "'email'" in out
    )
    assert "2 of 3 fixture case(s) failed" in result.stderr and "Traceback" not in result.output

    report = json.loads(invoke(mapped, "check", NAME, "--json").stdout)
    assert report["status"] == "failed"
    (entry,) = report["integrations"]
    assert (entry["cases"], entry["passed_cases"], entry["failed_cases"]) == (3, 1, 2)
    first = entry["results"][0]
    assert first["where"] == f"{path}:6:5" and first["status"] == "failed"
    assert {d["field"]: d["kind"] for d in first["differences"]} == {
        "given_name": "changed",
        "nickname": "missing",
        "custom_fields": "unexpected",
    }
    assert first["differences"][0] | {} == {
        "field": "given_name",
        "kind": "changed",
        "message": 'expected "Jennifer", got "Jenny"',
        "expected": "Jennifer",
        "got": "Jenny",
    }


def test_exact_by_default_partial_on_request_and_json_numbers(mapped: Path) -> None:
    path = fixtures_file(mapped)
    edit(path, "      external_id: cus_4QFJOjw2pOmAGJ\n", "")  # partial: true, so the rest of the body is not compared
    edit(path, "      lifetime_value: 1250.5\n      created", "      lifetime_value: 1250\n      created")
    edit(path, "      lifetime_value: 1250.5\n      signed", "      lifetime_value: 1250.0\n      signed")
    edit(path, "      subscribed: true\n", "      subscribed: 1\n")
    result = invoke(mapped, "check", NAME)
    assert result.exit_code == 1
    assert "  passed  a lead with only the required fields" in result.stdout
    assert "          subscribed: expected 1, got true (number vs boolean)" in result.stdout  # true is not 1
    assert "lifetime_value" not in result.stdout  # 1250 and 1250.0 are one JSON number
    edit(path, "    partial: true                       # only these fields are compared\n", "")
    result = invoke(mapped, "check", NAME)
    assert '          external_id: unexpected field (got "cus_4QFJOjw2pOmAGJ")' in result.stdout  # exact again


def test_a_malformed_fixture_file_is_every_problem_with_its_place(mapped: Path) -> None:
    path = fixtures_file(mapped)
    path.write_text(
        "cases:\n"
        "  - name: one\n"
        "    record: {id: cus_1}\n"
        "    expct: {email_address: a@example.com}\n"
        "  - name: one\n"
        "    record: [1]\n"
        "    expect: {}\n"
        "    partial: maybe\n"
    )
    result = invoke(mapped, "check", NAME)
    assert result.exit_code == 1 and "Traceback" not in result.output and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:2:5: cases[0]: a case has either `expect` (the destination body) or `expect_errors` (a bad "
        "record's field errors); this one has neither [fixtures.invalid_value]",
        f"{path}:4:5: cases[0].expct: unknown key 'expct'; did you mean 'expect'? [fixtures.unknown_key]",
        f"{path}:5:11: cases[1].name: 'one' is also the name of cases[0] (names must be unique: they name the tests) "
        "[fixtures.duplicate_name]",
        f"{path}:6:13: cases[1].record: expected a mapping (got list [1]) [fixtures.wrong_type]",
        f"{path}:8:14: cases[1].partial: expected true or false (got string 'maybe') [fixtures.wrong_type]",
    ]
    path.write_text("cases:\n  - name: x\n    record: {id: 1\n")
    result = invoke(mapped, "check", NAME)
    assert result.exit_code == 1
    assert re.match(rf"{re.escape(str(path))}:4:1: invalid YAML: .* \[fixtures.yaml_syntax\]$", result.stderr.strip())
    path.write_text("- name: x\n  record: {}\n  expect: {}\n")
    result = invoke(mapped, "check", NAME, "--json")
    assert result.exit_code == 1
    (entry,) = json.loads(result.stdout)["integrations"]
    assert entry["status"] == "error" and entry["code"] == "fixtures.invalid"
    assert entry["problems"] == [
        f"{path}:1:1: (document): expected a mapping with `cases:` (got a list): put the cases under `cases:` "
        "[fixtures.wrong_type]"
    ]


def test_check_says_what_to_run_when_map_is_missing_or_stale(project: Path) -> None:
    result = invoke(project, "check", NAME)
    assert result.exit_code == 1
    assert f"error: {NAME}: run `vitesse map {NAME}` before check" in result.stderr
    for step in ("ingest", "map"):
        assert invoke(project, step, NAME).exit_code == 0
    edit(
        project / "integrations" / f"{NAME}.yaml", "    id: external_id\n", "    id: external_id\n    phone: nickname\n"
    )
    result = invoke(project, "check", NAME)
    assert result.exit_code == 1
    assert (
        f"the latest map is stale: mapping.hints changed in the manifest; run `vitesse map {NAME}` before check"
        in result.stderr
    )
    fixtures_file(project).unlink()
    result = invoke(project, "check", NAME)
    assert result.exit_code == 1
    assert f"no fixture file integrations/{NAME}.tests.yaml; write one with `vitesse map {NAME} --write-fixtures`" in (
        result.stderr
    )
    result = invoke(project, "check")  # every integration with a fixture file: none left
    assert result.exit_code == 0 and "nothing to check" in result.stderr


def test_validate_with_tests(project: Path) -> None:
    path = fixtures_file(project)
    result = invoke(project, "validate", "--with-tests")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{path}: 3 case(s) valid; not run: map was not run yet; run `vitesse ingest {NAME}`, then "
        f"`vitesse map {NAME}` to run them",
        "3 of 3 manifest(s) valid; 1 fixture file(s): 1 not run",
    ]
    for step in ("ingest", "map"):
        assert invoke(project, step, NAME).exit_code == 0
    result = invoke(project, "validate", "--with-tests")
    assert result.exit_code == 0, result.output
    assert f"{NAME}: 3 of 3 case(s) passed" in result.stdout
    assert result.stdout.splitlines()[-1] == "3 of 3 manifest(s) valid; 1 fixture file(s): 3 of 3 case(s) passed"
    assert invoke(project, "validate").stdout == "3 of 3 manifest(s) valid\n"  # without the flag: manifests only

    edit(path, "      given_name: Jenny\n", "      given_name: Jennifer\n")
    result = invoke(project, "validate", "--with-tests", str(path))  # a fixture file named on its own
    assert result.exit_code == 1
    assert '          given_name: expected "Jennifer", got "Jenny"' in result.stdout
    assert "1 fixture file(s): 2 of 3 case(s) passed" in result.stderr
    result = invoke(project, "validate", str(path))  # its format only
    assert result.exit_code == 0
    assert "3 case(s) valid; not run (run them with `vitesse check crm-to-mailwave`" in result.stdout

    path.write_text("cases:\n  - name: x\n    record: {}\n    expect: {}\n    expected: {}\n")
    result = invoke(project, "validate", "--with-tests")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{path}:5:5: cases[0].expected: unknown key 'expected'; did you mean 'expect'?" in result.stderr
    assert result.stderr.splitlines()[-1] == "3 of 3 manifest(s) valid; 1 fixture file(s): 1 invalid"

    path.write_text("cases:\n  - name: x\n    record: {}\n    expect: {}\n")
    path.rename(project / "integrations" / "gone.tests.yaml")  # beside no manifest
    result = invoke(project, "validate", "--with-tests")
    assert result.exit_code == 1
    assert "gone.tests.yaml: no manifest beside it to run the cases against [fixtures.orphan]" in result.stderr


def test_fixture_files_are_not_manifests(project: Path) -> None:
    folder = project / "integrations"
    assert (folder / f"{NAME}.tests.yaml").is_file()
    (folder / "mailwave-to-crm.tests.yml").write_text("cases: []\n")
    names = [p.name for p in find_manifests([folder])]
    assert names == ["crm-to-mailwave.yaml", "issues-to-tasks.yaml", "mailwave-to-crm.yaml"]
    assert Project(project).names() == ["crm-to-mailwave", "issues-to-tasks", "mailwave-to-crm"]
    assert invoke(project, "validate").exit_code == 0
    listing = json.loads(invoke(project, "status", "--json").stdout)
    assert [i["manifest_name"] for i in listing["data"]] == ["crm-to-mailwave", "issues-to-tasks", "mailwave-to-crm"]


def test_map_write_fixtures_then_check_passes(project: Path) -> None:
    path = fixtures_file(project)
    before = path.read_text()
    assert invoke(project, "ingest", NAME).exit_code == 0
    result = invoke(project, "map", NAME, "--write-fixtures")
    assert result.exit_code == 1
    assert f"integrations/{NAME}.tests.yaml exists; --write-fixtures never overwrites it: pass --force" in result.stderr
    assert path.read_text() == before and ArtifactStore(project / ".vitesse").latest(NAME, "map") is None
    assert invoke(project, "map", NAME, "--force").exit_code == 2  # --force alone is a usage error

    result = invoke(project, "map", NAME, "--write-fixtures", "--force")
    assert result.exit_code == 0, result.output
    assert f"wrote 2 fixture case(s) to integrations/{NAME}.tests.yaml from the spec's examples:" in result.stderr
    assert "  field examples: expect (the body)" in result.stderr
    text = path.read_text()
    assert text.startswith(f"# Fixture cases for {NAME} (integrations/{NAME}.yaml), written by `vitesse map {NAME}")
    assert "# composed from the examples the spec gives the fields of GET /customers records" in text
    assert "&id" not in text  # no YAML anchors for values the record and the body share
    cases = load_fixtures(path).cases
    assert [c.name for c in cases] == ["field examples", "field examples, required fields only"]
    assert cases[0].record["email"] == "jenny.rosen@example.com"  # the spec's example
    assert cases[0].expect["email_address"] == "jenny.rosen@example.com"
    assert cases[0].expect["signed_up_at"] == "2026-01-01T00:00:00Z"
    assert set(cases[1].record) == {"id", "email", "created", "status"}  # the required fields
    result = invoke(project, "check", NAME)
    assert result.exit_code == 0, result.output
    assert f"{NAME}: 2 of 2 case(s) passed" in result.stdout


def test_write_fixtures_reads_response_examples(project: Path) -> None:
    spec = project / "integrations" / "specs" / "acme-crm.yaml"
    edit(
        spec,
        '              schema: {$ref: "#/components/schemas/CustomerList"}\n        "401"',
        '              schema: {$ref: "#/components/schemas/CustomerList"}\n'
        "              examples:\n"
        '                two: {$ref: "#/components/examples/TwoCustomers"}\n'
        '        "401"',
    )
    edit(
        spec,
        "components:\n",
        "components:\n"
        "  examples:\n"
        "    TwoCustomers:\n"
        "      value:\n"
        "        object: list\n"
        "        has_more: false\n"
        "        data:\n"
        "          - {id: cus_AAAAAAAA1, email: ann@example.com, status: lead, created: 1700000000}\n"
        "          - {id: cus_BBBBBBBB2, email: not-an-email, status: active, created: 1700000000}\n",
    )
    fixtures_file(project).unlink()
    assert invoke(project, "ingest", NAME).exit_code == 0
    result = invoke(project, "map", NAME, "--write-fixtures")
    assert result.exit_code == 0, result.output
    assert "  response example 2: expect_errors {'email_address': 'format'}" in result.stderr
    text = fixtures_file(project).read_text()
    assert "# from the spec's response example of GET /customers" in text
    assert "# from the spec's response example of GET /customers. REVIEW: the mapping or the destination" in text
    cases = load_fixtures(fixtures_file(project)).cases
    assert [c.record["id"] for c in cases] == ["cus_AAAAAAAA1", "cus_BBBBBBBB2"]
    assert cases[0].expect == {
        "email_address": "ann@example.com",
        "external_id": "cus_AAAAAAAA1",
        "signed_up_at": "2023-11-14T22:13:20Z",
    }
    assert cases[1].expect_errors == {"email_address": "format"}
    assert invoke(project, "check", NAME).exit_code == 0


def test_write_fixtures_without_examples_is_one_synthetic_case(project: Path) -> None:
    spec = project / "integrations" / "specs" / "acme-crm.yaml"
    text = re.sub(r",\s*example: (\[[^\]]*\]|[^},]*)", "", spec.read_text())
    text = re.sub(r"^\s+example:.*\n", "", text, flags=re.MULTILINE)
    assert "example:" not in text
    spec.write_text(text)
    fixtures_file(project).unlink()
    assert invoke(project, "ingest", NAME).exit_code == 0
    result = invoke(project, "map", NAME, "--write-fixtures")
    assert result.exit_code == 0, result.output
    assert "from one synthetic record (the spec has no examples)" in result.stderr
    written = fixtures_file(project).read_text()
    assert "# the spec gives no examples for GET /customers records: this record is synthetic (vitesse's" in written
    assert "generator, seed 0)" in written
    (case,) = load_fixtures(fixtures_file(project)).cases
    assert case.name == "synthetic record (seed 0)" and case.record["id"].startswith("cus_")
    assert invoke(project, "check", NAME).exit_code == 0
    fixtures_file(project).unlink()
    assert invoke(project, "map", NAME, "--write-fixtures").exit_code == 0
    assert fixtures_file(project).read_text() == written  # the seed is fixed: the same file again


def test_the_test_step_counts_the_cases_and_goes_stale_when_they_change(mapped: Path) -> None:
    result = invoke(mapped, "test", NAME, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["test_count"] == 13  # 10 synthetic records, 3 cases
    store = ArtifactStore(mapped / ".vitesse")
    tested = store.latest(NAME, "test")
    assert tested is not None
    cases = [t for t in tested.data["test_details"] if t["kind"] == "fixture"]
    assert [(t["case"], t["status"], t["endpoint"]) for t in cases] == [
        ("a full customer", "passed", "POST /contacts"),
        ("a lead with only the required fields", "passed", "POST /contacts"),
        ("a malformed email is refused", "passed", "POST /contacts"),
    ]
    assert tested.data["fixture_cases"] == {"cases": 3, "passed": 3}
    assert tested.inputs["fixtures"] == load_fixtures(fixtures_file(mapped)).digest
    assert "3 of 3 fixture case(s) passed" in invoke(mapped, "test", NAME).stdout

    edit(fixtures_file(mapped), "      given_name: Jenny\n", "      given_name: Jennifer\n")
    status = json.loads(invoke(mapped, "status", NAME, "--json").stdout)
    steps = {s["step"]: s for s in status["steps"]}
    assert steps["map"]["current"] is True and steps["test"]["current"] is False
    assert steps["test"]["stale_reason"] == f"integrations/{NAME}.tests.yaml changed"
    result = invoke(mapped, "deploy", NAME, "--dry-run")
    assert result.exit_code == 1 and f"integrations/{NAME}.tests.yaml changed" in result.stderr

    result = invoke(mapped, "test", NAME)
    assert result.exit_code == 0  # one failed test of 13: 92.3% success, above the gate
    assert "12 of 13 tests passed; seed 0; 2 of 3 fixture case(s) passed" in result.stdout
    diff = 'given_name: expected "Jennifer", got "Jenny"'
    assert f"1x given_name [fixture.changed]: case 'a full customer': {diff}" in result.stdout
    tested = store.latest(NAME, "test")
    assert tested is not None
    (failed,) = [t for t in tested.data["test_details"] if t["status"] == "failed"]
    assert failed["case"] == "a full customer"
    assert failed["errors"] == ['case \'a full customer\': given_name: expected "Jennifer", got "Jenny"']
    (failure,) = tested.data["failures"]
    assert failure["problem"] == "fixture.changed" and "`vitesse check crm-to-mailwave`" in failure["suggestion"]
    assert tested.data["health_score"]["success_rate"] == round(100 * 12 / 13, 1)
    status = json.loads(invoke(mapped, "status", NAME, "--json").stdout)
    assert {s["step"]: s for s in status["steps"]}["test"]["current"] is True


def alias_bomb() -> str:
    lines = ["cases:", "  - name: x", "    record: {}", "    expect:", '      a: &a ["lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"      x{i}: &x{i} [" + ",".join([f"*{'a' if i == 1 else f'x{i - 1}'}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (alias_bomb().encode(), ":1:1: (document): document expands to more than 100000 values"),
        (b"cases:\n  - name: \xff\xfe\n", ": not UTF-8 text (byte 17)"),
        (
            b"cases:\n  - name: x\n    record: {a: !!python/object:os.system ls}\n    expect: {}\n",
            ":3:17: cases[0].record.a: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'",
        ),
    ],
    ids=["alias-bomb", "not-utf8", "python-tag"],
)
def test_hostile_fixture_files_are_one_clear_line(project: Path, content: bytes, expected: str) -> None:
    from tests.conftest import run_cli

    fixtures_file(project).write_bytes(content)
    for args in (["check", NAME], ["validate", "--with-tests"]):
        done = run_cli(*args, cwd=project)
        assert done.returncode == 1, done.stderr
        assert f"integrations/{NAME}.tests.yaml{expected}" in done.stderr
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr
