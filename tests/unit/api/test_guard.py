"""The API's request guard in process: Host names, the bearer token, JSON bodies, CORS preflights."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from vitesse.api.app import create_app
from vitesse.api.guard import allowed_hosts, host_name, is_loopback
from vitesse.project import Project

TOKEN = "s3cret-" + "z" * 30
API = "/api/v1/vitesse/integrations"


def call(app, method: str, path: str, **kwargs) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("localhost:9001", "localhost"),
        ("LOCALHOST", "localhost"),
        ("[::1]:9001", "::1"),
        ("[::1]", "::1"),
        ("127.0.0.1", "127.0.0.1"),
        ("Vitesse.Internal:443", "vitesse.internal"),
    ],
)
def test_host_name_drops_the_port(header: str, name: str) -> None:
    assert host_name(header) == name


def test_allowed_hosts() -> None:
    assert allowed_hosts("0.0.0.0", ["api.corp:9001"]) == {"localhost", "127.0.0.1", "::1", "api.corp"}
    assert "10.1.2.3" in allowed_hosts("10.1.2.3")
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("example.com")


def test_token_is_required_outside_the_open_paths(tmp_path: Path) -> None:
    app = create_app(Project(tmp_path), token=TOKEN)
    assert call(app, "GET", API).status_code == 401
    assert call(app, "GET", API, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert call(app, "GET", API, headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
    assert call(app, "GET", API, headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200
    for path in ("/health", "/openapi.json", "/docs"):
        assert call(app, "GET", path).status_code == 200, path
    assert call(app, "GET", "/docs/../api/v1/vitesse/integrations").status_code in (401, 404)


def test_posts_need_a_json_content_type(tmp_path: Path) -> None:
    app = create_app(Project(tmp_path))
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/jsonx"):
        answer = call(app, "POST", API, content=b"{}", headers={"content-type": content_type})
        assert answer.status_code == 415, content_type
        assert answer.json()["code"] == "request.unsupported_media_type"
    assert call(app, "POST", API).status_code == 415  # no body, no type
    typed = call(app, "POST", API, content=b"{}", headers={"content-type": "Application/JSON; charset=utf-8"})
    assert typed.status_code == 400  # past the guard: the body is checked (and lacks the required fields)


def test_foreign_hosts_are_refused_before_anything_else(tmp_path: Path) -> None:
    app = create_app(Project(tmp_path), token=TOKEN, allowed_hosts=["vitesse.internal"])
    refused = call(app, "GET", API, headers={"Host": "attacker.example"})
    assert refused.status_code == 421 and "--allowed-host attacker.example" in refused.json()["error"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert call(app, "GET", API, headers={"Host": "vitesse.internal:9001", **auth}).status_code == 200


def test_cors_preflight_needs_no_token(tmp_path: Path) -> None:
    app = create_app(Project(tmp_path), token=TOKEN, cors_origins=["http://localhost:5173"])
    preflight = call(
        app,
        "OPTIONS",
        API,
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
