"""Proposals at map: source.incremental and destination.write when the specs make them obvious; never applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_specs
from tests.support.params_specs import manifest_file, tracker_spec
from vitesse.errors import ManifestError, MappingError
from vitesse.ingest import ApiSpec, ingest_spec
from vitesse.ingest.params import side_problems
from vitesse.manifest import ManifestFile, parse_manifest
from vitesse.manifest.models import MappingConfig
from vitesse.mapping.proposals import flow, incremental, propose_keys, upsert
from vitesse.mapping.propose import propose_mapping
from vitesse.mapping.step import build_mapping

ISSUES = "GET /projects/{project}/issues"


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    return tracker_spec(tmp_path_factory.mktemp("spec"))


def test_incremental_from_a_since_parameter_and_an_updated_field(spec: ApiSpec) -> None:
    found = incremental(spec, spec.endpoint(ISSUES), {})
    assert found is not None and found["value"] == {"cursor_field": "updated_at", "param": "since"}
    assert "takes since and its records carry updated_at" in found["reason"]
    # a fixed since in params is the user's choice: the next candidate is the object-valued created (created[gte])
    found = incremental(spec, spec.endpoint(ISSUES), {"since": "x"})
    assert found is not None and found["value"] == {"cursor_field": "created", "param": "created[gte]"}
    assert "changes to older ones are not seen" in found["reason"]
    assert incremental(spec, spec.endpoint("GET /reports"), {}) is None  # no such parameter, no time field


def test_upsert_from_a_filtering_collection_get_and_an_item_patch(spec: ApiSpec) -> None:
    found = upsert(spec, spec.endpoint("POST /contacts"))
    assert found is not None
    assert found["value"] == {
        "mode": "upsert",
        "match_key": "email",
        "lookup": "GET /contacts?email={email}",
        "update": "PATCH /contacts/{id}",
    }
    assert "GET /contacts filters by email" in found["reason"] and "PATCH /contacts/{contact_id}" in found["reason"]
    assert upsert(spec, spec.endpoint("GET /reports")) is None


def test_a_proposal_passes_the_checks_once_pasted(tmp_path: Path, spec: ApiSpec) -> None:
    mf = manifest_file(tmp_path, f"  endpoint: {ISSUES}\n  params: {{project: web}}\n", "  endpoint: POST /contacts\n")
    proposals = propose_keys(mf.manifest, spec, spec.endpoint(ISSUES), spec, spec.endpoint("POST /contacts"))
    assert set(proposals) == {"source.incremental", "destination.write"}
    pasted = manifest_file(
        tmp_path,
        f"  endpoint: {ISSUES}\n  params: {{project: web}}\n"
        f"  incremental: {flow(proposals['source.incremental']['value'])}\n",
        f"  endpoint: POST /contacts\n  write: {flow(proposals['destination.write']['value'])}\n",
    )
    m = pasted.manifest
    assert side_problems("source", m.source, spec, spec.endpoint(ISSUES)) == []
    assert side_problems("destination", m.destination, spec, spec.endpoint("POST /contacts")) == []
    assert propose_keys(m, spec, spec.endpoint(ISSUES), spec, spec.endpoint("POST /contacts")) == {}


def test_flow_quotes_what_yaml_would_misread() -> None:
    assert flow({"a": "since", "b": "created[gte]", "c": "GET /x?e={e}"}) == (
        '{a: since, b: "created[gte]", c: "GET /x?e={e}"}'
    )


def test_build_mapping_checks_params_and_stores_proposals(tmp_path: Path, spec: ApiSpec) -> None:
    mf = manifest_file(
        tmp_path,
        f"  endpoint: {ISSUES}\n  params: {{project: web}}\n",
        "  endpoint: POST /contacts\n",
        "mapping: {hints: {email: email, title: name}}\n",
    )
    logic = build_mapping(mf, spec, spec, [])
    assert set(logic.proposals) == {"source.incremental", "destination.write"}
    assert logic.model_dump(mode="json")["proposals"]["source.incremental"]["value"]["param"] == "since"
    bad = manifest_file(tmp_path, f"  endpoint: {ISSUES}\n  params: {{project: web, state: every}}\n")
    with pytest.raises(ManifestError, match=r"source\.params\.state: 'every' does not fit"):
        build_mapping(bad, spec, spec, [])


@pytest.fixture(scope="module")
def github() -> ApiSpec:
    return ingest_spec(str(shared_specs() / "github-rest" / "api.github.com-2020-09.json"))


@pytest.fixture(scope="module")
def asana() -> ApiSpec:
    return ingest_spec(str(shared_specs() / "asana" / "asana_oas.yaml"))


def github_to_asana(tmp_path: Path, source: str, constants: str) -> ManifestFile:
    text = (
        "version: 1\nname: x\nintent: Create an Asana task for each GitHub issue\n"
        f"source:\n  api: GitHub\n  endpoint: GET /repos/{{owner}}/{{repo}}/issues\n{source}"
        "destination:\n  api: Asana\n  endpoint: POST /tasks\n"
        f"mapping:\n  constants: {constants}\n  hints: {{title: data.name, body: data.notes}}\n"
    )
    return parse_manifest(text, tmp_path / "x.yaml")


def test_github_issues_to_asana_tasks_with_a_workspace_constant(
    tmp_path: Path, github: ApiSpec, asana: ApiSpec
) -> None:
    mf = github_to_asana(tmp_path, "  params: {owner: octocat, repo: hello-world, state: all}\n",
                         '{data.workspace: "1201234567890"}')  # fmt: skip
    logic = build_mapping(mf, github, asana, [])
    constant = next(t for t in logic.transformations if t.dest_field == "data.workspace")
    assert constant.transform_type == "constant" and constant.value == "1201234567890"
    assert logic.proposals["source.incremental"]["value"] == {"cursor_field": "updated_at", "param": "since"}
    assert "destination.write" not in logic.proposals  # Asana has no GET /tasks filter by a key field
    with pytest.raises(MappingError, match=r"mapping\.constants\.data\.workspace: 1201 does not fit: expected string"):
        build_mapping(github_to_asana(tmp_path, "  params: {owner: o, repo: r}\n", "{data.workspace: 1201}"),
                      github, asana, [])  # fmt: skip
    with pytest.raises(ManifestError, match="has no parameter 'stat'; did you mean 'state'"):
        build_mapping(github_to_asana(tmp_path, "  params: {owner: o, repo: r, stat: all}\n", "{}"),
                      github, asana, [])  # fmt: skip


def test_a_required_single_value_field_is_filled_as_a_constant(specs_dir: Path) -> None:
    """Klaviyo's JSON:API ``data.type`` accepts ``profile`` only: the mapping sets it (not a required field left
    for the user), and a field the manifest fills is left alone."""
    spec = ingest_spec(str(specs_dir / "klaviyo" / "stable.json"))
    endpoint = spec.endpoint("POST /api/profiles")
    square = ingest_spec(str(specs_dir / "square" / "api-2024-10-17-swagger2.json"))
    customers = square.endpoint("GET /v2/customers")
    assert endpoint is not None and customers is not None
    logic = propose_mapping(square, customers, spec, endpoint, MappingConfig())
    fixed = next(t for t in logic.transformations if t.dest_field == "data.type")
    assert (fixed.transform_type, fixed.value, fixed.needs_review) == ("constant", "profile", False)
    assert "only value the destination accepts" in fixed.reason and "data.type" not in logic.unmapped_required
    hinted = propose_mapping(square, customers, spec, endpoint, MappingConfig(hints={"id": "data.type"}))
    assert next(t for t in hinted.transformations if t.dest_field == "data.type").source_field == "id"
