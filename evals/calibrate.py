"""Fit and calibrate the refusal decision (assistant/scope.py) on labelled data, never on a
test set.

`python -m evals.calibrate` gathers the decision's evidence for
- the question bank, each question scored by an intent model that never saw its paraphrase
  family (grouped cross-validation) and with its family's keys left out, and
- the development sets (the three blind ones and the project's own), read by the assistant
  as it ships;
then fits the scope model on the bank and picks its threshold, and searches the thresholds of
the fallback rules (used without a fitted model): in both, the most out-of-scope questions
refused while false refusals stay within the budget on every source. The fitted model is saved
beside the intent model (assistant/models/scope-<model>.npz).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from assistant.reading import REFUSED_BY_MODEL, sure_intent
from assistant.retrieve import neighbour_share
from assistant.scope import ScopeEvidence, ScopeModel, decide_evidence, settled, top_passage
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
    from assistant.train import bank_vectors, features, fit_classifier, held_out, held_out_places
    from corpus.bank import load_bank
    from index.embeddings import embeddings_name

    bank = tuple(q for q in load_bank() if not q.context)
    model = embeddings_name(assistant.retriever.embeddings)
    vectors = bank_vectors(bank, assistant.retriever.embeddings, model)
    x = features(bank, vectors)
    y = np.array([q.intent for q in bank])
    # as the shipped intent model is fitted
    probabilities = held_out(bank, x, lambda rows: fit_classifier(x[rows], y[rows]))
    places = held_out_places(bank, vectors, x)
    reader = assistant.responder.quick_reader
    index = assistant.index
    key_families = np.array([k.family for k in index.keys])
    inside = np.array([bool(k.chunks) for k in index.keys])
    out = []
    for q, vector, p, place in zip(bank, vectors, probabilities, places, strict=True):
        r = reader.read(q.text, semantic=False)  # its words; its vector comes from the bank
        own = key_families == q.family  # its own family left out
        spelled = reader.analyzer.spell(q.text)
        ranked = reader.evidence(spelled, r.mentions, r.track_hint, vector, leave_out=own,
                                 places=reader.chunk_places(place))
        sims = np.where(own, 0.0, index.key_vectors @ vector)
        intent = _carried(sorted(p.items(), key=lambda ip: -ip[1]))
        if r.intent in ("injection", "missing_structure"):
            intent = r.intent  # settled by the guide's structure or the injection guard
        evidence = ScopeEvidence(intent, tuple(p.get(i, 0.0) for i in REFUSED_BY_MODEL),
                                 float(sims[inside].max()), float(sims[~inside].max()),
                                 neighbour_share(sims, ~inside), top_passage(ranked),
                                 r.coverage,
                                 bool(r.content), bool(r.phases or r.mentions.tracks),
                                 r.detail is not None, r.task_request)
        out.append((evidence, not q.in_scope))
    return out


def _carried(intents: list[tuple[str, float]]) -> str:
    """The intent a Reading would take from these probabilities (assistant/reading.py): the
    likeliest sure enough one, never missing structure (the guide's layout settles that)."""
    return sure_intent(intents, lambda intent: intent != "missing_structure") or "topic"


def set_evidence(assistant, path: Path) -> list[tuple[ScopeEvidence, bool]]:
    """(evidence, should refuse) for each question of an eval set, as the assistant reads it."""
    from assistant.service import clean_text
    from evals.metrics import load_cases

    out = []
    for case in load_cases(path):
        history = tuple(clean_text(m["content"]) for m in case.messages[:-1]
                        if m["role"] == "user")
        context = assistant.context_focus(history) if history else ()
        reading = assistant.responder.read(clean_text(case.question), context)
        out.append((ScopeEvidence.of(reading), case.refused))
    return out


def rates(rows, tuning: Tuning, model: ScopeModel | None = None) -> tuple[float, float]:
    """(share of out-of-scope refused, share of answerable refused)."""
    out = [decide_evidence(e, model, tuning).refuse for e, refuse in rows if refuse]
    inside = [decide_evidence(e, model, tuning).refuse for e, refuse in rows if not refuse]
    return (sum(out) / len(out) if out else 1.0, sum(inside) / len(inside) if inside else 0.0)


def fit_scope(sources: dict[str, list], bank: str, model_name: str
              ) -> tuple[ScopeModel, dict[str, tuple[float, float]]]:
    """Logistic regression on the bank's open cases; the threshold by the same objective."""
    from sklearn.linear_model import LogisticRegression

    rows = [(e, refuse) for e, refuse in sources[bank] if settled(e) is None]  # model decides
    x = np.stack([e.vector() for e, _ in rows])
    y = np.array([refuse for _, refuse in rows])
    clf = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(x, y)
    weights, bias = clf.coef_[0].astype(np.float32), float(clf.intercept_[0])
    best, best_key = None, None
    for threshold in np.arange(0.3, 0.96, 0.01):
        model = ScopeModel(weights, bias, float(round(threshold, 2)), model_name)
        key = _objective(sources, TUNING, model)
        if best_key is None or key > best_key:
            best, best_key = model, key
    return best, {name: rates(rows, TUNING, best) for name, rows in sources.items()}


def _objective(sources: dict[str, list], tuning: Tuning, model: ScopeModel | None = None
               ) -> tuple:
    """As little beyond the false-refusal budget as can be (none, where the grid allows it),
    then the most out-of-scope questions refused on the worst source, then in all, then the
    fewest false refusals."""
    measured = {name: rates(rows, tuning, model) for name, rows in sources.items()}
    over = sum(max(0.0, false - FALSE_REFUSAL_BUDGET) for _, false in measured.values())
    return (-round(over, 4), min(out for out, _ in measured.values()),
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


def _markdown(scope: ScopeModel, measured: dict, chosen: dict, rule_rates: dict) -> str:
    lines = ["### Afvisningen: kalibrering", "",
             f"Afgrænsningsmodellen afviser fra sandsynlighed {scope.threshold:.2f}; reglerne "
             f"uden model bruger {chosen}. Målt med højst {FALSE_REFUSAL_BUDGET:.1%} "
             "fejlagtige afvisninger pr. kilde (spørgebanken med hver familie holdt ude):", "",
             "| Kilde | Model: afvist uden for | Model: fejlagtigt afvist | Regler: afvist uden "
             "for | Regler: fejlagtigt afvist |", "|---|---:|---:|---:|---:|"]
    for name, (out, false) in measured.items():
        rule_out, rule_false = rule_rates[name]
        lines.append(f"| {name} | {out:.3f} | {false:.3f} | {rule_out:.3f} | "
                     f"{rule_false:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from assistant.console import open_with_progress
    from assistant.intents import models_dir
    from assistant.scope import save_scope
    from assistant.settings import Settings
    from index.embeddings import embeddings_name

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", nargs="+",
                        default=["evals/blind-dev.jsonl", "evals/blind-dev2.jsonl",
                                 "evals/blind-dev3.jsonl", "evals/questions.jsonl"])
    parser.add_argument("--out", default="evals/reports/calibration.json")
    args = parser.parse_args(argv)
    assistant = open_with_progress(Settings.from_env())
    bank = "spørgebank (krydsvalideret)"
    sources = {bank: bank_evidence(assistant)}
    for dev in args.dev:
        sources[Path(dev).name] = set_evidence(assistant, Path(dev))
    model_name = embeddings_name(assistant.retriever.embeddings)
    scope, measured = fit_scope(sources, bank, model_name)
    print(f"Afgrænsningsmodel: tærskel {scope.threshold:.2f}; gemt: "
          f"{save_scope(scope, models_dir())}")
    for name, (out, false) in measured.items():
        print(f"  {name}: uden for guiden afvist {out:.3f}, fejlagtigt afvist {false:.3f}")
    rules, rule_rates = search(sources)
    chosen = {n: getattr(rules, n) for n in GRID}
    print("Reglerne uden model, bedst:", chosen)
    for name, (out, false) in rule_rates.items():
        print(f"  {name}: uden for guiden afvist {out:.3f}, fejlagtigt afvist {false:.3f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).with_suffix(".md").write_text(_markdown(scope, measured, chosen, rule_rates),
                                                 "utf-8")
    Path(args.out).write_text(json.dumps(
        {"scope_model": {"threshold": scope.threshold, "measured": measured},
         "rules": {"chosen": chosen, "measured": rule_rates},
         "budget": FALSE_REFUSAL_BUDGET, "current": asdict(TUNING)}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
