"""Fixture cases as tests: each case of ``integrations/<name>.tests.yaml`` (`vitesse.fixtures`) is one test of kind
``fixture`` against the destination endpoint, counted in the health score like a record test (weight 1).

A failed case is a failed test whose errors name the case and each field that differs (``case 'a lead':
given_name: expected "Ada", got "Jenny"``), with problem ``fixture.<kind>`` (``changed``, ``missing``,
``unexpected``, ``transform``, ``invalid``, ``error_missing``, ``error_unexpected``) for the failure report. A
passing case covers the destination endpoint, as a passing record test does. Data quality stays the share of
synthetic records the schema accepts: a case that expects a bad record to be refused is not bad data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vitesse.fixtures.run import run_cases
from vitesse.guardian.report import TestDetail

if TYPE_CHECKING:
    from vitesse.fixtures.loader import Fixtures
    from vitesse.mapping.compile import CompiledMapping
    from vitesse.validation import RecordValidator


def fixture_tests(
    fixtures: Fixtures,
    transform: CompiledMapping,
    validator: RecordValidator,
    endpoint_key: str,
    method: str,
    first_index: int,
) -> list[TestDetail]:
    """One test per case, numbered from ``first_index``."""
    tests = []
    for result in run_cases(fixtures, transform, validator):
        test = TestDetail(
            index=first_index + result.index,
            endpoint=endpoint_key,
            method=method,
            kind="fixture",
            passed=result.passed,
            case=result.case.name,
        )
        for difference in result.differences:
            test.errors.append(f"case {result.case.name!r}: {difference.line}")
            test.problems.append((difference.field or "(record)", f"fixture.{difference.kind}"))
        tests.append(test)
    return tests
