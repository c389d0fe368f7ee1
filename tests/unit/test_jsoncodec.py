"""jsoncodec: orjson's bytes for every value orjson can write, exact integers of any size, MAX_DEPTH both ways."""

from __future__ import annotations

import datetime
import json
import random
import sys
import uuid
from typing import Any

import orjson
import pytest

from vitesse import jsoncodec
from vitesse.jsoncodec import MAX_DEPTH, JsonDepthError, dumps, loads

CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
BIG_INTS = [
    2**64,
    2**64 + 1,
    -(2**63) - 1,
    -(2**64),
    10**20,
    99999999999999999999,
    -99999999999999999999,
    3**200,
    -(7**150),
    int("9" * sys.get_int_max_str_digits()),
]
IN_RANGE_EDGES = [2**64 - 1, 2**63, 2**63 - 1, -(2**63), 0, -1]


def nested(levels: int, leaf: Any = 1, *, kind: str = "list") -> Any:
    """``levels`` containers one inside the other (``[[1]]`` is 2 levels) around ``leaf``."""
    value = leaf
    for _ in range(levels):
        value = [value] if kind == "list" else {"k": value}
    return value


def ordinary(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON-like value orjson writes: every scalar kind, odd strings and floats, non-string keys."""
    pick = rng.randrange(12 if depth < 5 else 8)
    if pick == 0:
        return None
    if pick == 1:
        return rng.random() < 0.5
    if pick == 2:
        return rng.randint(-(10**6), 10**6)
    if pick == 3:
        return rng.choice(IN_RANGE_EDGES)
    if pick == 4:
        return rng.choice(
            [0.1, -0.0, 1e20, 1e-7, 5e-324, 1.7976931348623157e308, 123456789.125, rng.uniform(-1e9, 1e9)]
        )
    if pick in (5, 6, 7):
        alphabet = 'ab"\\/\n\t\x00\x1f\x7f é東🚀\u2028 '
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))
    if pick in (8, 9):
        return [ordinary(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys: list[Any] = ["b", "a", "", "é", "🚀", 'a"', "Z", "100", "9x"]  # none equal to a converted key
    value: dict[Any, Any] = {}
    for _ in range(rng.randrange(5)):
        key = rng.choice([*keys, rng.randint(-50, 50), 2.5, None, datetime.date(2020, 1, rng.randint(1, 28))])
        value[key] = ordinary(rng, depth + 1)
    return value


MARKER = 2**63 - 7  # an integer `ordinary` never draws, written by orjson where BIG is written by jsoncodec
BIG = 2**64 + 12345


def with_big_ints(rng: random.Random, value: Any) -> Any:
    """``value`` with some integers replaced by (and MARKERs added to lists), to stand for BIG."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return MARKER if rng.random() < 0.5 else value
    if isinstance(value, list):
        return [with_big_ints(rng, v) for v in value] + ([MARKER] if rng.random() < 0.3 else [])
    if isinstance(value, dict):
        return {k: with_big_ints(rng, v) for k, v in value.items()}
    return value


def replace_markers(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and value == MARKER:
        return BIG
    if isinstance(value, list):
        return [replace_markers(v) for v in value]
    if isinstance(value, dict):
        return {k: replace_markers(v) for k, v in value.items()}
    return value


# -- the bytes of ordinary values are orjson's (artifact versions are content hashes of them) -----------------------


@pytest.mark.parametrize("seed", range(300))
def test_ordinary_values_are_byte_identical_to_orjson(seed: int) -> None:
    value = ordinary(random.Random(seed))
    assert dumps(value, sort_keys=True) == orjson.dumps(value, option=CANONICAL)
    assert dumps(value) == orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    assert dumps(value, indent=True) == orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_INDENT_2)


def test_a_pinned_value_keeps_its_canonical_bytes() -> None:
    value = {"b": [1, 2.5, None, True], "a": {"z": "é", 3: "x"}, "e": 1e20}
    assert dumps(value, sort_keys=True) == b'{"a":{"3":"x","z":"\xc3\xa9"},"b":[1,2.5,null,true],"e":1e+20}'


# -- what orjson cannot write is written as orjson would, without its limits -------------------------------------


@pytest.mark.parametrize("seed", range(300))
def test_values_with_big_ints_are_orjsons_bytes_with_the_exact_digits(seed: int) -> None:
    rng = random.Random(seed)
    marked = with_big_ints(rng, {"first": MARKER, "value": ordinary(rng)})
    value = replace_markers(marked)
    digits = str(BIG).encode()
    for option, kwargs in (
        (CANONICAL, {"sort_keys": True}),
        (orjson.OPT_NON_STR_KEYS, {}),
        (orjson.OPT_NON_STR_KEYS | orjson.OPT_INDENT_2, {"indent": True}),
    ):
        expected = orjson.dumps(marked, option=option).replace(str(MARKER).encode(), digits)
        assert dumps(value, **kwargs) == expected
    assert loads(dumps(value, sort_keys=True)) == replace_markers(orjson.loads(orjson.dumps(marked, option=CANONICAL)))


@pytest.mark.parametrize("number", BIG_INTS + IN_RANGE_EDGES)
def test_integers_of_any_size_are_exact_both_ways(number: int) -> None:
    text = dumps(number)
    assert text == str(number).encode()
    back = loads(text)
    assert back == number and type(back) is int
    document = {"n": [number, {"m": -number}], "s": str(number)}
    assert loads(dumps(document, sort_keys=True)) == document
    assert loads(dumps(document, indent=True)) == document


def test_orjson_alone_loses_these_digits() -> None:
    """The premise: what orjson does with the integers jsoncodec keeps exact."""
    assert isinstance(orjson.loads(b"18446744073709551616"), float)
    assert isinstance(orjson.loads(b"-9223372036854775809"), float)  # 19 digits, below -2**63
    with pytest.raises(TypeError, match="64-bit"):
        orjson.dumps(2**64)


def test_negative_big_ints_just_below_the_64_bit_range_are_read_exactly() -> None:
    assert loads(b"-9223372036854775809") == -(2**63) - 1
    assert loads(b"[-9223372036854775809, -9223372036854775808]") == [-(2**63) - 1, -(2**63)]
    assert type(loads(b"-9223372036854775808")) is int


def test_a_spec_maximum_keeps_every_digit() -> None:
    schema = loads(b'{"type": "integer", "minimum": -99999999999999999999, "maximum": 99999999999999999999}')
    assert schema["maximum"] == 99999999999999999999 and type(schema["maximum"]) is int
    assert schema["minimum"] == -99999999999999999999


def test_long_digit_runs_that_are_not_integers_read_as_orjson_reads_them() -> None:
    text = b'{"id": "123456789012345678901234", "f": 1.12345678901234567890123, "e": 12345678901234567890.5}'
    assert loads(text) == orjson.loads(text)
    assert loads(text)["id"] == "123456789012345678901234"


def test_integers_over_pythons_digit_limit_are_a_value_error_with_a_place() -> None:
    limit = sys.get_int_max_str_digits()
    with pytest.raises(json.JSONDecodeError) as caught:
        loads(b'{"n":\n ' + b"1" * (limit + 1) + b"}")
    assert (caught.value.lineno, caught.value.colno) == (2, 2)
    with pytest.raises(ValueError):
        dumps(10 ** (limit + 1))


def test_mixed_non_string_keys_are_written_as_orjson_writes_them() -> None:
    keys = {1: "int", "b": "str", 2.5: "float", None: "null", False: "bool", datetime.date(2020, 1, 2): "date"}
    expected = orjson.dumps(keys, option=CANONICAL)
    assert dumps(keys, sort_keys=True) == expected
    assert dumps({**keys, "zbig": 2**70}, sort_keys=True) == expected[:-1] + b',"zbig":1180591620717411303424}'
    assert dumps({2**70: 1, 5: 2}, sort_keys=True) == b'{"1180591620717411303424":1,"5":2}'
    assert dumps({-(2**70): [2**70]}) == b'{"-1180591620717411303424":[1180591620717411303424]}'


def test_other_types_are_orjsons_also_beside_big_ints() -> None:
    moment = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    ident = uuid.UUID(int=7)
    assert dumps([2**64, moment, ident, float("nan")]) == b"[18446744073709551616,%s,%s,null]" % (
        orjson.dumps(moment),
        orjson.dumps(ident),
    )
    for bad in ({1}, [2**64, {1}]):
        with pytest.raises(TypeError, match="not JSON serializable"):
            dumps(bad)
    with pytest.raises(TypeError):
        dumps([2**64, "\ud800"])  # a lone surrogate is no UTF-8, on either path


# -- nesting: MAX_DEPTH levels both ways, beyond orjson's 254 ------------------------------------------------------


@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("levels", [254, 255, 400, MAX_DEPTH])
def test_deep_values_up_to_max_depth_round_trip(levels: int, kind: str) -> None:
    value = nested(levels, kind=kind)
    text = dumps(value)
    assert text == json.dumps(value, separators=(",", ":")).encode()
    assert dumps(value, indent=True) == json.dumps(value, indent=2).encode()
    assert loads(text) == value


@pytest.mark.parametrize("leaf", [1, [], {}])
def test_one_level_more_than_max_depth_is_refused_both_ways(leaf: Any) -> None:
    levels = MAX_DEPTH + 1 if leaf == 1 else MAX_DEPTH  # an empty container is a level too
    too_deep = nested(levels, leaf)
    with pytest.raises(JsonDepthError, match=f"deeper than {MAX_DEPTH} levels"):
        dumps(too_deep)
    text = json.dumps(too_deep).encode()
    with pytest.raises(JsonDepthError):
        loads(text)
    assert loads(text[1:-1]) == too_deep[0]  # one level less is fine


def test_depth_beyond_orjsons_own_read_limit_is_the_same_error() -> None:
    with pytest.raises(JsonDepthError):
        loads(b"[" * 2000 + b"]" * 2000)
    with pytest.raises(JsonDepthError):
        loads(b"[" * 600 + b"18446744073709551616" + b"]" * 600)  # the exact-integer path too


def test_deep_values_with_big_ints_and_a_cycle() -> None:
    value = nested(300, {"n": 2**70, "s": [1.5, "x"]})
    assert loads(dumps(value, sort_keys=True)) == value
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(JsonDepthError):
        dumps(loop)


# -- reading: one set of accepted documents and errors, whichever path reads them ----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 123456789012345678901234, "b": NaN}',
        b"[18446744073709551616, Infinity]",
        b'[18446744073709551616, "\\ud800"]',
        b"[18446744073709551616, 1e400]",
        b"[018446744073709551616]",
        b"[18446744073709551616,]",
        b"\xef\xbb\xbf[18446744073709551616]",
        b'["\xff", 18446744073709551616]',
    ],
)
def test_invalid_json_is_refused_with_orjsons_error_on_the_exact_path(text: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError) as ours:
        loads(text)
    with pytest.raises(orjson.JSONDecodeError) as theirs:
        orjson.loads(text)  # the same text, its long integers read as floats
    assert (ours.value.msg, ours.value.lineno, ours.value.colno) == (
        theirs.value.msg,
        theirs.value.lineno,
        theirs.value.colno,
    )


@pytest.mark.parametrize("bad", [b"NaN", b"1e400", b'"\\ud800"', b"01", b"]"])
def test_an_error_beside_an_integer_too_long_for_a_double_is_still_found_where_it_is(bad: bytes) -> None:
    huge = b"7" * 400  # orjson stops at this one ("number is infinity"), jsoncodec reads it and goes on
    text = b'{"n": ' + huge + b',\n "m": [' + bad + b"]}"
    with pytest.raises(json.JSONDecodeError) as ours:
        loads(text)
    with pytest.raises(json.JSONDecodeError) as theirs:  # the same text with a number a double holds, same length
        orjson.loads(text.replace(huge, b"7" * 300 + b" " * 100))
    assert (ours.value.msg, ours.value.lineno, ours.value.colno) == (
        theirs.value.msg,
        theirs.value.lineno,
        theirs.value.colno,
    )
    assert ours.value.lineno == 2
    assert loads(b'{"n": ' + huge + b',\n "m": [1e300]}') == {"n": int(huge), "m": [1e300]}


def test_every_input_type_is_read() -> None:
    text = '{"n": 18446744073709551616, "s": "é"}'
    expected = {"n": 2**64, "s": "é"}
    for data in (text, text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert loads(data) == expected
    assert loads('"\\u00e9"') == "é"
    with pytest.raises(ValueError):
        loads('"\ud800"')


def test_the_errors_are_value_errors() -> None:
    for bad in (b"", b"{", b"[1] x", b"[" * 600 + b"]" * 600):
        with pytest.raises(ValueError):
            loads(bad)
    assert issubclass(JsonDepthError, ValueError)
    assert jsoncodec.ORJSON_DEPTH < MAX_DEPTH
