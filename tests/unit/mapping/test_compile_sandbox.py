"""The compiled transform and the sandbox for custom templates."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from vitesse.errors import MappingError
from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.convert import iso_to_unix, parse_bool, parse_int, unix_to_iso
from vitesse.mapping.sandbox import compile_template


def logic(*transformations: dict) -> dict:
    return {
        "source_endpoint": "/a",
        "source_method": "GET",
        "dest_endpoint": "/b",
        "dest_method": "POST",
        "complexity_score": 1,
        "transformations": [{"confidence": 1.0, "reason": "t", **t} for t in transformations],
    }


def t(dest: str, source: str | list[str] | None = None, kind: str = "mapping", **extra: object) -> dict:
    fields = {"source_fields": source} if isinstance(source, list) else {"source_field": source}
    return {"dest_field": dest, "transform_type": kind, **fields, **extra}


def test_every_transform_type() -> None:
    run = compile_mapping(
        logic(
            t("a", "a", "direct"),
            t("b.c", "x.y"),
            t("n", "n", "parse_int"),
            t("f", "f", "parse_float"),
            t("s", "s", "stringify"),
            t("flag", "flag", "parse_bool"),
            t("when", "when", "unix_to_iso"),
            t("epoch", "epoch", "iso_to_unix"),
            t("list", ["a", "n"], "collect"),
            t("full", ["a"], "custom", template="{{ a }}!"),
        )
    )
    result = run(
        {
            "a": "x",
            "x": {"y": 1},
            "n": "42",
            "f": "1.5",
            "s": 7,
            "flag": "yes",
            "when": 0,
            "epoch": "1970-01-02T00:00:00Z",
        }
    )
    assert result.errors == []
    assert result.record == {
        "a": "x",
        "b": {"c": 1},
        "n": 42,
        "f": 1.5,
        "s": "7",
        "flag": True,
        "when": "1970-01-01T00:00:00Z",
        "epoch": 86400,
        "list": ["x", "42"],
        "full": "x!",
    }


def test_bad_values_are_per_record_errors_not_exceptions() -> None:
    run = compile_mapping(logic(t("n", "n", "parse_int"), t("e", "e")))
    results = run.many([{"n": "12", "e": 1}, {"n": "twelve", "e": 2}, "not an object", {"e": 3}])
    assert [r.record for r in results] == [{"n": 12, "e": 1}, {"e": 2}, {}, {"e": 3}]
    assert results[1].errors == [
        {"field": "n", "source": "n", "error": "parse_int: cannot read 'twelve' as an integer"}
    ]
    assert results[2].errors[0]["error"] == "record is not a JSON object"
    assert results[3].errors == []


def test_missing_and_null_sources_are_skipped() -> None:
    run = compile_mapping(logic(t("a", "a"), t("b.c", "x.y")))
    assert run({"a": None, "x": "not an object"}).record == {}


def test_lists_element_wise_and_first() -> None:
    run = compile_mapping(
        logic(t("emails[].address", "emails[].value"), t("primary", "emails[].value"), t("phones[].number", "phone"))
    )
    result = run({"emails": [{"value": "a"}, {"value": "b"}, {}], "phone": "1"})
    assert result.record == {
        "emails": [{"address": "a"}, {"address": "b"}],
        "primary": "a",
        "phones": [{"number": "1"}],
    }


def test_names_from_specs_cannot_inject_code() -> None:
    nasty = "x'] = 1; import os; exit(1) #"
    run = compile_mapping(logic(t(nasty, nasty)))
    assert run({nasty: 5}).record == {nasty: 5}
    assert "import os" not in run.source.replace(repr(nasty), "")


def test_converters() -> None:
    assert parse_int("12.0") == 12 and parse_int(" 7 ") == 7
    with pytest.raises(ValueError, match="whole number"):
        parse_int(1.5)
    with pytest.raises(ValueError, match="boolean"):
        parse_int(True)
    assert parse_bool(" Yes ") is True and parse_bool(0) is False
    assert iso_to_unix("2024-05-06T10:11:12+02:00") == int(datetime(2024, 5, 6, 8, 11, 12, tzinfo=UTC).timestamp())
    assert iso_to_unix("2024-05-06") == int(datetime(2024, 5, 6, tzinfo=UTC).timestamp())
    rng = random.Random(3)
    for value in [0, -1, 86399, 86400, 1_760_000_000] + [rng.randint(-(2**35), 2**37) for _ in range(2000)]:
        assert unix_to_iso(value) == datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
        assert iso_to_unix(unix_to_iso(value)) == value
    assert unix_to_iso("2024-01-01T00:00:00Z") == "2024-01-01T00:00:00Z"
    with pytest.raises(ValueError, match="out of range"):
        unix_to_iso(10**15)


@pytest.mark.parametrize(
    "template",
    [
        "{{ x.__class__ }}",
        "x.__class__.__mro__[1].__subclasses__()",
        "{{ ''['__class__'] }}",
        "{{ x|attr('__class__') }}",
        "{% import 'os' as os %}{{ os }}",
        "{% include '/etc/passwd' %}",
        "{% extends '/etc/passwd' %}",
        "{{ cycler.__init__.__globals__.os }}",
        "x._private",
        "{% set y = 1 %}{{ y }}",
        "{% macro m() %}{% endmacro %}",
    ],
)
def test_sandbox_escapes_are_refused(template: str) -> None:
    with pytest.raises(MappingError, match="not allowed") as caught:
        compile_template(template, "mapping.transforms[0]")
    assert caught.value.code == "mapping.template_refused"
    assert caught.value.message.startswith("mapping.transforms[0]: ")


def test_sandbox_runtime_guards_what_is_left() -> None:
    # No globals (range, lipsum, cycler...): names that are not record fields are undefined, i.e. empty.
    assert compile_template("lipsum", "t")({}) is None
    with pytest.raises(ValueError, match="range"):
        compile_template("range(10)|list", "t")({})


def test_template_syntax_error_is_clear() -> None:
    with pytest.raises(MappingError, match="template does not parse"):
        compile_template("{{ first_name ", "t")


def test_custom_errors_are_per_record() -> None:
    run = compile_mapping(logic(t("n", ["a"], "custom", template="a + 1")))
    assert run({"a": 1}).record == {"n": 2}
    assert run({"a": "x"}).errors[0]["field"] == "n"
