"""The API docs in headless Chromium with no network: `vitesse api` on 127.0.0.1 (with a token, which the docs do not
need) serves Swagger UI at /docs and ReDoc at /redoc from its own assets, and both show every operation of the
API's OpenAPI document. The Swagger UI screenshot is kept in ci-artifacts/ for people to look at."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import ROOT
from tests.e2e.api_support import ApiServer
from tests.support.chromium import OFFLINE, chromium

pytestmark = pytest.mark.browser
CDNS = ("cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com", "fastapi.tiangolo.com")
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture
def server(project: Path) -> Iterator[ApiServer]:
    api = ApiServer(project, {"VITESSE_API_TOKEN": secrets.token_urlsafe(24)})
    try:
        yield api
    finally:
        api.stop()


def operations(server: ApiServer) -> list[tuple[str, str, str]]:
    """(method, path, summary) of every operation the server's OpenAPI document lists."""
    doc = httpx.get(f"{server.url}/openapi.json", timeout=10).raise_for_status().json()
    return [
        (method, path, operation["summary"])
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def offline_dom(server: ApiServer, page: str, profile: Path) -> str:
    served = httpx.get(server.url + page, timeout=10).raise_for_status().text
    assert not [cdn for cdn in CDNS if cdn in served], served
    run = chromium(profile, *OFFLINE, "--dump-dom", server.url + page)
    assert run.returncode == 0 and run.stdout, run.stderr[-2000:]
    return run.stdout


def test_swagger_ui_shows_every_operation_without_network(server: ApiServer, tmp_path: Path) -> None:
    expected = operations(server)
    dom = offline_dom(server, "/docs", tmp_path / "profile-1")
    blocks = re.findall(r'class="opblock opblock-(\w+)', dom)
    assert len(blocks) > 5, dom[-3000:]
    assert sorted(blocks) == sorted(method for method, _, _ in expected)
    text = dom.replace("<wbr>", "")
    for _, path, _ in expected:
        assert f"<span>{path}</span>" in text, f"Swagger UI does not show {path}"
    assert "/api/v1/vitesse/integrations" in text
    shots = ROOT / "ci-artifacts"
    shots.mkdir(exist_ok=True)
    shot = shots / "api-docs-swagger-ui.png"
    chromium(tmp_path / "profile-2", *OFFLINE, f"--screenshot={shot}", server.url + "/docs")
    assert shot.exists() and shot.stat().st_size > 10_000


def test_redoc_shows_every_operation_without_network(server: ApiServer, tmp_path: Path) -> None:
    dom = offline_dom(server, "/redoc", tmp_path / "profile")
    for _, _, summary in operations(server):
        assert html.escape(summary, quote=False) in dom, f"ReDoc does not show {summary!r}"


def test_the_browser_really_has_no_network(tmp_path: Path) -> None:
    """The control: with `OFFLINE`, the CDN script FastAPI's stock /docs page loads does not load."""
    page = (
        '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>'
        '<p id="loaded"></p><script>document.getElementById("loaded").textContent = typeof SwaggerUIBundle</script>'
    )
    dom = chromium(tmp_path / "profile", *OFFLINE, "--dump-dom", "data:text/html," + quote(page)).stdout
    assert '<p id="loaded">undefined</p>' in dom, dom
