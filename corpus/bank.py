"""The question bank: labelled questions in the users' voices, written from the guide alone.

Helpers who saw only the guide and a persona wrote corpus/bank/*.jsonl (never the code, never an
eval set). Each line is one question with its intent, whether the guide covers it, the places that
answer it and verbatim evidence from the guide. The bank is data for two things: extra search keys
for the passages it points at (index/expansion.py, in the style of doc2query) and the intent and
scope model (assistant/intents.py).

Does not handle: checking that a question is not an eval question (tests/test_bank.py does that).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

IN_SCOPE_INTENTS = ("guide", "which_track", "structure", "phase", "purpose", "actions",
                    "watch_outs", "topic", "when", "order", "synthesis")
OUT_OF_SCOPE_INTENTS = ("off_topic", "near_domain", "missing_structure", "task", "injection")
INTENTS = IN_SCOPE_INTENTS + OUT_OF_SCOPE_INTENTS


@dataclass(frozen=True)
class BankQuestion:
    id: str
    family: str  # paraphrases of one underlying question share a family (for grouped CV)
    text: str
    intent: str
    in_scope: bool
    places: tuple[tuple[str, int | None], ...]
    section: str | None
    action: tuple[str, int, int] | None  # (track, phase, number)
    evidence: tuple[str, ...]  # verbatim phrases of the guide that answer it
    lang: str = "da"
    context: tuple[str, ...] = ()  # earlier user questions, for a follow-up


def _question(row: dict) -> BankQuestion:
    action = row.get("action")
    return BankQuestion(
        id=str(row["id"]), family=str(row["family"]), text=str(row["text"]),
        intent=str(row["intent"]), in_scope=row["scope"] == "in",
        places=tuple((p["track"], p["phase"]) for p in row.get("places") or ()),
        section=row.get("section"),
        action=(action["track"], int(action["phase"]), int(action["number"])) if action else None,
        evidence=tuple(row.get("evidence") or ()), lang=row.get("lang", "da"),
        context=tuple(row.get("context") or ()),
    )


def bank_files(folder: Path | None = None) -> list[Path]:
    root = Path(folder) if folder else Path(str(resources.files("corpus").joinpath("bank")))
    return sorted(root.glob("*.jsonl")) if root.is_dir() else []


def load_bank(folder: Path | None = None) -> tuple[BankQuestion, ...]:
    """Every question of every bank file, in file order; an unknown intent is an error."""
    out = []
    for path in bank_files(folder):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            question = _question(json.loads(line))
            if question.intent not in INTENTS:
                raise ValueError(f"{path.name} linje {n}: ukendt intention {question.intent!r}")
            out.append(question)
    return tuple(out)


def files_hash(folder: Path | None = None) -> str:
    """The bank files' bytes, hashed: what an index was built from, known without parsing the
    bank (opening the assistant need not read 5,000 questions to see that nothing changed)."""
    digest = hashlib.sha256()
    for path in bank_files(folder):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def bank_hash(bank: tuple[BankQuestion, ...]) -> str:
    """Changes when any question or label changes: the index and the model are rebuilt then."""
    digest = hashlib.sha256()
    for q in bank:
        digest.update(json.dumps([q.id, q.text, q.intent, q.in_scope, q.places, q.section,
                                  q.action, q.evidence, q.context], ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


def text_key(text: str) -> str:
    """What a shipped vector is stored under: the question's text, hashed."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]
