"""Calibrate the refusal thresholds (assistant/tuning.py) on labelled data, never on a test set.

`python -m evals.calibrate` gathers the refusal decision's evidence (assistant/scope.py) for
- the question bank, each question scored by an intent model that never saw its paraphrase
  family (grouped cross-validation) and with its family's keys left out, and
- the blind development set, read by the assistant as it ships,
then tries every combination of thresholds on a grid and prints the best: the most out-of-scope
questions refused while false refusals stay within the budget on both sources.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from assistant.reading import REFUSED_BY_MODEL
from assistant.scope import ScopeEvidence, decide_evidence
from assistant.tuning import TUNING, Tuning

GRID = {
    "out_of_scope_floor": [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7],
    "named_place_out_floor": [0.6, 0.7, 0.8, 0.9],
    "weak_evidence_out": [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4],
    "weak_key": [0.84, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94],
    "weak_coverage": [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01],
    "unknown_words_refuse": [0.2, 0.34, 0.5],
}
FALSE_REFUSAL_BUDGET = 0.015  # on each source: at most this share of answerable questions


def bank_evidence(assistant) -> list[tuple[ScopeEvidence, bool]]:
    """(evidence, should refuse) for every standalone bank question, honestly held out."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from assistant.train import FOLDS, C, bank_vectors, features
    from corpus.bank import load_bank
    from index.embeddings import embeddings_name

    bank = tuple(q for q in load_bank() if not q.context)
    model = embeddings_name(assistant.retriever.embeddings)
    vectors = bank_vectors(bank, assistant.retriever.embeddings, model)
    x = features(bank, vectors)
    y = np.array([q.intent for q in bank])
    groups = np.array([q.family for q in bank])
    probabilities: list[dict[str, float]] = [{} for _ in bank]
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
        clf.fit(x[train], y[train])
        for i, row in zip(test, clf.predict_proba(x[test]), strict=True):
            probabilities[i] = dict(zip(clf.classes_, row.tolist(), strict=True))
    reader = assistant.responder.quick_reader
    index = assistant.index
    key_families = np.array([k.family for k in index.keys])
    out = []
    for q, vector, p in zip(bank, vectors, probabilities, strict=True):
        r = reader.read(q.text, semantic=False)
        sims = index.key_vectors @ vector if len(index.keys) else np.zeros(1)
        sims = np.where(key_families == q.family, 0.0, sims) if len(index.keys) else sims
        intents = sorted(p.items(), key=lambda ip: -ip[1])
        intent = intents[0][0] if intents[0][1] >= TUNING.intent_floor else "topic"
        if r.intent in ("injection", "missing_structure"):
            intent = r.intent
        p_out = sum(v for k, v in p.items() if k in REFUSED_BY_MODEL)
        best_out = max(((k, v) for k, v in p.items() if k in REFUSED_BY_MODEL),
                       key=lambda kv: kv[1])[0]
        evidence = ScopeEvidence(intent, p_out, best_out, float(sims.max()), r.coverage,
                                 bool(r.content), bool(r.phases or r.mentions.tracks),
                                 r.detail is not None)
        out.append((evidence, not q.in_scope))
    return out


def set_evidence(assistant, path: Path) -> list[tuple[ScopeEvidence, bool]]:
    """(evidence, should refuse) for each question of an eval set, as the assistant reads it."""
    from evals.metrics import load_cases

    out = []
    for case in load_cases(path):
        history = tuple(m["content"] for m in case.messages[:-1] if m["role"] == "user")
        context = assistant.context_focus(history) if history else ()
        reading = assistant.responder.read(case.question, context)
        out.append((ScopeEvidence.of(reading), case.refused))
    return out


def rates(rows, tuning: Tuning) -> tuple[float, float]:
    """(share of out-of-scope refused, share of answerable refused)."""
    out = [decide_evidence(e, tuning).refuse for e, refuse in rows if refuse]
    inside = [decide_evidence(e, tuning).refuse for e, refuse in rows if not refuse]
    return (sum(out) / len(out) if out else 1.0, sum(inside) / len(inside) if inside else 0.0)


def _objective(sources: dict[str, list], tuning: Tuning) -> tuple:
    """Within the false-refusal budget on every source: the most out-of-scope questions
    refused on the worse source, then in all, then the fewest false refusals."""
    measured = {name: rates(rows, tuning) for name, rows in sources.items()}
    within = all(false <= FALSE_REFUSAL_BUDGET for _, false in measured.values())
    return (within, min(out for out, _ in measured.values()),
            sum(out for out, _ in measured.values()),
            -sum(false for _, false in measured.values()))


def search(sources: dict[str, list], rounds: int = 4
           ) -> tuple[Tuning, dict[str, tuple[float, float]]]:
    """Coordinate search over GRID: each threshold in turn set to its best value while the
    others hold, until a round changes nothing."""
    best = TUNING
    best_key = _objective(sources, best)
    for _ in range(rounds):
        changed = False
        for name, values in GRID.items():
            for value in values:
                tuning = replace(best, **{name: value})
                key = _objective(sources, tuning)
                if key > best_key:
                    best, best_key, changed = tuning, key, True
        if not changed:
            break
    return best, {name: rates(rows, best) for name, rows in sources.items()}


def main(argv: list[str] | None = None) -> int:
    from assistant.console import open_with_progress
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", default="evals/blind-dev.jsonl")
    parser.add_argument("--out", default="evals/reports/calibration.json")
    args = parser.parse_args(argv)
    assistant = open_with_progress(Settings.from_env())
    sources = {"spørgebank (krydsvalideret)": bank_evidence(assistant),
               "blindt udviklingssæt": set_evidence(assistant, Path(args.dev))}
    print("Nu:", {n: rates(rows, TUNING) for n, rows in sources.items()})
    best, measured = search(sources)
    chosen = {n: getattr(best, n) for n in GRID}
    print("Bedst:", chosen)
    for name, (out, false) in measured.items():
        print(f"  {name}: uden for guiden afvist {out:.3f}, fejlagtigt afvist {false:.3f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"chosen": chosen, "measured": measured,
                                          "budget": FALSE_REFUSAL_BUDGET,
                                          "current": asdict(TUNING)}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
