"""The CLI's JSON output: every value a record can carry, printed exactly."""

from __future__ import annotations

import json

import orjson
import pytest

from vitesse.cli.output import emit_json


def test_json_output_is_orjsons_indented_text_with_exact_big_integers(capsys: pytest.CaptureFixture[str]) -> None:
    ordinary = {"b": [1, 2.5, None], "a": {"é": True}, 3: "three"}
    emit_json(ordinary)
    assert (
        capsys.readouterr().out
        == orjson.dumps(ordinary, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n"
    )
    emit_json({"id": 2**70, "low": -(2**63) - 1, "nested": [{"n": 10**25}]})
    out = capsys.readouterr().out
    assert '"id": 1180591620717411303424' in out
    assert json.loads(out) == {"id": 2**70, "low": -(2**63) - 1, "nested": [{"n": 10**25}]}
