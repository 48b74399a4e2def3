"""Scoring answers against the question set. Pure: JSON answers and expectations in, numbers out."""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from evals.stats import percentile

BARS = {  # the line the suite holds (tests/test_eval.py)
    "citation_hit": 0.98,
    "facts": 0.95,
    "out_of_scope_refused": 0.95,
    "false_refusals": 0.02,  # at most
    "verbatim_quotes": 1.0,
}


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    messages: list[dict]
    refused: bool
    places: frozenset[tuple[str, int | None]]
    facts: tuple[str, ...]
    both_tracks: bool

    @property
    def question(self) -> str:
        return self.messages[-1]["content"]


def load_cases(path: Path) -> list[Case]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        expect = row["expect"]
        cases.append(Case(
            id=str(row.get("id", n)), category=row.get("category", ""),
            messages=row["messages"], refused=bool(expect.get("refused")),
            places=frozenset((c["track"], c["phase"]) for c in expect.get("citations", [])),
            facts=tuple(expect.get("facts", [])), both_tracks=bool(expect.get("both_tracks")),
        ))
    return cases


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def is_verbatim(quote: str, corpus_text: str) -> bool:
    return bool(quote.strip()) and normalize_space(quote) in corpus_text


def _place(c: dict) -> tuple[str, int | None]:
    return (c["track"], c["phase"])


def _fact_present(fact: str, answer: str) -> bool:
    return normalize_space(fact).lower() in normalize_space(answer).lower()


def score(cases: list[Case], answers: list[dict], corpus_text: str) -> dict:
    """corpus_text: the guide source with whitespace collapsed (for the verbatim check)."""
    answerable = [(c, a) for c, a in zip(cases, answers, strict=True) if not c.refused]
    out_of_scope = [(c, a) for c, a in zip(cases, answers, strict=True) if c.refused]

    def rank(case: Case, answer: dict) -> int | None:
        places = list(dict.fromkeys(_place(c) for c in answer["citations"]))
        return next((i + 1 for i, p in enumerate(places) if p in case.places), None)

    ranks = [rank(c, a) for c, a in answerable]
    n = max(len(answerable), 1)
    both = [(c, a) for c, a in answerable if c.both_tracks]
    quotes = [q["quote"] for a in answers for q in a["citations"]]
    latencies = sorted(a["latency_ms"] for a in answers)
    # How long an in-scope answer is, as shown (the answer's text; sources are listed apart).
    lengths = [len(a["answer"]) for c, a in answerable if not a["refused"]]

    def ratio(count: int, total: int) -> float:
        return count / total if total else 1.0

    def pct(p: float) -> float:
        return percentile(latencies, p * 100) if latencies else 0.0

    return {
        "questions": len(cases),
        "answerable": len(answerable),
        "out_of_scope": len(out_of_scope),
        "recall@1": ratio(sum(r is not None and r <= 1 for r in ranks), n),
        "recall@3": ratio(sum(r is not None and r <= 3 for r in ranks), n),
        "recall@5": ratio(sum(r is not None and r <= 5 for r in ranks), n),
        "mrr": sum(1 / r for r in ranks if r) / n,
        "citation_hit": ratio(sum(r is not None for r in ranks), n),
        "top1_citation": ratio(sum(r == 1 for r in ranks), n),
        "facts": ratio(sum(all(_fact_present(f, a["answer"]) for f in c.facts)
                           for c, a in answerable), n),
        "both_tracks": ratio(sum({t for t, _ in c.places} <= {q["track"] for q in a["citations"]}
                                 for c, a in both), len(both)),
        "out_of_scope_refused": ratio(sum(a["refused"] for _, a in out_of_scope),
                                      len(out_of_scope)),
        "false_refusals": ratio(sum(a["refused"] for _, a in answerable), n),
        "verbatim_quotes": ratio(sum(is_verbatim(q, corpus_text) for q in quotes), len(quotes)),
        "latency_p50_ms": pct(0.50),
        "latency_p95_ms": pct(0.95),
        "latency_mean_ms": statistics.fmean(latencies) if latencies else 0.0,
        "answer_chars_p50": percentile(lengths, 50) if lengths else 0.0,
        "answer_chars_p90": percentile(lengths, 90) if lengths else 0.0,
    }


def by_category(cases: list[Case], answers: list[dict]) -> dict[str, dict]:
    """Per category: how many, and the share answered right (in scope: not refused, the right
    place cited and every fact there; out of scope: refused)."""
    out: dict[str, dict] = {}
    for c, a in zip(cases, answers, strict=True):
        row = out.setdefault(c.category, {"questions": 0, "right": 0, "cited": 0, "facts": 0})
        row["questions"] += 1
        if c.refused:
            ok = a["refused"]
            cited = facts = ok
        else:
            cited = not a["refused"] and bool({_place(q) for q in a["citations"]} & c.places)
            facts = not a["refused"] and all(_fact_present(f, a["answer"]) for f in c.facts)
            ok = cited and facts
        row["right"] += ok
        row["cited"] += cited
        row["facts"] += facts
    return {k: {**v, "share": v["right"] / v["questions"]} for k, v in sorted(out.items())}


def failures(cases: list[Case], answers: list[dict], corpus_text: str) -> list[dict]:
    """What went wrong, question by question: for the report and for debugging."""
    out = []
    for c, a in zip(cases, answers, strict=True):
        problems = []
        places = [_place(q) for q in a["citations"]]
        if c.refused and not a["refused"]:
            problems.append("besvaret, skulle afvises")
        if not c.refused:
            if a["refused"]:
                problems.append("afvist, skulle besvares")
            elif not set(places) & c.places:
                problems.append(f"forkert sted: {places[:3]}")
            missing = [f for f in c.facts if not _fact_present(f, a["answer"])]
            if missing:
                problems.append(f"mangler: {missing}")
            if c.both_tracks and not {t for t, _ in c.places} <= {t for t, _ in places}:
                problems.append("dækker ikke begge spor")
        bad = [q["quote"][:60] for q in a["citations"] if not is_verbatim(q["quote"], corpus_text)]
        if bad:
            problems.append(f"ikke ordret: {bad}")
        if problems:
            out.append({"id": c.id, "category": c.category, "question": c.question,
                        "problems": problems})
    return out


def corpus_for_verbatim(source: str) -> str:
    """The guide source without its header comment, whitespace collapsed."""
    return normalize_space(re.sub(r"<!--.*?-->", "", source, flags=re.S))
