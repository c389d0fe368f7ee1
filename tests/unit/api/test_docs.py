"""The API docs pages (vitesse.api.docs) reference only this server's own assets, and those assets are served."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from vitesse.api import create_app
from vitesse.project import Project


async def get(app: FastAPI, paths: list[str], root_path: str = "") -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return [await client.get(path) for path in paths]


def asset_urls(page: str) -> list[str]:
    """The URLs a docs page loads: script and link targets, Swagger UI's ``url:`` and ReDoc's ``spec-url``."""
    pattern = r"""(?:src|href)=["']([^"']+)["']|url: ?'([^']+)'|spec-url="([^"]+)\""""
    return ["".join(groups) for groups in re.findall(pattern, page)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
@pytest.mark.parametrize("token", [None, "a-long-random-token-for-tests"])
def test_docs_reference_only_local_assets_that_answer(tmp_path: Path, page: str, token: str | None) -> None:
    app = create_app(Project(tmp_path), token=token)
    (answer,) = asyncio.run(get(app, [page]))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    urls = asset_urls(answer.text)
    assert "/openapi.json" in urls and len(urls) >= 3, answer.text
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert not re.search(r"https?://|cdn\.|unpkg|googleapis", answer.text)
    assets = asyncio.run(get(app, urls))
    assert {u: a.status_code for u, a in zip(urls, assets, strict=True)} == dict.fromkeys(urls, 200)
    assert all(len(a.content) > 1000 for a in assets)


def test_swagger_ui_calls_no_online_validator(tmp_path: Path) -> None:
    (answer,) = asyncio.run(get(create_app(Project(tmp_path)), ["/docs"]))
    assert '"validatorUrl": null' in answer.text


def test_docs_honour_the_proxy_root_path(tmp_path: Path) -> None:
    """Behind a proxy that serves the API under /vitesse (uvicorn --root-path), the pages name the prefixed URLs."""
    (answer,) = asyncio.run(get(create_app(Project(tmp_path)), ["/vitesse/docs"], root_path="/vitesse"))
    assert answer.status_code == 200, answer.text
    assert "'/vitesse/openapi.json'" in answer.text and '"/vitesse/docs-assets/swagger-ui-bundle.js"' in answer.text
