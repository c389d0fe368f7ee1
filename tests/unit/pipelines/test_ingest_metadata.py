"""The Dagster ingest asset's metadata shows the contract drift: a table of the changes and the breaking count."""

from __future__ import annotations

from pipelines.metadata import step_metadata

SPEC = {"endpoints": [{}], "warnings": []}


def test_the_drift_table_and_breaking_count() -> None:
    removed = {
        "side": "destination",
        "endpoint": "POST /contacts",
        "field": "organization",
        "change": "removed",
        "before": {"required": False, "type": "string"},
        "after": None,
        "breaking": True,
        "mapped": True,
    }
    added = removed | {"field": "nickname", "change": "added", "before": None, "after": {"type": "string"}}
    added |= {"breaking": False, "mapped": False}
    data = {"source_api_spec": SPEC, "dest_api_spec": SPEC}
    meta = step_metadata("ingest", data | {"drift": {"baseline": "abc", "changes": [added, removed], "breaking": 1}})
    assert meta["breaking_drift"].value == 1 and meta["drift_baseline"].value == "abc"
    rows = meta["drift"].md_str.splitlines()
    assert rows[2] == (
        '| **yes** | destination | POST /contacts | `organization` | removed | {"required": false, "type": "string"} '
        "| - | yes |"
    )  # breaking first
    assert rows[3].startswith("| no | destination | POST /contacts | `nickname` | added | - |")
    first = step_metadata("ingest", data | {"drift": {"baseline": None, "changes": [], "breaking": 0}})
    assert first["breaking_drift"].value == 0 and "first ingest" in first["drift"].md_str
    assert step_metadata("ingest", data)["drift_baseline"].value == "none"  # an artifact from before drift
