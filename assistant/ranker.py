"""A learned ranker: how much each kind of evidence counts, fitted on the question bank.

Reciprocal rank fusion weighs four rankings alike, whatever their scores say. The ranker instead
turns each chunk's evidence into a few features (how its BM25 score, cosine and bank-key matches
compare with the best of the question's, their ranks, the kind of passage it is, how likely the
intent model's place head finds the passage's place) and scores them
with logistic regression, trained on the bank's questions and the passages their evidence points
at (assistant/train.py, paraphrase families held out of their own key features). The score is a
probability that the passage answers the question, so "about as good as the best" means the same
for every question.

Without a ranker for the running embedder (the fake one in tests), rankings fall back to fusion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.linear import load_linear, save_linear
from corpus.model import COLOPHON, INTRO_TRACK, KEY_ACTIONS, PURPOSE, WATCH_OUTS
from index.chunking import Chunk

RANKER_VERSION = 3
KINDS = ("purpose", "key_actions", "watch_outs", "intro", "colophon", "overview")
FEATURES = ("lex_rel", "lex_log", "lex_top", "dense_gap", "dense_z", "key_gap", "key_z", "has_key",
            "key_lex_rel", "rr_lex", "rr_dense", "rr_key", "vote_rel", "rr_vote",
            "place_p", "place_rel",
            *(f"kind_{k}" for k in KINDS))


PLACE_COLUMNS = [FEATURES.index("place_p"), FEATURES.index("place_rel")]


def kind_of(chunk: Chunk) -> str:
    if chunk.kind in (PURPOSE, KEY_ACTIONS, WATCH_OUTS, COLOPHON):
        return chunk.kind
    return "intro" if chunk.track == INTRO_TRACK else "overview"


def static_features(chunks: tuple[Chunk, ...], has_key: np.ndarray) -> np.ndarray:
    """What does not depend on the question: the passage's kind, whether a key points at it."""
    kinds = np.zeros((len(chunks), len(KINDS)), dtype=np.float32)
    for i, c in enumerate(chunks):
        kinds[i, KINDS.index(kind_of(c))] = 1.0
    return np.hstack([has_key[:, None].astype(np.float32), kinds])


def _reciprocal_rank(scores: np.ndarray, valid: np.ndarray) -> np.ndarray:
    out = np.zeros(len(scores), dtype=np.float32)
    order = np.flatnonzero(valid)[np.argsort(-scores[valid], kind="stable")]
    out[order] = 1.0 / (1.0 + np.arange(1, len(order) + 1))
    return out


def features(lexical: np.ndarray, dense: np.ndarray, key_dense: np.ndarray,
             key_lexical: np.ndarray, key_vote: np.ndarray, static: np.ndarray,
             places: np.ndarray | None = None) -> np.ndarray:
    """(chunks, len(FEATURES)): each chunk's evidence against the question's best, and the
    place head's probability that the question is about the chunk's place (0 without one)."""
    has_key = static[:, 0] > 0
    lex_max = lexical.max() if len(lexical) else 0.0
    lex_rel = lexical / lex_max if lex_max > 0 else np.zeros_like(lexical)
    dense_gap = dense - dense.max() if len(dense) else dense
    dense_z = (dense - dense.mean()) / (dense.std() + 1e-6)
    keyed = key_dense[has_key] if has_key.any() else np.zeros(1)
    key_gap = np.where(has_key, key_dense - keyed.max(), -1.0)
    key_z = np.where(has_key, (key_dense - keyed.mean()) / (keyed.std() + 1e-6), -3.0)
    klex_max = key_lexical.max() if len(key_lexical) else 0.0
    key_lex_rel = key_lexical / klex_max if klex_max > 0 else np.zeros_like(key_lexical)
    vote_max = key_vote.max() if len(key_vote) else 0.0
    vote_rel = key_vote / vote_max if vote_max > 0 else np.zeros_like(key_vote)
    columns = [lex_rel, np.log1p(lexical), (lexical >= lex_max) & (lexical > 0), dense_gap,
               dense_z, key_gap, key_z, has_key, key_lex_rel,
               _reciprocal_rank(lexical, lexical > 0), _reciprocal_rank(dense, dense != 0),
               _reciprocal_rank(key_dense, has_key & (key_dense > 0)), vote_rel,
               _reciprocal_rank(key_vote, key_vote > 0)]
    if places is None:
        places = np.zeros(len(lexical), dtype=np.float32)
    place_max = places.max() if len(places) else 0.0
    columns += [places, places / place_max if place_max > 0 else np.zeros_like(places)]
    dynamic = np.stack([np.asarray(c, dtype=np.float32) for c in columns], axis=1)
    return np.hstack([dynamic, static[:, 1:]])


@dataclass(frozen=True, eq=False)
class Ranker:
    weights: np.ndarray  # (len(FEATURES),)
    bias: float
    embedding_model: str

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))

    def both(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, the same without the place head's features): the second compares
        passages of different places on their own evidence ("is it in the other track too?")."""
        z = x @ self.weights + self.bias
        place = x[:, PLACE_COLUMNS] @ self.weights[PLACE_COLUMNS]
        return 1.0 / (1.0 + np.exp(-z)), 1.0 / (1.0 + np.exp(-(z - place)))


def _meta(embedding_model: str) -> tuple[str, ...]:
    return (str(RANKER_VERSION), embedding_model, ",".join(FEATURES))


def save_ranker(ranker: Ranker, folder: Path) -> Path:
    return save_linear("ranker", folder, ranker.embedding_model, ranker.weights, ranker.bias,
                       _meta(ranker.embedding_model))


def load_ranker(embedding_model: str, folder: Path) -> Ranker | None:
    data = load_linear("ranker", folder, embedding_model, _meta(embedding_model))
    return None if data is None else Ranker(data["weights"], data["bias"], embedding_model)
