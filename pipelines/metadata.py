"""What each step's materialization shows in Dagster: counts, the mapping table, review items, scores."""

from typing import Any

from dagster import MetadataValue


def step_metadata(step: str, data: dict[str, Any], name: str = "<name>") -> dict[str, Any]:
    """The metadata a step's materialization carries, from its artifact's data."""
    if step == "ingest":
        import json

        # Contract drift since the baseline ingest (vitesse.ingest.drift): a table of the changes, breaking first.
        drift = data.get("drift") or {"baseline": None, "changes": [], "breaking": 0}

        def cell(value: Any) -> str:
            text = "-" if value is None else value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            return text.replace("|", "\\|")

        rows = [
            "| breaking | side | endpoint | field | change | before | after | mapped |",
            "|---|---|---|---|---|---|---|---|",
        ]
        rows += [
            f"| {'**yes**' if c['breaking'] else 'no'} | {c['side']} | {c['endpoint']} | `{c['field'] or '-'}` | "
            f"{c['change']} | {cell(c['before'])} | {cell(c['after'])} | {'yes' if c['mapped'] else 'no'} |"
            for c in sorted(drift["changes"], key=lambda c: not c["breaking"])
        ]
        if not drift["baseline"]:
            drift_text = "first ingest: nothing to compare with"
        elif not drift["changes"]:
            drift_text = f"no change since ingest {drift['baseline']} in the fields the integration uses"
        else:
            drift_text = "\n".join(rows)
        return {
            side: MetadataValue.int(len(data[f"{prefix}_api_spec"]["endpoints"]))
            for side, prefix in (("source_endpoints", "source"), ("dest_endpoints", "dest"))
        } | {
            "warnings": MetadataValue.int(
                len(data["source_api_spec"]["warnings"]) + len(data["dest_api_spec"]["warnings"])
            ),
            "drift": MetadataValue.md(drift_text),
            "breaking_drift": MetadataValue.int(int(drift["breaking"])),
            "drift_baseline": MetadataValue.text(drift["baseline"] or "none"),
        }
    if step == "map":
        logic = data["mapping_logic"]
        rows = ["| source | destination | type | confidence | review | reason |", "|---|---|---|---|---|---|"]
        rows += [
            f"| {', '.join(t['source_fields'] or []) or t['source_field'] or '-'} | {t['dest_field']} | "
            f"{t['transform_type']} | {t['confidence']:.2f} | {'**needs review**' if t.get('needs_review') else ''} "
            f"| {t['reason']} |"
            for t in logic["transformations"]
        ]
        pending = [t for t in logic["transformations"] if t.get("needs_review")]
        review = [
            f"- `{t['dest_field']}` from {', '.join(t['source_fields'] or []) or t['source_field'] or 'a template'} "
            f"({t['confidence']:.2f}): {t['reason']}"
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
    if step == "test":
        score = data["health_score"]
        return {
            **{k: MetadataValue.float(float(v)) for k, v in score.items()},
            "passed": data["passed"],
            "test_count": data["test_count"],
            "failures": MetadataValue.json(data["failures"][:10]),
        }
    return {
        "service_url": MetadataValue.url(data["service_url"]) if data.get("service_url") else "",
        "target": data["target"],
        "container_id": data["container_id"],
    }


HEALTH_COMPONENTS = ("overall", "success_rate", "endpoint_coverage", "data_quality", "reliability")


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
