"""``Idempotency-Key`` for the step calls: a retry with the same key and body gets the stored answer, not a new run.

Steps are idempotent by content already (same inputs -> same artifact version), but a re-run test measures new
latencies and a re-run deploy may pick a new port. With a key, a client that lost an answer (timeout, dropped
connection) retries safely and gets exactly what the first call returned. Keys live 24 hours, per integration and
step; the same key with a different body is refused (409), as in Stripe's API.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vitesse import jsoncodec
from vitesse.artifacts import ArtifactStore, write_atomic
from vitesse.errors import ConflictError
from vitesse.hashing import content_hash

TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class IdempotencyKeys:
    store: ArtifactStore

    def _path(self, integration: str, step: str, key: str) -> Path:
        return self.store.home / "api" / "idempotency" / integration / f"{content_hash([step, key])}.json"

    def replay(self, integration: str, step: str, key: str, request: Any) -> tuple[dict[str, Any], int] | None:
        """The stored (answer, status) for this key, None if there is none (or it expired)."""
        path = self._path(integration, step, key)
        try:
            saved = jsoncodec.loads(path.read_bytes())
        except (FileNotFoundError, ValueError):
            return None
        if time.time() - saved["stored_at"] > TTL_SECONDS:
            return None
        if saved["request"] != content_hash(request):
            raise ConflictError(
                f"Idempotency-Key {key!r} was used for a different {step} request on {integration}; use a new key",
                code="request.idempotency_key_reused",
            )
        return saved["answer"], saved["status"]

    def remember(
        self, integration: str, step: str, key: str, request: Any, answer: dict[str, Any], status: int
    ) -> None:
        record = {"stored_at": time.time(), "request": content_hash(request), "answer": answer, "status": status}
        write_atomic(self._path(integration, step, key), jsoncodec.dumps(record))
