"""Canonical JSON and the content hashes that name artifact versions."""

from __future__ import annotations

import hashlib
from typing import Any

from vitesse import jsoncodec


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no insignificant whitespace; integers of any size.

    For values orjson can write these are exactly ``orjson.dumps(value, option=OPT_SORT_KEYS | OPT_NON_STR_KEYS)``,
    the bytes every stored artifact version was hashed from.
    """
    return jsoncodec.dumps(value, sort_keys=True)


def content_hash(value: Any, length: int = 16) -> str:
    """The sha256 of the canonical JSON of ``value``, as ``length`` hex digits."""
    return hashlib.sha256(canonical_json(value)).hexdigest()[:length]
