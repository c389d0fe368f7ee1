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
ENTITIES = sorted((ROOT / "tests" / "mapping_eval" / "entities").glob("*.json"))
ENTITIES_HOLDOUT = sorted((ROOT / "tests" / "mapping_eval" / "entities" / "holdout").glob("*.json"))
ENTITIES_HOLDOUT_2 = sorted((ROOT / "tests" / "mapping_eval" / "entities" / "holdout2").glob("*.json"))
LABELLED = PAIRS + HOLDOUT + ENTITIES + ENTITIES_HOLDOUT + ENTITIES_HOLDOUT_2


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


@pytest.mark.parametrize("path", LABELLED, ids=[p.stem for p in LABELLED])
def test_labels_name_real_fields(quality, path: Path) -> None:
    from vitesse.mapping.propose import record_fields, request_fields

    pair = json.loads(path.read_text())
    source, dest = quality.spec(pair["source"]["spec"]), quality.spec(pair["destination"]["spec"])
    source_paths = {f.path for f in record_fields(source, source.endpoint(pair["source"]["endpoint"]))}
    dest_paths = {f.path for f in request_fields(dest, dest.endpoint(pair["destination"]["endpoint"]))}
    assert len({label["dest"] for label in pair["ground_truth"]}) == len(pair["ground_truth"]), "a field twice"
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
    """A loose floor on the held-out pairs (0.85 vs 0.52 when they were labelled, 0.89 now): catches a collapse, and
    is not a target to tune against (see tests/mapping_eval/holdout/README.md)."""
    totals = {"ours": [0, 0, 0], "baseline": [0, 0, 0]}
    for path in HOLDOUT:
        result = quality.evaluate(json.loads(path.read_text()))
        for key in totals:
            totals[key] = [a + b for a, b in zip(totals[key], result[key], strict=True)]
    ours, baseline = quality.prf(*totals["ours"])[2], quality.prf(*totals["baseline"])[2]
    assert len(HOLDOUT) >= 5
    assert ours >= 0.7 and ours - baseline >= 0.15, (ours, baseline)


def micro_f1(quality, paths: list[Path]) -> tuple[float, float]:
    totals = {"ours": [0, 0, 0], "baseline": [0, 0, 0]}
    for path in paths:
        result = quality.evaluate(json.loads(path.read_text()))
        for key in totals:
            totals[key] = [a + b for a, b in zip(totals[key], result[key], strict=True)]
    return quality.prf(*totals["ours"])[2], quality.prf(*totals["baseline"])[2]


def test_entity_pairs_stay_above_their_floors(quality) -> None:
    """Non-person pairs (issue 15): floors under what was measured (tuning set 0.67, held out 0.50, against
    0.16 and 0.24 for the baseline), to catch a collapse; the held-out floor is not a target to tune against."""
    assert len(ENTITIES) >= 8 and len(ENTITIES_HOLDOUT) >= 4
    tuned, tuned_baseline = micro_f1(quality, ENTITIES)
    held, held_baseline = micro_f1(quality, ENTITIES_HOLDOUT)
    assert tuned >= 0.55 and tuned - tuned_baseline >= 0.4, (tuned, tuned_baseline)
    assert held >= 0.35 and held > held_baseline, (held, held_baseline)
