"""Write transformed records to the destination: bounded concurrency, a token bucket, retries with backoff.

The runtime speaks HTTP through aiohttp: measured here against the same local server, httpx's async client managed
~250 requests/s on this 2-core machine where aiohttp managed ~2,500 (benchmarks/sync.py needs >= 1,500 records/s).

429, 5xx, timeouts and connection errors are retried with exponential backoff and full jitter, never sooner than the
server's Retry-After; other 4xx answers are final. Every request carries an Idempotency-Key derived from the source
record, so a retry after a lost response (or a restart) does not create the record twice at APIs that honour it.

An outcome says how sure it is. ``rejected``: the destination answered 4xx (final). ``failed``: every attempt was
answered with a retryable status or never reached the server (a refused connection or a connect timeout), so
nothing was applied. ``ambiguous``: at least one request went out and its answer never came (a timeout or a
dropped connection after sending), so the destination may have applied it: such a record is never written blind
again by a later sync. Concurrency is the caller's: it holds a slot while a record is delivered and stored.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from vitesse import jsoncodec
from vitesse.httpbody import form_encode

RETRYABLE = {408, 409, 425, 429, 500, 502, 503, 504}


@dataclass
class Outcome:
    delivered: bool
    status: int | None
    attempts: int
    reason: str = ""
    response: Any = None
    kind: str = ""
    """Empty when delivered; else ``rejected``, ``failed`` or ``ambiguous`` (see the module docstring)."""


class TokenBucket:
    """At most ``rate`` requests per second on average, bursts up to ``burst``."""

    def __init__(self, rate: float | None, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst or (max(1.0, rate) if rate else 1.0)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self) -> None:
        if not self.rate:
            return
        async with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class Writer:
    """Delivers records to one destination endpoint."""

    def __init__(
        self,
        client: aiohttp.ClientSession,
        method: str,
        url: str,
        content_type: str | None,
        *,
        query: dict[str, str] | None = None,
        bucket: TokenBucket,
        max_attempts: int,
        backoff: float,
        max_backoff: float,
        observe: Any = None,
    ) -> None:
        self.client = client
        self.method = method
        self.url = url
        self.form = bool(content_type and "form" in content_type)
        self.query = query or None
        self.bucket = bucket
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.observe = observe or (lambda status, seconds: None)
        self.rng = random.Random()

    async def deliver(self, body: dict[str, Any], idempotency_key: str) -> Outcome:
        reason, status, response = "", None, None
        maybe_applied = False
        for attempt in range(1, self.max_attempts + 1):
            await self.bucket.take()
            started = time.monotonic()
            wait = None
            try:
                kwargs: dict[str, Any] = {"data": dict(form_encode(body))} if self.form else {"json": body}
                async with self.client.request(
                    self.method, self.url, params=self.query, headers={"Idempotency-Key": idempotency_key}, **kwargs
                ) as answer:
                    status = answer.status
                    payload = await answer.read()
                    header = answer.headers.get("retry-after")
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
                self.observe("connection", time.monotonic() - started)
                reason, status, response = f"connection: {type(exc).__name__} (not sent)", None, None
            except TimeoutError:
                self.observe("timeout", time.monotonic() - started)
                reason, status, response, maybe_applied = "timeout (sent, no answer)", None, None, True
            except aiohttp.ClientError as exc:
                self.observe("connection", time.monotonic() - started)
                reason, status, response = f"connection: {type(exc).__name__} (sent, no answer)", None, None
                maybe_applied = True
            else:
                self.observe(str(status), time.monotonic() - started)
                if 200 <= status < 300:
                    return Outcome(True, status, attempt)
                response = _body(payload)
                reason = f"HTTP {status}"
                if status not in RETRYABLE:
                    note = "; an earlier request of it may have been applied" if maybe_applied else ""
                    return Outcome(
                        False, status, attempt, f"{reason}: the destination rejected the record{note}", response,
                        "rejected",
                    )  # fmt: skip
                wait = retry_after(header)
            if attempt == self.max_attempts:
                break
            delay = self.rng.uniform(0, min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))
            await asyncio.sleep(max(delay, wait or 0.0))
        kind = "ambiguous" if maybe_applied else "failed"
        note = "; an earlier request may have been applied" if maybe_applied and status is not None else ""
        return Outcome(
            False, status, self.max_attempts, f"{reason} after {self.max_attempts} attempts{note}", response, kind
        )


def _body(payload: bytes) -> Any:
    try:
        return jsoncodec.loads(payload)
    except ValueError:
        return payload[:2000].decode("utf-8", "replace")
