"""One line saying what a step produced, from its artifact's data (the CLI's progress and Dagster's event log)."""

from __future__ import annotations

from typing import Any


def step_summary(step: str, data: dict[str, Any]) -> str:
    if step == "create":
        return f"integration {data['integration']['id']}"
    if step == "ingest":
        counts = [
            f"{side}: {len(data[f'{prefix}_api_spec']['endpoints'])} endpoints, "
            f"{len(data[f'{prefix}_api_spec']['warnings'])} warnings"
            for side, prefix in (("source", "source"), ("destination", "dest"))
        ]
        return "; ".join(counts)
    if step == "map":
        logic = data["mapping_logic"]
        waiting = sum(bool(t.get("needs_review")) for t in logic["transformations"])
        return f"{len(logic['transformations'])} fields mapped, complexity {logic['complexity_score']}" + (
            f"; {waiting} need review, each a failed test" if waiting else ""
        )
    if step == "test":
        score = data["health_score"]
        verdict = "passed" if data["passed"] else "below"
        return (
            f"health score {score['overall']:g} ({verdict} the threshold {data['threshold']:g}), "
            f"{data['passed_tests']} of {data['test_count']} tests passed"
        )
    if step == "deploy":
        where = "rendered (dry run)" if data.get("dry_run") else f"active at {data.get('service_url')}"
        return f"{data['target']}: {where}"
    raise ValueError(f"unknown step {step!r}")
