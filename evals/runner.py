"""`ai-rejsen eval`: answer every question of each set, score, print a table, write a report.

The sets are data (evals/*.jsonl), side by side with the plain baseline:
- the development set (evals/questions.jsonl), whose failures are listed;
- the blind development sets (evals/blind-dev.jsonl to blind-dev16.jsonl, each written by a
  helper who saw only the guide and personas; the third leans on the kinds the others found
  hardest, the fifth and sixth on order questions and follow-ups, the seventh on English,
  phases and synthesis, the eighth and ninth on actions, follow-ups, order, phases and
  misspellings, the tenth and twelfth have every kind in the test sets' mix, the eleventh
  and thirteenth lean on actions, follow-ups, order and English, the fourteenth on English,
  misspellings and synthesis, the fifteenth on everyday words, long situations, synthesis,
  order and follow-ups, the sixteenth on everyday words, situations that are not the question
  and follow-ups; the fourth to sixteenth are kept out of the refusal's
  calibration, as its check), whose failures are listed too;
- the blind test sets (evals/blind-test.jsonl; blind-fresh.jsonl and blind-final.jsonl to
  blind-final10.jsonl, each written by a fresh helper at the start or end of a stretch of
  work and scored once at its end),
  reported in aggregate and by category only: their questions are never printed, so they are
  never tuned on.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from assistant.answer import Message
from evals.metrics import (
    BARS,
    Case,
    by_category,
    corpus_for_verbatim,
    failures,
    load_cases,
    score,
)

ROWS = [
    ("recall@1", "Recall@1"), ("recall@3", "Recall@3"),
    ("mrr", "MRR"), ("citation_hit", "Kildehenvisning rammer"),
    ("top1_citation", "Første kilde rammer"), ("facts", "Krævede fakta med"),
    ("both_tracks", "Begge spor dækket"), ("out_of_scope_refused", "Uden for guiden afvist"),
    ("false_refusals", "Fejlagtigt afvist"), ("verbatim_quotes", "Ordrette citater"),
    ("answer_chars_p50", "Svarlængde p50 (tegn)"), ("answer_chars_p90", "Svarlængde p90 (tegn)"),
    ("latency_p50_ms", "Svartid p50 (ms)"), ("latency_p95_ms", "Svartid p95 (ms)"),
]


@dataclass(frozen=True)
class QuestionSet:
    name: str
    file: str
    show_failures: bool  # False for the test set: aggregate and categories only


SETS = (
    QuestionSet("Udviklingssæt", "questions.jsonl", True),
    QuestionSet("Blindt udviklingssæt", "blind-dev.jsonl", True),
    QuestionSet("Blindt udviklingssæt 2", "blind-dev2.jsonl", True),
    QuestionSet("Blindt udviklingssæt 3", "blind-dev3.jsonl", True),
    QuestionSet("Blindt udviklingssæt 4", "blind-dev4.jsonl", True),
    QuestionSet("Blindt udviklingssæt 5", "blind-dev5.jsonl", True),
    QuestionSet("Blindt udviklingssæt 6", "blind-dev6.jsonl", True),
    QuestionSet("Blindt udviklingssæt 7", "blind-dev7.jsonl", True),
    QuestionSet("Blindt udviklingssæt 8", "blind-dev8.jsonl", True),
    QuestionSet("Blindt udviklingssæt 9", "blind-dev9.jsonl", True),
    QuestionSet("Blindt udviklingssæt 10", "blind-dev10.jsonl", True),
    QuestionSet("Blindt udviklingssæt 11", "blind-dev11.jsonl", True),
    QuestionSet("Blindt udviklingssæt 12", "blind-dev12.jsonl", True),
    QuestionSet("Blindt udviklingssæt 13", "blind-dev13.jsonl", True),
    QuestionSet("Blindt udviklingssæt 14", "blind-dev14.jsonl", True),
    QuestionSet("Blindt udviklingssæt 15", "blind-dev15.jsonl", True),
    QuestionSet("Blindt udviklingssæt 16", "blind-dev16.jsonl", True),
    QuestionSet("Blindt testsæt", "blind-test.jsonl", False),
    QuestionSet("Nyt blindt testsæt", "blind-fresh.jsonl", False),
    QuestionSet("Sidste blinde testsæt", "blind-final.jsonl", False),
    QuestionSet("Allersidste blinde testsæt", "blind-final2.jsonl", False),
    QuestionSet("Afsluttende blindt testsæt", "blind-final3.jsonl", False),
    QuestionSet("Allersidste afsluttende blinde testsæt", "blind-final4.jsonl", False),
    QuestionSet("Afsluttende blindt testsæt 5", "blind-final5.jsonl", False),
    QuestionSet("Afsluttende blindt testsæt 6", "blind-final6.jsonl", False),
    QuestionSet("Afsluttende blindt testsæt 7", "blind-final7.jsonl", False),
    QuestionSet("Afsluttende blindt testsæt 8", "blind-final8.jsonl", False),
    QuestionSet("Afsluttende blindt testsæt 9", "blind-final9.jsonl", False),
    QuestionSet("Afsluttende blindt testsæt 10", "blind-final10.jsonl", False),
)


def questions_path(file: str) -> Path:
    return Path(str(resources.files("evals").joinpath(file)))


def default_questions() -> Path:
    return questions_path(SETS[0].file)


def run_assistant(assistant, cases: list[Case]) -> list[dict]:
    return [assistant.ask([Message(m["role"], m["content"]) for m in c.messages]).to_json()
            for c in cases]


def run_baseline(source: str, embeddings, cases: list[Case]) -> list[dict]:
    from evals.baseline import Baseline

    baseline = Baseline(source, embeddings)
    return [baseline.ask(c.question) for c in cases]


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    if key.endswith("_ms") or key.startswith("answer_chars"):
        return f"{value:.0f}" if key.startswith("answer_chars") else f"{value:.1f}"
    return f"{value:.3f}"


def table(ours: dict, baseline: dict | None) -> str:
    """One set: ours beside the baseline and the bar."""
    lines = ["| Mål | AI-rejsen | Baseline | Krav |", "|---|---:|---:|---:|"]
    for key, label in ROWS:
        bar = BARS.get(key)
        bar_text = "" if bar is None else (f"≤ {bar}" if key == "false_refusals" else f"≥ {bar}")
        lines.append(f"| {label} | {_fmt(key, ours[key])} | "
                     f"{_fmt(key, baseline[key]) if baseline else '–'} | {bar_text} |")
    return "\n".join(lines)


def side_by_side(results: list[tuple[QuestionSet, dict]]) -> str:
    """Every set: ours / baseline, one column each."""
    head = "| Mål | " + " | ".join(f"{qs.name} ({r['ours']['questions']})"
                                   for qs, r in results) + " |"
    lines = [head, "|---|" + "---:|" * len(results)]
    for key, label in ROWS:
        cells = []
        for _, r in results:
            base = r["baseline"][key] if r["baseline"] else None
            cells.append(f"{_fmt(key, r['ours'][key])} / {_fmt(key, base)}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def category_table(results: list[tuple[QuestionSet, dict]]) -> str:
    names = sorted({c for _, r in results for c in r["categories"]})
    lines = ["| Kategori | " + " | ".join(qs.name for qs, _ in results) + " |",
             "|---|" + "---:|" * len(results)]
    for name in names:
        cells = []
        for _, r in results:
            row = r["categories"].get(name)
            cells.append(f"{row['share']:.2f} ({row['questions']})" if row else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def evaluate(assistant, cases: list[Case], source: str, with_baseline: bool = True,
             show_failures: bool = True) -> dict:
    corpus_text = corpus_for_verbatim(source)
    answers = run_assistant(assistant, cases)
    ours = score(cases, answers, corpus_text)
    base = None
    if with_baseline:
        base_answers = run_baseline(source, assistant.retriever.embeddings, cases)
        base = score(cases, base_answers, corpus_text)
    return {"ours": ours, "baseline": base, "categories": by_category(cases, answers),
            "failures": failures(cases, answers, corpus_text) if show_failures else [],
            "answers": answers if show_failures else []}


def report(results: list[tuple[QuestionSet, dict]], settings, intent_cv: str = "") -> str:
    stamp = time.strftime("%Y-%m-%d-%H%M%S")
    md = [f"# Evaluering {stamp}", "",
          f"Embedding: {settings.embeddings}; Python {platform.python_version()}. Hver celle: "
          "AI-rejsen / baseline (evals/baseline.py).", "", side_by_side(results), "",
          "## Rigtige svar pr. kategori", "",
          "Andel rigtige: inden for guiden = rigtigt sted citeret og alle krævede fakta med; "
          "uden for guiden = afvist. Antal spørgsmål i parentes.", "",
          category_table(results), ""]
    if intent_cv:
        md += ["## Det lærte: intentionsmodel, rangering og spørgebank", "", intent_cv, ""]
    for qs, r in results:
        if not qs.show_failures:
            continue
        md += [f"## Fejl: {qs.name}", ""]
        md += [f"- {f['id']} ({f['category']}) {f['question']!r}: {'; '.join(f['problems'])}"
               for f in r["failures"]] or ["Ingen."]
        md.append("")
    return "\n".join(md)


def _learned(out_dir: Path) -> str:
    """What `ai-rejsen learn` and `python -m evals.overlap` last reported."""
    parts = [out_dir / name for name in ("intent-cv.md", "calibration.md", "bank-overlap.md")]
    return "\n".join(p.read_text(encoding="utf-8") for p in parts if p.is_file())


def main(settings, args) -> int:
    from assistant.console import open_with_progress
    from corpus.parse import source_text

    if args.questions:
        sets = [QuestionSet(Path(args.questions).name, args.questions, True)]
    else:
        sets = [qs for qs in SETS if questions_path(qs.file).is_file()]
    assistant = open_with_progress(settings)
    source = source_text(settings.guide_path)
    results = []
    for qs in sets:
        path = Path(qs.file) if args.questions else questions_path(qs.file)
        result = evaluate(assistant, load_cases(path), source,
                          with_baseline=not args.no_baseline, show_failures=qs.show_failures)
        results.append((qs, result))
    print(side_by_side(results))
    print()
    print(category_table(results))
    for qs, r in results:
        for f in r["failures"]:
            print(f"  [{qs.name}] {f['id']} {f['question'][:70]!r}: {'; '.join(f['problems'])}")
    out_dir = Path(args.out) if args.out else Path("evals/reports")
    out_dir.mkdir(parents=True, exist_ok=True)
    text = report(results, settings, _learned(Path("evals/reports")))
    stamp = time.strftime("%Y-%m-%d-%H%M%S")
    path = out_dir / f"{stamp}-eval.md"
    path.write_text(text, encoding="utf-8")
    (out_dir / f"{stamp}-eval.json").write_text(json.dumps(
        [{"set": qs.name, **{k: v for k, v in r.items() if k != "answers"}}
         for qs, r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"Rapport: {path}")
    if not args.questions and not args.out:
        # The latest figures on the published sets, kept in the repository.
        Path("evals/RESULTS.md").write_text(text, encoding="utf-8")
        print("Opdateret: evals/RESULTS.md")
    return 0
