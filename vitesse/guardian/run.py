"""`run_tests`: generate, transform, validate, shadow-call, score. Plain data in, the seed's test results out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from vitesse.fixtures.loader import Fixtures
from vitesse.guardian.fixtures import fixture_tests
from vitesse.guardian.meaning import MeaningCheck
from vitesse.guardian.ranges import number_targets
from vitesse.guardian.report import TestDetail, failures, health_score, latency
from vitesse.guardian.review import review_tests
from vitesse.guardian.shadow import Sandbox, SandboxTarget, shadow_request
from vitesse.guardian.synthetic import RecordGenerator
from vitesse.ingest.auth import suggested_auth, yaml_flow
from vitesse.ingest.drift import describe as describe_drift
from vitesse.ingest.models import ApiSpec, Endpoint
from vitesse.manifest.models import Auth, Side, TestConfig
from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.fields import flatten
from vitesse.mapping.models import MappingLogic
from vitesse.runtime.paginate import records_in
from vitesse.validation import RecordValidator, Violation

RESPONSE_RECORDS_CHECKED = 5


@dataclass
class Sides:
    """What the test run needs of each side: its spec, endpoint and manifest settings, and where shadow calls go
    (default: the sandboxes committed in the manifest)."""

    source_spec: ApiSpec
    source_endpoint: Endpoint
    source: Side
    dest_spec: ApiSpec
    dest_endpoint: Endpoint
    destination: Side
    source_sandbox: SandboxTarget | None = None
    dest_sandbox: SandboxTarget | None = None

    def __post_init__(self) -> None:
        if self.source_sandbox is None and self.source.sandbox_url:
            self.source_sandbox = SandboxTarget(self.source.sandbox_url, trusted=True)
        if self.dest_sandbox is None and self.destination.sandbox_url:
            self.dest_sandbox = SandboxTarget(self.destination.sandbox_url, trusted=True)


def shadow_auth(side: Side, spec: ApiSpec, endpoint: Endpoint, label: str) -> tuple[Any, bool, str | None]:
    """(auth, real credentials allowed, note) for one side's shadow calls.

    The manifest's auth when it has one. Otherwise, when the endpoint requires a scheme the spec declares, that
    scheme with placeholder values (a bearer token, an API key in its header or query, basic credentials), so a
    mock of the real spec (Prism) accepts the calls; the note says so.
    """
    if side.auth is not None:
        return side.auth, True, None
    declared = {scheme.name: scheme for scheme in spec.auth}
    for alternative in endpoint.security:
        schemes = [declared[name].model_dump() for name in alternative if name in declared]
        suggested = suggested_auth(side.api, schemes) if schemes else None
        if suggested is None and any(s["type"] in ("oauth2", "openid_connect") for s in schemes):
            # an access token of any OAuth2 flow travels as a bearer token
            suggested = suggested_auth(side.api, [{"type": "bearer"}])
        if suggested is not None:
            auth = TypeAdapter(Auth).validate_python(suggested)
            note = (
                f"{label}: {endpoint.key} requires {auth.type} auth and the manifest sets none; shadow calls carried "
                f"a placeholder {auth.type} credential. Set {label}.auth (e.g. {yaml_flow(suggested)}) for real calls"
            )
            return auth, False, note
    return None, True, None


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
    sides: Sides,
    logic: MappingLogic,
    config: TestConfig,
    *,
    sample_size: int | None = None,
    seed: int | None = None,
    name: str = "<name>",
    drift: list[dict[str, Any]] | None = None,
    fixtures: Fixtures | None = None,
) -> dict[str, Any]:
    """The test step's results for integration ``name`` (raises nothing for failing tests; they are the
    results). ``drift``: breaking contract changes to fields the mapping uses (`vitesse.ingest.drift`), each a
    failed test, and the run does not pass whatever its score. ``fixtures``: the integration's fixture cases
    (`vitesse.fixtures`), each a test (`vitesse.guardian.fixtures`)."""
    size = sample_size or config.sample_size
    seed = config.seed if seed is None else seed
    started = time.monotonic()
    deadline = started + config.budget_seconds
    source_key, dest_key = sides.source_endpoint.key, sides.dest_endpoint.key
    transform = compile_mapping(logic)
    # Source fields that declare no bounds get numbers the destination field they feed accepts (ranges.py).
    dest_fields = flatten(sides.dest_endpoint.request_schema, sides.dest_spec.schemas)
    # Beyond the schema: does each mapped value look like what the destination field holds (meaning.py)?
    meaning = MeaningCheck(
        logic, flatten(sides.source_endpoint.response_schema, sides.source_spec.schemas), dest_fields
    )
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

    notes: list[str] = []
    source_box = None
    if sides.source_sandbox is not None:
        auth, real, note = shadow_auth(sides.source, sides.source_spec, sides.source_endpoint, "source")
        trusted = sides.source_sandbox.trusted and real
        source_box = Sandbox(sides.source_sandbox.url, auth, config.timeout_seconds, deadline, trusted)
        sandboxes.append(source_box)
        notes += [note] if note else []
    dest_target = sides.dest_sandbox or (
        None if config.skip_destructive else SandboxTarget(sides.dest_spec.base_url or "", trusted=True)
    )
    dest_box = None
    if dest_target is not None and dest_target.url:
        auth, real, note = shadow_auth(sides.destination, sides.dest_spec, sides.dest_endpoint, "destination")
        dest_box = Sandbox(dest_target.url, auth, config.timeout_seconds, deadline, dest_target.trusted and real)
        sandboxes.append(dest_box)
        notes += [note] if note else []
    for box, label in ((source_box, "source"), (dest_box, "destination")):
        if box is not None and not box.trusted and box.auth is not None:
            notes.append(f"{label}: the sandbox {box.base_url} got placeholder credentials, not the real ones")
    try:
        if source_box is not None:
            tests.append(_source_call(source_box, sides, source_validator))
        valid = 0
        outputs = []
        dest_path, dest_query, dest_headers = shadow_request(sides.dest_endpoint, sides.destination, "destination")
        reads_source = any(t.transform_type != "constant" for t in logic.transformations)
        for record in records:
            test = TestDetail(index=len(tests) + 1, endpoint=dest_key, method=sides.dest_endpoint.method, kind="record")
            result = transform(record)
            outputs.append(result.record)
            if not reads_source:  # every record would arrive the same, with nothing of its own
                test.errors.append(f"{EMPTY_FIELD}: the mapping fills no destination field from the source record")
                test.problems.append((EMPTY_FIELD, "empty"))
            for error in result.errors:
                test.errors.append(f"{error['field']}: {error['error']}")
                test.problems.append((error["field"], "transform"))
            messages, problems = _describe(dest_validator.violations(result.record))
            test.errors += messages
            test.problems += problems
            for found in meaning.problems(result.record, skip={f for f, _ in problems}):
                test.errors.append(found.message)
                test.problems.append((found.field, found.code))
            if not result.errors and not problems and reads_source:
                valid += 1
            if dest_box is not None:
                call = dest_box.call(
                    sides.dest_endpoint.method,
                    dest_path,
                    params=dest_query,
                    headers=dest_headers,
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
    # Each fixture case is a test: the known record through the same mapping and schema (guardian/fixtures.py).
    if fixtures is not None:
        tests += fixture_tests(
            fixtures, transform, dest_validator, dest_key, sides.dest_endpoint.method, len(tests) + 1
        )
    cases = len(fixtures.cases) if fixtures is not None else 0
    # A field the mapper proposed below review_below and no person accepted is a failed test (guardian/review.py);
    # the cases vouch for the reviewed fields only, as the records do.
    tests += review_tests(
        logic, dest_key, sides.dest_endpoint.method, len(tests) + 1, name, records=len(records) + cases
    )
    drift = drift or []
    for change in drift:  # the contract changed under the mapping: one failed test per field
        test = TestDetail(
            index=len(tests) + 1,
            endpoint=change["endpoint"],
            method=change["endpoint"].partition(" ")[0],
            kind="drift",
            passed=False,
        )
        test.errors.append(describe_drift(change))
        test.problems.append((change["field"] or change["endpoint"], f"drift.{change['change']}"))
        tests.append(test)

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
        "passed": score["overall"] >= config.threshold and not drift,
        "contract_drift": [{**change, "message": describe_drift(change)} for change in drift],
        "test_count": len(tests),
        "passed_tests": passed_tests,
        "failed_tests": len(tests) - passed_tests,
        "test_details": [t.as_dict() for t in tests],
        "failures": failures(tests, logic, name),
        "status_codes": status_counts,
        "latency_ms": latency([c.response_time_ms for c in calls if c.status is not None]),
        "shadow_calls": {"source": source_box is not None, "destination": dest_box is not None},
        "notes": notes,
        "seed": seed,
        "sample_size": size,
        "source_endpoint": source_key,
        "dest_endpoint": dest_key,
        "samples": [{"source": r, "transformed": o} for r, o in list(zip(records, outputs, strict=True))[:3]],
        "duration_seconds": round(time.monotonic() - started, 3),
        **({"fixture_cases": _case_counts(tests)} if fixtures is not None else {}),
    }


EMPTY_FIELD = "(mapping)"
"""Where a record test reports a mapping that carries nothing of the record (only constants, or nothing)."""


def _case_counts(tests: list[TestDetail]) -> dict[str, int]:
    """How many fixture cases ran and passed (only in the results of integrations with a fixture file)."""
    cases = [t for t in tests if t.kind == "fixture"]
    return {"cases": len(cases), "passed": sum(t.passed for t in cases)}


def _source_call(box: Sandbox, sides: Sides, validator: RecordValidator) -> TestDetail:
    endpoint = sides.source_endpoint
    path, query, headers = shadow_request(endpoint, sides.source, "source")
    call = box.call(endpoint.method, path, params=query, headers=headers)
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
