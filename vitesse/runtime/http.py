"""One HTTP exchange of the runtime, classified: answered (status, body, headers), not sent, or sent without answer.

Every request of a sync goes through `exchange`: source pages, destination lookups, creates and updates. Whether a
request that got no answer may have been applied is decided here once: a refused connection or a connect timeout
never reached the server; a read timeout or a connection dropped after sending may have been applied.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from vitesse import jsoncodec
from vitesse.httpbody import form_encode

Observe = Callable[[str, float], None]


@dataclass
class Answer:
    """What came back: ``status`` None when no answer came (``problem`` says why, ``sent`` whether it went out)."""

    status: int | None
    payload: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    sent: bool = False

    def body(self) -> Any:
        """The payload as JSON, else (the start of) its text."""
        try:
            return jsoncodec.loads(self.payload)
        except ValueError:
            return self.payload[:2000].decode("utf-8", "replace")


async def exchange(
    client: aiohttp.ClientSession,
    method: str,
    url: str,
    observe: Observe,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
    form: bool = False,
) -> Answer:
    """Send one request; never raises for network trouble (the answer says what happened)."""
    started = time.monotonic()
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": dict(form_encode(body))} if form else {"json": body}
    try:
        async with client.request(method, url, params=params or None, headers=headers or None, **kwargs) as response:
            status = response.status
            payload = await response.read()
            answered = {k.lower(): v for k, v in response.headers.items()}
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
        observe("connection", time.monotonic() - started)
        return Answer(None, problem=f"connection: {type(exc).__name__} (not sent)")
    except TimeoutError:
        observe("timeout", time.monotonic() - started)
        return Answer(None, problem="timeout (sent, no answer)", sent=True)
    except aiohttp.ClientError as exc:
        observe("connection", time.monotonic() - started)
        return Answer(None, problem=f"connection: {type(exc).__name__} (sent, no answer)", sent=True)
    observe(str(status), time.monotonic() - started)
    return Answer(status, payload, answered)
