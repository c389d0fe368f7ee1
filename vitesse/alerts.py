"""Alerts for failing re-tests: the integration is marked degraded, logged, and posted to a webhook if one is set."""

from __future__ import annotations

import logging
import os
from typing import Any

from vitesse.artifacts import ArtifactStore, read_status
from vitesse.artifacts.status import _record

WEBHOOK_ENV = "VITESSE_ALERT_WEBHOOK"
logger = logging.getLogger("vitesse.alerts")


def mark_degraded(store: ArtifactStore, integration: str) -> dict[str, Any]:
    """Record that a deployed integration failed its re-test (status ``degraded``) and say why: the step that
    failed, or the score, and the contract drift (`vitesse.ingest.drift`) behind it, listed in ``drift``."""
    from vitesse.ingest.drift import describe

    latest = store.latest(integration, "test")
    before = read_status(store, integration)
    ingested = store.latest(integration, "ingest")
    changes = (ingested.data.get("drift") or {}).get("changes", []) if ingested is not None else []
    drift = [change for change in changes if change["breaking"]]  # unless the test says which ones matter
    if before.status == "failed" and before.step not in (None, "test") and before.error:
        error = f"re-test failed at {before.step}: {before.error}"
    elif latest is not None and latest.data.get("passed") is False:
        score = f"health_score = {latest.data['health_score']['overall']:g}"
        drift = latest.data.get("contract_drift") or []
        if drift:
            messages = "; ".join(change["message"].removeprefix("contract drift: ") for change in drift)
            error = f"re-test failed: contract drift: {messages} ({score}, threshold: {latest.data['threshold']:g})"
        else:
            error = f"re-test failed: {score} (threshold: {latest.data['threshold']:g})"
    else:
        error = "re-test run failed before producing test results"
    _record(store, integration, "test", "degraded", error, 400)
    fields = ("side", "endpoint", "field", "change", "before", "after")
    return {
        "integration": integration,
        "status": "degraded",
        "error": error,
        "id": read_status(store, integration).id,
        "drift": [{**{k: c.get(k) for k in fields}, "message": c.get("message") or describe(c)} for c in drift],
    }


def alert(payload: dict[str, Any]) -> bool:
    """Log the alert and POST it to ``$VITESSE_ALERT_WEBHOOK`` when set; True if the webhook accepted it."""
    logger.warning("vitesse alert: %s", payload)
    url = os.environ.get(WEBHOOK_ENV)
    if not url:
        return False
    import httpx  # only when a webhook is set: the Dagster location imports this module at load

    try:
        return httpx.post(url, json=payload, timeout=5).is_success
    except httpx.HTTPError as exc:
        logger.warning("alert webhook %s failed: %s", url, type(exc).__name__)
        return False
