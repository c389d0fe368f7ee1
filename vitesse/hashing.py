"""Canonical JSON and the content hashes that name artifact versions."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no insignificant whitespace."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def content_hash(value: Any, length: int = 16) -> str:
    """The sha256 of the canonical JSON of ``value``, as ``length`` hex digits."""
    return hashlib.sha256(canonical_json(value)).hexdigest()[:length]
