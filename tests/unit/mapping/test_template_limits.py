"""Custom templates run within limits: a template written to exhaust the machine is a field error for the record."""

from __future__ import annotations

import tracemalloc

import pytest

from vitesse.errors import MappingError
from vitesse.mapping import limits
from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.sandbox import compile_template

RECORD = {
    "email": "someone@example.com",  # 19 characters
    "first": "Ada",
    "last": "Lovelace",
    "tags": ["a", "b", "c"],
    "orders": [{"n": 2}, {"n": 3}],
    "amount": 2.345,
    "record": {"present": 1},
}


def logic(*transformations: dict) -> dict:
    return {
        "source_endpoint": "/a",
        "source_method": "GET",
        "dest_endpoint": "/b",
        "dest_method": "POST",
        "complexity_score": 1,
        "transformations": [{"confidence": 1.0, "reason": "t", **t} for t in transformations],
    }


def custom(dest: str, template: str) -> dict:
    return {"dest_field": dest, "transform_type": "custom", "template": template}


def field_error(template: str, record: dict = RECORD) -> str:
    """The one error the template gives as field ``out`` of a mapping that also copies ``email``."""
    run = compile_mapping(
        logic(custom("out", template), {"dest_field": "email", "source_field": "email", "transform_type": "direct"})
    )
    result = run(record)
    assert result.record == {"email": record["email"]}, "the other fields carry on"
    (error,) = result.errors
    assert error["field"] == "out" and error["source"] == "template"
    prefix = "custom: transform for out: "
    assert error["error"].startswith(prefix)
    return error["error"].removeprefix(prefix)


def doubling(levels: int) -> str:
    """Loops whose variables hold their parent twice: 2**levels copies of email, from a short template."""
    text, previous = "", "email"
    for level in range(levels):
        text += f"{{% for v{level} in [[{previous}, {previous}]] %}}"
        previous = f"v{level}"
    return text + f"{{{{ {previous} | string | length }}}}" + "{% endfor %}" * levels


BUILDS = "template builds more than 1048576 characters"
BOMBS = [
    ("{{ (email * 100000000) | length }}", "template repeats a string to 1900000000 characters (the limit is 65536)"),
    ("(email * 100000000) | length", "template repeats a string to 1900000000 characters (the limit is 65536)"),
    ("100000000 * email", "template repeats a string to 1900000000 characters (the limit is 65536)"),
    ("[email] * 100000000", "template repeats a list to 100000000 items (the limit is 10000)"),
    (
        "{% for a in email * 300 %}{% for b in email * 300 %}x{% endfor %}{% endfor %}",
        "template output exceeds 65536 characters",
    ),
    (
        "{% for a in email * 300 %}{% for b in email * 300 %}{% endfor %}{% endfor %}",
        "template loops more than 100000 times",
    ),
    ("(email * 3000) + (email * 3000)", "template output exceeds 65536 characters"),
    ("(email * 3000) | list", "template output exceeds 65536 characters"),
    ("2 ** 100000", "template computes a number of over 4096 bits"),
    ("(2 ** 4000) * (2 ** 4000)", "template computes a number of over 4096 bits"),
    ("amount | round(1000000000, 'floor')", "template computes a number of over 4096 bits"),
    ("email.center(1000000000)", BUILDS),
    ("email.zfill(1000000000)", BUILDS),
    ("email | center(1000000000)", BUILDS),
    ("((email ~ '\\n') * 3000) | indent(email * 3000, true)", BUILDS),
    ("'{:>999999999}'.format(email)", BUILDS),
    ("('{0}' * 20000).format(email * 3000)", BUILDS),
    ("'%0999999999d' % 1", BUILDS),
    ("('%(a)s' * 12000) % {'a': email * 3000}", BUILDS),
    ("'%s' | format(email) | center(1000000000)", BUILDS),
    ("(email * 3000).replace('e', email * 3000)", BUILDS),
    ("(email * 3000) | replace('e', email * 3000)", BUILDS),
    ("(email * 3000) | list | join(email * 3000)", BUILDS),
    ("(email * 3000) | wordwrap(1, wrapstring=email * 3000)", BUILDS),
    ("'\\\\' " + "| tojson " * 30, BUILDS),
    (" ~ ".join(["(email * 3000)"] * 20), BUILDS),
    ("([email * 3000] * 10000) | join(',')", BUILDS),
    ("(email * 500) | batch(1) | sum(start=[])", BUILDS),
    ("[1] | batch(1000000000, email) | list", "template asks for 1000000000 items (the limit is 10000)"),
    ("[1] | slice(1000000000, email) | list", "template asks for 1000000000 items (the limit is 10000)"),
    ("(1).to_bytes(1000000000, 'big')", BUILDS),
    ("email.encode() * 100000000", "template repeats a string to 1900000000 characters (the limit is 65536)"),
    (doubling(16), BUILDS),
]


@pytest.mark.parametrize(("template", "message"), BOMBS)
def test_bombs_are_field_errors_naming_the_limit(template: str, message: str) -> None:
    assert field_error(template) == message


@pytest.mark.parametrize(("template", "message"), BOMBS)
def test_bombs_take_no_memory(template: str, message: str) -> None:
    run = compile_template(template, "t")
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"^t: template "):
            run(RECORD)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MiB for {template[:60]}"


def test_a_tight_loop_stops_at_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "TIME_BUDGET_SECONDS", 0.01)
    monkeypatch.setattr(limits, "MAX_LOOP_ITERATIONS", 10**12)
    loops = "{% for a in email * 3000 %}{% for b in email * 3000 %}{% endfor %}{% endfor %}"
    assert field_error(loops) == "template ran longer than 0.01 s"
    output = "{% for a in email * 3000 %}{% for b in email * 3000 %}{{ '' }}{% endfor %}{% endfor %}"
    assert field_error(output) == "template ran longer than 0.01 s"


def test_every_record_gets_a_fresh_budget() -> None:
    run = compile_template("{% for a in email * 4 %}{% for b in email * 50 %}{% endfor %}{% endfor %}.", "t")
    for _ in range(5):  # 76 * 950 = 72,200 iterations each, 361,000 over the five
        assert run(RECORD) == "."


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("[nosuchvar]", "template refers to an undefined name 'nosuchvar'"),
        ("{'a': nosuchvar.deeper}", "template refers to an undefined name 'nosuchvar'"),
        ("[record.missing.deeper]", "template refers to 'missing', which this dict lacks"),
        ("nosuchvar + 1", "template refers to an undefined name 'nosuchvar'"),
        ("{{ nosuchvar * 2 }}", "template refers to an undefined name 'nosuchvar'"),
        ("{nosuchvar: 1}", "template refers to an undefined name 'nosuchvar'"),
        ("email.upper", "template value is a builtin_function_or_method, which JSON cannot hold"),
        ("email.encode()", "template value is a bytes, which JSON cannot hold"),
    ],
)
def test_undefined_and_non_json_values_are_field_errors(template: str, message: str) -> None:
    assert field_error(template) == message


def test_a_wholly_undefined_value_is_a_missing_field() -> None:
    # As for any transform, a missing source skips the field; in {{ }} it prints nothing.
    run = compile_mapping(logic(custom("a", "nosuchvar"), custom("b", "record.missing.deeper"), custom("c", "{{ x }}")))
    assert run(RECORD).record == {"c": ""} and run(RECORD).errors == []


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ first }} {{ last }}", "Ada Lovelace"),
        ("[first, last] | select | join(' ')", "Ada Lovelace"),
        ("[first, nosuchvar, last] | select | join(' ')", "Ada Lovelace"),
        ("(email or '').split('@', 1)[0]", "someone"),
        ("((nosuchvar or '').split(' ', 1) + [''])[1]", ""),
        ("nosuchvar or email or 'Unnamed contact'", "someone@example.com"),
        ("'lead'", "lead"),
        ("first ~ ' ' ~ last", "Ada Lovelace"),
        ("{% for t in tags %}{{ t }}{% if not loop.last %}, {% endif %}{% endfor %}", "a, b, c"),
        ("{% for o in orders if o.n > 2 %}{{ o.n }}{% else %}none{% endfor %}", "3"),
        ("'%s-%s' % (first, last)", "Ada-Lovelace"),
        ("'{} {}'.format(first, last)", "Ada Lovelace"),
        ("'{0[0]}.'.format(first)", "A."),
        ("first | center(7)", "  Ada  "),
        ("first * 2", "AdaAda"),
        ("tags + ['d']", ["a", "b", "c", "d"]),
        ("tags | batch(2) | list", [["a", "b"], ["c"]]),
        ("tags | map('upper')", ["A", "B", "C"]),
        ("(first, last)", ["Ada", "Lovelace"]),
        ("{'name': first, 'n': orders | sum(attribute='n')}", {"name": "Ada", "n": 5}),
        ("amount | round(2, 'floor')", 2.34),
        ("2 ** 64", 2**64),
        ("tags | tojson", '["a", "b", "c"]'),
        ("(email * 3000) | length", 57000),
        ("email | replace('e', 'E')", "somEonE@ExamplE.com"),
        ("email | wordwrap(10)", "someone@ex\nample.com"),
        ("email | length", 19),
        ("none", None),
    ],
)
def test_ordinary_templates_still_work(template: str, expected: object) -> None:
    result = compile_mapping(logic(custom("out", template)))(RECORD)
    assert result.errors == []
    assert result.record.get("out") == expected


def test_output_up_to_the_limit_is_fine() -> None:
    assert len(compile_template("{{ 'x' * 65536 }}", "t")(RECORD)) == limits.MAX_OUTPUT_CHARS
    assert field_error("{{ 'x' * 65536 }}y") == "template output exceeds 65536 characters"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% filter upper %}{{ email }}{% endfilter %}", "'{% filter %}' blocks are not allowed"),
        ("{% for t in tags recursive %}{{ loop(t) }}{% endfor %}", "recursive loops are not allowed"),
    ],
)
def test_blocks_that_buffer_output_are_refused(template: str, message: str) -> None:
    with pytest.raises(MappingError, match=message) as caught:
        compile_template(template, "mapping.transforms[0]")
    assert caught.value.code == "mapping.template_refused"


@pytest.mark.parametrize("template", ["email | nosuchfilter", "first, last", "first }}{{ last"])
def test_templates_that_do_not_compile_are_mapping_errors(template: str) -> None:
    with pytest.raises(MappingError, match="template does not parse") as caught:
        compile_template(template, "t")
    assert caught.value.code == "mapping.template"
