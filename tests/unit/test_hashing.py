"""Content hashes: the versions artifacts already have stay the same; any JSON value a record carries hashes."""

from __future__ import annotations

import hashlib
import random

import orjson

from tests.unit.test_jsoncodec import ordinary
from vitesse.hashing import canonical_json, content_hash


def test_versions_of_ordinary_values_are_what_orjson_made_them() -> None:
    for seed in range(200):
        value = {"integration": "a", "step": "test", "data": ordinary(random.Random(seed))}
        before = orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        assert canonical_json(value) == before
        assert content_hash(value) == hashlib.sha256(before).hexdigest()[:16]


def test_big_integers_and_deep_values_hash_and_are_told_apart() -> None:
    record = {"transformed": {"external_id": 60487647593824219489241157815659387784080160975351}}
    assert content_hash(record) == content_hash({"transformed": dict(record["transformed"])})
    other = {"transformed": {"external_id": 60487647593824219489241157815659387784080160975352}}
    assert content_hash(record) != content_hash(other)
    assert canonical_json({"b": -(2**63) - 1, "a": 2**64}) == b'{"a":18446744073709551616,"b":-9223372036854775809}'
    deep: list = [1]
    for _ in range(400):
        deep = [deep]
    assert len(content_hash(deep, length=64)) == 64
