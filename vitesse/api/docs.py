"""The API docs (Swagger UI at /docs, ReDoc at /redoc) served from this machine: no CDN, no Google Fonts.

FastAPI's own docs pages load their JavaScript and CSS from a CDN, so they are blank without internet. These are
FastAPI's "self-hosting" recipe over the assets the `fastapi-offline` package ships (Swagger UI 5, ReDoc 2, a
favicon), mounted at `ASSETS` (`ASSETS_URL`). The app must be created with ``docs_url=None, redoc_url=None``.

Paths: /docs, /docs/oauth2-redirect, /redoc, the app's openapi_url (/openapi.json) and everything under /docs-assets/.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
ASSETS = ("fastapi_offline", "static")  # (package, folder): swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js
# Swagger UI's default shows a badge fetched from validator.swagger.io (sending it the spec's URL): off
SWAGGER_DEFAULTS = {"validatorUrl": None}


def install_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Add the Swagger UI page at ``docs_url`` (and its OAuth2 redirect page), ReDoc at ``redoc_url`` and their
    assets to ``app``; URLs honour the ASGI ``root_path`` behind a proxy, as FastAPI's own pages do."""
    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS]), name="docs-assets")
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url

    def root(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        assets = root(request) + ASSETS_URL
        return get_swagger_ui_html(
            openapi_url=root(request) + str(app.openapi_url),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            oauth2_redirect_url=root(request) + oauth2_redirect_url if oauth2_redirect_url else None,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=SWAGGER_DEFAULTS | (app.swagger_ui_parameters or {}),
        )

    if oauth2_redirect_url:

        @app.get(oauth2_redirect_url, include_in_schema=False)
        async def swagger_ui_redirect() -> HTMLResponse:
            return get_swagger_ui_oauth2_redirect_html()

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        assets = root(request) + ASSETS_URL
        return get_redoc_html(
            openapi_url=root(request) + str(app.openapi_url),
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        )
