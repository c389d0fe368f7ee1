"""What `vitesse status [NAME]` prints: every integration in a table, or one integration's steps (current or why
not), its deployed service and the contract drift its latest ingest found."""

from __future__ import annotations

from typing import Any

from vitesse.cli.output import table

SHOWN_CHANGES = 3


def listing_table(listing: dict[str, Any]) -> str:
    """The list view: one row per integration whose manifest is in the project."""
    rows = [
        [
            item["manifest_name"],
            item["status"],
            item.get("service") or "-",
            f"{item['health_score']['overall']:g}" if item["health_score"] else "-",
            ", ".join(item.get("stale") or []),
            drift_cell(item.get("drift")),
            item["last_updated"] or "-",
            item["error"] or "",
        ]
        for item in listing["data"]
    ]
    if not rows:
        return "no integrations; create one with `vitesse new NAME`"
    return table(rows, ["integration", "status", "service", "health", "stale", "drift", "updated", "error"])


def drift_cell(counts: dict[str, Any] | None) -> str:
    """``1 breaking``, ``2 changes`` or blank, from `vitesse.envelope.drift_summary`."""
    if not counts:
        return ""
    if counts.get("breaking"):
        return f"{counts['breaking']} breaking"
    return _plural(counts.get("change_count", 0), "change")


def state_lines(state: dict[str, Any]) -> list[str]:
    """The single view: status, service, drift, then each step with whether it is current and why not."""
    score = state["health_score"]
    lines = [
        f"{state['manifest_name']} ({state['integration_id']}): {state['status']}"
        + (f", health score {score['overall']:g}" if score else "")
        + (f" - {state['error']}" if state["error"] else "")
    ]
    service = state.get("service") or "-"
    detail = state.get("service_detail")
    lines.append(f"service: {service}" + (f" ({detail})" if detail and service != "-" else ""))
    if (drift := drift_line(state.get("drift"))) is not None:
        lines.append(drift)
    rows = []
    for step in state["steps"]:
        ran = step["version"] is not None
        rows.append(
            [
                step["step"],
                step["version"] or "-",
                step["created_at"] or "-",
                str(step["versions"]),
                ("yes" if step["current"] else "stale") if ran else "-",
                (step.get("stale_reason") or "") if ran else "",
            ]
        )
    lines.append(table(rows, ["step", "latest", "created", "versions", "current", "why not"]))
    return lines


def drift_line(drift: dict[str, Any] | None) -> str | None:
    """``contract drift since ingest 3f2a1b2c3d4e: 3 changes, 1 breaking: destination POST /contacts `email`
    removed``; None without changes (or for an ingest older than drift detection)."""
    if not drift or not drift.get("changes"):
        return None
    changes = drift["changes"]
    breaking = [c for c in changes if c.get("breaking")]
    count = drift.get("breaking")
    if not isinstance(count, int):
        count = len(breaking)
    shown = breaking or changes
    listed = "; ".join(_change(c) for c in shown[:SHOWN_CHANGES])
    if len(shown) > SHOWN_CHANGES:
        listed += f"; and {len(shown) - SHOWN_CHANGES} more"
    baseline = drift.get("baseline")
    since = f" since ingest {baseline[:12]}" if baseline else ""
    return f"contract drift{since}: {_plural(len(changes), 'change')}, {count or 'none'} breaking: {listed}"


KIND = {
    "endpoint_removed": "removed",
    "type": "type changed",
    "required": "required changed",
    "enum": "enum changed",
    "format": "format changed",
}
"""How each kind of change (`vitesse.ingest.drift.KINDS`) reads after the field."""


def _change(change: dict[str, Any]) -> str:
    """``destination POST /contacts `email` removed (mapped)``; `vitesse.ingest.drift` names the kinds."""
    kind = str(change.get("change", "changed"))
    where = f"{change.get('side', '?')} {change.get('endpoint', '?')}"
    field = change.get("field")
    text = f"{where} `{field}` {KIND.get(kind, kind)}" if field else f"{where} {KIND.get(kind, kind)}"
    before, after = change.get("before"), change.get("after")
    if before is not None and after is not None:
        text += f" ({_value(before)} -> {_value(after)})"
    return text + (" (mapped)" if change.get("mapped") else "")


def _value(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
