"""The review page's routes (vitesse.api.review) in process: catalog, manifest, endpoints, mapping edits, accept,
preview, test runs and stop; each with a bad request, an unknown id, a step that has not run, and the token."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from vitesse.api.app import create_app
from vitesse.project import Project

PREFIX = "/api/v1/vitesse"
BASE = f"{PREFIX}/integrations/crm-to-mailwave"
TOKEN = "a-long-random-token-for-tests"
Call = tuple[str, str] | tuple[str, str, Any]


async def _calls(project: Path, calls: list[Call], token: str | None, headers: dict[str, str]) -> list[Any]:
    transport = httpx.ASGITransport(app=create_app(Project(project), token=token))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=headers) as client:
        answers = []
        for method, path, *body in calls:
            if method == "GET":
                answers.append(await client.get(path))
            else:
                answers.append(await client.post(path, json=body[0] if body else {}))
        return answers


def call(project: Path, *calls: Call, token: str | None = None, auth: bool = True) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {token}"} if token and auth else {}
    return asyncio.run(_calls(project, list(calls), token, headers))


def ok(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "success"
    return body["data"]


def failed(answer: httpx.Response, status: int, fragment: str = "") -> dict[str, Any]:
    body = answer.json()
    assert (answer.status_code, body["status"], body["http_status"]) == (status, "failed", status), answer.text
    assert fragment in body["error"], body["error"]
    return body


def test_catalog_searches_the_projects_apis(project: Path) -> None:
    (project / "catalog.yaml").write_text("- name: Stripe\n  description: payments\n- nme: typo\n")
    listed, searched, bad = call(
        project,
        ("GET", f"{PREFIX}/catalog"),
        ("GET", f"{PREFIX}/catalog?q=mailwave&limit=1"),
        ("GET", f"{PREFIX}/catalog?limit=0"),
    )
    warnings = listed.json()["warnings"]
    assert listed.json()["count"] == 5 and any(w.startswith("catalog.yaml:3:3: [1].nme: unknown key") for w in warnings)
    assert warnings == sorted(warnings)  # in the file's order, then by text: the same on every run
    (best,) = ok(searched)
    assert best["api_name"] == "Mailwave Marketing API" and best["spec"] == "specs/mailwave.yaml"
    assert set(best) == {
        "api_name",
        "description",
        "base_url",
        "documentation_url",
        "confidence_score",
        "source",
        "spec",
    }
    failed(bad, 400, "limit")


def test_manifest_is_its_text_and_parsed(project: Path) -> None:
    got, unknown = call(project, ("GET", f"{BASE}/manifest"), ("GET", f"{PREFIX}/integrations/nope/manifest"))
    data = ok(got)
    assert data["path"] == "integrations/crm-to-mailwave.yaml"
    assert data["yaml"] == (project / "integrations" / "crm-to-mailwave.yaml").read_text()
    assert data["manifest"]["destination"]["auth"]["in"] == "header"  # by alias
    failed(unknown, 404, "not found")


def test_endpoints_page_filters_and_flattens(project: Path) -> None:
    before, _, source, dest, bad, unknown = call(
        project,
        ("GET", f"{BASE}/endpoints"),
        ("POST", f"{BASE}/ingest"),
        ("GET", f"{BASE}/endpoints?q=CUSTOM&method=GET&limit=1"),
        ("GET", f"{BASE}/endpoints?side=destination&q=/contacts&method=POST"),
        ("GET", f"{BASE}/endpoints?side=both"),
        ("GET", f"{PREFIX}/integrations/nope/endpoints"),
    )
    failed(before, 409, "not ingested yet; run the ingest step")
    page = ok(source)
    assert page["side"] == "source" and page["total"] >= 1 and len(page["endpoints"]) == 1
    customers = page["endpoints"][0]
    assert customers["key"] == "GET /customers" and customers["pagination"]["type"] == "cursor"
    assert {"path": "email", "type": "string", "required": True}.items() <= next(
        f for f in customers["record_fields"] if f["path"] == "email"
    ).items()
    assert {"name": "starting_after", "in": "query", "required": False, "type": "string"} in customers["parameters"]
    (contacts,) = ok(dest)["endpoints"]
    assert contacts["key"] == "POST /contacts" and "email_address" in [f["path"] for f in contacts["record_fields"]]
    failed(bad, 400, "side")
    failed(unknown, 404)


def test_mapping_edit_keeps_comments_and_refuses_invalid_edits(project: Path) -> None:
    path = project / "integrations" / "crm-to-mailwave.yaml"
    path.write_text("# owned by the growth team\n" + path.read_text())
    edited, invalid, unknown_key, unknown = call(
        project,
        ("POST", f"{BASE}/mapping", {"hints": {"phone": "phone_number"}, "constants": {"source": "crm"}, "ignore": []}),
        ("POST", f"{BASE}/mapping", {"transforms": [{"dest_field": "x", "transform_type": "custom"}]}),
        ("POST", f"{BASE}/mapping", {"hint": {}}),
        ("POST", f"{PREFIX}/integrations/nope/mapping", {}),
    )
    data = ok(edited)
    text = path.read_text()
    assert data["yaml"] == text and text.startswith("# owned by the growth team\n")
    assert data["manifest"]["mapping"]["hints"]["phone"] == "phone_number"
    assert data["manifest"]["mapping"]["constants"] == {"source": "crm"}
    failed(invalid, 400, "custom needs a template")
    failed(unknown_key, 400, "hint: unknown field")
    assert path.read_text() == text  # nothing written by the refused edits
    failed(unknown, 404)


def test_accept_writes_the_reviewed_fields_and_maps_again(project: Path) -> None:
    path = project / "integrations" / "crm-to-mailwave.yaml"
    path.write_text(
        path.read_text().replace("  min_confidence: 0.6\n", "  min_confidence: 0.6\n  review_below: 0.95\n")
    )
    before, _, wrong, accepted, again, unknown = call(
        project,
        ("POST", f"{BASE}/accept"),
        ("POST", f"{BASE}/ingest"),
        ("POST", f"{BASE}/accept", {"fields": ["no_such_field"]}),
        ("POST", f"{BASE}/accept", {"fields": None}),
        ("POST", f"{BASE}/accept", {}),
        ("POST", f"{PREFIX}/integrations/nope/accept"),
    )
    failed(before, 409, "vitesse ingest crm-to-mailwave")
    failed(wrong, 400, "no_such_field: no such destination field")
    data = ok(accepted)
    assert "given_name" in data["accepted"] and data["manifest"]["yaml"] == path.read_text()
    assert data["manifest"]["path"] == "integrations/crm-to-mailwave.yaml" and data["entries"]
    assert ok(again)["accepted"] == []  # nothing left to review
    failed(unknown, 404)


def test_preview_runs_records_through_the_latest_mapping(project: Path) -> None:
    before, _, _, examples, given, synthetic, bad, unknown = call(
        project,
        ("POST", f"{BASE}/preview"),
        ("POST", f"{BASE}/ingest"),
        ("POST", f"{BASE}/map"),
        ("POST", f"{BASE}/preview", {"count": 1}),
        ("POST", f"{BASE}/preview", {"records": [{"id": "cus_1", "email": 5}]}),
        ("POST", f"{PREFIX}/integrations/mailwave-to-crm/preview", {"count": 2, "seed": 3}),
        ("POST", f"{BASE}/preview", {"count": 0}),
        ("POST", f"{PREFIX}/integrations/nope/preview"),
    )
    failed(before, 409, "run `vitesse map crm-to-mailwave` before preview")
    data = ok(examples)
    assert data["from"] == "examples" and len(data["records"]) == 1
    assert data["records"][0]["output"]["email_address"] == data["records"][0]["source"]["email"]
    (record,) = ok(given)["records"]
    assert record["source"] == {"id": "cus_1", "email": 5} and record["output"]["external_id"] == "cus_1"
    assert record["errors"] and {"field", "message", "code"} == set(record["errors"][0])
    failed(synthetic, 409, "mailwave-to-crm")  # that integration is not mapped
    failed(bad, 400, "count")
    failed(unknown, 404)


def test_tests_lists_the_runs_newest_first(project: Path) -> None:
    before, *_, runs, limited, unknown = call(
        project,
        ("GET", f"{BASE}/tests"),
        ("POST", f"{BASE}/ingest"),
        ("POST", f"{BASE}/map"),
        ("POST", f"{BASE}/test", {"test_sample_size": 3}),
        ("POST", f"{BASE}/test", {"test_sample_size": 4}),
        ("GET", f"{BASE}/tests"),
        ("GET", f"{BASE}/tests?limit=1"),
        ("GET", f"{PREFIX}/integrations/nope/tests"),
    )
    assert ok(before) == []
    newest, older = ok(runs)
    assert newest["created_at"] >= older["created_at"] and newest["threshold"] == 70
    assert isinstance(newest["passed"], bool) and newest["health_score"]["overall"] >= 0
    assert isinstance(newest["failures"], list) and newest["test_count"] >= 1
    assert [r["version"] for r in ok(limited)] == [newest["version"]]
    failed(unknown, 404)


def test_stop_before_a_deploy_is_a_step_order_error(project: Path) -> None:
    stopped, unknown = call(project, ("POST", f"{BASE}/stop"), ("POST", f"{PREFIX}/integrations/nope/stop"))
    failed(stopped, 409, "nothing is deployed")
    failed(unknown, 404)


ROUTES: list[Call] = [
    ("GET", f"{PREFIX}/catalog"),
    ("GET", f"{BASE}/manifest"),
    ("GET", f"{BASE}/endpoints"),
    ("POST", f"{BASE}/mapping"),
    ("POST", f"{BASE}/accept"),
    ("POST", f"{BASE}/preview"),
    ("GET", f"{BASE}/tests"),
    ("POST", f"{BASE}/stop"),
]


@pytest.mark.parametrize("route", ROUTES, ids=[f"{m} {p.rsplit('/', 1)[-1]}" for m, p in ROUTES])
def test_every_review_route_needs_the_token(project: Path, route: Call) -> None:
    (anonymous,) = call(project, route, token=TOKEN, auth=False)
    failed(anonymous, 401, "Authorization: Bearer")
    (authorized,) = call(project, route, token=TOKEN)
    assert authorized.status_code != 401


def test_the_new_routes_are_documented(project: Path) -> None:
    (doc,) = call(project, ("GET", "/openapi.json"))
    paths = doc.json()["paths"]
    for method, path in ROUTES:
        operation = paths[path.replace("crm-to-mailwave", "{integration_id}")][method.lower()]
        assert "422" not in operation["responses"] and operation["summary"]
    schemas = doc.json()["components"]["schemas"]
    assert {"MappingEditRequest", "PreviewRequest", "AcceptRequest", "CatalogList", "TestRunsEnvelope"} <= set(schemas)


def test_stop_stops_the_deployed_service_and_answers_the_state(project: Path) -> None:
    *steps, stopped, again = call(
        project,
        ("POST", f"{BASE}/ingest"),
        ("POST", f"{BASE}/map"),
        ("POST", f"{BASE}/test"),
        ("POST", f"{BASE}/deploy"),
        ("POST", f"{BASE}/stop"),
        ("POST", f"{BASE}/stop"),
    )
    assert [s.status_code for s in steps] == [200] * 4, steps[-1].text
    state = stopped.json()
    assert stopped.status_code == 200 and state["service"] == "stopped" and state["status"] == "stopped"
    assert {s["step"] for s in state["steps"]} == {"create", "ingest", "map", "test", "deploy"}
    failed(again, 409, "no running process deployment")
