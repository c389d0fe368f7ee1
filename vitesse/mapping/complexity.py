"""The seed's complexity score (1-10) of a mapping.

score = 1
      + 3 x share of transformations that convert values (anything but direct/mapping)
      + 2 x share of transformations with a nested or list path on either side
      + 2 x min(1, unmapped required fields / 3)
      + 1 if any custom template
      + 1 x share of transformations with confidence below 0.8
      + 1 if more than 25 transformations
rounded and clamped to 1..10. A flat rename of a handful of fields is 1-2; nested, converting, incomplete
mappings climb toward 10.
"""

from __future__ import annotations

from vitesse.mapping.models import Transformation


def complexity_score(transformations: list[Transformation], unmapped_required: list[str]) -> int:
    n = max(1, len(transformations))
    converting = sum(t.transform_type not in ("direct", "mapping", "constant") for t in transformations)
    nested = sum(any("." in p or "[]" in p for p in (*t.sources, t.dest_field)) for t in transformations)
    custom = any(t.transform_type == "custom" for t in transformations)
    unsure = sum(t.confidence < 0.8 for t in transformations)
    score = (
        1
        + 3 * converting / n
        + 2 * nested / n
        + 2 * min(1.0, len(unmapped_required) / 3)
        + custom
        + unsure / n
        + (len(transformations) > 25)
    )
    return max(1, min(10, round(score)))
