"""Fetching specs over HTTP from a real local server: limits, timeouts, redirects, private addresses."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vitesse.errors import SpecError
from vitesse.ingest import ingest_spec
from vitesse.manifest.models import SpecAccess

SPEC = b"""openapi: 3.0.3
info: {title: Remote, version: '1'}
servers: [{url: /api}]
paths:
  /things:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'models/thing.yaml'}
"""
THING = b"type: object\nproperties: {id: {type: string}}\n"


SEEN: list[tuple[str, str]] = []  # (path, Host header) of every request the stand-in server answered


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        SEEN.append((self.path, self.headers.get("Host", "")))
        routes = {"/spec.yaml": SPEC, "/models/thing.yaml": THING}
        if self.path in routes:
            self._send(200, routes[self.path])
        elif self.path == "/big":
            self.send_response(200)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gives up at its limit
                for _ in range(3000):
                    self.wfile.write(b"#" * 1000 + b"\n")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, SPEC)
        elif self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif self.path == "/to-spec":
            self.send_response(301)
            self.send_header("Location", "/spec.yaml")
            self.end_headers()
        else:
            self._send(500 if self.path == "/boom" else 404, b"nope")

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stops reading at its limit
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


TRUSTED = SpecAccess(private_hosts=True, timeout_seconds=1, max_mb=1)


def test_remote_spec_with_relative_refs_and_server(server: str) -> None:
    spec = ingest_spec(f"{server}/spec.yaml", access=TRUSTED)
    assert spec.base_url == f"{server}/api"
    assert spec.endpoints[0].response_schema["properties"] == {"id": {"type": "string"}}
    assert spec.source.documents == 2


def test_loopback_spec_url_needs_private_hosts(server: str) -> None:
    with pytest.raises(SpecError, match="private or loopback address") as caught:
        ingest_spec(f"{server}/spec.yaml")
    assert caught.value.code == "spec.private_address"


def test_redirects_are_followed(server: str) -> None:
    assert ingest_spec(f"{server}/to-spec", access=TRUSTED).title == "Remote"


def test_redirect_to_metadata_address_is_refused_even_for_trusted_hosts(server: str) -> None:
    # Each hop is checked; link-local addresses are refused whatever private_hosts says.
    with pytest.raises(SpecError, match=r"169\.254\.169\.254/latest/meta-data/: refers to the link-local address"):
        ingest_spec(f"{server}/to-metadata", access=TRUSTED)


@pytest.mark.parametrize(
    ("path", "message", "code"),
    [
        ("/big", "over the 1 MB limit", "spec.too_large"),
        ("/slow", "timed out after 1 s", "spec.unreachable"),
        ("/boom", "HTTP 500", "spec.unreachable"),
        ("/missing", "HTTP 404", "spec.unreachable"),
    ],
)
def test_failures_are_one_line_errors(server: str, path: str, message: str, code: str) -> None:
    started = time.monotonic()
    with pytest.raises(SpecError, match=message) as caught:
        ingest_spec(f"{server}{path}", access=TRUSTED)
    assert caught.value.code == code
    assert "\n" not in caught.value.message
    assert time.monotonic() - started < 10


def test_unresolvable_host_is_a_clear_error() -> None:
    with pytest.raises(SpecError, match="cannot resolve host"):
        ingest_spec("https://no-such-host.invalid/spec.yaml")


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Resolve the names in ``answers`` to their next address (the last one repeats); others as usual."""
    import socket

    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_the_checked_address_is_the_one_connected_to(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the check sees a public address, a second lookup would answer 127.0.0.1. vitesse resolves
    once and connects to the checked address, so the loopback server never sees the request."""
    import socket

    port = server.rsplit(":", 1)[1]
    public = "1.2.3.4"  # global, so the check passes; never actually contacted (refused below)
    asked = fake_dns(monkeypatch, {"rebind.example": [public, "127.0.0.1"]})
    real_connect = socket.create_connection

    def create_connection(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        if address[0] == public:
            raise ConnectionRefusedError(111, "refused by the test")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    SEEN.clear()
    with pytest.raises(SpecError, match=r"rebind\.example.*cannot fetch"):
        ingest_spec(f"http://rebind.example:{port}/spec.yaml", access=SpecAccess(timeout_seconds=1))
    assert asked == ["rebind.example"]  # one lookup, the checked one
    assert SEEN == []


def test_pinned_requests_keep_the_host_name(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    port = server.rsplit(":", 1)[1]
    fake_dns(monkeypatch, {"specs.internal.example": ["127.0.0.1"]})
    SEEN.clear()
    spec = ingest_spec(f"http://specs.internal.example:{port}/spec.yaml", access=TRUSTED)
    assert spec.title == "Remote"
    assert ("/spec.yaml", f"specs.internal.example:{port}") in SEEN
