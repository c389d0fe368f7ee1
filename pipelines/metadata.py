"""What each step's materialization shows in Dagster: counts, the mapping table, review items, scores."""

from typing import Any

from dagster import MetadataValue


def step_metadata(step: str, data: dict[str, Any], name: str = "<name>") -> dict[str, Any]:
    """The metadata a step's materialization carries, from its artifact's data."""
    if step == "ingest":
        return {
            side: MetadataValue.int(len(data[f"{prefix}_api_spec"]["endpoints"]))
            for side, prefix in (("source_endpoints", "source"), ("dest_endpoints", "dest"))
        } | {
            "warnings": MetadataValue.int(
                len(data["source_api_spec"]["warnings"]) + len(data["dest_api_spec"]["warnings"])
            )
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
