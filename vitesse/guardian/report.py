"""Health score (the seed's formula) and the failure report: worst first, each with what to change."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from vitesse.mapping.models import MappingLogic

FIXTURE_FIXES = {
    "error_missing": "the record the case calls bad gets through: make the mapping refuse it, or move the case to "
    "`expect` if the record is fine",
    "error_unexpected": "list the error in the case's expect_errors if it is meant (or set partial: true)",
    "transform": "the mapping fails on the case's record: fix the transform for {field} (see the error)",
    "invalid": "the body the case expects breaks the destination schema: fix the mapping for {field}",
}


@dataclass
class TestDetail:
    """One test of the run, in the seed's shape."""

    __test__ = False

    index: int
    endpoint: str
    method: str
    kind: str
    passed: bool = True
    response_time_ms: float | None = None
    http_status: int | None = None
    errors: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, code) for the failure report
    weight: int = 1  # how many tests this one counts as in the success rate (review tests, guardian/review.py)
    case: str | None = None  # the fixture case this test runs (guardian/fixtures.py)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "endpoint": self.endpoint,
            "method": self.method,
            "kind": self.kind,
            "status": "passed" if self.passed else "failed",
            "response_time_ms": self.response_time_ms,
            "http_status": self.http_status,
            "errors": self.errors,
            **({"weight": self.weight} if self.weight != 1 else {}),
            **({"case": self.case} if self.case is not None else {}),
        }


def health_score(
    tests: list[TestDetail],
    endpoints: list[str],
    valid_records: int,
    records: int,
    call_codes: list[str],
    *,
    covered_offline: set[str] | None = None,
) -> dict[str, float]:
    """overall = success_rate x 0.7 + endpoint_coverage x 0.3 (the seed), with data quality and reliability.

    success_rate: passed tests / tests (by weight: a review test weighs its share of the records);
    endpoint_coverage: the integration's endpoints with a passing test; data_quality: transformed records the
    destination schema accepts; reliability: shadow calls answered 2xx (the success rate when no call was made)."""
    total = sum(t.weight for t in tests)
    success_rate = 100.0 * sum(t.weight for t in tests if t.passed) / total if total else 0.0
    covered = {t.endpoint for t in tests if t.passed} | (covered_offline or set())
    coverage = 100.0 * len(covered & set(endpoints)) / len(endpoints) if endpoints else 0.0
    data_quality = 100.0 * valid_records / records if records else 0.0
    ok_calls = sum(code.isdigit() and code.startswith("2") for code in call_codes)
    reliability = 100.0 * ok_calls / len(call_codes) if call_codes else success_rate
    return {
        "overall": round(success_rate * 0.7 + coverage * 0.3, 1),
        "data_quality": round(data_quality, 1),
        "reliability": round(reliability, 1),
        "success_rate": round(success_rate, 1),
        "endpoint_coverage": round(coverage, 1),
    }


def latency(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p95": round(p95, 1)}


SUGGESTIONS = {
    "401": "the sandbox refused the credentials: set <side>.auth in the manifest (and its env variables for a "
    "sandbox committed there), or check the sandbox's auth",
    "403": "the sandbox refused the request (403): check the credentials' permissions",
    "404": "the sandbox has no such endpoint (404): check sandbox_url and the endpoint path",
    "422": "the sandbox rejected the record (422): see the field errors of the failed tests",
    "429": "the sandbox rate-limited the run (429): lower test.sample_size or raise its limits",
    "timeout": "the sandbox did not answer in time: check sandbox_url or raise test.timeout_seconds",
    "connection": "the sandbox could not be reached: is it running at sandbox_url?",
    "skipped": "the test time budget ran out: raise test.budget_seconds or lower test.sample_size",
    "empty": "nothing from the source reaches the destination: add hints `<source field>: <destination field>` or "
    "transforms (`vitesse fields` lists both sides; the near misses of `vitesse map` are candidates)",
}


def failures(tests: list[TestDetail], logic: MappingLogic, name: str = "<name>") -> list[dict[str, Any]]:
    """What failed, most frequent first, each with the change that would fix it (commands name integration
    ``name``)."""
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for test in tests:
        for key, message in zip(test.problems, test.errors, strict=False):
            counts[key] += 1
            examples.setdefault(key, message)
    by_dest = {t.dest_field: t for t in logic.transformations}
    near = {c.dest_field: c for c in logic.below_threshold}
    out = []
    for (where, code), count in counts.most_common():
        entry = {
            "field": where,
            "problem": code,
            "count": count,
            "example": examples[(where, code)],
            "suggestion": _suggest(where, code, by_dest, near, examples[(where, code)], name),
        }
        if code.startswith("meaning."):
            entry["check"] = code.removeprefix("meaning.")  # examples, source or values (guardian/meaning.py)
        out.append(entry)
    return out


def _suggest(
    where: str, code: str, by_dest: dict[str, Any], near: dict[str, Any], example: str = "", name: str = "<name>"
) -> str:
    if code.startswith("meaning."):
        return _suggest_meaning(where, code.removeprefix("meaning."), by_dest.get(where), near.get(where), example)
    if code.startswith("drift."):  # vitesse/ingest/drift.py: the API changed a field the mapping uses
        return (
            f"the contract changed under the mapping ({example.removeprefix('contract drift: ')}): change the hint "
            f"or transform that uses {where}, or re-propose the mapping with `vitesse map {name}`; then "
            f"`vitesse test {name}` (and deploy again)"
        )
    if code.startswith("fixture."):  # guardian/fixtures.py: a case of the fixture file failed
        return fixture_suggestion(where, code, example, name)
    if code == "needs_review":  # guardian/review.py
        t = by_dest.get(where)
        fed = f"{', '.join(t.sources) or 'a template'} -> {where} ({t.transform_type})" if t is not None else where
        return (
            f"review {fed}: if right, commit it with `vitesse map {name} --accept {where}` (every such field: "
            f"--accept alone); if wrong, a hint or transform for {where}, or mapping.ignore"
        )
    if code in SUGGESTIONS:
        return SUGGESTIONS[code]
    if code.isdigit() and code.startswith("5"):
        return f"the sandbox failed (HTTP {code}): retry, or check the sandbox"
    if code == "required":
        hint = near.get(where)
        if hint is not None:
            return (
                f"nothing fills {where}: add the hint `{hint.source_field}: {where}` (near miss, confidence "
                f"{hint.confidence:.2f}) or a transform"
            )
        return (
            f"nothing fills {where}: add a hint `<source field>: {where}`, a transform (e.g. custom), or a fixed "
            f"value under mapping.constants (`{where}: <value>`)"
        )
    if code == "transform":
        t = by_dest.get(where)
        if t is not None and t.transform_type == "custom":
            return f"the custom template for {where} fails on these records: see the example error and fix the template"
        source = ", ".join(t.sources) if t and t.sources else "the source"
        return f"values of {source} do not convert for {where}: pick another transform_type or a custom template"
    t = by_dest.get(where)
    if t is not None and t.transform_type == "constant":
        return f"the constant for {where} is refused by the destination ({code}): fix mapping.constants.{where}"
    if t is not None:
        return (
            f"{where} gets {', '.join(t.sources) or 'a template'} via {t.transform_type}, which the destination "
            f"does not accept ({code}): add a transform for {where} (e.g. parse_int, stringify, custom)"
        )
    return f"fix {where} ({code}): add a hint or a transform"


MEANING_CHECKS = {
    "examples": "the values do not look like the destination's examples",
    "source": "the source field's spec says it holds something else than the destination's examples show",
    "values": "the values are not among those the destination's description lists",
    "partial": "its money object gets a currency and no amount",
}


def _suggest_meaning(where: str, check: str, t: Any, hint: Any, example: str) -> str:
    """What to change when a mapped value does not mean what the destination field holds (guardian/meaning.py)."""
    if check == "partial":
        near = f" (near miss: `{hint.source_field}: {where}`, {hint.confidence:.2f})" if hint is not None else ""
        return f"nothing fills {where} beside its currency: add a hint `<amount field>: {where}`{near}"
    fed = f"{where} gets {', '.join(t.sources) or 'a template'} via {t.transform_type}" if t is not None else where
    other = (
        f"add the hint `{hint.source_field}: {where}` (near miss, confidence {hint.confidence:.2f})"
        if hint is not None and (t is None or hint.source_field not in t.sources)
        else f"map the right source field with a hint `<source field>: {where}`"
    )
    convert = "a transform that turns the value into what the destination holds (custom)"
    if "examples are dates" in example and "date-time" in example and t is not None and len(t.sources) == 1:
        convert = (
            f"the transform `{{dest_field: {where}, transform_type: custom, template: '{t.sources[0]} | to_date'}}`"
        )
    return (
        f"{fed}, but {MEANING_CHECKS.get(check, 'the values do not fit')} ({check} check): {other}, add {convert}, "
        f"or leave it out (mapping.ignore); if the pairing is meant, state it in mapping.transforms"
    )


def fixture_suggestion(where: str, code: str, example: str, name: str = "<name>") -> str:
    """What to change when a fixture case fails: the mapping, or the case when the new output is the right one."""
    kind = code.removeprefix("fixture.")
    case = example.split(": ", 1)[0]  # "case 'a full customer'"
    fix = FIXTURE_FIXES.get(kind, "").format(field=where) or (
        f"fix the mapping for {where} (a hint or transform, then `vitesse map {name}`) or, if the new value is "
        f"right, the case's expect"
    )
    return f"{case} of the fixture file: {fix}; `vitesse check {name}` shows every field"
