"""Shadow calls: real HTTP against a sandbox (Prism, a vendor sandbox), bounded in time, never against production
data unless the manifest says so.

Credentials come from the manifest's env references when they are set and the sandbox is committed in the
manifest; otherwise a placeholder of the right kind is sent (a sandbox accepts any token, and nothing real leaks).
A sandbox named only in a request (the REST API's ``*_sandbox_url``) never gets the real ones. A 429 is retried
once after its Retry-After (capped); timeouts, refused connections and 5xx are results, not exceptions.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from vitesse import params
from vitesse.errors import VitesseError
from vitesse.httpauth import auth_parts
from vitesse.httpbody import form_encode
from vitesse.ingest.models import Endpoint
from vitesse.manifest.models import Side

MAX_RETRY_WAIT = 2.0


@dataclass
class CallResult:
    method: str
    path: str
    status: int | None
    response_time_ms: float
    error: str | None = None
    body: Any = None
    retried: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def code(self) -> str:
        """``'200'``, ``'422'``, or ``'timeout'`` / ``'connection'`` / ``'skipped'`` when there was no answer."""
        if self.status is not None:
            return str(self.status)
        return (self.error or "error").split(":", 1)[0]


@dataclass(frozen=True)
class SandboxTarget:
    """Where one side's shadow calls go. ``trusted``: committed in the manifest, so the real credentials (the auth
    env vars, when set) may go there; a sandbox named only in a request gets placeholders of the right kind."""

    url: str
    trusted: bool


def shadow_request(endpoint: Endpoint, side: Side, label: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(path, query, headers) of a shadow call: the manifest's ``params`` (an unset ``{env}`` one gets a test value),
    and harmless test values for the other path and required query parameters."""
    values = {
        p.name: "1" if p.type in ("integer", "number") else "vitesse-test"
        for p in endpoint.parameters
        if p.location == "path" or (p.location == "query" and p.required)
    }
    for name, value in side.params.items():
        with contextlib.suppress(VitesseError):  # an unset env var: the sandbox gets the test value
            values.update(params.resolve({name: value}, label))
    for name in params.placeholders(endpoint.path):
        values.setdefault(name, "vitesse-test")
    locations = {p.name: p.location for p in endpoint.parameters}
    return params.request_parts(endpoint.path, values, locations, label)


@dataclass
class Sandbox:
    """An HTTP client for one side's sandbox, sharing the run's time budget."""

    base_url: str
    auth: Any
    timeout: float
    deadline: float
    trusted: bool = True
    calls: list[CallResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        headers, self.query = auth_parts(self.auth, placeholder=True, from_env=self.trusted)
        self.client = httpx.Client(
            base_url=self.base_url.rstrip("/"),
            headers={"Accept": "application/json", "User-Agent": "vitesse-guardian", **headers},
            timeout=httpx.Timeout(self.timeout),
        )

    def close(self) -> None:
        self.client.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        content_type: str | None = None,
    ) -> CallResult:
        kwargs: dict[str, Any] = {"params": {**self.query, **(params or {})}, "headers": headers or {}}
        if body is not None:
            if content_type and "form" in content_type:
                kwargs["data"] = dict(form_encode(body))
            else:
                kwargs["json"] = body
        retried = False
        for attempt in range(2):
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                result = CallResult(method, path, None, 0.0, "skipped: the test time budget is used up")
                break
            started = time.monotonic()
            try:
                response = self.client.request(method, path, timeout=min(self.timeout, remaining), **kwargs)
            except httpx.TimeoutException:
                result = CallResult(method, path, None, _ms(started), f"timeout: no answer in {self.timeout:g} s")
                break
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                result = CallResult(method, path, None, _ms(started), f"connection: {exc}")
                break
            result = CallResult(method, path, response.status_code, _ms(started), None, _json(response), retried)
            if response.status_code == 429 and attempt == 0:
                wait = min(
                    _retry_after(response.headers.get("retry-after")),
                    MAX_RETRY_WAIT,
                    max(0.0, self.deadline - time.monotonic()),
                )
                time.sleep(wait)
                retried = True
                continue
            break
        self.calls.append(result)
        return result


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(value: str | None) -> float:
    if value is None:
        return 1.0
    try:
        return max(0.0, float(value))
    except ValueError:
        return 1.0
