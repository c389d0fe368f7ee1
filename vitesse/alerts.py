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
    """Record that a deployed integration failed its re-test (status ``degraded``) and say why."""
    latest = store.latest(integration, "test")
    if latest is not None and latest.data.get("passed") is False:
        score = latest.data["health_score"]["overall"]
        error = f"re-test failed: health_score = {score:g} (threshold: {latest.data['threshold']:g})"
    else:
        error = "re-test run failed before producing test results"
    _record(store, integration, "test", "degraded", error, 400)
    return {"integration": integration, "status": "degraded", "error": error, "id": read_status(store, integration).id}


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
