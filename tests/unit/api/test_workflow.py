"""The REST API's request handling that needs no server: names, endpoints, URLs, auth from the spec."""

import pytest

from vitesse.api.models import IngestRequest, TestRequest
from vitesse.api.workflow import _endpoint, slug
from vitesse.errors import ManifestError
from vitesse.ingest.auth import suggested_auth

SPEC = {
    "api_name": "Acme CRM",
    "endpoints": [
        {"method": "GET", "path": "/customers"},
        {"method": "POST", "path": "/customers"},
        {"method": "PUT", "path": "/customers/{id}"},
        {"method": "DELETE", "path": "/orders/{id}"},
    ],
}


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Salesforce to HubSpot Sync", "salesforce-to-hubspot-sync"),
        ("  Ça va — Zoho → Brevo!  ", "ca-va-zoho-brevo"),
        ("2024 import", "integration-2024-import"),
        ("x" * 300, "x" * 63),
    ],
)
def test_slug(title: str, name: str) -> None:
    assert slug(title) == name


def test_slug_needs_a_letter_or_digit() -> None:
    with pytest.raises(ManifestError, match="name: needs at least one letter or digit"):
        slug("→ ← !")


def test_bare_paths_get_the_method_for_their_side() -> None:
    assert _endpoint(SPEC, "/customers", "source_endpoint", reading=True) == "GET /customers"
    assert _endpoint(SPEC, "/customers", "dest_endpoint", reading=False) == "POST /customers"
    assert _endpoint(SPEC, "/customers/{id}", "dest_endpoint", reading=False) == "PUT /customers/{id}"
    assert _endpoint(SPEC, "PATCH /customers", "dest_endpoint", reading=False) == "PATCH /customers"


def test_unknown_or_unusable_paths_name_the_field() -> None:
    with pytest.raises(ManifestError, match=r"source_endpoint: '/custmers' is not a path.*'/customers'"):
        _endpoint(SPEC, "/custmers", "source_endpoint", reading=True)
    with pytest.raises(ManifestError, match=r"dest_endpoint: '/orders/\{id\}' has no POST, PUT or PATCH"):
        _endpoint(SPEC, "/orders/{id}", "dest_endpoint", reading=False)


@pytest.mark.parametrize(
    "location",
    ["/etc/passwd", "../secrets.yaml", "specs/../../x.yaml", "file:///etc/passwd", "ftp://x/spec", "http://bad host/"],
)
def test_spec_locations_stay_in_the_project_or_on_http(location: str) -> None:
    with pytest.raises(ValueError, match="source_spec_url"):
        IngestRequest(source_spec_url=location)


def test_sandbox_urls_need_a_valid_host() -> None:
    assert TestRequest(dest_sandbox_url="http://127.0.0.1:4010").dest_sandbox_url == "http://127.0.0.1:4010"
    for bad in ("https://Ā}I$", "http://x:99999", "http://ok.example/\x08", "http://\ud800.example"):
        with pytest.raises(ValueError, match="dest_sandbox_url"):
            TestRequest(dest_sandbox_url=bad)


def test_auth_is_declared_from_the_specs_security_scheme() -> None:
    bearer = [{"type": "bearer", "name": "token"}]
    assert suggested_auth("Acme CRM", bearer) == {"type": "bearer", "token_env": "ACME_CRM_TOKEN"}
    key = [{"type": "other"}, {"type": "api_key", "location": "query", "param_name": "api_key"}]
    assert suggested_auth("2Checkout", key) == {
        "type": "api_key",
        "in": "query",
        "name": "api_key",
        "key_env": "API_2CHECKOUT_API_KEY",
    }
    oauth = [{"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://x.example/token"}}}]
    assert suggested_auth("Box", oauth)["client_secret_env"] == "BOX_CLIENT_SECRET"
    assert suggested_auth("Box", [{"type": "oauth2", "flows": {"authorizationCode": {}}}]) is None


def test_idempotency_keys_expire_and_refuse_other_bodies(tmp_path, monkeypatch) -> None:
    import time

    from vitesse.api.idempotency import TTL_SECONDS, IdempotencyKeys
    from vitesse.artifacts import ArtifactStore
    from vitesse.errors import ConflictError

    keys = IdempotencyKeys(ArtifactStore(tmp_path))
    assert keys.replay("demo", "test", "k", {"a": 1}) is None
    keys.remember("demo", "test", "k", {"a": 1}, {"status": "success"}, 200)
    assert keys.replay("demo", "test", "k", {"a": 1}) == ({"status": "success"}, 200)
    assert keys.replay("demo", "map", "k", {"a": 2}) is None  # per step
    with pytest.raises(ConflictError, match="used for a different test request"):
        keys.replay("demo", "test", "k", {"a": 2})
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + TTL_SECONDS + 1)
    assert keys.replay("demo", "test", "k", {"a": 2}) is None  # expired: a new run
