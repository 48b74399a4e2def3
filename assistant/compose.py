"""Compose Markdown answers from the guide's own words, each claim followed by its citation.

Pure: chunks in, an Answer out. Knows the guide's layout (phases, ordered key actions) through a
GuideMap built from the index's chunks, so the answer and the index can never disagree.
"""

from __future__ import annotations

from collections import defaultdict

from assistant.answer import Answer, Citation
from corpus.model import KEY_ACTIONS, PURPOSE, WATCH_OUTS
from index.chunking import Chunk

PhaseKey = tuple[str, int]


def place_of(chunk: Chunk) -> tuple:
    """(track, phase) for a phase's chunk; (track, None, section) outside the phases."""
    return (chunk.track, chunk.phase) if chunk.phase is not None else \
        (chunk.track, None, chunk.section)


class GuideMap:
    """The guide's layout, read back from the chunks and indexed once, so that looking up a
    section, a phase's actions or the next paragraph costs the same at any corpus size."""

    def __init__(self, chunks: tuple[Chunk, ...]):
        self.chunks = chunks
        self._sections: dict[tuple[str, int | None, str], list[Chunk]] = defaultdict(list)
        self._places: dict[tuple, list[Chunk]] = defaultdict(list)
        self._titles: dict[PhaseKey, str] = {}
        self._after: dict[tuple[str, int], Chunk] = {}
        self._track_names: dict[str, str] = {}
        for c in sorted(chunks, key=lambda c: c.position):
            self._track_names.setdefault(c.track, c.track_name)
            self._sections[(c.track, c.phase, c.kind)].append(c)
            self._places[place_of(c)].append(c)
            if c.phase is not None and c.phase_title:
                self._titles[(c.track, c.phase)] = c.phase_title
            if c.position:
                self._after[(c.path, c.position - 1)] = c
        self._phases = {t: sorted(n for tt, n in self._titles if tt == t)
                        for t in {t for t, _ in self._titles}}
        self.key_actions = tuple(c for c in chunks if c.kind == KEY_ACTIONS)

    @classmethod
    def from_chunks(cls, chunks: tuple[Chunk, ...]) -> GuideMap:
        return cls(chunks)

    def section(self, key: PhaseKey, kind: str) -> list[Chunk]:
        return list(self._sections.get((key[0], key[1], kind), ()))

    def actions(self, key: PhaseKey) -> list[Chunk]:
        return self.section(key, KEY_ACTIONS)

    def place(self, key: tuple) -> list[Chunk]:
        """All chunks of a phase, or of a section outside the phases."""
        return list(self._places.get(key, ()))

    def following(self, chunk: Chunk) -> Chunk | None:
        """The next block of the same section."""
        return self._after.get((chunk.path, chunk.position))

    def phases(self, track: str) -> list[int]:
        return self._phases.get(track, [])

    def track_name(self, track: str) -> str:
        return self._track_names.get(track, track)

    def title(self, key: PhaseKey) -> str:
        return self._titles.get(key, "")

    def neighbour(self, key: PhaseKey, step: int) -> PhaseKey | None:
        target = (key[0], key[1] + step)
        return target if target[1] in self.phases(key[0]) else None


def phase_label(key: PhaseKey, gmap: GuideMap) -> str:
    return f"{gmap.track_name(key[0])} › {key[1]} {gmap.title(key)}"


class Draft:
    """Collects Markdown lines and the citations their [n] markers point to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.citations: list[Citation] = []
        self.focus: list[PhaseKey] = []

    def cite(self, chunks: list[Chunk]) -> int:
        first = chunks[0]
        if first.kind == KEY_ACTIONS:
            quote = "\n".join(f"{c.number}. {c.text}" for c in chunks)
        else:
            quote = "\n\n".join(c.text for c in chunks)
        citation = Citation(first.track, first.phase, first.phase_title, first.section, quote,
                            first.path)
        if citation in self.citations:
            return self.citations.index(citation) + 1
        self.citations.append(citation)
        if first.phase is not None and (first.track, first.phase) not in self.focus:
            self.focus.append((first.track, first.phase))
        return len(self.citations)

    def heading(self, text: str) -> None:
        if self.lines:
            self.lines.append("")
        self.lines.append(f"**{text}**")
        self.lines.append("")

    def text(self, line: str) -> None:
        self.lines.append(line)

    def actions(self, chunks: list[Chunk]) -> None:
        """Key actions with their numbers; a consecutive run shares one citation."""
        for run in _runs(sorted(chunks, key=lambda c: c.number or 0)):
            marker = self.cite(run)
            for c in run:
                self.lines.append(f"{c.number}. {c.text} [{marker}]")
        self.lines.append("")

    def paragraphs(self, chunks: list[Chunk], lead: str | None = None) -> None:
        for c in sorted(chunks, key=lambda c: c.position):
            marker = self.cite([c])
            self.lines.append(f"{lead + ' ' if lead else ''}{c.text} [{marker}]")
            self.lines.append("")

    def chunks(self, chunks: list[Chunk]) -> None:
        """Actions as a numbered list, other text as paragraphs, in the guide's order."""
        actions = [c for c in chunks if c.kind == KEY_ACTIONS]
        others = [c for c in chunks if c.kind != KEY_ACTIONS]
        purpose = [c for c in others if c.kind == PURPOSE]
        rest = [c for c in others if c.kind != PURPOSE]
        if purpose:
            self.paragraphs(purpose)
        if actions:
            self.text("Centrale handlinger:")
            self.actions(actions)
        if rest:
            watch = [c for c in rest if c.kind == WATCH_OUTS]
            if watch and actions:
                self.text("Vær opmærksom på:")
            self.paragraphs(rest)

    def answer(self, refused: bool = False) -> Answer:
        body = "\n".join(self.lines).strip()
        while "\n\n\n" in body:
            body = body.replace("\n\n\n", "\n\n")
        return Answer(body, refused, tuple(self.citations), focus=tuple(self.focus))


def _runs(actions: list[Chunk]) -> list[list[Chunk]]:
    runs: list[list[Chunk]] = []
    for c in actions:
        if runs and runs[-1][-1].number is not None and c.number == runs[-1][-1].number + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def group_by_place(chunks: list[Chunk]) -> dict[tuple, list[Chunk]]:
    groups: dict[tuple, list[Chunk]] = defaultdict(list)
    for c in chunks:
        groups[place_of(c)].append(c)
    return groups


def place_label(key: tuple, gmap: GuideMap, chunks: list[Chunk]) -> str:
    """'Ny idé › 4 Test og implementering', or the section's path outside the phases."""
    return phase_label(key, gmap) if len(key) == 2 else chunks[0].path
