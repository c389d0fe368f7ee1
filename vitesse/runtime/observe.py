"""What the runtime tells operators: Prometheus metrics and structured JSON logs with secrets redacted."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from vitesse.httpauth import secret_env_names

OUTCOMES = ("read", "written", "created", "updated", "skipped", "held", "failed", "dead_lettered")
"""Record outcomes counted by ``vitesse_records_total`` (see `vitesse.runtime.sync.SyncResult`; ``written`` is
``created`` + ``updated``)."""


class Metrics:
    """The runtime's Prometheus metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.records = Counter("vitesse_records_total", "Records by outcome", ["outcome"], registry=self.registry)
        self.requests = Counter(
            "vitesse_http_requests_total",
            "HTTP requests by side and status code",
            ["side", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "vitesse_http_request_seconds", "HTTP request latency", ["side"], registry=self.registry
        )
        self.syncs = Counter("vitesse_syncs_total", "Syncs by result", ["result"], registry=self.registry)
        self.outcomes = {name: self.records.labels(outcome=name) for name in OUTCOMES}
        self._requests: dict[tuple[str, str], Any] = {}
        self._latency = {side: self.latency.labels(side=side) for side in ("source", "destination")}

    def observer(self, side: str) -> Any:
        latency = self._latency[side]

        def observe(code: str, seconds: float) -> None:
            counter = self._requests.get((side, code))
            if counter is None:
                counter = self._requests[(side, code)] = self.requests.labels(side=side, code=code)
            counter.inc()
            latency.observe(seconds)

        return observe

    def text(self) -> bytes:
        return generate_latest(self.registry)


class Redactor(logging.Filter):
    """Replaces the values of the given secrets wherever they appear in a log record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
            fields = getattr(record, "fields", None)
            if isinstance(fields, dict):
                text = json.dumps(fields, default=str)
                for secret in self.secrets:
                    text = text.replace(secret, "***")
                record.fields = json.loads(text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "event": record.getMessage(),
            **(getattr(record, "fields", None) or {}),
        }
        return json.dumps(entry, default=str)


def runtime_logger(name: str, auths: list[Any], secret_envs: tuple[str, ...] = ()) -> logging.Logger:
    """A JSON-lines logger on stderr that never prints the values of the integration's secrets (its auth env vars
    and ``secret_envs``, e.g. the state database URL; a URL's password also on its own)."""
    logger = logging.getLogger(f"vitesse.runtime.{name}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    names = [env for auth in auths for env in secret_env_names(auth)] + list(secret_envs)
    secrets = [os.environ.get(env, "") for env in names]
    secrets += [password for value in secrets if (password := _url_password(value))]
    logger.filters = [Redactor(sorted(set(secrets), key=len, reverse=True))]
    return logger


def _url_password(value: str) -> str | None:
    if "://" not in value:
        return None
    try:
        return urlsplit(value).password
    except ValueError:
        return None


def log(logger: logging.Logger, event: str, **fields: Any) -> None:
    logger.info(event, extra={"fields": fields})
