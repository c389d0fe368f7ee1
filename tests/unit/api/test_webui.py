"""The web flow's static files (vitesse.api.webui): served at /ui/ without the token, with a strict CSP, nothing
loaded from elsewhere; every API route still needs the token."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from vitesse.api import create_app
from vitesse.api.webui import WEB_DIR
from vitesse.project import Project

TOKEN = "a-long-random-token-for-tests"
FILES = sorted(p.name for p in WEB_DIR.iterdir() if p.is_file())


async def get(app: FastAPI, paths: list[str], **headers: str) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return [await client.get(path, headers=headers) for path in paths]


def test_the_page_is_served_without_the_token_with_a_strict_csp(tmp_path: Path) -> None:
    app = create_app(Project(tmp_path), token=TOKEN)
    answers = asyncio.run(get(app, ["/", "/ui", "/ui/", *(f"/ui/{name}" for name in FILES)]))
    root, bare, page, *files = answers
    assert root.status_code == 307 and root.headers["location"] == "/ui/"
    assert bare.status_code == 307 and bare.headers["location"].endswith("/ui/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for answer in [page, *files]:
        assert answer.status_code == 200, answer.url
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
    types = {name: a.headers["content-type"] for name, a in zip(FILES, files, strict=True)}
    assert all(types[name].startswith("text/javascript") for name in FILES if name.endswith(".js")), types


def test_the_page_loads_nothing_from_elsewhere_and_has_no_inline_script() -> None:
    html = (WEB_DIR / "index.html").read_text()
    assert re.findall(r"<script\b[^>]*>", html) == ['<script type="module" src="app.js">']
    assert "style=" not in html and "<style" not in html
    for path in WEB_DIR.iterdir():
        text = path.read_text()
        assert not re.search(r"https?://(?!127\.0\.0\.1)", text), path.name
        assert not re.search(r"\.innerHTML\s*=|\beval\(|new Function", text), path.name


@pytest.mark.parametrize(
    "path",
    ["/api/v1/vitesse/integrations", "/api/v1/vitesse/integrations/x", "/api/v1/vitesse/catalog?q=crm", "/docs-x"],
)
def test_api_routes_still_need_the_token(tmp_path: Path, path: str) -> None:
    app = create_app(Project(tmp_path), token=TOKEN)
    (answer,) = asyncio.run(get(app, [path]))
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] == "request.unauthorized"
    (allowed,) = asyncio.run(get(app, [path], Authorization=f"Bearer {TOKEN}"))
    assert allowed.status_code != 401


def test_a_prefix_lookalike_is_not_open(tmp_path: Path) -> None:
    app = create_app(Project(tmp_path), token=TOKEN)
    answers = asyncio.run(get(app, ["/uix", "/ui-api/v1", "/api/v1/vitesse/ui/"]))
    assert [a.status_code for a in answers] == [401, 401, 401]
