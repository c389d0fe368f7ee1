"""Local HTTP servers for runtime tests: a paged CRM source and a recording destination that injects faults.

The destination honours Idempotency-Key the way Stripe does (a repeated key returns the first answer and is not
applied again), or, with ``idempotent=False``, like most APIs: every request that gets through is applied. It counts,
per source record, how often a record was *applied* and how many requests arrived (retries included).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


def customers(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"cus_{i:08d}x",
            "email": f"user{i}@example.com",
            "first_name": "Jenny",
            "last_name": f"Rosen{i}",
            "status": "active",
            "created": 1_700_000_000 + i,
            "marketing_opt_in": i % 2 == 0,
            "address": {"city": "San Francisco", "postal_code": "94105", "country": "US"},
        }
        for i in range(count)
    ]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients killed mid-request (the kill test) reset connections: expected here


class SourceHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stalls
    server: Any

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query)
        limit = int(query.get("limit", ["25"])[0])
        after = query.get("starting_after", [None])[0]
        records = self.server.records
        start = next((i + 1 for i, r in enumerate(records) if r["id"] == after), 0) if after else 0
        page = records[start : start + limit]
        more = start + limit < len(records)
        self.server.pages += 1
        body = json.dumps(
            {"object": "list", "data": page, "has_more": more, "next_cursor": page[-1]["id"] if more and page else None}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class DestinationHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Any

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        key = self.headers.get("Idempotency-Key", "")
        record = body.get("external_id", "?")
        srv = self.server
        with srv.lock:
            srv.requests[record] += 1
            fault = srv.rng.random() < srv.fault_rate
            kind = srv.rng.choice(("429", "500", "timeout")) if fault else None
            kind = "500" if record in srv.fail_on else "timeout" if record in srv.hang_on else kind
            seen = key in srv.answers
        if srv.delay:
            time.sleep(srv.delay)
        if record in srv.reject:
            return self.reply(422, {"title": "invalid contact", "detail": "rejected by the test"})
        if kind == "429":
            return self.reply(429, {"title": "slow down"}, {"Retry-After": "0.05"})
        if kind == "500":
            return self.reply(500, {"title": "boom"})
        if not srv.idempotent:
            with srv.lock:
                srv.answers[key] = {"id": f"c-{sum(srv.applied.values())}", "email_address": body.get("email_address")}
                srv.applied[record] += 1
                seen = False
        elif not seen:
            with srv.lock:
                if key not in srv.answers:
                    srv.answers[key] = {"id": f"c-{len(srv.answers)}", "email_address": body.get("email_address")}
                    srv.applied[record] += 1
        if kind == "timeout":
            time.sleep(srv.hang)  # applied, but the answer comes too late: the client must retry safely
        self.reply(201 if not seen else 200, srv.answers[key])

    def reply(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler], **attributes: Any) -> Iterator[Any]:
    server = _Server(("127.0.0.1", 0), handler)
    for name, value in attributes.items():
        setattr(server, name, value)
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def source(records: list[dict[str, Any]]):
    return serve(SourceHandler, records=records, pages=0)


def destination(
    fault_rate: float = 0.0,
    seed: int = 1,
    reject: set[str] | None = None,
    hang: float = 1.0,
    delay: float = 0.0,
    idempotent: bool = True,
    fail_on: set[str] | None = None,
    hang_on: set[str] | None = None,
):
    """``fail_on``: records always answered 500; ``hang_on``: records applied, then answered too late (every time)."""
    return serve(
        DestinationHandler,
        idempotent=idempotent,
        fail_on=fail_on or set(),
        hang_on=hang_on or set(),
        fault_rate=fault_rate,
        rng=random.Random(seed),
        reject=reject or set(),
        hang=hang,
        delay=delay,
        lock=threading.Lock(),
        requests=Counter(),
        applied=Counter(),
        answers={},
    )
