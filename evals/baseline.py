"""The plain baseline a generic document chat would be: 500-character recursive chunks of the
guide, dense top-3 with the same embedder, the answer is the retrieved text. No refusals."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np

from corpus.model import KIND_BY_TITLE
from corpus.parse import HEADING2_RE, PART_RE, PHASE_RE


@dataclass(frozen=True)
class PlainChunk:
    text: str
    track: str
    phase: int | None
    phase_title: str | None
    section: str


def _locations(source: str) -> list[tuple[int, tuple]]:
    """(offset, (track, phase, phase_title, section)) at each heading of the source."""
    marks, offset = [], 0
    track, phase, title, section = "intro", None, None, ""
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if m := PART_RE.match(stripped):
            part = m["part"]
            track = "intro" if part in ("intro", "colophon") else part
            phase, title, section = None, None, m["title"]
        elif m := PHASE_RE.match(stripped):
            phase, title = int(m["number"]), m["title"]
        elif stripped.startswith("### ") and stripped[4:] in KIND_BY_TITLE:
            section = stripped[4:]
        elif m := HEADING2_RE.match(stripped):
            section = m["title"]
        marks.append((offset, (track, phase, title, section)))
        offset += len(line)
    return marks


def plain_chunks(source: str) -> list[PlainChunk]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    source = re.sub(r"<!--.*?-->", "", source, flags=re.S)
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=0,
                                              add_start_index=True)
    marks = _locations(source)
    out = []
    for doc in splitter.create_documents([source]):
        start = doc.metadata["start_index"]
        where = [loc for off, loc in marks if off <= start + len(doc.page_content) // 2]
        track, phase, title, section = where[-1]
        out.append(PlainChunk(doc.page_content, track, phase, title, section))
    return out


class Baseline:
    def __init__(self, source: str, embeddings):
        self.chunks = plain_chunks(source)
        self.embeddings = embeddings
        self.matrix = np.asarray(embeddings.embed_documents([c.text for c in self.chunks]))

    def ask(self, question: str) -> dict:
        started = time.perf_counter()
        vector = np.asarray(self.embeddings.embed_query(question))
        top = np.argsort(-(self.matrix @ vector))[:3]
        picked = [self.chunks[i] for i in top]
        return {
            "answer": "\n\n".join(c.text for c in picked),
            "refused": False,
            "citations": [{"track": c.track, "phase": c.phase, "phase_title": c.phase_title,
                           "section": c.section, "quote": c.text} for c in picked],
            "latency_ms": (time.perf_counter() - started) * 1000,
        }
