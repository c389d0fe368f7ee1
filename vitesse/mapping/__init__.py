"""The map step: explainable field mapping between two real APIs, compiled into one fast function.

Names are imported on first use: the runtime needs the compiled mapping and the endpoint resolver, not the proposer
(scipy's assignment solver, rapidfuzz), so `import vitesse.mapping.compile` stays cheap.
"""

from vitesse.lazy import lazy_names

_LAZY = {
    "CompiledMapping": "vitesse.mapping.compile",
    "TransformResult": "vitesse.mapping.compile",
    "compile_mapping": "vitesse.mapping.compile",
    "Field": "vitesse.mapping.fields",
    "flatten": "vitesse.mapping.fields",
    "MappingLogic": "vitesse.mapping.models",
    "Transformation": "vitesse.mapping.models",
    "propose_mapping": "vitesse.mapping.propose",
    "build_mapping": "vitesse.mapping.step",
    "map_integration": "vitesse.mapping.step",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_names("vitesse.mapping", globals(), _LAZY, __all__)
