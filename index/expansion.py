"""Document expansion in the style of doc2query: each passage is also found by the questions of
the bank that it answers.

A bank question's evidence (verbatim phrases of the guide) points at the chunks that hold it; the
question then becomes an extra search key for those chunks, matched by words (its own BM25) and by
meaning (its vector). Paraphrases, everyday words and typos in a new question meet the passage
through questions people wrote for it. Only in-scope questions that stand alone are keys: a
follow-up ("og hvad så der?") means nothing without its conversation.

Key vectors ship as data (index/vectors/bank-<model>.npz, keyed by each text's hash), so building
the index does not embed 2,000 questions; texts not in that file are embedded at build time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from corpus.bank import BankQuestion, text_key
from index.chunking import Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Key:
    text: str
    chunks: tuple[int, ...]  # positions in the index's chunk list
    intent: str
    family: str = ""  # its paraphrase family: left out together when the ranker is trained


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


HEADING_RE = re.compile(r"^(?:fase \d+: )?(.+)$")


def keys_for(bank: tuple[BankQuestion, ...], chunks: tuple[Chunk, ...]) -> list[Key]:
    """The bank's standalone questions. An in-scope one points at the chunks its evidence is in
    (within the places it is labelled with, when the evidence occurs in several); an
    out-of-scope one points at none: it is there to tell the refusal what such questions look
    like (assistant/scope.py)."""
    texts = [_norm(c.text) for c in chunks]
    titles = [_norm(c.phase_title or "") for c in chunks]
    keys = []
    for q in bank:
        if q.context:
            continue
        if not q.in_scope:
            keys.append(Key(q.text, (), q.intent, q.family))
            continue
        if not q.evidence:
            continue
        places = set(q.places)
        found: list[int] = []
        for phrase in (_norm(e) for e in q.evidence):
            hits = [i for i, t in enumerate(texts) if phrase and phrase in t]
            if not hits:  # a heading ("Fase 2: Konceptualisering"): the phase's purpose
                title = HEADING_RE.match(phrase).group(1)
                hits = [i for i, t in enumerate(titles)
                        if t and t == title and chunks[i].kind == "purpose"]
            inside = [i for i in hits if (chunks[i].track, chunks[i].phase) in places]
            found += inside or hits
        if found:
            keys.append(Key(q.text, tuple(dict.fromkeys(found)), q.intent, q.family))
    return keys


def artefact_path(folder: Path, kind: str, model: str) -> Path:
    """`<folder>/<kind>-<model>.npz`: data made for one embedding model ("st:/a/b" → st__a_b)."""
    return Path(folder) / f"{kind}-{model.replace(':', '_').replace('/', '_')}.npz"


def shipped_vectors_path(model: str, folder: Path | None = None) -> Path:
    root = Path(folder) if folder else Path(str(resources.files("index").joinpath("vectors")))
    return artefact_path(root, "bank", model)


def load_shipped(model: str, folder: Path | None = None) -> dict[str, np.ndarray]:
    """text hash → vector for `model`, from the shipped file (empty if there is none)."""
    path = shipped_vectors_path(model, folder)
    if not path.is_file():
        return {}
    data = np.load(path)
    return {str(k): v.astype(np.float32) for k, v in zip(data["keys"], data["vectors"],
                                                           strict=True)}


def save_shipped(model: str, vectors: dict[str, np.ndarray], folder: Path | None = None) -> Path:
    """Stored as float32, as they were embedded: a vector read back is the one just computed, so
    models fitted on freshly embedded questions are the ones `ai-rejsen learn` refits from the
    shipped file."""
    path = shipped_vectors_path(model, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(vectors)
    np.savez_compressed(path, keys=np.array(keys),
                        vectors=np.stack([vectors[k] for k in keys]).astype(np.float32))
    return path


def embed_queries(embeddings, texts: list[str]) -> np.ndarray:
    """Query vectors for many texts, in batches where the backend can."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    batch = getattr(embeddings, "embed_queries", None)
    rows = batch(texts) if batch else [embeddings.embed_query(t) for t in texts]
    return np.asarray(rows, dtype=np.float32)


def key_vectors(texts: list[str], embeddings, model: str) -> np.ndarray:
    """A vector per text: shipped ones where the model and the text match, the rest embedded."""
    shipped = load_shipped(model)
    missing = [t for t in texts if text_key(t) not in shipped]
    if missing:
        log.info("embedder %d spørgsmål fra spørgebanken (ikke leveret for %s)", len(missing),
                 model)
        for text, vector in zip(missing, embed_queries(embeddings, missing), strict=True):
            shipped[text_key(text)] = vector
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([shipped[text_key(t)] for t in texts]).astype(np.float32)
