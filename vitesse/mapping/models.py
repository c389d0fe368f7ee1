"""The map step's output: the seed's ``mapping_logic``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from vitesse.manifest.models import TransformType

MappedType = TransformType | Literal["constant"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Transformation(Model):
    """One destination field and how it is produced, with how sure the mapper is and why."""

    dest_field: str
    source_field: str | None = None
    source_fields: list[str] | None = None
    transform_type: MappedType
    confidence: float = Field(ge=0, le=1)
    reason: str
    template: str | None = None
    value: JsonValue = Field(None, description="transform_type constant: the fixed value (mapping.constants)")
    needs_review: bool = Field(
        False,
        description="Proposed by the mapper below mapping.review_below and not decided in the manifest: a failed test "
        "until accepted (`vitesse map NAME --accept FIELD` writes it as a hint) or replaced by a hint or transform",
    )

    @property
    def sources(self) -> list[str]:
        return self.source_fields or ([self.source_field] if self.source_field else [])


class Candidate(Model):
    """A pairing the mapper considered but did not accept (below ``min_confidence``)."""

    dest_field: str
    source_field: str
    confidence: float
    reason: str


class EndpointOption(Model):
    endpoint: str
    score: float
    reason: str


class EndpointChoice(Model):
    chosen: str
    from_manifest: bool
    alternatives: list[EndpointOption] = Field(default_factory=list)


class MappingLogic(Model):
    """The seed's ``mapping_logic`` plus what a reviewer needs: unmapped fields, near misses, endpoint choice."""

    source_endpoint: str = Field(description="Path of the source endpoint, e.g. /v1/customers")
    source_method: str
    dest_endpoint: str
    dest_method: str
    source_record_path: str = ""
    transformations: list[Transformation]
    complexity_score: int = Field(ge=1, le=10)
    unmapped_required: list[str] = Field(default_factory=list)
    below_threshold: list[Candidate] = Field(default_factory=list)
    endpoint_choice: dict[str, EndpointChoice] = Field(default_factory=dict)
    min_confidence: float = 0.6
    review_below: float = Field(0.8, description="mapping.review_below the fields were marked with (needs_review)")
    source_field_count: int = 0
    dest_field_count: int = 0
    proposals: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Manifest keys the specs make obvious but the manifest does not set (source.incremental, "
        "destination.write), each with a reason; never applied by themselves",
    )
