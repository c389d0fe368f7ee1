"""The one error hierarchy of vitesse.

Every error a user can cause is a `VitesseError` with a stable ``code``; the CLI turns it into a one-line message and
exit code 1, the REST API into the seed's error envelope. Anything else is a bug.

    VitesseError
     +-- ManifestError      an integration YAML is malformed or invalid (carries every problem found)
     +-- SpecError          an OpenAPI document cannot be fetched, parsed or resolved
     +-- ArtifactError      the artifact store is missing something a step needs, or is corrupt
     +-- StepOrderError     a step was called before the steps it depends on
     +-- BusyError          another step of the same integration is running
     +-- NotFoundError      no integration with the id or name asked for
     +-- ConflictError      an integration of that name exists with other settings, or an Idempotency-Key is reused
     +-- MappingError       no usable mapping between the two endpoints
     +-- GateError          the health score is below the threshold
     +-- DeployError        a deploy target failed
     +-- RuntimeSyncError   the deployed runtime could not move records
"""

from __future__ import annotations


class VitesseError(Exception):
    """Base class: a message for humans, a stable machine-readable code and the HTTP status of the seed's envelope."""

    code: str = "vitesse.error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:  # e.g. a deploy refused for its settings is bad input (400), not a failure
            self.http_status = http_status

    def __str__(self) -> str:
        return self.message


class ManifestError(VitesseError):
    """One or more problems in an integration manifest, each already formatted as ``file:line:col: path: message``."""

    code = "manifest.invalid"

    def __init__(self, problems: list[str], *, code: str | None = None) -> None:
        self.problems = problems
        super().__init__("\n".join(problems), code=code)


class SpecError(VitesseError):
    code = "spec.invalid"


class ArtifactError(VitesseError):
    code = "artifact.invalid"


class StepOrderError(VitesseError):
    code = "step.out_of_order"
    http_status = 409


class BusyError(VitesseError):
    code = "step.busy"
    http_status = 409


class NotFoundError(VitesseError):
    code = "integration.not_found"
    http_status = 404


class ConflictError(VitesseError):
    code = "integration.exists"
    http_status = 409


class MappingError(VitesseError):
    code = "mapping.failed"


class GateError(VitesseError):
    code = "gate.failed"


class DeployError(VitesseError):
    code = "deploy.failed"
    http_status = 500


class RuntimeSyncError(VitesseError):
    code = "runtime.failed"
    http_status = 500
