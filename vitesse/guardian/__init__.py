"""The test step (the seed's Guardian): synthetic records, schema validation, shadow calls, health score, gate."""

from vitesse.guardian.run import Sides, run_tests
from vitesse.guardian.step import gate_message, test_integration
from vitesse.guardian.synthetic import RecordGenerator
from vitesse.validation import RecordValidator, Violation

__all__ = ["RecordGenerator", "RecordValidator", "Sides", "Violation", "gate_message", "run_tests", "test_integration"]
