"""Score every (source field, destination field) pair and assign them one-to-one, globally.

Score of a pair, each part in 0..1:

    name     1.0 same canonical name or vocabulary concept; else rapidfuzz token-sort similarity x 0.85
    context  similarity of the parent paths (address.city prefers address.* over shipping.address.*)
    detail   description overlap, format agreement, words of the intent
    score    (0.8 name + 0.1 context + 0.1 detail) x type fit (1 as is, ~0.9 convertible, 0.2 not)

Evidence from other committed integrations (their hints and transforms) lifts a pair to at least 0.9. The pairs are
then assigned with the Hungarian algorithm (scipy's ``linear_sum_assignment``) to maximize the total score, so a
strong pair is never stolen by whichever field came first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from scipy.optimize import linear_sum_assignment

from vitesse.mapping.fields import Field
from vitesse.mapping.types import compatibility
from vitesse.mapping.vocabulary import GENERIC, HYPERMEDIA, NOISE, canonical, concept, meaningful, path_words, words

NAME_FLOOR = 0.5  # pairs whose names are less alike than this are never considered
_PARENT_SYNONYMS = {
    "location": "address",
    "addresses": "address",
    "postal": "address",
    "mailing": "address",
    "emails": "email",
    "phones": "phone",
    "phone": "phone",
    "numbers": "phone",
}
_STOP = NOISE | {
    "to",
    "for",
    "in",
    "and",
    "or",
    "on",
    "if",
    "this",
    "that",
    "which",
    "be",
    "are",
    "was",
    "with",
    "by",
    "as",
    "it",
    "its",
    "can",
    "will",
    "set",
    "used",
    "e",
    "g",
    "example",
    "from",
    "at",
}
_DESCRIPTION_WORDS = re.compile(r"[a-z]+")


@dataclass
class Match:
    source: Field
    dest: Field
    score: float
    transform_type: str
    reason: str


Evidence = dict[tuple[str, str], list[str]]


def _parents(field: Field) -> frozenset[str]:
    return frozenset(_PARENT_SYNONYMS.get(w, w) for w in path_words(field.path))


def _description_words(field: Field) -> frozenset[str]:
    text = field.description.lower()
    return frozenset(w for w in _DESCRIPTION_WORDS.findall(text) if len(w) > 2 and w not in _STOP)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.5
    return len(a & b) / len(a | b)


def effective_name(field: Field) -> str:
    """The name a field is compared by: a bare generic leaf takes its parent's name along (``emails[].value`` is an
    email, ``company.name`` a company name)."""
    if " ".join(meaningful(field.name)) in GENERIC | {"value"} and field.parent:
        parent = field.parent.rsplit(".", 1)[-1].removesuffix("[]")
        return f"{parent}_{field.name}"
    return field.name


class Matcher:
    """Scores pairs for one (source, destination) field set."""

    def __init__(
        self, sources: list[Field], dests: list[Field], *, intent: str = "", evidence: Evidence | None = None
    ) -> None:
        self.sources = sources
        self.dests = dests
        self.intent_words = frozenset(meaningful(intent)) if intent else frozenset()
        self.evidence = evidence or {}
        self.source_names = [effective_name(f) for f in sources]
        self.dest_names = [effective_name(f) for f in dests]
        self.source_canon = [canonical(n) for n in self.source_names]
        self.dest_canon = [canonical(n) for n in self.dest_names]
        self.source_concepts = [concept(n) for n in self.source_names]
        self.dest_concepts = [concept(n) for n in self.dest_names]
        self.source_parents = [_parents(f) for f in sources]
        self.dest_parents = [_parents(f) for f in dests]
        self.source_desc = [_description_words(f) for f in sources]
        self.dest_desc = [_description_words(f) for f in dests]

    def name_matrix(self) -> np.ndarray:
        """Name similarity of every (dest, source) pair, vectorized."""
        fuzzy = (
            process.cdist(self.dest_canon, self.source_canon, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=1)
            / 100.0
            * 0.85
        )
        dest_concepts = np.array([c or f"~d{i}" for i, c in enumerate(self.dest_concepts)], dtype=object)
        source_concepts = np.array([c or f"~s{i}" for i, c in enumerate(self.source_concepts)], dtype=object)
        same = (dest_concepts[:, None] == source_concepts[None, :]) | (
            np.array(self.dest_canon, dtype=object)[:, None] == np.array(self.source_canon, dtype=object)[None, :]
        )
        names = np.where(same, 1.0, fuzzy)
        # The source record's own id is the natural external reference on the other side; the source's own
        # external/reference id points at a third system, so it ranks below.
        for j, source in enumerate(self.sources):
            own_id = source.parent == "" and meaningful(source.name) == ("id",)
            for i, dest_concept in enumerate(self.dest_concepts):
                if dest_concept != "external_id":
                    continue
                if own_id:
                    names[i, j] = max(names[i, j], 0.95)
                elif self.source_concepts[j] == "external_id":
                    names[i, j] = min(names[i, j], 0.88)
        return names

    def score(self, i: int, j: int, name: float) -> Match:
        source, dest = self.sources[j], self.dests[i]
        fit, kind = compatibility(source, dest)
        context = _jaccard(self.source_parents[j], self.dest_parents[i])
        desc = _jaccard(self.source_desc[j], self.dest_desc[i]) if self.source_desc[j] and self.dest_desc[i] else 0.3
        detail = desc
        if source.format and source.format == dest.format:
            detail = min(1.0, detail + 0.4)
        if self.intent_words & (set(meaningful(dest.name)) | set(meaningful(source.name))):
            detail = min(1.0, detail + 0.2)
        source_name, dest_name = self.source_names[j], self.dest_names[i]
        shared = set(words(source_name)) & set(words(dest_name))
        if shared:
            detail = min(1.0, detail + 0.3 * len(shared) / max(len(words(dest_name)), 1))
        generic = " ".join(meaningful(source_name)) in GENERIC or " ".join(meaningful(dest_name)) in GENERIC
        if generic and self.dest_concepts[i] != "external_id":
            name *= context  # a bare 'type' or 'name' only means the same thing in the same place
            if words(source_name) != words(dest_name):
                name *= 0.5  # and userType is not just any type
        value = (0.8 * name + 0.1 * context + 0.1 * detail) * (1.0 if fit >= 1 else 0.4 + 0.6 * fit)
        source_parts = set(source.path.replace("[]", "").split(".")[:-1])
        if source_parts & HYPERMEDIA and not set(dest.path.replace("[]", "").split(".")[:-1]) & HYPERMEDIA:
            value *= 0.75
        if "[]" in source.path and "[]" not in dest.path:
            value *= 0.9
        reasons = [self._name_reason(i, j, name)]
        key = (self.source_canon[j], self.dest_canon[i])
        if key in self.evidence:
            value = max(value, 0.9)
            reasons.append(f"accepted before in {', '.join(sorted(self.evidence[key])[:3])}")
        if kind != "direct":
            reasons.append(f"{source.type or '?'} -> {dest.type or '?'} via {kind}")
        if "[]" in source.path and "[]" not in dest.path:
            reasons.append("first element of the list")
        if kind == "direct" and source.name != dest.name:
            kind = "mapping"
        return Match(source, dest, round(min(1.0, value), 3), kind, "; ".join(reasons))

    def _name_reason(self, i: int, j: int, name: float) -> str:
        source, dest = self.sources[j], self.dests[i]
        if source.name == dest.name:
            return "same name"
        if self.source_concepts[j] and self.source_concepts[j] == self.dest_concepts[i]:
            return f"synonyms ({self.source_concepts[j].replace('_', ' ')})"
        if self.source_canon[j] == self.dest_canon[i]:
            return "same name once normalized"
        if self.dest_concepts[i] == "external_id" and name >= 0.949:
            return "the source record's id as the external reference"
        return f"similar names ({min(100, round(name * 100 / 0.85))}%)"

    def candidates(self) -> list[Match]:
        """Every pair worth considering (name similarity at least `NAME_FLOOR`, or backed by evidence)."""
        names = self.name_matrix()
        out = []
        rows, cols = np.nonzero(names >= NAME_FLOOR)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            if self.dests[i].read_only:
                continue
            out.append(self.score(i, j, float(names[i, j])))
        if self.evidence:
            seen = {(m.dest.path, m.source.path) for m in out}
            dest_index = {}
            for i, canon in enumerate(self.dest_canon):
                dest_index.setdefault(canon, []).append(i)
            for j, canon in enumerate(self.source_canon):
                for (src, dst), _ in self.evidence.items():
                    if src != canon:
                        continue
                    for i in dest_index.get(dst, []):
                        if (self.dests[i].path, self.sources[j].path) not in seen:
                            out.append(self.score(i, j, float(names[i, j])))
        return out


def assign(candidates: list[Match], dests: list[Field], sources: list[Field]) -> list[Match]:
    """The one-to-one set of pairs with the highest total score (ties broken toward shallower paths)."""
    if not candidates:
        return []
    dest_index = {f.path: i for i, f in enumerate(dests)}
    source_index = {f.path: j for j, f in enumerate(sources)}
    weights = np.zeros((len(dests), len(sources)), dtype=np.float64)
    chosen: dict[tuple[int, int], Match] = {}
    for match in candidates:
        i, j = dest_index[match.dest.path], source_index[match.source.path]
        depth = match.source.path.count(".") + match.source.path.count("[]")
        weight = match.score - depth * 1e-4
        if weight > weights[i, j]:
            weights[i, j] = weight
            chosen[(i, j)] = match
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [chosen[(i, j)] for i, j in zip(rows.tolist(), cols.tolist(), strict=True) if (i, j) in chosen]


def best_per_dest(candidates: list[Match]) -> dict[str, Match]:
    best: dict[str, Match] = {}
    for match in candidates:
        if match.dest.path not in best or match.score > best[match.dest.path].score:
            best[match.dest.path] = match
    return best


def describe(match: Match) -> dict[str, Any]:
    return {
        "dest_field": match.dest.path,
        "source_field": match.source.path,
        "confidence": match.score,
        "reason": match.reason,
    }
