"""Cut the guide into chunks that carry their place in the guide.

A chunk is one paragraph or one key action: never part of a sentence, never part of a list item.
Key actions are single chunks so an answer can cite exactly the step it names and keep its number.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from corpus.model import KEY_ACTIONS, Guide


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str  # the guide's words, verbatim: what a citation quotes
    track: str
    phase: int | None
    phase_title: str | None
    section: str  # "Centrale handlinger", "Vær opmærksom på", "Forord", ...
    kind: str
    path: str  # "Ny idé › 4 Test og implementering › Centrale handlinger"
    position: int  # 0-based place of the block within its section
    number: int | None = None  # a key action's number in its ordered list
    track_name: str = ""  # "Ny idé", as the guide names the track

    @property
    def context(self) -> str:
        """The text with its place in the guide: what is embedded and searched."""
        return f"{self.path}: {self.text}"

    def metadata(self) -> dict:
        """Flat metadata for a vector store (None is not allowed there)."""
        return {
            "track": self.track,
            "phase": self.phase if self.phase is not None else -1,
            "phase_title": self.phase_title or "",
            "section": self.section,
            "kind": self.kind,
            "path": self.path,
            "position": self.position,
            "number": self.number if self.number is not None else -1,
            "track_name": self.track_name,
        }

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict) -> Chunk:
        return cls(
            id=chunk_id, text=text, track=meta["track"],
            phase=None if meta["phase"] == -1 else int(meta["phase"]),
            phase_title=meta["phase_title"] or None, section=meta["section"],
            kind=meta["kind"], path=meta["path"], position=int(meta["position"]),
            number=None if meta["number"] == -1 else int(meta["number"]),
            track_name=meta.get("track_name", ""),
        )


def chunk_id(path: str, position: int, text: str) -> str:
    """Derived from content and place: unchanged text keeps its id across rebuilds."""
    return hashlib.sha1(f"{path}\n{position}\n{text}".encode()).hexdigest()[:16]


def chunk_guide(guide: Guide) -> tuple[Chunk, ...]:
    chunks = []
    for section in guide.sections:
        for position, block in enumerate(section.blocks):
            number = block.number if section.kind == KEY_ACTIONS else None
            chunks.append(Chunk(
                id=chunk_id(section.path, position, block.text), text=block.text,
                track=section.track, phase=section.phase, phase_title=section.phase_title,
                section=section.title, kind=section.kind, path=section.path,
                position=position, number=number, track_name=section.track_name,
            ))
    return tuple(chunks)
