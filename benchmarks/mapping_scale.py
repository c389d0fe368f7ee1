"""How long the mapper takes on wide records: a 400-field source against a 400-field destination.

    uv run python benchmarks/mapping_scale.py [--fields 400] [--repeat 5]

Both schemas are generated (seeded): 400 leaves across nested objects and lists, the destination renaming the source
the way real APIs differ (camelCase vs snake_case, synonyms, abbreviations, other nesting) plus unrelated fields.
Times `propose_mapping` end to end (flattening both schemas, scoring every pair, the global assignment),
best of --repeat. Target (issue 3): under 1 s. Also prints how many generated counterparts were found.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vitesse.ingest.models import ApiSpec, Endpoint, SourceInfo
from vitesse.manifest.models import MappingConfig
from vitesse.mapping.propose import propose_mapping

WORDS = [
    "account",
    "billing",
    "shipping",
    "invoice",
    "order",
    "plan",
    "device",
    "session",
    "campaign",
    "segment",
    "payment",
    "refund",
    "ticket",
    "project",
    "team",
    "channel",
    "region",
    "warehouse",
    "vendor",
    "product",
    "license",
    "contract",
    "survey",
    "webhook",
    "quota",
    "usage",
    "metric",
    "score",
    "rating",
    "budget",
]
QUALIFIERS = [
    "count",
    "total",
    "amount",
    "status",
    "code",
    "label",
    "limit",
    "rate",
    "level",
    "owner",
    "kind",
    "source",
    "target",
    "date",
    "time",
    "flag",
    "note",
    "ref",
    "index",
    "size",
]
TYPES = ["string", "integer", "number", "boolean"]
RENAMES = {"count": "cnt", "total": "sum", "amount": "amt", "status": "state", "reference": "ref", "number": "no"}


def camel(words: list[str]) -> str:
    return words[0] + "".join(w.title() for w in words[1:])


def generate(rng: random.Random, n: int) -> tuple[dict, dict, int]:
    """(source record schema, destination request schema, number of intended counterparts)."""
    source: dict = {"type": "object", "properties": {}}
    dest: dict = {"type": "object", "properties": {}}
    counterparts = 0
    groups = [f"{w}" for w in rng.sample(WORDS, 20)]
    made = 0
    while made < n:
        group = groups[made % len(groups)]
        words = [rng.choice(WORDS), rng.choice(QUALIFIERS)]
        kind = rng.choice(TYPES)
        name = "_".join(words) + f"_{made}"
        source["properties"].setdefault(group, {"type": "object", "properties": {}})["properties"][name] = {
            "type": kind,
            "description": f"The {' '.join(words)} of the {group}",
        }
        if rng.random() < 0.7:  # a renamed counterpart on the other side
            renamed = [RENAMES.get(w, w) for w in words] + [str(made)]
            dest_name = camel(renamed) if rng.random() < 0.5 else "_".join(renamed)
            container = dest["properties"].setdefault(f"{group}Info", {"type": "object", "properties": {}})
            container["properties"][dest_name] = {"type": kind if rng.random() < 0.8 else "string"}
            counterparts += 1
        else:
            dest["properties"][f"extra_{rng.choice(QUALIFIERS)}_{made}"] = {"type": rng.choice(TYPES)}
        made += 1
    return source, dest, counterparts


def _number(path: str) -> str | None:
    """The generation index a field name ends with (``account_count_12`` and ``accountCnt12`` -> '12')."""
    match = re.search(r"(\d+)$", path)
    return match.group(1) if match else None


def spec(name: str, endpoint: Endpoint) -> ApiSpec:
    return ApiSpec(
        api_name=name,
        openapi_version="3.0.3",
        schema_dialect="openapi-3.0",
        endpoints=[endpoint],
        source=SourceInfo(location="generated", sha256="-", documents=1, bytes=0),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fields", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    source_schema, dest_schema, counterparts = generate(random.Random(42), args.fields)
    source_endpoint = Endpoint(path="/records", method="GET", response_schema=source_schema, record_path="data[]")
    dest_endpoint = Endpoint(path="/records", method="POST", request_schema=dest_schema)
    source, dest = spec("Source", source_endpoint), spec("Destination", dest_endpoint)
    best, logic = float("inf"), None
    for _ in range(args.repeat):
        started = time.perf_counter()
        logic = propose_mapping(source, source_endpoint, dest, dest_endpoint, MappingConfig())
        best = min(best, time.perf_counter() - started)
    print(
        f"{logic.source_field_count} source fields x {logic.dest_field_count} destination fields: "
        f"{best:.3f} s (best of {args.repeat}; target < 1 s)"
    )
    found = sum(1 for t in logic.transformations if t.source_field and _number(t.source_field) == _number(t.dest_field))
    print(f"{len(logic.transformations)} fields mapped; {found} of {counterparts} generated counterparts found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
