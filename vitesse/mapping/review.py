"""Review committed to git: the fields the mapper is unsure of wait for a person.

A field the mapper proposed by itself below ``mapping.review_below`` (default 0.8) is marked ``needs_review``; one
the manifest decided (an explicit transform, a hint, a constant) or a pairing accepted in another integration never
is. The test step counts each marked field as a failed test (`vitesse.guardian.review`) until a person accepts it
(``vitesse map NAME --accept [FIELD...]``, `vitesse.mapping.accept`) or decides it otherwise in the manifest.
"""

from __future__ import annotations

from collections.abc import Sequence

from vitesse.manifest.models import MappingConfig
from vitesse.mapping.models import MappingLogic, Transformation

EVIDENCE = "accepted before in"
"""How `Matcher.score`'s reason names a pairing accepted in another integration (pinned by a test)."""


def bare(path: str) -> str:
    return path.removesuffix("[]")


def mark_for_review(transformations: Sequence[Transformation], config: MappingConfig) -> None:
    """Set ``needs_review`` on each transformation the mapper proposed by itself below ``config.review_below``."""
    decided = {t.dest_field for t in config.transforms} | set(config.constants) | set(config.hints.values())
    decided = {bare(path) for path in decided}
    for t in transformations:
        t.needs_review = (
            t.confidence < config.review_below
            and t.transform_type != "constant"
            and bare(t.dest_field) not in decided
            and EVIDENCE not in t.reason
        )


def needing_review(logic: MappingLogic) -> list[Transformation]:
    return [t for t in logic.transformations if t.needs_review]
