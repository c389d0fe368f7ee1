"""The Dagster map asset's metadata shows the fields that need review and the near misses."""

from __future__ import annotations

from dagster import MetadataValue

from pipelines.metadata import step_metadata


def row(dest: str, confidence: float, needs_review: bool) -> dict:
    return {
        "dest_field": dest,
        "source_field": f"src_{dest}",
        "source_fields": None,
        "transform_type": "mapping",
        "confidence": confidence,
        "reason": "similar names",
        "needs_review": needs_review,
    }


def test_needs_review_fields_and_near_misses_are_in_thestep_metadata() -> None:
    logic = {
        "transformations": [row("notes", 0.72, True), row("email", 0.98, False)],
        "complexity_score": 2,
        "unmapped_required": [],
        "below_threshold": [{"dest_field": "phone", "source_field": "mobile", "confidence": 0.5, "reason": "weak"}],
    }
    meta = step_metadata("map", {"mapping_logic": logic}, "crm-to-mailwave")
    assert meta["needs_review_count"] == 1
    assert "| src_notes | notes | mapping | 0.72 | **needs review** |" in meta["mapping"].md_str
    assert meta["needs_review"].md_str.startswith("- `notes` from src_notes (0.72): similar names")
    assert "`vitesse map crm-to-mailwave --accept [FIELD...]`" in meta["needs_review"].md_str
    assert meta["near_misses"] == MetadataValue.md("- `mobile` -> `phone` (0.50): weak")
    logic["transformations"] = [row("email", 0.98, False)]
    assert "nothing" in step_metadata("map", {"mapping_logic": logic})["needs_review"].md_str
