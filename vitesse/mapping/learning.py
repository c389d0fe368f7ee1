"""Learning from the project: mappings accepted in other committed integrations are evidence for new ones.

A hint ``id: external_id`` or a transform from ``created`` to ``signed_up_at`` in one manifest means a person
reviewed that pairing; the same pairing of names (compared canonically) in another integration is then proposed
with at least 0.9 confidence and the reason names where it was accepted.
"""

from __future__ import annotations

from vitesse.manifest import ManifestFile
from vitesse.mapping.match import evidence_key


def evidence_from(peers: list[ManifestFile], exclude: str) -> dict[tuple[str, str], list[str]]:
    """(canonical source name, canonical destination name) -> the integrations that accepted that pairing."""
    found: dict[tuple[str, str], list[str]] = {}
    for peer in peers:
        if peer.name == exclude:
            continue
        mapping = peer.manifest.mapping
        pairs = list(mapping.hints.items())
        pairs += [(t.source_field, t.dest_field) for t in mapping.transforms if t.source_field]
        for source, dest in pairs:
            key = (evidence_key(source), evidence_key(dest))
            names = found.setdefault(key, [])
            if peer.name not in names:
                names.append(peer.name)
    return found
