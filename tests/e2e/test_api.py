"""The seed's REST API over real HTTP: `vitesse api` runs as a subprocess on 127.0.0.1, Prism mocks of the example
specs are the sandboxes of the test step, deploy runs on the process target."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.e2e.api_support import API, SEED_CREATE, SPECS, ApiServer, assert_failed, create_and_ingest
from vitesse.hashing import content_hash
from vitesse.manifest.edit import edit_manifest

pytestmark = [pytest.mark.slow, pytest.mark.prism]


@pytest.fixture
def api(empty_project: Path) -> Iterator[httpx.Client]:
    server = ApiServer(
        empty_project, {"KUBECONFIG": str(empty_project / "no-kubeconfig")}, "--cors-origin", "http://localhost:5173"
    )
    try:
        with httpx.Client(base_url=server.url, timeout=180) as client:
            yield client
    finally:
        server.stop()


def test_the_seeds_flow_over_http(api: httpx.Client, empty_project: Path, prism) -> None:
    crm = prism(empty_project / "integrations" / "specs" / "acme-crm.yaml")
    mailwave = prism(empty_project / "integrations" / "specs" / "mailwave.yaml")

    # Step 1: create -> DISCOVERING, the manifest is written
    created = api.post(API, json=SEED_CREATE)
    assert created.status_code == 201, created.text
    body = created.json()
    iid = body["integration_id"]
    assert uuid.UUID(iid).version == 5
    assert (body["status"], body["current_step"]) == ("success", "DISCOVERING")
    integration = body["data"]["integration"]
    assert integration["id"] == iid and integration["name"] == "Acme CRM to Mailwave Sync"
    assert integration["status"] == "discovering"
    assert integration["source_discovery"]["api_name"] == "Acme CRM"
    assert integration["dest_discovery"]["confidence_score"] == 0.95
    assert body["data"]["next_step"] == "ingest"
    assert body["data"]["next_endpoint"] == f"/integrations/{iid}/ingest"
    manifest = empty_project / "integrations" / "acme-crm-to-mailwave-sync.yaml"
    assert "title: Acme CRM to Mailwave Sync" in manifest.read_text()
    retried = api.post(API, json=SEED_CREATE)  # idempotent: the same integration, not a second one
    assert retried.status_code == 200 and retried.json()["integration_id"] == iid, retried.text
    other = api.post(API, json={**SEED_CREATE, "user_intent": "something else"})
    assert_failed(other, 409, "already exists")

    # the operator allows loopback sandboxes (the Prism mocks) in the manifest, which lives in git
    edit_manifest(manifest, {"source.spec_access.private_hosts": True, "destination.spec_access.private_hosts": True})

    # Step 2: ingest -> MAPPING
    ingested = api.post(f"{API}/{iid}/ingest", json=SPECS)
    assert ingested.status_code == 200, ingested.text
    body = ingested.json()
    assert (body["status"], body["integration_id"], body["current_step"]) == ("success", iid, "MAPPING")
    assert "/customers" in body["data"]["source_endpoints"] and "/contacts" in body["data"]["dest_endpoints"]
    assert body["data"]["next_step"] == "map" and body["data"]["next_endpoint"] == f"/integrations/{iid}/map"

    # Step 3: map -> TESTING (the seed's request: bare paths and hints)
    mapped = api.post(
        f"{API}/{iid}/map",
        json={"source_endpoint": "/customers", "dest_endpoint": "/contacts", "mapping_hints": {"id": "external_id"}},
    )
    assert mapped.status_code == 200, mapped.text
    body = mapped.json()
    assert body["current_step"] == "TESTING"
    assert body["data"]["transformation_count"] >= 5 and 1 <= body["data"]["complexity_score"] <= 10
    assert (body["data"]["source_endpoint"], body["data"]["dest_endpoint"]) == ("GET /customers", "POST /contacts")
    assert body["data"]["next_step"] == "test"

    # Step 4: test against the Prism sandboxes -> DEPLOYING
    test_request = {
        "test_sample_size": 10,
        "skip_destructive": True,
        "source_sandbox_url": crm,
        "dest_sandbox_url": mailwave,
    }
    tested = api.post(f"{API}/{iid}/test", json=test_request, headers={"Idempotency-Key": "test-1"})
    assert tested.status_code == 200, tested.text
    body = tested.json()
    assert body["current_step"] == "DEPLOYING"
    score = body["data"]["health_score"]
    assert {"overall", "data_quality", "reliability"} <= set(score) and score["overall"] >= 70, body
    assert body["data"]["test_count"] >= 10 and body["data"]["passed_tests"] == body["data"]["test_count"], body
    history = empty_project / ".vitesse/artifacts/acme-crm-to-mailwave-sync/test"
    artifact = json.loads((history / f"{(history / 'latest').read_text().strip()}.json").read_text())
    assert artifact["data"]["status_codes"], "no shadow call reached the Prism sandboxes"
    # a retry with the same Idempotency-Key gets the first answer (no new run: same latencies, same version)
    retry = api.post(f"{API}/{iid}/test", json=test_request, headers={"Idempotency-Key": "test-1"})
    assert retry.json() == body, retry.text
    assert len(list(history.glob("*.json"))) == 1
    reused = api.post(f"{API}/{iid}/test", json={"test_sample_size": 9}, headers={"Idempotency-Key": "test-1"})
    assert_failed(reused, 409, "Idempotency-Key 'test-1' was used for a different test request")

    # Step 5: deploy on the process target -> ACTIVE, a service that answers
    deploy_request = {"replicas": 1, "memory_mb": 512, "cpu_cores": 0.5, "auto_scale": False}
    deployed = api.post(f"{API}/{iid}/deploy", json=deploy_request)
    assert deployed.status_code == 200, deployed.text
    body = deployed.json()
    assert body["current_step"] == "ACTIVE"
    assert body["data"]["container_id"] and body["data"]["deployment_time_seconds"] > 0
    assert httpx.get(body["data"]["service_url"] + "/health", timeout=10).status_code == 200
    again = api.post(f"{API}/{iid}/deploy", json=deploy_request)  # a retry gets the same running service
    assert again.json() == body, (again.text, body)

    # GET one, GET all
    one = api.get(f"{API}/{iid}").json()
    assert (one["integration_id"], one["status"]) == (iid, "active")
    assert one["health_score"]["overall"] == score["overall"] and one["last_updated"]
    assert api.get(f"{API}/acme-crm-to-mailwave-sync").json()["integration_id"] == iid  # the name works too
    listing = api.get(API).json()
    assert (listing["status"], listing["count"]) == ("success", 1)
    assert listing["data"][0]["id"] == iid and listing["data"][0]["status"] == "active"
    assert listing["data"][0]["name"] == "Acme CRM to Mailwave Sync" and listing["data"][0]["created_at"]

    # git stays the source of truth: every request is in the manifest, which the CLI validates; the sandboxes of
    # one test request are not (they got placeholder credentials, and a committed sandbox gets the real ones)
    text = manifest.read_text()
    assert crm not in text and mailwave not in text
    for expected in (
        "endpoint: GET /customers",
        "endpoint: POST /contacts",
        "sample_size: 10",
        "token_env: ACME_CRM_TOKEN",  # declared from the spec's security scheme at ingest
        "key_env: MAILWAVE_API_KEY",
    ):
        assert expected in text
    validated = subprocess.run(
        [sys.executable, "-m", "vitesse", "validate", str(manifest)], capture_output=True, text=True, cwd=ROOT
    )
    assert validated.returncode == 0, validated.stderr


def test_errors_use_the_seeds_envelope_and_codes(api: httpx.Client, empty_project: Path) -> None:
    assert_failed(api.get(f"{API}/{uuid.uuid4()}"), 404, "not found")
    preflight = api.options(  # the seed's React flow runs in a browser on another origin
        API, headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.headers.get("access-control-allow-origin") == "http://localhost:5173"
    assert "access-control-allow-origin" not in api.get(API, headers={"Origin": "http://evil.example"}).headers
    assert_failed(api.post(f"{API}/no-such-integration/ingest", json=SPECS), 404)
    created = api.post(API, json={**SEED_CREATE, "name": "Order Check"})
    iid = created.json()["integration_id"]
    assert_failed(api.post(f"{API}/{iid}/map", json={}), 409, "before map")  # out of order
    assert_failed(api.post(f"{API}/{iid}/deploy", json={}), 409)
    assert_failed(api.post(f"{API}/{iid}/test", json={"test_sample_size": 500}), 400, "test_sample_size")
    assert_failed(api.post(f"{API}/{iid}/test", json={"sample_size": 5}), 400, "sample_size: unknown field")
    assert_failed(api.post(API, json={**SEED_CREATE, "dest_discovery": {}}), 400, "dest_discovery.api_name")
    invalid_json = api.post(f"{API}/{iid}/ingest", content=b"{nope", headers={"content-type": "application/json"})
    assert_failed(invalid_json, 400, "invalid JSON")
    as_text = api.post(f"{API}/{iid}/test", content=b'{"test_sample_size": 5}', headers={"content-type": "text/plain"})
    assert_failed(as_text, 415, "send JSON with Content-Type: application/json")
    assert_failed(api.post(f"{API}/{iid}/ingest", json={"source_spec_url": "../../../etc/passwd"}), 400)
    assert_failed(api.post(f"{API}/{iid}/ingest", json={"source_spec_url": "specs/missing.yaml"}), 400, "missing")
    huge = api.post(f"{API}/{iid}/ingest", content=b" " * 2_000_000, headers={"content-type": "application/json"})
    assert_failed(huge, 413)
    assert_failed(api.delete(f"{API}/{iid}"), 405)
    before = (empty_project / "integrations" / "order-check.yaml").read_text()
    metadata = {**SPECS, "source_spec_url": "http://169.254.169.254/latest/spec.json"}  # cloud metadata: refused
    refused = api.post(f"{API}/{iid}/ingest", json=metadata)
    assert_failed(refused, 400, "Failed to ingest source API spec")
    assert (empty_project / "integrations" / "order-check.yaml").read_text() == before  # nothing half-applied

    # a mapping that breaks the destination's schema fails the test (400) and deploy is refused
    bad = create_and_ingest(api, "Broken Mapping")
    assert api.post(f"{API}/{bad}/map", json={"mapping_hints": {"id": "email_address"}}).status_code == 200
    failed = assert_failed(api.post(f"{API}/{bad}/test", json={}), 400, "Integration tests failed: health_score =")
    assert failed["code"] == "gate.below_threshold"
    assert_failed(api.post(f"{API}/{bad}/deploy", json={}), 400, "deploy refused")
    state = api.get(f"{API}/{bad}").json()
    assert state["status"] == "failed" and state["health_score"]["overall"] < 70

    # a deploy that fails is a 500 (no Kubernetes cluster here: KUBECONFIG points nowhere)
    eks = create_and_ingest(api, "To EKS", deployment_target="eks")
    assert api.post(f"{API}/{eks}/map", json={}).status_code == 200
    assert api.post(f"{API}/{eks}/test", json={}).status_code == 200
    assert_failed(api.post(f"{API}/{eks}/deploy", json={"memory_mb": 1024}), 500, "Kubernetes")
    assert "memory_mb: 1024" not in (empty_project / "integrations" / "to-eks.yaml").read_text()  # rolled back
    assert "Traceback" not in (empty_project / "api.log").read_text()


def test_parallel_step_calls_leave_a_valid_manifest_and_history(api: httpx.Client, empty_project: Path) -> None:
    iid = create_and_ingest(api, "Busy Integration")
    calls = []
    for i in range(20):
        if i % 4 == 0:
            calls.append(("ingest", SPECS))
        elif i % 4 == 1:
            calls.append(("map", {"mapping_hints": {"id": "external_id"}, "min_confidence": 0.5 + i / 100}))
        elif i % 4 == 2:
            calls.append(("test", {"test_sample_size": 1 + i}))
        else:
            calls.append(("map", {"source_endpoint": "/customers", "dest_endpoint": "/contacts"}))
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda call: api.post(f"{API}/{iid}/{call[0]}", json=call[1]), calls))
    codes = [r.status_code for r in responses]
    assert set(codes) <= {200, 400, 409}, [r.text for r in responses if r.status_code not in (200, 400, 409)]
    assert codes.count(200) >= 5
    for response in responses:
        assert response.json()["status"] in ("success", "failed")

    manifest = empty_project / "integrations" / "busy-integration.yaml"
    checked = subprocess.run(
        [sys.executable, "-m", "vitesse", "validate", str(manifest)], capture_output=True, text=True, cwd=ROOT
    )
    assert checked.returncode == 0, checked.stderr
    history = empty_project / ".vitesse" / "artifacts" / "busy-integration"
    assert not list(history.rglob("*.tmp")), "a write was left half-done"
    for step_dir in (d for d in history.iterdir() if d.is_dir()):
        versions = sorted(step_dir.glob("*.json"))
        assert versions, step_dir
        for path in versions:
            artifact = json.loads(path.read_text())
            assert artifact["version"] == path.stem
            recomputed = content_hash({k: artifact[k] for k in ("integration", "step", "inputs", "data")})
            assert recomputed == path.stem, f"{path} does not match its content hash"
        assert (step_dir / f"{(step_dir / 'latest').read_text().strip()}.json").exists()
    json.loads((history / "status.json").read_text())
    # and the integration still works step by step
    assert api.post(f"{API}/{iid}/map", json={}).status_code == 200
    assert api.post(f"{API}/{iid}/test", json={}).status_code == 200


def test_schemathesis_finds_no_server_errors_or_schema_violations(empty_project: Path, tmp_path: Path) -> None:
    """Property-based requests from the app's own OpenAPI document (coverage + fuzzing phases): every answer is a
    documented status with a body matching its documented schema, never a 5xx. Step calls go to a real integration
    (the example manifest) so they reach the step logic, not only the 404 path. Fixed seed: CI stays reproducible."""
    shutil.copy(EXAMPLES / "crm-to-mailwave.yaml", empty_project / "integrations")
    config = tmp_path / "schemathesis.toml"
    config.write_text('[parameters]\n"path.integration_id" = "crm-to-mailwave"\n')
    server = ApiServer(empty_project, env={"KUBECONFIG": str(empty_project / "no-kubeconfig")})
    try:
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--phases",
                "coverage,fuzzing",
                "--max-examples",
                "40",
                "--seed",
                "20261129",
                "--workers",
                "1",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "passed" in done.stdout
    assert "Traceback" not in (empty_project / "api.log").read_text()
