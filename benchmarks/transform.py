"""Throughput of the compiled transform on a 30-field mapping with mixed types, in one run against:

  * hand-written: a Python function written for this mapping by hand (the practical limit), same output
  * interpreter: a naive loop over the transformation list per record (split paths, look up converters)

    uv run python benchmarks/transform.py [--records 50000] [--repeat 5]

All three must produce identical output for every record; the script checks that before timing.
Targets (issue 3): compiled >= 0.7x hand-written and >= 5x the interpreter.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vitesse.mapping.compile import compile_mapping
from vitesse.mapping.convert import (
    CONVERTERS,
    iso_to_unix,
    parse_bool,
    parse_float,
    parse_int,
    stringify,
    unix_to_iso,
)

# (source path, destination path, transform type): 30 fields of mixed types (strings, integers, numbers,
# booleans, nested objects), renamed as most fields are, and converted where the two APIs' types differ
# (8 of 30, each converter used at least once).
FIELDS = [
    ("id", "external_id", "mapping"),
    ("email", "email_address", "mapping"),
    ("first_name", "given_name", "mapping"),
    ("last_name", "family_name", "mapping"),
    ("phone", "phone_number", "mapping"),
    ("company", "organization", "mapping"),
    ("title", "job_title", "mapping"),
    ("address.city", "location.city", "mapping"),
    ("address.zip", "location.zip", "mapping"),
    ("address.line1", "location.street", "mapping"),
    ("address.country", "location.country_code", "mapping"),
    ("notes", "note", "mapping"),
    ("locale", "language", "mapping"),
    ("timezone", "timezone", "direct"),
    ("visits", "visit_count", "mapping"),
    ("ltv", "lifetime_value", "mapping"),
    ("mrr", "mrr", "direct"),
    ("vip", "is_vip", "mapping"),
    ("opt_in", "subscribed", "mapping"),
    ("tags", "tags", "direct"),
    ("meta.source", "attributes.lead_source", "mapping"),
    ("meta.campaign", "attributes.campaign", "mapping"),
    ("age", "age", "parse_int"),
    ("discount", "discount_rate", "parse_float"),
    ("plan_id", "plan", "stringify"),
    ("active", "is_active", "parse_bool"),
    ("seats", "seats", "parse_int"),
    ("score", "score", "stringify"),
    ("created", "signed_up_at", "unix_to_iso"),
    ("birthday", "birthday_unix", "iso_to_unix"),
]


def logic() -> dict[str, Any]:
    return {
        "source_endpoint": "/customers",
        "source_method": "GET",
        "dest_endpoint": "/contacts",
        "dest_method": "POST",
        "complexity_score": 5,
        "transformations": [
            {"source_field": s, "dest_field": d, "transform_type": t, "confidence": 1.0, "reason": "benchmark"}
            for s, d, t in FIELDS
        ],
    }


def make_record(rng: random.Random, i: int) -> dict[str, Any]:
    record = {
        "id": f"cus_{i:08d}",
        "email": f"user{i}@example.com",
        "first_name": "Jenny",
        "last_name": "Rosen",
        "phone": "+14155550100",
        "company": "Rosen Consulting",
        "title": "CTO",
        "address": {"city": "San Francisco", "zip": "94105", "line1": "1 Market St", "country": "US"},
        "notes": "met at conf",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "visits": rng.randint(0, 500),
        "ltv": rng.random() * 1000,
        "mrr": rng.randint(0, 900),
        "vip": rng.random() < 0.1,
        "opt_in": True,
        "tags": ["vip", "newsletter"],
        "meta": {"source": "webinar", "campaign": "spring"},
        "age": str(rng.randint(18, 90)),
        "discount": "0.15",
        "plan_id": rng.randint(1, 9),
        "active": rng.choice(["yes", "no"]),
        "seats": float(rng.randint(1, 50)),
        "score": rng.random() * 100,
        "created": 1_700_000_000 + i,
        "birthday": "1990-04-01T00:00:00Z",
    }
    if i % 10 == 0:
        record["age"] = "unknown"  # a bad value: a per-record error, the rest of the record still maps
    if i % 7 == 0:
        del record["phone"]
    return record


def hand_written(r: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """What an engineer would write by hand for this mapping (same None-skipping and per-field errors)."""
    out: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for src, dst in (
        ("id", "external_id"),
        ("email", "email_address"),
        ("first_name", "given_name"),
        ("last_name", "family_name"),
        ("phone", "phone_number"),
        ("company", "organization"),
        ("title", "job_title"),
    ):
        v = r.get(src)
        if v is not None:
            out[dst] = v
    address = r.get("address")
    if isinstance(address, dict):
        location: dict[str, Any] = {}
        for src, dst in (("city", "city"), ("zip", "zip"), ("line1", "street"), ("country", "country_code")):
            v = address.get(src)
            if v is not None:
                location[dst] = v
        if location:
            out["location"] = location
    for src, dst in (
        ("notes", "note"),
        ("locale", "language"),
        ("timezone", "timezone"),
        ("visits", "visit_count"),
        ("ltv", "lifetime_value"),
        ("mrr", "mrr"),
        ("vip", "is_vip"),
        ("opt_in", "subscribed"),
        ("tags", "tags"),
    ):
        v = r.get(src)
        if v is not None:
            out[dst] = v
    meta = r.get("meta")
    if isinstance(meta, dict):
        for src, dst in (("source", "lead_source"), ("campaign", "campaign")):
            v = meta.get(src)
            if v is not None:
                out.setdefault("attributes", {})[dst] = v
    for src, dst, fn, kind in (
        ("age", "age", parse_int, "parse_int"),
        ("discount", "discount_rate", parse_float, "parse_float"),
        ("plan_id", "plan", stringify, "stringify"),
        ("active", "is_active", parse_bool, "parse_bool"),
        ("seats", "seats", parse_int, "parse_int"),
        ("score", "score", stringify, "stringify"),
        ("created", "signed_up_at", unix_to_iso, "unix_to_iso"),
        ("birthday", "birthday_unix", iso_to_unix, "iso_to_unix"),
    ):
        v = r.get(src)
        if v is not None:
            try:
                out[dst] = fn(v)
            except ValueError as exc:
                errors.append({"field": dst, "source": src, "error": f"{kind}: {exc}"})
    return out, errors


def interpreter(transformations: list[dict[str, Any]]):
    """The naive way, with the compiled function's semantics: walk the mapping list for every record, parsing each
    path (``a.b``, ``a[].b``) and looking up each converter as it goes."""

    def read(record: Any, path: str) -> Any:
        value = record
        for part in path.split("."):
            is_list = part.endswith("[]")
            value = value.get(part.removesuffix("[]")) if isinstance(value, dict) else None
            if is_list:
                value = (value[0] if value else None) if isinstance(value, list) else None
        return value

    def write(out: dict[str, Any], path: str, value: Any) -> None:
        parts = path.split(".")
        target = out
        for part in parts[:-1]:
            if part.endswith("[]"):
                items = target.setdefault(part[:-2], [])
                if not items:
                    items.append({})
                target = items[0]
            else:
                target = target.setdefault(part, {})
        target[parts[-1]] = value

    def run(record: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
        out: dict[str, Any] = {}
        errors: list[dict[str, str]] = []
        for t in transformations:
            kind = t["transform_type"]
            try:
                if kind == "collect":
                    value = [v for v in (read(record, p) for p in t["source_fields"]) if v is not None] or None
                else:
                    value = read(record, t["source_field"])
                if value is None:
                    continue
                converter = CONVERTERS.get(kind)
                if converter is not None:
                    value = converter(value)
                write(out, t["dest_field"], value)
            except Exception as exc:
                errors.append({"field": t["dest_field"], "source": t["source_field"], "error": f"{kind}: {exc}"})
        return out, errors

    return run


def best_rates(functions: dict[str, Any], records: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    """Records/second of each function, best of ``repeat`` rounds; the functions take turns in every round, so a
    busy moment on this shared machine slows all of them alike."""
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeat):
        for name, fn in functions.items():
            started = time.perf_counter()
            for record in records:
                fn(record)
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: len(records) / seconds for name, seconds in best.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(7)
    records = [make_record(rng, i) for i in range(args.records)]
    mapping = logic()
    compiled = compile_mapping(mapping)
    naive = interpreter(mapping["transformations"])

    compiled_fn = compiled.function  # the generated function itself: (record) -> (output, errors)
    for record in records[:2000]:
        expected = hand_written(record)
        assert compiled_fn(record) == expected, (compiled_fn(record), expected)
        assert naive(record) == expected
    errors = sum(len(compiled(r).errors) for r in records)
    rates = best_rates(
        {"compiled": compiled_fn, "hand-written": hand_written, "interpreter": naive}, records, args.repeat
    )
    print(f"30-field mapping, {args.records:,} records ({errors:,} per-record field errors), best of {args.repeat}")
    for name, rate in rates.items():
        print(f"  {name:<13} {rate:>12,.0f} records/s")
    print(f"  compiled / hand-written: {rates['compiled'] / rates['hand-written']:.2f}x   (target >= 0.7x)")
    print(f"  compiled / interpreter:  {rates['compiled'] / rates['interpreter']:.2f}x   (target >= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
