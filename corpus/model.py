"""The guide's structure as frozen values: tracks, phases, sections and their blocks.

The shape (which tracks, their names, how many phases, their titles and key actions) is read from
the parsed guide, never written down here: only the source format's fixed parts are (section kinds
and their headings, the introduction and colophon parts).
"""

from __future__ import annotations

from dataclasses import dataclass

# The parts of the source that are not tracks.
INTRO_TRACK = "intro"
INTRO_NAME = "Introduktion"
COLOPHON_NAME = "Kolofon"

# Section kinds, in the order they appear within a phase.
PURPOSE = "purpose"
KEY_ACTIONS = "key_actions"
WATCH_OUTS = "watch_outs"
INTRO = "intro"
COLOPHON = "colophon"

KIND_TITLES = {
    PURPOSE: "Formål",
    KEY_ACTIONS: "Centrale handlinger",
    WATCH_OUTS: "Vær opmærksom på",
}
KIND_BY_TITLE = {title: kind for kind, title in KIND_TITLES.items()}

PATH_SEPARATOR = " › "


def phase_heading(number: int, title: str) -> str:
    """A phase's heading as the guide writes it ("Fase 3: Udvikling"; corpus/parse.py reads
    it with PHASE_RE)."""
    return f"Fase {number}: {title}"

ATTRIBUTION = (
    "Kilde: AI-rejsen — Din guide til udvikling og implementering af AI-produkter i "
    "sundhedsvæsenet (pixi-udgave). Redaktion: Marianne Johansson Jørgensen og Morten Larsen. "
    "Udgiver: Forskningsenheden ved Regionshospitalet Horsens i samarbejde med Danish Life "
    "Science Cluster. Gengivelse er tilladt med kildeangivelse. www.ai-rejsen.dk"
)


@dataclass(frozen=True)
class Block:
    """One paragraph, or one list item (with its 1-based number if the list is ordered)."""

    text: str
    is_item: bool = False
    number: int | None = None


@dataclass(frozen=True)
class Section:
    """A titled part: a phase's purpose, key actions or watch-outs, or an introduction text."""

    track: str
    phase: int | None
    phase_title: str | None
    kind: str
    title: str
    blocks: tuple[Block, ...]
    track_name: str = INTRO_NAME

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if not b.is_item)

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if b.is_item)

    @property
    def path(self) -> str:
        return section_path(self.track_name, self.phase, self.phase_title, self.title, self.kind)

    @property
    def text(self) -> str:
        lines = []
        for b in self.blocks:
            prefix = f"{b.number}. " if b.number else ("- " if b.is_item else "")
            lines.append(prefix + b.text)
        return "\n".join(lines)


@dataclass(frozen=True)
class Phase:
    track: str
    number: int
    title: str
    purpose: Section
    key_actions: Section
    watch_outs: Section

    @property
    def track_name(self) -> str:
        return self.purpose.track_name

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def path(self) -> str:
        return f"{self.track_name}{PATH_SEPARATOR}{self.label}"

    @property
    def sections(self) -> tuple[Section, ...]:
        return (self.purpose, self.key_actions, self.watch_outs)


@dataclass(frozen=True)
class Track:
    """A route through the guide: its id, its name and the paragraph under its heading."""

    id: str
    name: str
    overview: tuple[str, ...]  # the paragraphs before its first phase


@dataclass(frozen=True)
class Guide:
    sections: tuple[Section, ...]

    @property
    def tracks(self) -> tuple[Track, ...]:
        """The tracks with phases, in the guide's order."""
        seen: dict[str, Track] = {}
        for s in self.sections:
            if s.track == INTRO_TRACK or s.track in seen:
                continue
            overview = next((o.paragraphs for o in self.sections
                             if o.track == s.track and o.phase is None), ())
            seen[s.track] = Track(s.track, s.track_name, overview)
        return tuple(seen.values())

    def track(self, track_id: str) -> Track | None:
        return next((t for t in self.tracks if t.id == track_id), None)

    def track_name(self, track_id: str) -> str:
        track = self.track(track_id)
        return track.name if track else INTRO_NAME

    def phases(self, track: str | None = None) -> tuple[Phase, ...]:
        found: dict[tuple[str, int], dict[str, Section]] = {}
        for s in self.sections:
            if s.phase is not None and (track is None or s.track == track):
                found.setdefault((s.track, s.phase), {})[s.kind] = s
        return tuple(
            Phase(t, n, kinds[PURPOSE].phase_title or "", kinds[PURPOSE], kinds[KEY_ACTIONS],
                  kinds[WATCH_OUTS])
            for (t, n), kinds in found.items()
        )

    def phase(self, track: str, number: int) -> Phase | None:
        return next((p for p in self.phases(track) if p.number == number), None)

    def parallel_phase(self, track: str, number: int) -> Phase | None:
        """The other track's phase with the same title (the same step in both tracks)."""
        here = self.phase(track, number)
        if here is None:
            return None
        return next((p for p in self.phases() if p.track != track and p.title == here.title), None)


def section_path(track_name: str, phase: int | None, phase_title: str | None, title: str,
                 kind: str) -> str:
    """A readable path: 'Ny idé › 4 Test og implementering › Centrale handlinger'."""
    if kind == COLOPHON:
        return f"{COLOPHON_NAME}{PATH_SEPARATOR}{title}"
    parts = [track_name]
    if phase is not None:
        parts.append(f"{phase} {phase_title}")
    parts.append(title)
    return PATH_SEPARATOR.join(parts)
