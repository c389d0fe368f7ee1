"""What every request to the REST API passes before a route runs: the Host check, the bearer token, a JSON body,
the body size limit (`BodyLimit`); and `envelope`, the error answer they and the routes give.

- `HostCheck` (outermost): the ``Host`` header must name this server (the bound host, ``localhost``, ``127.0.0.1``,
  ``[::1]``, or a name given with ``--allowed-host``), else 421. A web page the operator opens cannot reach the API
  through DNS rebinding: its requests carry the attacker's host name.
- `RequestAuth` (inside CORS, so preflights are answered): with a token configured (``VITESSE_API_TOKEN``), every
  request but the few that reveal nothing (`OPEN_PATHS`: /health, the API docs, the web flow's static files) needs
  ``Authorization: Bearer <token>``, compared in constant time, else 401. A POST needs ``Content-Type:
  application/json``, empty bodies included, else 415: a cross-site form or ``text/plain`` request cannot run a step.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# the web flow's static files (vitesse.api.webui) hold nothing secret: the page sends the token on its API calls
OPEN_PATHS = frozenset({"/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/", "/ui"})
OPEN_PREFIXES = ("/docs-assets/", "/ui/")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def envelope(error: str, status: int, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The seed's error envelope plus vitesse's stable ``code``: every error the API answers."""
    body = {"status": "failed", "error": error, "http_status": status, "code": code}
    return JSONResponse(body, status_code=status, headers=headers)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the API on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host of a ``Host`` header value, lowercased, without its port (``[::1]:9001`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a request's ``Host`` may carry: loopback, the bound host (unless a wildcard), ``extra``."""
    names = {*LOOPBACK_NAMES, *(host_name(h) for h in extra)}
    if bound not in ("0.0.0.0", "::", ""):
        names.add(host_name(bound) if bound.startswith("[") else bound.lower())
    return frozenset(names)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class HostCheck:
    """Refuse requests whose ``Host`` is not one of ``hosts`` with a 421 that says how to allow it."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = _header(scope, b"host")
            if not header:
                await envelope("the request has no Host header", 400, "request.invalid")(scope, receive, send)
                return
            if host_name(header) not in self.hosts:
                message = (
                    f"Host {header!r} is not served here (allowed: {', '.join(sorted(self.hosts))}); "
                    f"if this name is yours, start `vitesse api` with --allowed-host {host_name(header)}"
                )
                await envelope(message, 421, "request.host_not_allowed")(scope, receive, send)
                return
        await self.app(scope, receive, send)


class RequestAuth:
    """The bearer token (when ``token`` is set) on every request outside `OPEN_PATHS`; JSON bodies on POSTs."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        open_path = path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)
        if self.token is not None and not open_path and not self._authorized(scope):
            message = "send Authorization: Bearer <token> (the VITESSE_API_TOKEN this server was started with)"
            response = envelope(message, 401, "request.unauthorized", {"WWW-Authenticate": 'Bearer realm="vitesse"'})
            await response(scope, receive, send)
            return
        if method in BODY_METHODS:
            content_type = _header(scope, b"content-type") or ""
            if content_type.split(";", 1)[0].strip().lower() != "application/json":
                message = (
                    f"body: send JSON with Content-Type: application/json (got {content_type or 'none'!r}); "
                    "a step without options takes {}"
                )
                await envelope(message, 415, "request.unsupported_media_type")(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        assert self.token is not None
        scheme, _, given = (_header(scope, b"authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token)


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (by Content-Length, and while reading a chunked body) with a 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        too_large = f"request body is over {self.max_bytes} bytes"
        try:
            if declared is not None and int(declared) > self.max_bytes:
                await envelope(too_large, 413, "request.too_large")(scope, receive, send)
                return
        except ValueError:
            await envelope("Content-Length is not a number", 400, "request.invalid")(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, too_large)
            return message

        await self.app(scope, limited, send)
