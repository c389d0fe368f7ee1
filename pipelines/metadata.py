"""What each step's materialization shows in Dagster (counts, the mapping table, review items, drift, scores) and
what the health-score check carries; built from the step's artifact data, the same for runs and for the
`artifact_history` sensor."""

import json
from collections.abc import Callable
from typing import Any

from dagster import MetadataValue

HEALTH_COMPONENTS = ("overall", "success_rate", "endpoint_coverage", "data_quality", "reliability")


def step_metadata(step: str, data: dict[str, Any], name: str = "<name>") -> dict[str, Any]:
    """The metadata a step's materialization carries, from its artifact's data."""
    return BUILDERS[step](data, name)


def check_metadata(results: dict[str, Any]) -> dict[str, Any]:
    """The health-score check's metadata: every component of the score (Dagster plots each over time), the p95
    latency of the shadow calls, the threshold, and the seed's message when the gate fails."""
    score = results["health_score"]
    metadata: dict[str, Any] = {name: MetadataValue.float(float(score[name])) for name in HEALTH_COMPONENTS}
    p95 = (results.get("latency_ms") or {}).get("p95")
    metadata["p95_latency_ms"] = MetadataValue.float(float(p95)) if p95 is not None else MetadataValue.null()
    metadata["threshold"] = MetadataValue.float(float(results["threshold"]))
    metadata["test_count"] = MetadataValue.int(int(results["test_count"]))
    if not results.get("passed"):
        from vitesse.guardian.step import gate_message  # the guardian's imports are heavy; only a failure needs it

        metadata["error"] = MetadataValue.text(gate_message(results))
    return metadata


def _cell(value: Any) -> str:
    text = "-" if value is None else value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text.replace("|", "\\|")


def _drift_text(drift: dict[str, Any]) -> str:
    """Contract drift since the baseline ingest (`vitesse.ingest.drift`): a table of the changes, breaking first."""
    if not drift["baseline"]:
        return "first ingest: nothing to compare with"
    if not drift["changes"]:
        return f"no change since ingest {drift['baseline']} in the fields the integration uses"
    rows = [
        "| breaking | side | endpoint | field | change | before | after | mapped |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows += [
        f"| {'**yes**' if c['breaking'] else 'no'} | {c['side']} | {c['endpoint']} | `{c['field'] or '-'}` | "
        f"{c['change']} | {_cell(c['before'])} | {_cell(c['after'])} | {'yes' if c['mapped'] else 'no'} |"
        for c in sorted(drift["changes"], key=lambda c: not c["breaking"])
    ]
    return "\n".join(rows)


def _ingest(data: dict[str, Any], name: str) -> dict[str, Any]:
    drift = data.get("drift") or {"baseline": None, "changes": [], "breaking": 0}
    return {
        side: MetadataValue.int(len(data[f"{prefix}_api_spec"]["endpoints"]))
        for side, prefix in (("source_endpoints", "source"), ("dest_endpoints", "dest"))
    } | {
        "warnings": MetadataValue.int(sum(len(data[f"{p}_api_spec"]["warnings"]) for p in ("source", "dest"))),
        "drift": MetadataValue.md(_drift_text(drift)),
        "breaking_drift": MetadataValue.int(int(drift["breaking"])),
        "drift_baseline": MetadataValue.text(drift["baseline"] or "none"),
    }


def _sources(t: dict[str, Any]) -> str:
    return ", ".join(t["source_fields"] or []) or t["source_field"] or ""


def _map(data: dict[str, Any], name: str) -> dict[str, Any]:
    logic = data["mapping_logic"]
    rows = ["| source | destination | type | confidence | review | reason |", "|---|---|---|---|---|---|"]
    rows += [
        f"| {_sources(t) or '-'} | {t['dest_field']} | {t['transform_type']} | {t['confidence']:.2f} | "
        f"{'**needs review**' if t.get('needs_review') else ''} | {t['reason']} |"
        for t in logic["transformations"]
    ]
    pending = [t for t in logic["transformations"] if t.get("needs_review")]
    review = [
        f"- `{t['dest_field']}` from {_sources(t) or 'a template'} ({t['confidence']:.2f}): {t['reason']}"
        for t in pending
    ]
    if pending:
        review.append(
            f"\nEach is a failed test until accepted: `vitesse map {name} --accept "
            "[FIELD...]` writes them into the manifest as hints; or set a hint, transform or ignore."
        )
    near = [
        f"- `{m['source_field']}` -> `{m['dest_field']}` ({m['confidence']:.2f}): {m['reason']}"
        for m in logic.get("below_threshold", [])
    ]
    return {
        "mapping": MetadataValue.md("\n".join(rows)),
        "complexity_score": logic["complexity_score"],
        "transformations": len(logic["transformations"]),
        "unmapped_required": MetadataValue.json(logic["unmapped_required"]),
        "needs_review_count": len(pending),
        "needs_review": MetadataValue.md("\n".join(review) or "nothing: every field is decided or confident"),
        "near_misses": MetadataValue.md("\n".join(near) or "none"),
    }


def _test(data: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        **{k: MetadataValue.float(float(v)) for k, v in data["health_score"].items()},
        "passed": data["passed"],
        "test_count": data["test_count"],
        "failures": MetadataValue.json(data["failures"][:10]),
    }


def _deploy(data: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "service_url": MetadataValue.url(data["service_url"]) if data.get("service_url") else "",
        "target": data["target"],
        "container_id": data["container_id"],
        "dry_run": bool(data.get("dry_run")),
    }


BUILDERS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "ingest": _ingest,
    "map": _map,
    "test": _test,
    "deploy": _deploy,
}
