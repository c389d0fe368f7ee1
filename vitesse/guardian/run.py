"""`run_tests`: generate, transform, validate, shadow-call, score. Plain data in, the seed's test results out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from vitesse.guardian.ranges import number_targets
from vitesse.guardian.report import TestDetail, failures, health_score, latency
from vitesse.guardian.shadow import Sandbox, fill_path
from vitesse.guardian.synthetic import RecordGenerator
from vitesse.ingest.models import ApiSpec, Endpoint
from vitesse.manifest.models import Side, TestConfig
from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.fields import flatten
from vitesse.mapping.models import MappingLogic
from vitesse.runtime.paginate import records_in
from vitesse.validation import RecordValidator, Violation

RESPONSE_RECORDS_CHECKED = 5


@dataclass
class Sides:
    """What the test run needs of each side: its spec, endpoint and manifest settings."""

    source_spec: ApiSpec
    source_endpoint: Endpoint
    source: Side
    dest_spec: ApiSpec
    dest_endpoint: Endpoint
    destination: Side


def _describe(violations: list[Violation]) -> tuple[list[str], list[tuple[str, str]]]:
    return [f"{v.field}: {v.message}" for v in violations], [(v.field, v.code) for v in violations]


def _sandbox_problems(body: Any) -> list[tuple[str, str]]:
    """Field errors out of a sandbox's 422 body (Prism's ``validation`` list), as (field, message)."""
    found = []
    for item in (body or {}).get("validation", []) if isinstance(body, dict) else []:
        location = [str(p) for p in item.get("location", []) if p != "body"]
        found.append((".".join(location) or "(record)", str(item.get("message", "invalid"))))
    return found


def run_tests(
    sides: Sides, logic: MappingLogic, config: TestConfig, *, sample_size: int | None = None, seed: int | None = None
) -> dict[str, Any]:
    """The test step's results for one integration (raises nothing for failing tests; they are the results)."""
    size = sample_size or config.sample_size
    seed = config.seed if seed is None else seed
    started = time.monotonic()
    deadline = started + config.budget_seconds
    source_key, dest_key = sides.source_endpoint.key, sides.dest_endpoint.key
    transform = compile_mapping(logic)
    # Source fields that declare no bounds get numbers the destination field they feed accepts (ranges.py).
    dest_fields = flatten(sides.dest_endpoint.request_schema, sides.dest_spec.schemas)
    generator = RecordGenerator(sides.source_spec.schemas, seed, targets=number_targets(logic, dest_fields))
    records = generator.records(sides.source_endpoint.response_schema or {}, size)
    source_validator = RecordValidator(
        sides.source_endpoint.response_schema or {}, sides.source_spec.schemas, sides.source_spec.schema_dialect
    )
    dest_validator = RecordValidator(
        sides.dest_endpoint.request_schema or {}, sides.dest_spec.schemas, sides.dest_spec.schema_dialect
    )
    tests: list[TestDetail] = []
    sandboxes: list[Sandbox] = []

    source_box = None
    if sides.source.sandbox_url:
        source_box = Sandbox(sides.source.sandbox_url, sides.source.auth, config.timeout_seconds, deadline)
        sandboxes.append(source_box)
    dest_url = sides.destination.sandbox_url or (None if config.skip_destructive else sides.dest_spec.base_url)
    dest_box = Sandbox(dest_url, sides.destination.auth, config.timeout_seconds, deadline) if dest_url else None
    if dest_box:
        sandboxes.append(dest_box)
    try:
        if source_box is not None:
            tests.append(_source_call(source_box, sides, source_validator))
        valid = 0
        outputs = []
        for record in records:
            test = TestDetail(index=len(tests) + 1, endpoint=dest_key, method=sides.dest_endpoint.method, kind="record")
            result = transform(record)
            outputs.append(result.record)
            for error in result.errors:
                test.errors.append(f"{error['field']}: {error['error']}")
                test.problems.append((error["field"], "transform"))
            messages, problems = _describe(dest_validator.violations(result.record))
            test.errors += messages
            test.problems += problems
            if not result.errors and not problems:
                valid += 1
            if dest_box is not None:
                call = dest_box.call(
                    sides.dest_endpoint.method,
                    fill_path(sides.dest_endpoint),
                    body=result.record,
                    content_type=sides.dest_endpoint.request_content_type,
                )
                test.http_status, test.response_time_ms = call.status, call.response_time_ms
                if not call.ok:
                    sandbox_fields = _sandbox_problems(call.body) if call.status == 422 else []
                    test.errors.append(
                        f"{sides.dest_endpoint.method} {call.path}: "
                        f"{'HTTP ' + str(call.status) if call.status else call.error}"
                        + ("; " + "; ".join(f"{f}: {m}" for f, m in sandbox_fields[:5]) if sandbox_fields else "")
                    )
                    test.problems.append(("(sandbox)", call.code))
            test.passed = not test.errors
            tests.append(test)
    finally:
        for box in sandboxes:
            box.close()

    calls = [c for box in sandboxes for c in box.calls]
    codes = [c.code for c in calls]
    # Without a source sandbox, the source endpoint is exercised offline by the records generated from its schema.
    offline = {source_key} if source_box is None and records else set()
    score = health_score(tests, [source_key, dest_key], valid, len(records), codes, covered_offline=offline)
    status_counts: dict[str, int] = {}
    for code in codes:
        status_counts[code] = status_counts.get(code, 0) + 1
    passed_tests = sum(t.passed for t in tests)
    return {
        "health_score": score,
        "threshold": config.threshold,
        "passed": score["overall"] >= config.threshold,
        "test_count": len(tests),
        "passed_tests": passed_tests,
        "failed_tests": len(tests) - passed_tests,
        "test_details": [t.as_dict() for t in tests],
        "failures": failures(tests, logic),
        "status_codes": status_counts,
        "latency_ms": latency([c.response_time_ms for c in calls if c.status is not None]),
        "shadow_calls": {"source": sides.source.sandbox_url is not None, "destination": dest_box is not None},
        "seed": seed,
        "sample_size": size,
        "source_endpoint": source_key,
        "dest_endpoint": dest_key,
        "samples": [{"source": r, "transformed": o} for r, o in list(zip(records, outputs, strict=True))[:3]],
        "duration_seconds": round(time.monotonic() - started, 3),
    }


def _source_call(box: Sandbox, sides: Sides, validator: RecordValidator) -> TestDetail:
    endpoint = sides.source_endpoint
    params = {
        p.name: ("1" if p.type in ("integer", "number") else "vitesse-test")
        for p in endpoint.parameters
        if p.location == "query" and p.required
    }
    call = box.call(endpoint.method, fill_path(endpoint), params=params)
    test = TestDetail(
        index=1,
        endpoint=endpoint.key,
        method=endpoint.method,
        kind="read",
        response_time_ms=call.response_time_ms,
        http_status=call.status,
    )
    if not call.ok:
        test.errors.append(
            f"{endpoint.method} {call.path}: {'HTTP ' + str(call.status) if call.status else call.error}"
        )
        test.problems.append(("(sandbox)", call.code))
    else:
        for record in records_in(call.body, endpoint.record_path)[:RESPONSE_RECORDS_CHECKED]:
            messages, problems = _describe(validator.violations(record))
            test.errors += [f"response: {m}" for m in messages]
            test.problems += [(f, f"response {c}") for f, c in problems]
    test.passed = not test.errors
    return test
