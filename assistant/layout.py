"""The guide's layout as the answers need it, read back from the index's chunks.

Tracks and their names, phases and their titles, each phase's sections and ordered key actions,
the introduction's sections: all of it comes from the chunks (which come from the parsed guide), so
the answers, the index and the guide can never disagree, and a guide of another shape works the
same. Looking a place up costs the same at any guide size.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cached_property

import numpy as np

from corpus.model import (
    COLOPHON,
    INTRO,
    INTRO_TRACK,
    KEY_ACTIONS,
    PATH_SEPARATOR,
    PURPOSE,
    phase_heading,
)
from index.chunking import Chunk

PhaseKey = tuple[str, int]
Place = tuple  # (track, phase) inside a phase; (track, None, section title) outside


def place_of(chunk: Chunk) -> Place:
    """(track, phase) for a phase's chunk; (track, None, section) outside the phases."""
    return (chunk.track, chunk.phase) if chunk.phase is not None else \
        (chunk.track, None, chunk.section)


MARK_BEFORE = "'\"*«(‘“„_"
MARK_AFTER = "'\"*»)’”_"
LIST_ITEM_RE = re.compile(r"(?:^|\s)(?:\d+[.)]|[-•*])\s*$")  # "… 2. " before an item
LIST_NEXT_RE = re.compile(r"(?:,|\s+(?:og|and|or|eller)\s|\.|;|$)")  # what follows an item


def _set_off(text: str, start: int, length: int) -> bool:
    """The words at `start` are set off as a name: quoted, in italics or brackets, or a list
    item of their own ("1. Afdæk markedet")."""
    before = text[start - 1] if start else ""
    after = text[start + length] if start + length < len(text) else ""
    listed = text[max(0, start - 2):start] in (", ", ": ") and bool(
        LIST_NEXT_RE.match(text[start + length:]))  # "… er: A, B og C."
    return bool(before) and before in MARK_BEFORE or bool(after) and after in MARK_AFTER \
        or not text[:start].strip() or bool(LIST_ITEM_RE.search(text[:start])) or listed


def _plain(text: str) -> str:
    """Lower-case, with single spaces: how a title is looked for in an answer."""
    from index.lexical import normalize

    return " ".join(normalize(text).split())


class GuideMap:
    def __init__(self, chunks: tuple[Chunk, ...], explains: dict[str, str] | None = None):
        self.chunks = chunks
        # Key action id → the id of the watch-out that explains it, learned from the question
        # bank (assistant/companions.py); empty without a bank.
        self._explains = explains or {}
        self.position = {c.id: i for i, c in enumerate(chunks)}
        self._sections: dict[tuple[str, int | None, str], list[Chunk]] = defaultdict(list)
        self._places: dict[Place, list[Chunk]] = defaultdict(list)
        self._titles: dict[PhaseKey, str] = {}
        self._after: dict[tuple[str, int], Chunk] = {}
        self._track_names: dict[str, str] = {}
        for c in sorted(chunks, key=lambda c: c.position):
            self._sections[(c.track, c.phase, c.kind)].append(c)
            self._places[place_of(c)].append(c)
            if c.phase is not None and c.phase_title:
                self._titles[(c.track, c.phase)] = c.phase_title
            if c.position:
                self._after[(c.path, c.position - 1)] = c
        for c in chunks:  # in the guide's order
            if c.track != INTRO_TRACK:
                self._track_names.setdefault(c.track, c.track_name)
        self.tracks: tuple[str, ...] = tuple(self._track_names)
        self._phases = {t: sorted(n for tt, n in self._titles if tt == t) for t in self.tracks}
        self.key_actions = tuple(c for c in chunks if c.kind == KEY_ACTIONS)
        # Per chunk, as arrays: a part of the guide is selected in one vectorised step.
        self.track_of = np.array([c.track for c in chunks])
        self.place_of = np.array([f"{c.track}:{c.phase}" for c in chunks])
        self.kind_of = np.array([c.kind for c in chunks])
        self.in_phase = np.array([c.phase is not None for c in chunks], dtype=bool)
        self.intro_sections: tuple[str, ...] = tuple(dict.fromkeys(
            c.section for c in chunks if c.track == INTRO_TRACK))

    # ---- tracks and phases ---------------------------------------------------------------

    def track_name(self, track: str) -> str:
        return self._track_names.get(track, track)

    def phases(self, track: str) -> list[int]:
        return self._phases.get(track, [])

    def phase_keys(self) -> list[PhaseKey]:
        return [(t, n) for t in self.tracks for n in self.phases(t)]

    def has_phase(self, key: PhaseKey) -> bool:
        return key in self._titles

    def title(self, key: PhaseKey) -> str:
        return self._titles.get(key, "")

    def label(self, key: PhaseKey) -> str:
        """'Ny idé › 4 Test og implementering'."""
        return f"{self.track_name(key[0])}{PATH_SEPARATOR}{key[1]} {self.title(key)}"

    def heading(self, key: PhaseKey) -> str:
        """'Fase 4: Test og implementering': the phase's heading in the guide."""
        return phase_heading(key[1], self.title(key))

    def neighbour(self, key: PhaseKey, step: int) -> PhaseKey | None:
        target = (key[0], key[1] + step)
        return target if self.has_phase(target) else None

    def parallel(self, key: PhaseKey) -> list[PhaseKey]:
        """The other tracks' phases with the same title: the same step in another track."""
        return [k for k in self.phase_keys() if k[0] != key[0] and self.title(k) == self.title(key)]

    # ---- sections and blocks -------------------------------------------------------------

    def section(self, key: PhaseKey, kind: str) -> list[Chunk]:
        return list(self._sections.get((key[0], key[1], kind), ()))

    def actions(self, key: PhaseKey) -> list[Chunk]:
        return self.section(key, KEY_ACTIONS)

    def action(self, key: PhaseKey, number: int) -> Chunk | None:
        return next((c for c in self.actions(key) if c.number == number), None)

    def purpose(self, key: PhaseKey) -> list[Chunk]:
        return self.section(key, PURPOSE)

    def place(self, key: Place) -> list[Chunk]:
        """All chunks of a phase, or of a section outside the phases."""
        return list(self._places.get(key, ()))

    def overview(self, track: str) -> list[Chunk]:
        """The paragraphs under the track's heading, before its first phase."""
        return [c for c in self._sections.get((track, None, INTRO), ())]

    @cached_property
    def _track_lines(self) -> dict[str, list[Chunk]]:
        return {t: [c for c in self.chunks if c.track == INTRO_TRACK
                    and c.text.startswith(self.track_name(t) + ":")][:1] for t in self.tracks}

    def track_line(self, track: str) -> list[Chunk]:
        """The introduction's line about a track ("Ny idé: Sådan udvikler du … (5 faser)")."""
        return self._track_lines.get(track, [])

    def describes_track(self, chunk: Chunk) -> bool:
        """A track's own paragraph, or the introduction's line about it: what the track is for,
        not what happens in it."""
        if chunk.track != INTRO_TRACK:
            return chunk.phase is None
        return any(chunk in lines for lines in self._track_lines.values())

    def intro(self, section: str) -> list[Chunk]:
        return self.place((INTRO_TRACK, None, section))

    def colophon(self) -> list[Chunk]:
        return [c for c in self.chunks if c.kind == COLOPHON]

    def actions_in(self, text: str, context: tuple[PhaseKey, ...] = (),
                   marked: bool = False) -> tuple[Chunk, ...]:
        """The key actions whose titles `text` (an answer the asker has read) holds, in the
        order it names them: what "den", "den første af dem" can point at. A title found
        inside a longer one counts once; a title in several phases is the one in `context`,
        else in a track of `context`, else the first. `marked`: only titles set off as a
        name (quoted, in italics, in brackets or as a list item), not words of a sentence
        ("dokumentation til MDR-godkendelse og CE-mærkning")."""
        said = _plain(text)
        found: list[tuple[int, int, Chunk]] = []
        tracks = {t for t, _ in context}
        for title, chunks in self._action_titles.items():
            start = said.find(title)
            if not title or start < 0 or (marked and not _set_off(said, start, len(title))):
                continue
            best = [c for c in chunks if (c.track, c.phase) in context] or \
                [c for c in chunks if c.track in tracks] or chunks
            found.append((start, start + len(title), best[0]))
        kept = [f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and o != f
                                            for o in found)]
        return tuple(c for _, _, c in sorted(kept, key=lambda f: f[0]))

    def listed(self, text: str, context: tuple[PhaseKey, ...] = ()
               ) -> tuple[tuple[PhaseKey, ...], tuple[str, ...]]:
        """(the phases, the tracks) whose titles and names `text` (an answer the asker has
        read) holds, each in the order it names them: what "den første af dem" can pick when
        the answer listed phases or tracks rather than key actions. A title several tracks
        share is the one in a track `text` or `context` names, else the first."""
        said = _plain(text)
        tracks = sorted((said.find(_plain(self.track_name(t))), t) for t in self.tracks)
        named = tuple(t for at, t in tracks if at >= 0)
        in_view = set(named) | {t for t, _ in context}
        found: dict[int, PhaseKey] = {}
        for title in dict.fromkeys(self._titles.values()):
            # as a word of its own: "Udvikling" is no title inside "Idéudvikling"
            hit = re.search(rf"(?<!\w){re.escape(_plain(title))}(?!\w)", said) if title \
                else None
            if hit is None:
                continue
            at = hit.start()
            keys = [k for k, t in self._titles.items() if t == title]
            found.setdefault(at, ([k for k in keys if k[0] in in_view] or keys)[0])
        kept = [found[at] for at in sorted(found)
                if not any(o < at < o + len(self._titles[found[o]]) for o in found)]
        return tuple(dict.fromkeys(kept)), named

    @cached_property
    def _action_titles(self) -> dict[str, list[Chunk]]:
        """Each key action title, lower-cased and spaced as `actions_in` searches, with the
        actions of that title (the same step can be in several phases)."""
        out: dict[str, list[Chunk]] = defaultdict(list)
        for c in self.key_actions:
            out[_plain(c.text)].append(c)
        return dict(out)

    def explains(self, action: Chunk) -> Chunk | None:
        """The watch-out of its phase that people ask about together with this key action."""
        chunk_id = self._explains.get(action.id)
        return self.chunks[self.position[chunk_id]] if chunk_id in self.position else None

    def whole_phase(self, actions: tuple[Chunk, ...]) -> bool:
        """`actions` are every key action of one phase: a phase listed, not steps picked."""
        keys = {(c.track, c.phase) for c in actions}
        return len(keys) == 1 and set(actions) == set(self.actions(next(iter(keys))))

    def following(self, chunk: Chunk) -> Chunk | None:
        """The next block of the same section."""
        return self._after.get((chunk.path, chunk.position))
