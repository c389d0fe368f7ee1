"""The text of `vitesse plan`: per integration a headline (``crm-to-mailwave: map, test, deploy will re-run``, or
``no changes``), then what would change, section by section, and the commands that apply it; a summary line last."""

from __future__ import annotations

import json
from typing import Any

from vitesse.ingest.drift import PREFIX, describe
from vitesse.plan.model import DeployPlan, FieldChange, GatePlan, IntegrationPlan, MappingPlan, SpecsPlan, StepPlan

SHOWN_DRIFT = 20


def text_report(plans: list[IntegrationPlan]) -> str:
    if not plans:
        return "no integrations; create one with `vitesse new NAME`"
    blocks = ["\n".join(integration_lines(p)) for p in plans]
    return "\n\n".join(blocks) + "\n\n" + summary(plans)


def summary(plans: list[IntegrationPlan]) -> str:
    changing = [p.name for p in plans if p.changes and not p.errors]
    broken = [p.name for p in plans if p.errors]
    unchanged = len(plans) - len(changing) - len(broken)
    text = f"Plan: {len(changing)} of {len(plans)} integration(s) would change"
    text += f" ({', '.join(changing)})" if changing else ""
    text += f"; {unchanged} with no changes"
    text += f"; {len(broken)} whose manifest does not load ({', '.join(broken)})" if broken else ""
    return text + ". Nothing was run, written or deployed."


def integration_lines(plan: IntegrationPlan) -> list[str]:
    if plan.errors:
        count = len(plan.errors)
        return [f"{plan.name}: the manifest does not load ({count} problem{'s' if count > 1 else ''}, on stderr)"]
    if not plan.changes:
        return [f"{plan.name}: no changes (every step is current)"]
    lines = [f"{plan.name}: {_headline(plan.steps)}", "  steps:"]
    width = max(len(s.step) for s in plan.steps)
    for step in plan.steps:
        if step.runs:
            lines.append(f"    {step.step.ljust(width)}  {step.version or '-':16}  {step.reason}")
    if plan.specs is not None:
        lines += _specs(plan.specs)
    if plan.mapping is not None:
        lines += _mapping(plan.mapping)
    if plan.gate is not None:
        lines += _gate(plan.gate)
    if plan.deploy is not None:
        lines += _deploy(plan.deploy)
    if plan.commands:
        listed = ", then ".join(f"`{c}`" for c in plan.commands)
        lines.append(f"  to apply: {listed}" + (f" (or `vitesse run {plan.name}`)" if len(plan.commands) > 1 else ""))
    return lines


def _headline(steps: list[StepPlan]) -> str:
    again = [s.step for s in steps if s.runs and s.version is not None]
    first = [s.step for s in steps if s.runs and s.version is None]
    parts = ([f"{', '.join(again)} will re-run"] if again else []) + (
        [f"{', '.join(first)} will run for the first time"] if first else []
    )
    return "; ".join(parts)


def _specs(specs: SpecsPlan) -> list[str]:
    if specs.error is not None:
        return [f"  specs: ingest would fail: {specs.error}"]
    changed = [s for s in specs.sides if s.changed]
    if not changed:
        return []
    lines = ["  specs:"]
    for side in changed:
        was = side.before[:12] if side.before else "none"
        lines.append(f"    ~ {side.side} {side.location}: sha256 {was} -> {(side.after or 'none')[:12]}")
    changes = specs.drift.get("changes") or []
    if changes:
        since = specs.drift.get("baseline")
        lines.append(
            f"    contract drift since ingest {since}: {len(changes)} change(s), {specs.drift.get('breaking', 0)} "
            "breaking"
        )
        for change in changes[:SHOWN_DRIFT]:
            mark = "BREAKING " if change.get("breaking") else ""
            used = " (the mapping uses it)" if change.get("mapped") and change.get("field") else ""
            lines.append(f"      {mark}{describe(change).removeprefix(PREFIX)}{used}")
        if len(changes) > SHOWN_DRIFT:
            lines.append(f"      ... and {len(changes) - SHOWN_DRIFT} more (see --json)")
    else:
        lines.append("    no contract drift in the fields the integration uses")
    return lines


def _source(view: dict[str, Any]) -> str:
    """``<- email``, ``<- first_name, last_name``, ``= "engineering"`` (a constant), or blank (a template alone)."""
    if view.get("transform_type") == "constant":
        return f" = {json.dumps(view.get('value'))}"
    source = view.get("source")
    if isinstance(source, list):
        return " <- " + ", ".join(source)
    return f" <- {source}" if source else ""


def _how(view: dict[str, Any]) -> str:
    how = str(view.get("transform_type"))
    if view.get("template"):
        how += f" {json.dumps(view['template'])}"
    how += f", confidence {view.get('confidence', 0):g}"
    return how + (", needs review" if view.get("needs_review") else "")


def _field(change: FieldChange) -> str:
    if change.change == "added" and change.after is not None:
        return f"    + {change.dest_field}{_source(change.after)} ({_how(change.after)})"
    if change.change == "removed" and change.before is not None:
        return f"    - {change.dest_field} (was{_source(change.before)}, {_how(change.before)})"
    a, b = change.before or {}, change.after or {}
    parts = []
    if "source" in change.aspects:
        parts.append(f"source {_source(a).removeprefix(' <- ') or '-'} -> {_source(b).removeprefix(' <- ') or '-'}")
    if "transform" in change.aspects:
        was = str(a.get("transform_type")) + (f" {json.dumps(a['template'])}" if a.get("template") else "")
        now = str(b.get("transform_type")) + (f" {json.dumps(b['template'])}" if b.get("template") else "")
        parts.append(f"transform {was} -> {now}")
    if "confidence" in change.aspects:
        parts.append(f"confidence {a.get('confidence', 0):g} -> {b.get('confidence', 0):g}")
    if "needs_review" in change.aspects:
        parts.append("now needs review" if b.get("needs_review") else "no longer needs review")
    return f"    ~ {change.dest_field}: " + "; ".join(parts)


def _mapping(mapping: MappingPlan) -> list[str]:
    was = f"map {mapping.compared_with}" if mapping.compared_with else "no map yet"
    if mapping.error is not None:
        return [f"  mapping: map would fail: {mapping.error}"]
    diff = mapping.diff
    assert diff is not None
    head = f"  mapping (proposed now against {was}; map would store {mapping.version}):"
    if not diff.changes:
        return [head, "    no changes: the proposed mapping is the same"]
    lines = [head]
    for side, change in diff.endpoints.items():
        lines.append(f"    ~ {side} endpoint: {change['before']} -> {change['after']}")
    lines += [_field(change) for change in diff.fields]
    if diff.unmapped_required != diff.unmapped_required_before:
        was_unmapped = ", ".join(diff.unmapped_required_before) or "none"
        lines.append(f"    unmapped required: {was_unmapped} -> {', '.join(diff.unmapped_required) or 'none'}")
    elif diff.unmapped_required:
        lines.append(f"    unmapped required: {', '.join(diff.unmapped_required)}")
    return lines


def _gate(gate: GatePlan) -> list[str]:
    if gate.test is None or gate.score is None:
        return ["  gate: " + "; ".join(gate.notes or ["no test yet"])]
    verdict = "would pass" if gate.would_pass else "would fail"
    sign = ">=" if gate.score >= gate.threshold else "<"
    lines = [
        f"  gate: {verdict}, predicted from test {gate.test}'s results (not a new test; the test will re-run and "
        "decide)",
        f"    health score {gate.score:g} {sign} threshold {gate.threshold:g}; that test "
        + ("passed" if gate.passed else "failed")
        + (f" at threshold {gate.threshold_was:g}" if gate.threshold_was is not None else ""),
    ]
    lines += [f"    note: {note}" for note in gate.notes]
    return lines


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _deploy(deploy: DeployPlan) -> list[str]:
    was = f"deploy {deploy.compared_with}" if deploy.compared_with else "never deployed"
    lines = [f"  deploy ({deploy.target}; against {was}):"]
    state, detail = deploy.service.get("state"), deploy.service.get("detail") or ""
    if state not in (None, "-"):
        lines.append(f"    service now: {detail if detail.startswith(str(state)) else f'{state} ({detail})'}")
    if deploy.refused:
        lines.append(f"    refused: {deploy.refused}")
    if deploy.error:
        lines.append(f"    cannot render: {deploy.error}")
    if deploy.bundle:
        was, now = deploy.bundle.get("before"), deploy.bundle.get("after")
        lines.append(f"    ~ bundle: {was} -> {now}" if was else f"    + bundle: {now}")
    for key, change in deploy.settings.items():
        if change["before"] is None:
            lines.append(f"    + {key}: {_value(change['after'])}")
        else:
            lines.append(f"    ~ {key}: {_value(change['before'])} -> {_value(change['after'])}")
    if not deploy.settings_recorded and deploy.changed_keys:
        lines.append(
            f"    changed in the manifest: {', '.join(deploy.changed_keys)} (that deploy did not record its settings)"
        )
    for note in deploy.notes:
        lines.append(f"    note: {note}")
    for text in deploy.manifests.values():
        lines += [f"    {line}" for line in text.rstrip("\n").split("\n")]
    if not (deploy.bundle or deploy.settings or deploy.manifests or deploy.changed_keys or deploy.error):
        lines.append("    no changes to what is deployed (the same bundle and settings)")
    return lines
