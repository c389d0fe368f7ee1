"""Mapping quality on the hand-labelled real pairs (tests/mapping_eval): a regression guard on what
benchmarks/mapping_quality.py reports, and a check that the labels still name real fields."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

PAIRS = sorted((ROOT / "tests" / "mapping_eval").glob("*.json"))
HOLDOUT = sorted((ROOT / "tests" / "mapping_eval" / "holdout").glob("*.json"))


def quality_module():
    spec = importlib.util.spec_from_file_location("mapping_quality", ROOT / "benchmarks" / "mapping_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quality(specs_dir: Path):
    return quality_module()


def test_at_least_six_real_pairs() -> None:
    assert len(PAIRS) >= 6


@pytest.mark.parametrize("path", PAIRS + HOLDOUT, ids=[p.stem for p in PAIRS + HOLDOUT])
def test_labels_name_real_fields(quality, path: Path) -> None:
    from vitesse.mapping.propose import record_fields, request_fields

    pair = json.loads(path.read_text())
    source, dest = quality.spec(pair["source"]["spec"]), quality.spec(pair["destination"]["spec"])
    source_paths = {f.path for f in record_fields(source, source.endpoint(pair["source"]["endpoint"]))}
    dest_paths = {f.path for f in request_fields(dest, dest.endpoint(pair["destination"]["endpoint"]))}
    for label in pair["ground_truth"]:
        assert label["dest"] in dest_paths, label
        for field in label.get("sources") or [label["source"]]:
            assert field in source_paths, label


def test_overall_quality_beats_the_baseline(quality) -> None:
    totals = {"ours": [0, 0, 0], "baseline": [0, 0, 0]}
    for path in PAIRS:
        result = quality.evaluate(json.loads(path.read_text()))
        for key in totals:
            totals[key] = [a + b for a, b in zip(totals[key], result[key], strict=True)]
    ours, baseline = quality.prf(*totals["ours"])[2], quality.prf(*totals["baseline"])[2]
    assert ours >= 0.85, ours
    assert ours - baseline >= 0.2, (ours, baseline)


def test_held_out_pairs_stay_well_above_the_baseline(quality) -> None:
    """A loose floor on the held-out pairs (measured 0.85 vs 0.52 when they were labelled): catches a collapse, and
    is not a target to tune against (see tests/mapping_eval/holdout/README.md)."""
    totals = {"ours": [0, 0, 0], "baseline": [0, 0, 0]}
    for path in HOLDOUT:
        result = quality.evaluate(json.loads(path.read_text()))
        for key in totals:
            totals[key] = [a + b for a, b in zip(totals[key], result[key], strict=True)]
    ours, baseline = quality.prf(*totals["ours"])[2], quality.prf(*totals["baseline"])[2]
    assert len(HOLDOUT) >= 5
    assert ours >= 0.7 and ours - baseline >= 0.15, (ours, baseline)
