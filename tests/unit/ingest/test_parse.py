"""Parsing spec documents: JSON and YAML, YAML 1.1 quirks, encodings and hostile input."""

from __future__ import annotations

import pytest

from vitesse.errors import SpecError
from vitesse.ingest.parse import parse_document


def test_json_and_yaml_give_the_same_data() -> None:
    as_json = parse_document(b'{"openapi": "3.0.0", "paths": {"/a": {}}}', "a.json")
    as_yaml = parse_document(b"openapi: 3.0.0\npaths:\n  /a: {}\n", "a.yaml")
    assert as_json == as_yaml


def test_json_content_with_a_yaml_name_is_read_as_json() -> None:
    assert parse_document(b'  {"swagger": "2.0"}', "kubernetes.yaml") == {"swagger": "2.0"}


def test_yaml_1_1_quirks_are_read_the_yaml_1_2_way() -> None:
    data = parse_document(b"enum: [yes, no, on, off]\ntime: 12:30\nday: 2020-01-01\ncode: 010\nok: true\n", "x")
    assert data == {"enum": ["yes", "no", "on", "off"], "time": "12:30", "day": "2020-01-01", "code": 10, "ok": True}


def test_utf8_bom_is_accepted_and_utf16_refused() -> None:
    assert parse_document(b"\xef\xbb\xbfa: 1\n", "bom.yaml") == {"a": 1}
    with pytest.raises(SpecError, match="UTF-16"):
        parse_document("a: 1".encode("utf-16"), "u16.yaml")


def test_non_utf8_is_a_clear_error() -> None:
    with pytest.raises(SpecError, match=r"x.yaml: not UTF-8 text \(invalid byte at offset 3\)"):
        parse_document(b"a: \xe9t\xe9\n", "x.yaml")


def test_syntax_errors_carry_line_and_column() -> None:
    with pytest.raises(SpecError, match=r"^a.json:2:\d+: invalid JSON"):
        parse_document(b'{"a": 1,\n "b": }', "a.json")
    with pytest.raises(SpecError, match=r"^a.yaml:2:\d+: invalid YAML"):
        parse_document(b"a: [1, 2\nb: 3\n", "a.yaml")


def test_alias_bomb_is_refused() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(SpecError, match="alias bomb"):
        parse_document("\n".join(lines).encode(), "bomb.yaml")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(SpecError, match="refers to itself"):
        parse_document(b"a: &x\n  b: *x\n", "loop.yaml")


def test_numbers_beyond_64_bits_stay_exact_integers() -> None:
    for raw in (
        b"maximum: 99999999999999999999\nminimum: -9223372036854775809\n",
        b'{"maximum": 99999999999999999999, "minimum": -9223372036854775809}',
        b"{maximum: 99999999999999999999, minimum: -9223372036854775809}",  # flow-style YAML
    ):
        doc = parse_document(raw, "x.yaml")
        assert doc == {"maximum": 99999999999999999999, "minimum": -(2**63) - 1}
        assert type(doc["maximum"]) is int and type(doc["minimum"]) is int
    assert parse_document(b"big: 0x1ffffffffffffffffff\n", "x.yaml") == {"big": 0x1FFFFFFFFFFFFFFFFFF}


def test_json_nested_deeper_than_the_codec_allows_is_a_clear_error() -> None:
    for where in ("deep.json", "deep.yaml"):
        with pytest.raises(SpecError, match=rf"^{where}: document is nested deeper than 512 levels"):
            parse_document(b"[" * 600 + b"]" * 600, where)
    raw = b'{"a": 99999999999999999999 "b": 1}'
    column = raw.index(b'"b"') + 1
    with pytest.raises(SpecError, match=rf"^big.json:1:{column}: invalid JSON: unexpected character"):
        parse_document(raw, "big.json")


def test_empty_document_is_refused() -> None:
    with pytest.raises(SpecError, match="empty"):
        parse_document(b"  \n", "e.yaml")
