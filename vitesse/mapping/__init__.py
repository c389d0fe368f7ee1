"""The map step: explainable field mapping between two real APIs, compiled into one fast function."""

from vitesse.mapping.compile import CompiledMapping, TransformResult, compile_mapping
from vitesse.mapping.fields import Field, flatten
from vitesse.mapping.models import MappingLogic, Transformation
from vitesse.mapping.propose import propose_mapping
from vitesse.mapping.step import build_mapping, map_integration

__all__ = [
    "CompiledMapping",
    "Field",
    "MappingLogic",
    "TransformResult",
    "Transformation",
    "build_mapping",
    "compile_mapping",
    "flatten",
    "map_integration",
    "propose_mapping",
]
