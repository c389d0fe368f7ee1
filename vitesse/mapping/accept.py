"""``vitesse map NAME --accept [FIELD...]``: fields that need review, accepted into the manifest (comments kept).

A field is written as a hint ``source_field: dest_field`` when one source field is copied or cast, else as an
explicit ``mapping.transforms`` entry, the transformation as proposed: a template, several source fields, or a source
another hint already uses (hints are keyed by source field). Re-mapped, the field is then the manifest's decision.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vitesse.artifacts import Artifact, ArtifactStore
from vitesse.artifacts.store import write_atomic
from vitesse.errors import MappingError, VitesseError
from vitesse.manifest import ManifestFile
from vitesse.manifest.edit import edit_manifest
from vitesse.manifest.models import MappingConfig
from vitesse.mapping.models import MappingLogic, Transformation
from vitesse.mapping.proposals import flow
from vitesse.mapping.review import bare, needing_review
from vitesse.mapping.step import map_integration


@dataclass
class Accepted:
    """What accepting writes into the manifest."""

    hints: dict[str, str] = field(default_factory=dict)
    transforms: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.hints or self.transforms)

    @property
    def fields(self) -> list[str]:
        return list(self.hints.values()) + [t["dest_field"] for t in self.transforms]

    def lines(self) -> list[str]:
        """One line per entry, as the manifest spells it."""
        return [f"mapping.hints: {flow(s)}: {flow(d)}" for s, d in self.hints.items()] + [
            f"mapping.transforms: - {flow(t)}" for t in self.transforms
        ]


def acceptance(logic: MappingLogic, config: MappingConfig, wanted: Sequence[str] = ()) -> Accepted:
    """The manifest entries that accept ``wanted`` (destination field paths; none: every field needing review).

    `MappingError` naming each field asked for that is not in the mapping or does not need review."""
    pending = {t.dest_field: t for t in needing_review(logic)}
    chosen = list(pending.values())
    if wanted:
        by_dest = {t.dest_field: t for t in logic.transformations}
        problems, chosen = [], []
        for path in dict.fromkeys(wanted):
            found = pending.get(path) or pending.get(bare(path))
            if found is not None:
                chosen.append(found)
            else:
                problems.append(_why_not(path, by_dest.get(path) or by_dest.get(bare(path)), logic))
        if problems:
            waiting = f"fields needing review: {', '.join(pending)}" if pending else "no field needs review"
            raise MappingError("; ".join([*problems, waiting]), code="mapping.not_in_review")
    accepted = Accepted()
    hinted = {bare(source) for source in config.hints}
    for t in chosen:
        source = t.source_field
        if source and not t.source_fields and t.transform_type != "custom" and bare(source) not in hinted:
            accepted.hints[source] = t.dest_field
            hinted.add(bare(source))
        else:  # a hint cannot say it: the transformation as proposed, stated explicitly
            entry: dict[str, Any] = {"dest_field": t.dest_field, "transform_type": t.transform_type}
            entry |= {"source_field": source} if source else {}
            entry |= {"source_fields": list(t.source_fields)} if t.source_fields else {}
            entry |= {"template": t.template} if t.template else {}
            accepted.transforms.append(entry)
    return accepted


def _why_not(path: str, t: Transformation | None, logic: MappingLogic) -> str:
    if t is not None:
        return f"{path}: does not need review ({t.reason}, confidence {t.confidence:.2f})"
    near = next((c for c in logic.below_threshold if c.dest_field in (path, bare(path))), None)
    if near is not None:
        return (
            f"{path}: not mapped, only a near miss ({near.source_field}, confidence {near.confidence:.2f}): "
            f"map it with the hint `{near.source_field}: {path}`"
        )
    known = [t.dest_field for t in logic.transformations]
    close = difflib.get_close_matches(path, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"{path}: no such destination field in the mapping{hint}"


def accept(mf: ManifestFile, logic: MappingLogic, wanted: Sequence[str] = ()) -> tuple[ManifestFile, Accepted]:
    """Write the accepted fields into ``mf``'s manifest (comments and layout kept); returns it as written.

    Nothing is written when a field asked for cannot be accepted (`MappingError`) or none needs review."""
    accepted = acceptance(logic, mf.manifest.mapping, wanted)
    if not accepted:
        return mf, accepted
    hints = {("mapping", "hints", source): dest for source, dest in accepted.hints.items()}
    appended = {"mapping.transforms": accepted.transforms} if accepted.transforms else None
    return edit_manifest(mf.path, hints, append=appended), accepted


def map_accepting(
    mf: ManifestFile, store: ArtifactStore, wanted: Sequence[str] = (), *, peers: list[ManifestFile] | None = None
) -> tuple[Artifact, ManifestFile, Accepted]:
    """The map step, then ``wanted`` (none: every field needing review) accepted into the manifest and the map step
    again, so the artifact has them as the manifest's decisions. Should that map fail, the manifest is put back."""
    artifact = map_integration(mf, store, peers=peers)
    before = mf.path.read_text()
    written, accepted = accept(mf, MappingLogic.model_validate(artifact.data["mapping_logic"]), wanted)
    if not accepted:
        return artifact, mf, accepted
    try:
        return map_integration(written, store, peers=peers), written, accepted
    except VitesseError:
        write_atomic(mf.path, before.encode())  # nothing half-accepted
        raise
