"""Write modes: how one transformed record reaches the destination (``destination.write.mode``).

- ``insert`` (default): send it to the destination endpoint (``POST /contacts``).
- ``upsert``: GET the lookup (``GET /tasks?external_ref={external_ref}``, ``{field}`` from the transformed record),
  keep the answer's records whose ``match_key`` equals the record's (APIs and mocks return loose matches, so the
  filter is ours; a key under a request wrapper, ``data.external_ref``, is read as ``external_ref`` in the found
  records when they lack the wrapper); none: create it as insert does; one: send it to the update endpoint
  (``PATCH /tasks/{gid}``, each ``{name}`` from the found record, else the params, else the transformed record);
  more: that record's dead letter.
- ``update``: as upsert, but a record with no match is a dead letter instead of a creation.

One attempt of upsert/update is the lookup and then the write, and `vitesse.runtime.deliver.Writer` retries whole
attempts: a create whose answer was lost is found by the next attempt's lookup and updated, never created twice.
For the same reason an ``ambiguous`` letter of these modes is safe to send again (``resend_safe``).

A mode is a class in a registry by name: ``check`` (why a transformed record cannot be written this way, before any
request), ``attempt`` (one try: a final `Outcome` or a `Retry`) and ``resend_safe``.
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Protocol

import aiohttp

from vitesse import jsoncodec
from vitesse.errors import RuntimeSyncError
from vitesse.manifest.models import PLACEHOLDER
from vitesse.params import placeholders, text
from vitesse.runtime import http
from vitesse.runtime.bundle import Bundle, SideBundle, WriteBundle
from vitesse.runtime.deliver import Outcome, Retry, TokenBucket, Writer, judge
from vitesse.runtime.paginate import Pager, dig, records_in
from vitesse.runtime.urls import Call, checked, endpoint_call

LOOKUP_PAGES = 10
"""Pages of one lookup's answer read at most; more means the lookup's filter is not filtering."""


@dataclass
class Destination:
    """What every write mode sends with: the session, the rate budget, the create call and the resolved params."""

    client: aiohttp.ClientSession
    bucket: TokenBucket
    observe: Callable[[str, float], None]
    base_url: str
    create: Call
    form: bool
    params: dict[str, str]
    auth_query: dict[str, str]
    page_size: int

    async def send(
        self,
        method: str,
        url: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any = None,
        form: bool = False,
    ) -> http.Answer:
        await self.bucket.take()
        return await http.exchange(
            self.client, method, url, self.observe, params=query, headers=headers, body=body, form=form
        )


class WriteMode(Protocol):
    name: ClassVar[str]
    resend_safe: ClassVar[bool]
    """An ``ambiguous`` outcome (sent, no answer) may be sent again without risking a duplicate."""

    def check(self, body: dict[str, Any]) -> str | None: ...

    async def attempt(self, body: dict[str, Any], idempotency_key: str) -> Outcome | Retry: ...


WRITE_MODES: dict[str, type[WriteMode]] = {}


def register(cls: type[WriteMode]) -> type[WriteMode]:
    """Add a write mode to the registry; a class without the mode's contract is refused."""
    missing = [name for name in ("name", "resend_safe", "check", "attempt") if not hasattr(cls, name)]
    if missing:
        raise TypeError(f"{cls.__name__} is not a write mode: it has no {', '.join(missing)}")
    WRITE_MODES[cls.name] = cls
    return cls


def write_mode(name: str) -> type[WriteMode]:
    """The write mode called ``name``; an unknown name lists the known ones and suggests the closest."""
    if name in WRITE_MODES:
        return WRITE_MODES[name]
    close = difflib.get_close_matches(name, list(WRITE_MODES), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise RuntimeSyncError(
        f"unknown write mode {name!r}: expected one of {', '.join(sorted(WRITE_MODES))}{hint}",
        code="runtime.write_mode",
    )


def open_mode(destination: Destination, write: WriteBundle | None) -> WriteMode:
    """The bundle's write mode over ``destination`` (no write config: insert)."""
    return write_mode(write.mode if write is not None else "insert")(destination, write)  # type: ignore[call-arg]


def open_writer(
    bundle: Bundle,
    client: aiohttp.ClientSession,
    auth_query: dict[str, str],
    values: dict[str, str],
    observe: Callable[[str, float], None],
) -> tuple[WriteMode, Writer]:
    """The destination's write mode and the retrying `Writer` over it, for one sync (``values``: resolved params)."""
    side, rt = bundle.destination, bundle.runtime
    create = endpoint_call(side.base_url, side.method, side.path, values, side.parameters, "destination")
    destination = Destination(
        client,
        TokenBucket(rt.requests_per_second or rate_from_hints(side)),
        observe,
        side.base_url,
        replace(create, query={**create.query, **auth_query}),
        bool(side.content_type and "form" in side.content_type),
        values,
        auth_query,
        rt.page_size,
    )
    mode = open_mode(destination, side.write)
    writer = Writer(
        mode.attempt, max_attempts=rt.max_attempts, backoff=rt.backoff_seconds, max_backoff=rt.max_backoff_seconds
    )
    return mode, writer


def rate_from_hints(side: SideBundle) -> float | None:
    """A requests/second budget from the destination spec's hints (``x-ratelimit`` extensions like ``75/s``)."""
    hints = side.rate_limit
    if hints is None:
        return None
    for value in hints.extensions.values():
        texts = value.values() if isinstance(value, dict) else [value]
        rates = []
        for rate in texts:
            if isinstance(rate, str) and "/" in rate:
                amount, _, unit = rate.partition("/")
                per = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600}.get(unit.strip())
                if amount.strip().isdigit() and per:
                    rates.append(int(amount) / per)
        if rates:
            return min(rates)
    return None


@register
class Insert:
    """Every record is sent to the destination endpoint, with its Idempotency-Key."""

    name: ClassVar[str] = "insert"
    resend_safe: ClassVar[bool] = False

    def __init__(self, destination: Destination, write: WriteBundle | None = None) -> None:
        self.dest = destination

    def check(self, body: dict[str, Any]) -> str | None:
        return None

    async def attempt(self, body: dict[str, Any], idempotency_key: str) -> Outcome | Retry:
        create = self.dest.create
        headers = {**create.headers, "Idempotency-Key": idempotency_key}
        answer = await self.dest.send(create.method, create.url, create.query, headers, body, self.dest.form)
        return judge(answer, "created")


@register
class Upsert(Insert):
    """Look up by the match key; update the one match, create when there is none."""

    name: ClassVar[str] = "upsert"
    resend_safe: ClassVar[bool] = True
    creates: ClassVar[bool] = True

    def __init__(self, destination: Destination, write: WriteBundle | None = None) -> None:
        super().__init__(destination, write)
        if write is None or write.match_key is None or write.lookup is None or write.update is None:
            raise RuntimeSyncError(
                f"write mode {self.name} needs destination.write.match_key, lookup and update; rebuild the bundle",
                code="runtime.write_mode",
            )
        self.match_key = write.match_key
        self.lookup = write.lookup
        self.update = write.update
        self.lookup_side = SideBundle(
            api="lookup",
            base_url=destination.base_url,
            method="GET",
            path=write.lookup.path,
            record_path=write.lookup.record_path,
            pagination=write.lookup.pagination,
        )
        named = placeholders(write.lookup.path) + [n for t in write.lookup.query.values() for n in placeholders(t)]
        self.record_fields = [n for n in dict.fromkeys(named) if n not in destination.params]
        self.lookup_path_names = set(placeholders(write.lookup.path))
        self.busy: dict[str, asyncio.Lock] = {}
        self.waiting: Counter[str] = Counter()
        self.update_form = bool(write.update.content_type and "form" in write.update.content_type)

    def check(self, body: dict[str, Any]) -> str | None:
        if not _scalar(dig(body, self.match_key)):
            return f"destination.write.match_key: the transformed record has no {self.match_key} to look it up by"
        for name in self.record_fields:
            if not _scalar(dig(body, name)):
                return f"destination.write.lookup: the transformed record has no {name} for {{{name}}}"
        return None

    async def attempt(self, body: dict[str, Any], idempotency_key: str) -> Outcome | Retry:
        """One lookup and write; records with the same match key take turns (two concurrent lookups that both find
        nothing would create the record twice)."""
        value = text(dig(body, self.match_key))
        lock = self.busy.setdefault(value, asyncio.Lock())
        self.waiting[value] += 1
        try:
            async with lock:
                return await self._attempt(body, idempotency_key)
        finally:
            self.waiting[value] -= 1
            if not self.waiting[value]:
                del self.waiting[value], self.busy[value]

    async def _attempt(self, body: dict[str, Any], idempotency_key: str) -> Outcome | Retry:
        found = await self._find(body)
        if not isinstance(found, tuple):
            return found
        matches, status = found
        wanted = f"{self.match_key}={text(dig(body, self.match_key))}"
        if len(matches) > 1:
            return Outcome(
                False, status, 1, f"{len(matches)} destination records with {wanted}: which one to update is "
                "unclear; make the match key unique at the destination", matches[:5], "rejected",
            )  # fmt: skip
        if matches:
            return await self._update(matches[0], body, idempotency_key)
        if self.creates:
            return await super().attempt(body, idempotency_key)
        return Outcome(False, status, 1, f"no destination record with {wanted}", None, "rejected")

    async def _find(self, body: dict[str, Any]) -> tuple[list[Any], int] | Outcome | Retry:
        """The destination records whose match key equals the record's (every page of the lookup's answer)."""
        dest, lookup = self.dest, self.lookup
        fields = {name: text(dig(body, name)) for name in self.record_fields}
        values = {**fields, **dest.params}
        in_path = {k: v for k, v in fields.items() if k in self.lookup_path_names}  # the rest: in the query template
        call = endpoint_call(
            dest.base_url,
            "GET",
            lookup.path,
            {**in_path, **dest.params},
            lookup.parameters,
            "destination.write.lookup",
            declared_only=True,
        )
        query = {**call.query, **{name: _fill(template, values) for name, template in lookup.query.items()}}
        wanted = dig(body, self.match_key)
        pager = Pager(self.lookup_side, dest.page_size)
        request, matches, status = pager.first(), [], 200
        for _ in range(LOOKUP_PAGES):
            if request["url"]:
                url, params = checked(request["url"], "destination.write.lookup"), dict(dest.auth_query)
            else:
                url = call.url
                params = {**query, **{k: str(v) for k, v in request["params"].items()}, **dest.auth_query}
            answer = await dest.send("GET", url, params, call.headers)
            status = answer.status or 0
            if status == 404:  # get-by-key lookups answer 404 for "none"
                return matches, status
            if not 200 <= status < 300:
                return judge(answer, "", f"lookup GET {url}: ")
            try:
                page_body = jsoncodec.loads(answer.payload)
            except ValueError:
                return Outcome(False, status, 1, f"lookup GET {url}: the answer is not JSON", answer.body(), "rejected")
            records = records_in(page_body, lookup.record_path)
            matches += [r for r in records if isinstance(r, dict) and _same(self._key_of(r, body), wanted)]
            if len(matches) > 1:
                return matches, status
            request = pager.next(request, page_body, answer.headers, records)
            if request is None:
                return matches, status
        return Outcome(
            False, status, 1, f"lookup: more than {LOOKUP_PAGES} pages of answers for {self.match_key}={text(wanted)}; "
            "make destination.write.lookup filter by the match key", None, "rejected",
        )  # fmt: skip

    def _key_of(self, found: dict[str, Any], body: dict[str, Any]) -> Any:
        """The match key's value in a record the lookup found. A request body that wraps the record
        (``{"data": {...}}``, Asana) names the key ``data.external_ref``; the found record has ``external_ref``."""
        value = dig(found, self.match_key)
        wrapper, _, rest = self.match_key.partition(".")
        if value is None and rest and len(body) == 1 and isinstance(body.get(wrapper), dict):
            value = dig(found, rest)
        return value

    async def _update(self, found: dict[str, Any], body: dict[str, Any], idempotency_key: str) -> Outcome | Retry:
        dest, update = self.dest, self.update
        names = placeholders(update.path) + [n for t in update.query.values() for n in placeholders(t)]
        values: dict[str, str] = {}
        for name in dict.fromkeys(names):
            value = _first(dig(found, name), dest.params.get(name), dig(body, name))
            if value is None:
                return Outcome(
                    False, None, 1, f"destination.write.update {update.method} {update.path}: the record the lookup "
                    f"found has no {name}", found, "rejected",
                )  # fmt: skip
            values[name] = text(value)
        in_path = {k: v for k, v in values.items() if k in placeholders(update.path)}
        call = endpoint_call(
            dest.base_url,
            update.method,
            update.path,
            {**dest.params, **in_path},
            update.parameters,
            "destination.write.update",
            declared_only=True,
        )
        query = {**call.query, **{name: _fill(t, values) for name, t in update.query.items()}, **dest.auth_query}
        key = hashlib.sha256(f"{idempotency_key}:{update.method} {call.url}".encode()).hexdigest()[:32]
        headers = {**call.headers, "Idempotency-Key": key}  # not the create's key: an API would call it reused
        answer = await dest.send(update.method, call.url, query, headers, body, self.update_form)
        return judge(answer, "updated")


@register
class Update(Upsert):
    """Look up by the match key and update the one match; no match is the record's dead letter."""

    name: ClassVar[str] = "update"
    creates: ClassVar[bool] = False


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and value != ""


def _first(*values: Any) -> Any:
    return next((v for v in values if _scalar(v)), None)


def _same(found: Any, wanted: Any) -> bool:
    """Equal match-key values: numbers as numbers, anything else by its URL text (``7`` == ``"7"``)."""
    if not _scalar(found) or not _scalar(wanted):
        return False
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (found, wanted)):
        return bool(found == wanted)
    return text(found) == text(wanted)


def _fill(template: str, values: dict[str, str]) -> str:
    """A query template with its ``{name}`` replaced by raw values (the HTTP client encodes the query)."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
