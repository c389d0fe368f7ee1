"""Read source pages: the endpoint's URL with its params, retries of 429/5xx/timeouts, one clear error otherwise.

The first page request (and every cursor, offset or page request after it) goes to the source endpoint with its
path filled from ``source.params`` and the other params in the query or headers where the endpoint declares them.
Next-URL and ``Link``-header pagination follow the URL the API gave (it carries the query already); header params
and auth go with every request.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import aiohttp

from vitesse import jsoncodec
from vitesse.errors import RuntimeSyncError
from vitesse.manifest.models import RuntimeConfig
from vitesse.runtime import http
from vitesse.runtime.bundle import SideBundle
from vitesse.runtime.deliver import RETRYABLE, retry_after
from vitesse.runtime.urls import checked, endpoint_call


class Reader:
    """Fetches the source's pages for one sync (params resolved by the caller, once)."""

    def __init__(
        self,
        side: SideBundle,
        values: dict[str, str],
        auth_query: dict[str, str],
        runtime: RuntimeConfig,
        observe: http.Observe,
    ) -> None:
        self.side = side
        self.call = endpoint_call(side.base_url, side.method, side.path, values, side.parameters, "source")
        self.auth_query = auth_query
        self.runtime = runtime
        self.observe = observe

    def target(self, request: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """(URL, query parameters) of a page request."""
        if request["url"]:
            return checked(request["url"], "source"), dict(self.auth_query)
        params = {**self.auth_query, **self.call.query, **request["params"]}
        return self.call.url, {k: str(v) for k, v in params.items()}

    async def read(self, client: aiohttp.ClientSession, request: dict[str, Any]) -> tuple[Any, dict[str, str]]:
        """(body, lower-cased headers) of one page; `RuntimeSyncError` ``runtime.source`` when it cannot be read."""
        method, rt = self.side.method, self.runtime
        url, params = self.target(request)
        problem = ""
        for attempt in range(1, rt.max_attempts + 1):
            answer = await http.exchange(client, method, url, self.observe, params=params, headers=self.call.headers)
            wait = None
            if answer.status is None:
                problem = "timeout" if answer.problem.startswith("timeout") else answer.problem.split(" (")[0]
            elif 200 <= answer.status < 300:
                try:
                    return jsoncodec.loads(answer.payload), answer.headers
                except ValueError:
                    raise RuntimeSyncError(f"source {url}: the response is not JSON", code="runtime.source") from None
            elif answer.status not in RETRYABLE:
                raise RuntimeSyncError(
                    f"source {method} {url}: HTTP {answer.status}; check the credentials, the endpoint and "
                    "source.params",
                    code="runtime.source",
                )
            else:
                problem = f"HTTP {answer.status}"
                wait = retry_after(answer.headers.get("retry-after"))
            if attempt < rt.max_attempts:
                delay = random.uniform(0, min(rt.max_backoff_seconds, rt.backoff_seconds * 2 ** (attempt - 1)))
                await asyncio.sleep(max(delay, wait or 0.0))
        raise RuntimeSyncError(
            f"source {method} {url}: {problem} after {rt.max_attempts} attempts; the sync will resume from its "
            "checkpoint",
            code="runtime.source",
        )
