"""Mapping quality on the hand-labelled pairs in tests/mapping_eval/, against a plain rapidfuzz baseline.

    uv run python benchmarks/mapping_quality.py [--verbose] [--set NAME|all]

Four sets, reported separately: `tuned` (tests/mapping_eval/*.json, people and contacts, which the mapper's rules
were developed against) and `holdout` (tests/mapping_eval/holdout/*.json, labelled later without seeing any mapper
output and never used for tuning); `entities` and `entities-holdout` (tests/mapping_eval/entities/, non-person
pairs: invoices, tasks, products, payments; the holdout part is never used for tuning), and `entities-holdout-2`
(entities/holdout2/, labelled at the end of a tuning round and measured once, because the first held-out set's
aggregates had been looked at during tuning). The held-out figures are the
honest estimate for a new pair of APIs. Each set also prints the precision of the proposals by confidence band.

For each pair: ingest both real specs from ../shared/specs, flatten the source record and the destination request,
and compare proposals with the ground truth (a destination field counts as right when it is filled from the
labelled source field(s)). vitesse: `propose_mapping` with the defaults (no hints). Baseline, same run:
`rapidfuzz.process.extractOne(dest_path, source_paths, score_cutoff=80)` for every destination field.
Targets: issue 3, contacts F1 >= 0.85 and at least +0.2 over the baseline; issue 15, on the held-out sets F1 >= 0.9
(contacts) and >= 0.8 (entities), and proposals at confidence >= 0.9 right at least 90% of the time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from rapidfuzz import process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SPECS = Path(os.environ.get("VITESSE_SHARED_SPECS", ROOT.parent / "shared" / "specs"))
PAIRS = ROOT / "tests" / "mapping_eval"
SETS = {
    "tuned": PAIRS,
    "holdout": PAIRS / "holdout",
    "entities": PAIRS / "entities",
    "entities-holdout": PAIRS / "entities" / "holdout",
    "entities-holdout-2": PAIRS / "entities" / "holdout2",
}
BANDS = ((0.9, 1.01), (0.8, 0.9), (0.6, 0.8), (0.0, 0.6))

from vitesse.ingest import ingest_spec  # noqa: E402
from vitesse.manifest.models import MappingConfig  # noqa: E402
from vitesse.mapping.propose import propose_mapping, record_fields, request_fields  # noqa: E402

_SPECS: dict[str, object] = {}


def spec(name: str):
    if name not in _SPECS:
        _SPECS[name] = ingest_spec(str(SPECS / name))
    return _SPECS[name]


def truth_of(pair: dict) -> dict[str, frozenset[str]]:
    """Destination -> its labelled source fields (a list element read, ``x[]``, counts as the field ``x``)."""
    return {
        g["dest"]: frozenset(s.removesuffix("[]") for s in g.get("sources") or [g["source"]])
        for g in pair["ground_truth"]
    }


def score(predicted: dict[str, frozenset[str]], truth: dict[str, frozenset[str]]) -> tuple[int, int, int]:
    """(true positives, predicted, labelled); a list element read ('x[]') counts as the field 'x'."""
    norm = {d: frozenset(s.removesuffix("[]") for s in srcs) for d, srcs in predicted.items()}
    hits = sum(1 for d, srcs in norm.items() if d in truth and truth[d] == srcs)
    return hits, len(norm), len(truth)


def prf(hits: int, predicted: int, labelled: int) -> tuple[float, float, float]:
    p = hits / predicted if predicted else 0.0
    r = hits / labelled if labelled else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(pair: dict) -> dict:
    src_spec, dst_spec = spec(pair["source"]["spec"]), spec(pair["destination"]["spec"])
    src_ep, dst_ep = src_spec.endpoint(pair["source"]["endpoint"]), dst_spec.endpoint(pair["destination"]["endpoint"])
    truth = truth_of(pair)
    started = time.perf_counter()
    logic = propose_mapping(src_spec, src_ep, dst_spec, dst_ep, MappingConfig(), intent=pair.get("intent", ""))
    elapsed = time.perf_counter() - started
    mapped = [t for t in logic.transformations if t.transform_type != "constant"]  # labels leave constants out
    ours = {t.dest_field: frozenset(t.sources) for t in mapped}
    right = {
        t.dest_field: truth.get(t.dest_field) == frozenset(s.removesuffix("[]") for s in t.sources) for t in mapped
    }
    confidences = [(t.confidence, right[t.dest_field]) for t in mapped]
    source_paths = [f.path for f in record_fields(src_spec, src_ep)]
    baseline = {}
    for dest in request_fields(dst_spec, dst_ep):
        found = process.extractOne(dest.path, source_paths, score_cutoff=80)
        if found:
            baseline[dest.path] = frozenset([found[0]])
    return {
        "name": pair["name"],
        "ours": score(ours, truth),
        "baseline": score(baseline, truth),
        "seconds": elapsed,
        "logic": logic,
        "truth": truth,
        "predicted": ours,
        "confidences": confidences,
    }


def report(name: str, folder: Path, verbose: bool) -> tuple[float, float]:
    """Print one set's table; return (vitesse F1, baseline F1) over the set (micro-averaged)."""
    pairs = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    print(f"\n{name} set ({len(pairs)} pairs, {folder.relative_to(ROOT)})")
    print(f"{'pair':<42} {'vitesse P':>9} {'R':>5} {'F1':>5}   {'baseline P':>10} {'R':>5} {'F1':>5}   {'ms':>5}")
    totals = {"ours": [0, 0, 0], "baseline": [0, 0, 0]}
    confidences: list[tuple[float, bool]] = []
    for pair in pairs:
        result = evaluate(pair)
        confidences += result["confidences"]
        for key in totals:
            totals[key] = [a + b for a, b in zip(totals[key], result[key], strict=True)]
        o, b = prf(*result["ours"]), prf(*result["baseline"])
        print(
            f"{result['name']:<42} {o[0]:>9.2f} {o[1]:>5.2f} {o[2]:>5.2f}   {b[0]:>10.2f} {b[1]:>5.2f} {b[2]:>5.2f}"
            f"   {result['seconds'] * 1000:>5.0f}"
        )
        if verbose:
            truth, predicted = result["truth"], result["predicted"]
            for dest, srcs in sorted(truth.items()):
                got = predicted.get(dest)
                got_norm = frozenset(s.removesuffix("[]") for s in got) if got else None
                if got_norm != srcs:
                    print(f"    miss  {dest:<40} want {sorted(srcs)} got {sorted(got) if got else '-'}")
            for dest, srcs in sorted(predicted.items()):
                if dest not in truth:
                    t = next(t for t in result["logic"].transformations if t.dest_field == dest)
                    print(f"    extra {dest:<40} from {sorted(srcs)} ({t.confidence:.2f}: {t.reason})")
    o, b = prf(*totals["ours"]), prf(*totals["baseline"])
    print(f"{'overall (micro)':<42} {o[0]:>9.2f} {o[1]:>5.2f} {o[2]:>5.2f}   {b[0]:>10.2f} {b[1]:>5.2f} {b[2]:>5.2f}")
    print(f"F1 gain over the baseline: {o[2] - b[2]:+.2f}")
    bands = []
    for low, high in BANDS:
        inside = [ok for c, ok in confidences if low <= c < high]
        shown = f"{sum(inside) / len(inside):.2f} of {len(inside)}" if inside else "-"
        bands.append(f"[{low:.1f}, {min(high, 1.0):.1f}{']' if high > 1 else ')'}: {shown}")
    print("precision by confidence: " + "; ".join(bands))
    return o[2], b[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="show misses and false proposals per pair")
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    args = parser.parse_args()
    for name, folder in SETS.items():
        if args.set in (name, "all") and folder.is_dir():
            report(name, folder, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
