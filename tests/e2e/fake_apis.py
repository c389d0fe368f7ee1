"""Local HTTP servers for runtime tests: a paged CRM source and a recording destination that injects faults.

The destination honours Idempotency-Key the way Stripe does (a repeated key returns the first answer and is not
applied again), or, with ``idempotent=False``, like most APIs: every request that gets through is applied. It counts,
per source record, how often a record was *applied* and how many requests arrived (retries included).

For params, incremental reads and upserts: a help desk source (``GET /api/accounts/{account}/tickets``, a required
``region``, ``since`` filtering on ``updated_at``, cursor pages) and a task tracker destination that ignores
Idempotency-Key (a loose search by external_ref, POST creates, PATCH updates by gid) and drops a share of the write
answers after applying them: it answers too late, or closes the connection without answering.
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
from urllib.parse import parse_qs, unquote, urlparse


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


class RecorderHandler(BaseHTTPRequestHandler):
    """A "sandbox" that accepts everything and remembers each request's path and headers (an attacker's server)."""

    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.server.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        body = b'{"data": [], "has_more": false, "id": "1"}'
        self.send_response(200 if self.command == "GET" else 201)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = _answer


def recorder():
    """A `RecorderHandler` server; ``.seen`` lists what it received."""
    return serve(RecorderHandler, seen=[])


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


def tickets(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "id": f"tk_{i:04d}",
            "title": f"Printer on floor {i} is jammed",
            "description": f"Reported by desk {i}",
            "updated_at": f"2026-01-01T{i // 60:02d}:{i % 60:02d}:00Z",
        }
        for i in range(start, start + count)
    ]


class HelpdeskHandler(BaseHTTPRequestHandler):
    """``GET /api/accounts/{account}/tickets?region=&since=&limit=&starting_after=``; records each request."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Any

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        srv = self.server
        srv.requests.append((url.path, query, self.headers.get("Authorization")))
        prefix, suffix = "/api/accounts/", "/tickets"
        if not (url.path.startswith(prefix) and url.path.endswith(suffix)):
            return _reply(self, 404, {"error": "no such endpoint"})
        if unquote(url.path[len(prefix) : -len(suffix)]) != srv.account:
            return _reply(self, 404, {"error": "no such account"})
        if query.get("region") != "eu":
            return _reply(self, 400, {"error": "region is required (eu or us)"})
        with srv.lock:
            rows = sorted(srv.records, key=lambda r: (r["updated_at"], r["id"]))
        if "since" in query:
            rows = [r for r in rows if r["updated_at"] > query["since"]]
        limit = int(query.get("limit", 25))
        after = query.get("starting_after")
        start = next((i + 1 for i, r in enumerate(rows) if r["id"] == after), 0) if after else 0
        _reply(self, 200, {"data": rows[start : start + limit], "has_more": start + limit < len(rows)})


class TasksHandler(BaseHTTPRequestHandler):
    """Tasks of ``/v1/workspaces/{workspace}/tasks``: GET searches by external_ref (substring), POST creates, PATCH
    ``.../tasks/{gid}`` updates. A write is applied first; then, for ``drop_rate`` of them (at most ``max_drops``
    per external_ref), the answer is lost: sent too late (after ``hang`` s) or the connection is closed."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Any

    def log_message(self, *args: object) -> None:
        pass

    def _route(self) -> tuple[str, str | None] | None:
        parts = urlparse(self.path).path.split("/")  # ['', 'v1', 'workspaces', ws, 'tasks', gid?]
        if len(parts) in (5, 6) and parts[1:3] == ["v1", "workspaces"] and parts[4] == "tasks":
            return unquote(parts[3]), parts[5] if len(parts) == 6 else None
        return None

    def do_GET(self) -> None:
        route = self._route()
        if route is None or route[0] != self.server.workspace or route[1] is not None:
            return _reply(self, 404, {"error": "no such workspace"})
        wanted = parse_qs(urlparse(self.path).query).get("external_ref", [""])[0]
        with self.server.lock:
            self.server.lookups += 1
            found = [dict(t) for t in self.server.tasks.values() if wanted in t.get("external_ref", "")]
        _reply(self, 200, {"data": found})

    def do_POST(self) -> None:
        route = self._route()
        if route is None or route[0] != self.server.workspace or route[1] is not None:
            return _reply(self, 404, {"error": "no such workspace"})
        body = self._body()
        srv = self.server
        with srv.lock:
            gid = f"{1200000 + len(srv.tasks)}"
            srv.tasks[gid] = {**body, "gid": gid}
            srv.creates[body.get("external_ref")] += 1
            task = dict(srv.tasks[gid])
        self._answer("POST", body, 201, task)

    def do_PATCH(self) -> None:
        route = self._route()
        srv = self.server
        if route is None or route[0] != srv.workspace or route[1] not in srv.tasks:
            return _reply(self, 404, {"error": "no such task"})
        body = self._body()
        with srv.lock:
            srv.tasks[route[1]].update(body)
            srv.patches[body.get("external_ref")] += 1
            task = dict(srv.tasks[route[1]])
        self._answer("PATCH", body, 200, task)

    def _body(self) -> dict[str, Any]:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

    def _answer(self, method: str, body: dict[str, Any], code: int, task: dict[str, Any]) -> None:
        srv, ref = self.server, body.get("external_ref")
        with srv.lock:
            drop = srv.rng.random() < srv.drop_rate and srv.drops[ref] < srv.max_drops
            if drop:
                srv.drops[ref] += 1
                how = "late" if sum(srv.dropped.values()) % 2 == 0 else "closed"
                srv.dropped[(method, how)] += 1
                if method == "POST":
                    srv.lost_creates.add(ref)
        if drop and how == "closed":
            self.close_connection = True  # applied; the client sees the connection close without an answer
            return
        if drop:
            time.sleep(srv.hang)  # applied; the answer comes after the client gave up
        _reply(self, code, task)


def _reply(handler: BaseHTTPRequestHandler, code: int, payload: Any) -> None:
    data = json.dumps(payload).encode()
    try:
        handler.send_response(code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def helpdesk(records: list[dict[str, Any]], account: str):
    return serve(HelpdeskHandler, records=records, account=account, lock=threading.Lock(), requests=[])


def tasks(drop_rate: float = 1 / 3, seed: int = 14, hang: float = 0.8, max_drops: int = 2, workspace: str = "ws-1"):
    return serve(
        TasksHandler,
        workspace=workspace,
        drop_rate=drop_rate,
        rng=random.Random(seed),
        hang=hang,
        max_drops=max_drops,
        lock=threading.Lock(),
        tasks={},
        lookups=0,
        creates=Counter(),
        patches=Counter(),
        drops=Counter(),
        dropped=Counter(),
        lost_creates=set(),
    )
