"""Unreviewed low-confidence fields as failed tests, so a mostly wrong proposal cannot pass the gate silently.

Each transformation marked ``needs_review`` (`vitesse.mapping.review`) is one failed test of kind ``review`` against
the destination endpoint: it lowers the success rate, and being failed it never counts as covering the endpoint.

Its weight does not shrink as the sample grows: the record tests vouch for the reviewed fields only, so with ``u``
of ``m`` mapped fields unreviewed, the review tests weigh ``records / (m - u)`` each and the success rate is at most
the share of reviewed fields, ``1 - u/m``, whatever ``test.sample_size`` is (half the fields unreviewed: at most
50%, an overall of 65 and a failed gate at the default threshold).
"""

from __future__ import annotations

import math

from vitesse.guardian.report import TestDetail
from vitesse.mapping.models import MappingLogic, Transformation
from vitesse.mapping.review import needing_review

PROBLEM = "needs_review"


def review_tests(
    logic: MappingLogic, endpoint_key: str, method: str, first_index: int, name: str = "<name>", records: int = 1
) -> list[TestDetail]:
    """One failed test per field that needs review, numbered from ``first_index``, each weighing what its share of
    ``records`` record tests would (module docstring); the messages name the integration ``name`` in the command
    that accepts the field."""
    pending = needing_review(logic)
    weight = math.ceil(max(records, 1) / max(1, len(logic.transformations) - len(pending)))
    tests = []
    for offset, t in enumerate(pending):
        test = TestDetail(
            index=first_index + offset, endpoint=endpoint_key, method=method, kind="review", passed=False, weight=weight
        )
        test.errors.append(review_error(t, logic.review_below, name))
        test.problems.append((t.dest_field, PROBLEM))
        tests.append(test)
    return tests


def review_error(t: Transformation, review_below: float, name: str = "<name>") -> str:
    origin = f"from {', '.join(t.sources)}" if t.sources else "by a template"
    return (
        f"{t.dest_field}: proposed {origin} at confidence {t.confidence:.2f} and not reviewed (below review_below "
        f"{review_below:g}; {t.reason}): accept it with `vitesse map {name} --accept {t.dest_field}`, or set a hint, "
        "transform or ignore"
    )
