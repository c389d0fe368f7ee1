"""In-process fake APIs for runtime unit tests: they answer `vitesse.runtime.http.exchange` without sockets.

`FakeApis` routes each request by method and path pattern and records it (URL, query, headers, body). `Source`
serves records with a ``since`` filter in every pagination style; `Tasks` is a destination with a loose lookup,
creates and PATCH updates, and can apply a write and then lose its answer.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from vitesse.artifacts import integration_id
from vitesse.ingest.models import (
    CursorPagination,
    LinkHeaderPagination,
    NextUrlPagination,
    OffsetPagination,
    PagePagination,
    Parameter,
)
from vitesse.manifest.models import RuntimeConfig
from vitesse.mapping.models import MappingLogic
from vitesse.runtime import http
from vitesse.runtime.bundle import Bundle, SideBundle

BASE = "https://source.example/v1"
DEST = "https://dest.example/api"

STYLES: dict[str, Any] = {
    "cursor": CursorPagination(
        cursor_param="starting_after", cursor_from_record="id", has_more_path="has_more", limit_param="limit"
    ),
    "offset": OffsetPagination(offset_param="offset", limit_param="limit", total_path="total"),
    "page": PagePagination(page_param="page", size_param="per_page", total_pages_path="pages"),
    "link_header": LinkHeaderPagination(size_param="per_page"),
    "next_url": NextUrlPagination(next_url_path="links.next", size_param="per_page"),
}


@dataclass
class Seen:
    method: str
    url: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


Handler = Callable[[Seen, re.Match[str]], Any]


@dataclass
class FakeApis:
    """Stands in for `http.exchange`: ``routes`` of (method, path regex, handler); a handler returns (status,
    payload[, headers]) or an `http.Answer`."""

    routes: list[tuple[str, str, Handler]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, pattern, handler))

    async def __call__(
        self,
        client: Any,
        method: str,
        url: str,
        observe: Any,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        form: bool = False,
    ) -> http.Answer:
        await asyncio.sleep(0)  # a real request lets other records run meanwhile
        parts = urlsplit(url)
        query = {**dict(parse_qsl(parts.query)), **{k: str(v) for k, v in (params or {}).items()}}
        request = Seen(method, url, parts.path, query, dict(headers or {}), json.loads(json.dumps(body)))
        self.seen.append(request)
        for route_method, pattern, handler in self.routes:
            match = re.fullmatch(pattern, parts.path)
            if route_method == method and match:
                answer = handler(request, match)
                if isinstance(answer, http.Answer):
                    return answer
                status, payload, *rest = answer
                return http.Answer(
                    status, json.dumps(payload).encode(), {k.lower(): v for k, v in (rest or [{}])[0].items()}
                )
        return http.Answer(404, b'{"title": "no route"}')

    def calls(self, method: str, prefix: str = "") -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path.startswith(prefix)]


LOST = http.Answer(None, problem="timeout (sent, no answer)", sent=True)


@dataclass
class Source:
    """``GET /accounts/{account}/things``: needs ``region``, filters ``updated_at > since``, pages in ``style``."""

    records: list[dict[str, Any]]
    style: str
    account: str = "acme corp"

    def __call__(self, request: Seen, match: re.Match[str]) -> Any:
        if match.group(1) != "acme%20corp":
            return 404, {"title": f"no account {match.group(1)}"}
        if request.query.get("region") != "eu":
            return 400, {"title": "region is required"}
        rows = self.records
        since = request.query.get("since")
        if since is not None:
            rows = [r for r in rows if _after(r.get("updated_at"), since)]
        q = request.query
        size = int(q.get("limit") or q.get("per_page") or 100)
        if self.style == "cursor":
            after = q.get("starting_after")
            start = next(i + 1 for i, r in enumerate(rows) if r["id"] == after) if after else 0
            page = rows[start : start + size]
            return 200, {"data": page, "has_more": start + size < len(rows)}
        if self.style == "offset":
            start = int(q.get("offset", 0))
            return 200, {"data": rows[start : start + size], "total": len(rows)}
        number = int(q.get("page", 1))
        page = rows[(number - 1) * size : number * size]
        pages = -(-len(rows) // size)
        if self.style == "page":
            return 200, {"data": page, "pages": pages}
        following = None
        if number < pages:  # the API's own next URL keeps the query it was given
            following = f"{request.path}?{urlencode({**q, 'page': number + 1})}"
        if self.style == "link_header":
            link = {"Link": f'<https://source.example{following}>; rel="next"'} if following else {}
            return 200, {"data": page}, link
        return 200, {"data": page, "links": {"next": following}}


def _after(value: Any, since: str) -> bool:
    if isinstance(value, int | float):
        return value > float(since)
    return value is not None and str(value) > since


@dataclass
class Tasks:
    """A destination: ``GET /workspaces/{ws}/tasks?external_ref=`` (loose: substring matches), ``POST`` creates,
    ``PATCH .../tasks/{gid}`` updates. ``lose``: external refs whose first write is applied and its answer lost."""

    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    lose: set[str] = field(default_factory=set)
    lookup_faults: int = 0
    writes: Counter[str] = field(default_factory=Counter)

    def mount(self, apis: FakeApis) -> None:
        apis.route("GET", r"/api/workspaces/([^/]+)/tasks", self.lookup)
        apis.route("POST", r"/api/workspaces/([^/]+)/tasks", self.create)
        apis.route("PATCH", r"/api/workspaces/([^/]+)/tasks/([^/]+)", self.update)

    def lookup(self, request: Seen, match: re.Match[str]) -> Any:
        if self.lookup_faults:
            self.lookup_faults -= 1
            return 503, {"title": "busy"}, {"Retry-After": "0"}
        wanted = request.query.get("external_ref", "")
        return 200, {"data": [t for t in self.tasks.values() if wanted in t.get("external_ref", "")]}

    def create(self, request: Seen, match: re.Match[str]) -> Any:
        gid = f"t{len(self.tasks) + 1}"
        self.tasks[gid] = {**request.body, "gid": gid}
        return self._answer(request.body, 201, self.tasks[gid])

    def update(self, request: Seen, match: re.Match[str]) -> Any:
        gid = match.group(2)
        if gid not in self.tasks:
            return 404, {"title": "no such task"}
        self.tasks[gid].update(request.body)
        return self._answer(request.body, 200, self.tasks[gid])

    def _answer(self, body: dict[str, Any], status: int, task: dict[str, Any]) -> Any:
        ref = body.get("external_ref", "")
        self.writes[ref] += 1
        if ref in self.lose and self.writes[ref] == 1:
            return LOST
        return status, task

    def by_ref(self) -> Counter[str]:
        return Counter(t["external_ref"] for t in self.tasks.values())


def logic(fields: dict[str, str] | None = None) -> MappingLogic:
    """A direct mapping: source field -> destination field."""
    fields = fields or {"id": "external_ref", "name": "name"}
    return MappingLogic.model_validate(
        {
            "source_endpoint": "/things",
            "source_method": "GET",
            "dest_endpoint": "/tasks",
            "dest_method": "POST",
            "complexity_score": 1,
            "transformations": [
                {"dest_field": d, "source_field": s, "transform_type": "direct", "confidence": 1, "reason": "t"}
                for s, d in fields.items()
            ],
        }
    )


SOURCE_PARAMETERS = [
    Parameter(name="account", location="path", required=True),
    Parameter(name="region", location="query", required=True),
    Parameter(name="X-Api-Version", location="header"),
]


def bundle(
    name: str,
    *,
    style: str = "cursor",
    source: dict[str, Any] | None = None,
    destination: dict[str, Any] | None = None,
    runtime: dict[str, Any] | None = None,
) -> Bundle:
    """A bundle reading ``GET /accounts/{account}/things`` and writing ``POST /workspaces/{ws}/tasks``."""
    return Bundle(
        integration=name,
        integration_id=integration_id(name),
        source=SideBundle(
            api="Source",
            base_url=BASE,
            method="GET",
            path="/accounts/{account}/things",
            parameters=SOURCE_PARAMETERS,
            **{
                "record_path": "data[]",
                "pagination": STYLES[style],
                "params": {"account": "acme corp", "region": "eu", "X-Api-Version": "2"},
                **(source or {}),
            },
        ),
        destination=SideBundle(
            api="Tasks",
            base_url=DEST,
            method="POST",
            path="/workspaces/{ws}/tasks",
            parameters=[Parameter(name="ws", location="path", required=True)],
            **{"params": {"ws": "w1"}, **(destination or {})},
        ),
        mapping=logic(),
        runtime=RuntimeConfig(
            **{"page_size": 3, "backoff_seconds": 0, "max_backoff_seconds": 0, "max_attempts": 4, **(runtime or {})}
        ),
    )
