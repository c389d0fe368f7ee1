"""Write transformed records to the destination: a token bucket, retries with backoff, outcomes that say how sure
they are. What one attempt sends is the write mode's (`vitesse.runtime.writes`: insert, upsert, update).

The runtime speaks HTTP through aiohttp: measured here against the same local server, httpx's async client managed
~250 requests/s on this 2-core machine where aiohttp managed ~2,500 (benchmarks/sync.py needs >= 1,500 records/s).

429, 5xx, timeouts and connection errors are retried with exponential backoff and full jitter, never sooner than the
server's Retry-After; other 4xx answers are final. Every write carries an Idempotency-Key derived from the source
record, so a retry after a lost response (or a restart) does not create the record twice at APIs that honour it.
An attempt of a mode that looks up first (upsert, update) is the lookup and then the write, so a retry after a lost
answer finds the record the lost request created.

An outcome says how sure it is. ``rejected``: the destination answered 4xx (final). ``failed``: every attempt was
answered with a retryable status or never reached the server (a refused connection or a connect timeout), so
nothing was applied. ``ambiguous``: at least one request went out and its answer never came (a timeout or a
dropped connection after sending), so the destination may have applied it: in insert mode such a record is never
written blind again by a later sync (upsert and update look it up first, so resending is safe). Concurrency is the
caller's: it holds a slot while a record is delivered and stored.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from vitesse.runtime.http import Answer

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
    action: str = ""
    """Delivered: ``created`` or ``updated`` (write modes that look up first may update)."""


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


@dataclass
class Retry:
    """An attempt that may succeed if tried again: a retryable status, or no answer."""

    reason: str
    status: int | None = None
    response: Any = None
    wait: float | None = None
    sent: bool = False
    """A request of this attempt went out and got no answer: it may have been applied."""


def judge(answer: Answer, action: str, what: str = "") -> Outcome | Retry:
    """A write's answer: delivered (2xx), final (another 4xx) or worth retrying (429/5xx/no answer)."""
    status = answer.status
    if status is None:
        return Retry(what + answer.problem, sent=answer.sent)
    if 200 <= status < 300:
        return Outcome(True, status, 1, action=action)
    response = answer.body()
    if status in RETRYABLE:
        return Retry(f"{what}HTTP {status}", status, response, retry_after(answer.headers.get("retry-after")))
    return Outcome(False, status, 1, f"{what}HTTP {status}: the destination rejected the record", response, "rejected")


class Attempt(Protocol):
    """One attempt to write a record (a write mode's `attempt`): a final outcome, or a reason to try again."""

    async def __call__(self, body: dict[str, Any], idempotency_key: str) -> Outcome | Retry: ...


class Writer:
    """Delivers records with a write mode's attempts: retries with backoff, never sooner than Retry-After."""

    def __init__(self, attempt: Attempt, *, max_attempts: int, backoff: float, max_backoff: float) -> None:
        self.attempt = attempt
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.rng = random.Random()

    async def deliver(self, body: dict[str, Any], idempotency_key: str) -> Outcome:
        last = Retry("")
        maybe_applied = False
        for attempt in range(1, self.max_attempts + 1):
            step = await self.attempt(body, idempotency_key)
            if isinstance(step, Outcome):
                step.attempts = attempt
                if not step.delivered and maybe_applied and step.kind == "rejected":
                    step.reason += "; an earlier request of it may have been applied"
                return step
            last, maybe_applied = step, maybe_applied or step.sent
            if attempt == self.max_attempts:
                break
            delay = self.rng.uniform(0, min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))
            await asyncio.sleep(max(delay, last.wait or 0.0))
        kind = "ambiguous" if maybe_applied else "failed"
        note = "; an earlier request may have been applied" if maybe_applied and last.status is not None else ""
        return Outcome(
            False, last.status, self.max_attempts, f"{last.reason} after {self.max_attempts} attempts{note}",
            last.response, kind,
        )  # fmt: skip
