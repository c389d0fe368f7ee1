"""The web flow (the seed's "Frontend Implementation"): static files under ``vitesse/api/web/`` served at ``/ui/``
by the same server as the API, and ``/`` redirecting there.

The files are plain ES modules, one stylesheet and one HTML page: no build step, nothing from a CDN, nothing secret,
so `vitesse.api.guard.RequestAuth` lets them through without the token (the page reads the token from its URL
fragment and sends it on every API call). Every file gets a strict Content-Security-Policy (`CSP`: only this origin,
no inline script or style, no framing), ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

WEB_URL = "/ui"
WEB_DIR = Path(__file__).with_name("web")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class WebFiles(StaticFiles):
    """`StaticFiles` (index.html for the folder) with `HEADERS` on every file it answers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(HEADERS)
        return response


def install_web(app: FastAPI) -> None:
    """Serve `WEB_DIR` at ``/ui/`` and redirect ``/`` there (honouring the ASGI ``root_path``)."""
    app.mount(WEB_URL, WebFiles(directory=WEB_DIR, html=True), name="web")

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> RedirectResponse:
        return RedirectResponse(request.scope.get("root_path", "").rstrip("/") + WEB_URL + "/", status_code=307)
