"""`ai-rejsen eval`: answer every question, score, print a table, write a dated report.

The question set is data (evals/questions.jsonl); this module only runs and reports.
"""

from __future__ import annotations

import json
import platform
import time
from importlib import resources
from pathlib import Path

from assistant.answer import Message
from evals.metrics import BARS, Case, corpus_for_verbatim, failures, load_cases, score

ROWS = [
    ("recall@1", "Recall@1"), ("recall@3", "Recall@3"), ("recall@5", "Recall@5"),
    ("mrr", "MRR"), ("citation_hit", "Kildehenvisning rammer"),
    ("top1_citation", "Første kilde rammer"), ("facts", "Krævede fakta med"),
    ("both_tracks", "Begge spor dækket"), ("out_of_scope_refused", "Uden for guiden afvist"),
    ("false_refusals", "Fejlagtigt afvist"), ("verbatim_quotes", "Ordrette citater"),
    ("latency_p50_ms", "Svartid p50 (ms)"), ("latency_p95_ms", "Svartid p95 (ms)"),
]


def default_questions() -> Path:
    return Path(str(resources.files("evals").joinpath("questions.jsonl")))


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
    return f"{value:.1f}" if key.endswith("_ms") else f"{value:.3f}"


def table(ours: dict, baseline: dict | None) -> str:
    lines = ["| Mål | AI-rejsen | Baseline | Krav |", "|---|---:|---:|---:|"]
    for key, label in ROWS:
        bar = BARS.get(key)
        bar_text = "" if bar is None else (f"≤ {bar}" if key == "false_refusals" else f"≥ {bar}")
        lines.append(f"| {label} | {_fmt(key, ours[key])} | "
                     f"{_fmt(key, baseline[key]) if baseline else '–'} | {bar_text} |")
    return "\n".join(lines)


def evaluate(assistant, cases: list[Case], source: str, with_baseline: bool = True) -> dict:
    corpus_text = corpus_for_verbatim(source)
    answers = run_assistant(assistant, cases)
    ours = score(cases, answers, corpus_text)
    base = None
    if with_baseline:
        base_answers = run_baseline(source, assistant.retriever.embeddings, cases)
        base = score(cases, base_answers, corpus_text)
    return {"ours": ours, "baseline": base, "failures": failures(cases, answers, corpus_text),
            "answers": answers}


def write_report(result: dict, out_dir: Path, questions: Path, settings) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d-%H%M%S")
    md = [f"# Evaluering {stamp}", "",
          f"Spørgsmål: `{questions}` ({result['ours']['questions']}); embedding: "
          f"{settings.embeddings}; Python {platform.python_version()}.", "",
          table(result["ours"], result["baseline"]), "", "## Fejl", ""]
    md += [f"- {f['id']} ({f['category']}) {f['question']!r}: {'; '.join(f['problems'])}"
           for f in result["failures"]] or ["Ingen."]
    path = out_dir / f"{stamp}-eval.md"
    path.write_text("\n".join(md) + "\n", encoding="utf-8")
    (out_dir / f"{stamp}-eval.json").write_text(
        json.dumps({k: v for k, v in result.items() if k != "answers"}, ensure_ascii=False,
                   indent=1), encoding="utf-8")
    return path


def main(settings, args) -> int:
    from assistant.cli import open_with_progress
    from corpus.parse import source_text

    questions = Path(args.questions) if args.questions else default_questions()
    cases = load_cases(questions)
    assistant = open_with_progress(settings)
    result = evaluate(assistant, cases, source_text(settings.guide_path),
                      with_baseline=not args.no_baseline)
    print(table(result["ours"], result["baseline"]))
    for f in result["failures"]:
        print(f"  {f['id']} {f['question'][:70]!r}: {'; '.join(f['problems'])}")
    out_dir = Path(args.out) if args.out else Path("evals/reports")
    report = write_report(result, out_dir, questions, settings)
    print(f"Rapport: {report}")
    if not args.questions and not args.out:
        # The latest figures on the published question set, kept in the repository.
        Path("evals/RESULTS.md").write_text(report.read_text(encoding="utf-8"), encoding="utf-8")
        print("Opdateret: evals/RESULTS.md")
    return 0
