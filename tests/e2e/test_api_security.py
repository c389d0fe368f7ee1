"""The REST API as an attacker on the same host would try it, over real HTTP against `vitesse api`: a bearer token,
Host and content-type checks, and sandboxes named in a request that never see the real credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, run_cli
from tests.e2e import fake_apis
from tests.e2e.api_support import API, SEED_CREATE, SPECS, ApiServer, assert_failed
from vitesse.manifest.edit import edit_manifest

pytestmark = pytest.mark.slow
TOKEN = "t0ken-" + "x" * 32
SECRETS = {"ACME_CRM_TOKEN": "real-crm-secret-123456", "MAILWAVE_API_KEY": "real-mailwave-key-654321"}


@pytest.fixture
def recorder() -> Iterator[Any]:
    with fake_apis.recorder() as server:
        yield server


@pytest.fixture
def guarded(empty_project: Path) -> Iterator[ApiServer]:
    server = ApiServer(empty_project, {"VITESSE_API_TOKEN": TOKEN, **SECRETS}, "--allowed-host", "vitesse.internal")
    try:
        yield server
    finally:
        server.stop()


def test_token_host_and_content_type_are_required(guarded: ApiServer) -> None:
    with httpx.Client(base_url=guarded.url, timeout=60) as anonymous:
        body = assert_failed(anonymous.get(API), 401, "Authorization: Bearer")
        assert body["code"] == "request.unauthorized"
        assert anonymous.get(API).headers["www-authenticate"].startswith("Bearer")
        wrong = anonymous.get(API, headers={"Authorization": "Bearer " + TOKEN[:-1] + "y"})
        assert_failed(wrong, 401)
        assert_failed(anonymous.get(API, headers={"Authorization": TOKEN}), 401)  # no scheme
        assert_failed(anonymous.post(API, json=SEED_CREATE), 401)
        assert anonymous.get("/health").status_code == 200  # says nothing about the project
        assert anonymous.get("/openapi.json").json()["security"] == [{"bearer": []}]

    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=guarded.url, timeout=120, headers=auth) as api:
        assert api.get(API).status_code == 200
        created = api.post(API, json=SEED_CREATE)
        assert created.status_code == 201, created.text
        iid = created.json()["integration_id"]
        # a cross-site form or text/plain POST never runs a step, with or without a body
        for headers, content in (
            ({"content-type": "text/plain"}, b"{}"),
            ({}, b""),
            ({"content-type": "text/plain"}, b""),
        ):
            refused = api.post(f"{API}/{iid}/ingest", content=content, headers=headers)
            assert_failed(refused, 415, "Content-Type: application/json")
        form = api.post(f"{API}/{iid}/ingest", data={"source_spec_url": "specs/acme-crm.yaml"})
        assert_failed(form, 415)
        assert api.get(f"{API}/{iid}").json()["status"] == "discovering"  # nothing ran
        assert api.post(f"{API}/{iid}/ingest", json=SPECS).status_code == 200

        # DNS rebinding: the attacker's page reaches 127.0.0.1 under its own name
        rebound = api.get(API, headers={"Host": f"evil.example:{guarded.port}"})
        body = assert_failed(rebound, 421, "evil.example", "--allowed-host")
        assert body["code"] == "request.host_not_allowed"
        for host in (f"localhost:{guarded.port}", f"127.0.0.1:{guarded.port}", "vitesse.internal", "[::1]"):
            assert api.get(API, headers={"Host": host}).status_code == 200, host
    assert "Traceback" not in (guarded.project / "api.log").read_text()


def test_request_sandboxes_get_placeholders_and_obey_the_host_policy(guarded: ApiServer, recorder: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=guarded.url, timeout=180, headers=auth) as api:
        iid = api.post(API, json=SEED_CREATE).json()["integration_id"]
        assert api.post(f"{API}/{iid}/ingest", json=SPECS).status_code == 200
        assert api.post(f"{API}/{iid}/map", json={"mapping_hints": {"id": "external_id"}}).status_code == 200
        manifest = guarded.project / "integrations" / "acme-crm-to-mailwave-sync.yaml"
        steal = {"test_sample_size": 3, "source_sandbox_url": recorder.url, "dest_sandbox_url": recorder.url}

        # loopback is a private address: refused unless the manifest (in git) allows private hosts
        refused = assert_failed(api.post(f"{API}/{iid}/test", json=steal), 400, "source sandbox")
        assert refused["code"] == "test.sandbox_refused" and not recorder.seen
        metadata = {**steal, "dest_sandbox_url": "http://169.254.169.254/latest"}
        assert_failed(api.post(f"{API}/{iid}/test", json=metadata), 400)

        # allowed: the calls go there, with placeholder credentials of the right kind, never the real ones
        edit_manifest(
            manifest, {"source.spec_access.private_hosts": True, "destination.spec_access.private_hosts": True}
        )
        assert api.post(f"{API}/{iid}/ingest", json={}).status_code == 200
        assert api.post(f"{API}/{iid}/map", json={}).status_code == 200
        before = manifest.read_text()
        tested = api.post(f"{API}/{iid}/test", json=steal)
        assert tested.status_code == 200, tested.text
        seen = recorder.seen
        assert seen, "no shadow call reached the request's sandbox"
        received = json.dumps(seen)
        for secret in SECRETS.values():
            assert secret not in received
        reads = [s for s in seen if s["path"].startswith("/customers")]
        writes = [s for s in seen if s["path"].startswith("/contacts")]
        assert reads and all(s["authorization"].startswith("Bearer ") for s in reads)
        assert writes and all(s.get("x-mailwave-key") for s in writes), writes[:1]  # the API key header of the spec
        assert any("placeholder credentials" in n for n in tested.json()["data"]["notes"])
        after = manifest.read_text()  # the request's sandboxes are not written into the manifest (its sample size is)
        assert after == before + "test:\n  sample_size: 3\n" and "sandbox_url" not in after
    for secret in SECRETS.values():
        assert secret not in (guarded.project / "api.log").read_text()


def test_a_public_bind_needs_a_token(tmp_path: Path) -> None:
    result = run_cli("api", "--host", "0.0.0.0", "--port", "1", "--project", str(tmp_path), cwd=ROOT)
    assert result.returncode == 1
    assert "refusing to listen on 0.0.0.0 without VITESSE_API_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
