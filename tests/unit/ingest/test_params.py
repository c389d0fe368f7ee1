"""A side's params, incremental read and write mode checked against the spec (`vitesse.ingest.params`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_specs
from tests.support.params_specs import manifest_file, tracker_spec
from vitesse.errors import ManifestError
from vitesse.ingest import ApiSpec, Parameter, ingest_spec
from vitesse.ingest.params import check_sides, needed_params, side_problems, value_problem
from vitesse.manifest import parse_manifest

ISSUES = "GET /projects/{project}/issues"


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    return tracker_spec(tmp_path_factory.mktemp("spec"))


def problems(tmp_path: Path, spec: ApiSpec, source: str = "", destination: str = "") -> list[tuple]:
    mf = manifest_file(tmp_path, source, destination)
    out = []
    for side_name in ("source", "destination"):
        side = getattr(mf.manifest, side_name)
        if side.endpoint:
            out += side_problems(side_name, side, spec, spec.endpoint(side.endpoint))
    return out


def messages(found: list[tuple]) -> list[str]:
    return [f"{'.'.join(key)}: {message}" for key, message, _ in found]


def test_parameters_carry_enum_format_and_default_and_leave_them_out_when_unset(spec: ApiSpec) -> None:
    by_name = {p.name: p for p in spec.endpoint(ISSUES).parameters}
    assert by_name["state"].enum == ["open", "closed", "all"] and by_name["state"].default == "open"
    assert by_name["since"].format == "date-time"
    assert by_name["per_page"].model_dump() == {"name": "per_page", "location": "query", "required": False,
                                                "type": "integer"}  # fmt: skip
    assert Parameter.model_validate(by_name["state"].model_dump()) == by_name["state"]


def test_params_that_fit_pass(tmp_path: Path, spec: ApiSpec) -> None:
    source = (
        f"  endpoint: {ISSUES}\n"
        "  params: {project: web, state: all, per_page: '50', archived: false, ratio: 0.5, X-Tenant: acme,"
        " 'created[gte]': 1700000000, since: {env: SINCE}}\n"
    )
    assert problems(tmp_path, spec, source) == []


@pytest.mark.parametrize(
    ("params", "expected", "code"),
    [
        ("{project: web, stat: all}", f"source.params.stat: {ISSUES} has no parameter 'stat'; did you mean 'state'?",
         "manifest.unknown_param"),
        ("{project: web, zzz: 1}", f"source.params.zzz: {ISSUES} has no parameter 'zzz'", "manifest.unknown_param"),
        ("{project: web, session: s}", "source.params.session: 'session' is a cookie parameter of",
         "manifest.unknown_param"),
        ("{project: web, state: every}", f"source.params.state: 'every' does not fit: {ISSUES} expects one of "
         "'open', 'closed', 'all' for state", "manifest.bad_param_value"),
        ("{project: web, per_page: many}", f"'many' does not fit: {ISSUES} expects an integer for per_page",
         "manifest.bad_param_value"),
        ("{project: web, per_page: 1.5}", "expects an integer for per_page", "manifest.bad_param_value"),
        ("{project: web, archived: 'no'}", "expects true or false for archived", "manifest.bad_param_value"),
        ("{project: web, ratio: half}", "expects a number for ratio", "manifest.bad_param_value"),
        ("{project: '<project>'}", "source.params.project: still '<project>' from `vitesse new`; set the real value",
         "manifest.param_unset"),
    ],
)  # fmt: skip
def test_a_param_the_endpoint_refuses_is_named(
    tmp_path: Path, spec: ApiSpec, params: str, expected: str, code: str
) -> None:
    found = problems(tmp_path, spec, f"  endpoint: {ISSUES}\n  params: {params}\n")
    assert len(found) == 1, found
    assert expected in messages(found)[0]
    assert found[0][2] == code


def test_a_required_path_parameter_of_a_chosen_endpoint_is_named(tmp_path: Path, spec: ApiSpec) -> None:
    mf = manifest_file(tmp_path)  # no endpoint named: the mapper chose one, the offline check could not see it
    found = side_problems("source", mf.manifest.source, spec, spec.endpoint(ISSUES))
    assert messages(found) == [f"source.params: {ISSUES} needs project (path); add source.params: {{project: ...}}"]


def test_required_query_parameters_unless_the_runtime_sends_them(tmp_path: Path, spec: ApiSpec) -> None:
    endpoint = spec.endpoint("GET /reports")
    # cursor: the pagination's; Authorization: auth's business; api_key: the credential when auth says so
    assert [p.name for p in needed_params(endpoint)] == ["account", "api_key"]
    found = problems(tmp_path, spec, "  endpoint: GET /reports\n")
    assert messages(found) == [
        "source.params: GET /reports needs account (query), api_key (query); add source.params: "
        "{account: ..., api_key: ...}"
    ]
    auth = "  auth: {type: api_key, in: query, name: api_key, key_env: KEY}\n"
    assert problems(tmp_path, spec, "  endpoint: GET /reports\n  params: {account: a}\n" + auth) == []


def test_env_values_are_not_type_checked() -> None:
    param = Parameter(name="n", location="query", type="integer", enum=[1, 2])
    assert value_problem(param, {"env": "N"}) is None
    assert value_problem(param, 2) is None and value_problem(param, "2") is None
    assert value_problem(param, 3) == "expects one of '1', '2' for n"


def test_incremental_param_and_cursor_field(tmp_path: Path, spec: ApiSpec) -> None:
    base = f"  endpoint: {ISSUES}\n  params: {{project: web}}\n"
    assert problems(tmp_path, spec, base + "  incremental: {cursor_field: updated_at, param: since}\n") == []
    assert problems(tmp_path, spec, base + "  incremental: {cursor_field: created, param: 'created[gte]'}\n") == []
    found = problems(tmp_path, spec, base + "  incremental: {cursor_field: updatd_at, param: snce, initial: 5}\n")
    assert messages(found) == [
        f"source.incremental.param: {ISSUES} has no query parameter 'snce'; did you mean 'since'?",
        f"source.incremental.cursor_field: the {ISSUES} record has no field 'updatd_at'; did you mean 'updated_at'?",
    ]
    found = problems(tmp_path, spec, base + "  incremental: {cursor_field: updated_at, param: X-Tenant}\n")
    assert messages(found) == [
        f"source.incremental.param: 'X-Tenant' is a header parameter of {ISSUES}, not a query parameter"
    ]
    found = problems(tmp_path, spec, base + "  incremental: {cursor_field: updated_at, param: per_page, initial: x}\n")
    assert messages(found) == [
        f"source.incremental.initial: 'x' does not fit: {ISSUES} expects an integer for per_page"
    ]


UPSERT = (
    "  endpoint: POST /contacts\n  write: {{mode: upsert, match_key: {key}, lookup: '{lookup}', update: '{update}'}}\n"
)


def write_problems(tmp_path: Path, spec: ApiSpec, key: str = "email", lookup: str = "GET /contacts?email={email}",
                   update: str = "PATCH /contacts/{id}", params: str = "") -> list[str]:  # fmt: skip
    destination = UPSERT.format(key=key, lookup=lookup, update=update) + params
    return messages(problems(tmp_path, spec, "", destination))


def test_a_write_mode_that_fits_passes(tmp_path: Path, spec: ApiSpec) -> None:
    assert write_problems(tmp_path, spec) == []  # {id} stands for the spec's {contact_id}: paths match by shape
    # a destination param only the lookup uses is not unknown
    assert write_problems(tmp_path, spec, lookup="GET /contacts?email={tenant}", params="  params: {tenant: t}\n") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"key": "emial"}, "destination.write.match_key: the POST /contacts request has no field 'emial'; "
         "did you mean 'email'?"),
        ({"lookup": "GET /contacts?email={emial}"}, "destination.write.lookup: {emial} names no field of the record "
         "(the POST /contacts request) nor a destination.params entry; did you mean 'email'?"),
        ({"lookup": "GET /contact?email={email}"}, "destination.write.lookup: GET /contact is not an operation of "
         "the Tracker spec; did you mean 'GET /contacts'"),
        ({"lookup": "GET /contacts?mail={email}"}, "destination.write.lookup: GET /contacts has no query parameter "
         "'mail'; did you mean 'email'?"),
        ({"update": "PATCH /contact/{id}"}, "destination.write.update: PATCH /contact/{id} is not an operation of "
         "the Tracker spec; did you mean 'PATCH /contacts/{contact_id}'"),
        ({"update": "PUT /contacts/{id}"}, "destination.write.update: PUT /contacts/{id} is not an operation of the "
         "Tracker spec; did you mean 'PATCH /contacts/{contact_id}'"),
        ({"update": "PATCH /contacts/{uid}"}, "destination.write.update: {uid} is no field of the record "
         "GET /contacts finds, nor of destination.params; did you mean 'id'?"),
        ({"update": "PATCH /contacts/{contact_id}"}, "destination.write.update: {contact_id} is no field of the "
         "record GET /contacts finds, nor of destination.params (it has id, email, name, external_id)"),
    ],
)  # fmt: skip
def test_a_write_mode_the_spec_refuses_is_named(tmp_path: Path, spec: ApiSpec, change: dict, expected: str) -> None:
    found = write_problems(tmp_path, spec, **change)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_check_sides_reports_every_problem_with_its_place(tmp_path: Path, spec: ApiSpec) -> None:
    mf = manifest_file(
        tmp_path,
        f"  endpoint: {ISSUES}\n  params: {{project: web, stat: all}}\n",
        UPSERT.format(key="emial", lookup="GET /contacts?email={email}", update="PATCH /contacts/{id}"),
    )
    sides = [(name, spec, spec.endpoint(getattr(mf.manifest, name).endpoint)) for name in ("source", "destination")]
    with pytest.raises(ManifestError) as caught:
        check_sides(mf, sides)
    first, second = caught.value.problems
    assert first.endswith(
        f"x.yaml:7:26: source.params.stat: {ISSUES} has no parameter 'stat'; did you mean 'state'? "
        "[manifest.unknown_param]"
    )  # at the key, as an unknown key is
    assert ":12:36: destination.write.match_key: the POST /contacts request has no field 'emial'" in second
    assert caught.value.code == "manifest.params"


@pytest.fixture(scope="module")
def github() -> ApiSpec:
    return ingest_spec(str(shared_specs() / "github-rest" / "api.github.com-2020-09.json"))


GITHUB_ISSUES = "GET /repos/{owner}/{repo}/issues"


def github_side(tmp_path: Path, lines: str):
    text = f"version: 1\nname: x\nsource:\n  api: GitHub\n  endpoint: {GITHUB_ISSUES}\n{lines}destination: {{api: B}}\n"
    return parse_manifest(text, tmp_path / "x.yaml").manifest.source


def test_github_issues_with_owner_repo_state_and_since(tmp_path: Path, github: ApiSpec) -> None:
    endpoint = github.endpoint(GITHUB_ISSUES)
    side = github_side(
        tmp_path,
        "  params: {owner: octocat, repo: hello-world, state: all, per_page: 100}\n"
        "  incremental: {cursor_field: updated_at, param: since}\n",
    )
    assert side_problems("source", side, github, endpoint) == []
    side = github_side(tmp_path, "  params: {owner: octocat, repo: hello-world, state: everything, sort: newest}\n")
    assert messages(side_problems("source", side, github, endpoint)) == [
        f"source.params.state: 'everything' does not fit: {GITHUB_ISSUES} expects one of 'open', 'closed', 'all' "
        "for state",
        f"source.params.sort: 'newest' does not fit: {GITHUB_ISSUES} expects one of 'created', 'updated', "
        "'comments' for sort",
    ]
    side = github_side(tmp_path, "  params: {owner: octocat, repo: hello-world, labls: bug}\n")
    assert messages(side_problems("source", side, github, endpoint)) == [
        f"source.params.labls: {GITHUB_ISSUES} has no parameter 'labls'; did you mean 'labels'?"
    ]
