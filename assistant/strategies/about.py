"""Questions about the guide itself: what it is, why, for whom, how to use it, who made it
(the introduction and colophon); how it is built (its tracks, their phases, what a phase holds,
how many); and which track fits a situation. Never refused.
"""

from __future__ import annotations

from assistant import select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap
from assistant.reading import Reading
from corpus.model import INTRO_TRACK, KIND_TITLES
from index.chunking import Chunk

INTENTS = ("guide", "structure", "which_track")
WHOLE_SECTION = 2  # a colophon entry or a two-paragraph section is quoted whole


def _foreword_item(guide: GuideMap, track: str) -> list[Chunk]:
    """The introduction's line about a track ("Ny idé: Sådan udvikler du … (5 faser)")."""
    name = guide.track_name(track)
    return [c for c in guide.chunks
            if c.track == INTRO_TRACK and c.text.startswith(name + ":")][:1]


def _phase_list(guide: GuideMap, track: str) -> str:
    return ", ".join(f"{n} {guide.title((track, n))}" for n in guide.phases(track))


def _tracks(draft: Draft, guide: GuideMap, tracks: list[str]) -> None:
    """Each track: the introduction's line about it and its own paragraph, and its phases."""
    for track in tracks:
        item = _foreword_item(guide, track)
        lead = draft.quote(item) if item else draft.heading(guide.track_name(track))
        draft.add_lead(lead)
        overview = guide.overview(track)
        text = f"{draft.quote(overview)} " if overview else ""
        draft.add(f"{text}Faser: {_phase_list(guide, track)}.", required=True)


def _which_track(r: Reading, guide: GuideMap) -> Answer:
    draft = Draft(guide, r.english)
    tracks = list(guide.tracks)
    if r.track_hint in tracks:  # the situation names it: that track first
        tracks.remove(r.track_hint)
        tracks.insert(0, r.track_hint)
    _tracks(draft, guide, tracks)
    return draft.answer()


def _structure(r: Reading, guide: GuideMap) -> Answer:
    draft = Draft(guide, r.english)
    if r.phases:
        for key in r.phases[:2]:
            actions = guide.actions(key)
            draft.add_lead(f"{draft.heading(guide.label(key))}: {len(actions)} centrale "
                           "handlinger.")
            draft.add(draft.action_list(actions, "Centrale handlinger"), required=True)
        return draft.answer()
    tracks = list(r.tracks) or list(guide.tracks)
    counts = ", ".join(f"{guide.track_name(t)} ({len(guide.phases(t))} faser)" for t in tracks)
    draft.add_lead(f"Guiden har {len(guide.tracks)} spor: {counts}. Hver fase har afsnittene "
                   + ", ".join(f"*{t}*" for t in KIND_TITLES.values()) + ".")
    _tracks(draft, guide, tracks)
    return draft.answer()


def _guide(r: Reading, guide: GuideMap) -> Answer | None:
    """The introduction's or colophon's section that answers: a short section whole, else its
    opening paragraph (which says what the section is about) and the passage that matched."""
    hits = r.evidence.ranked(select.mask(guide, intro=True))
    if not hits:
        return None
    top = hits[0]
    section = guide.place(select.best_places(hits)[0][0])
    if len(section) <= WHOLE_SECTION:
        chunks = section
    else:
        chunks = list(dict.fromkeys([section[0], top.chunk]))
    draft = Draft(guide, r.english)
    draft.add_lead(draft.quote(chunks[:1]))
    if len(chunks) > 1:
        draft.add(draft.quote(chunks[1:]))
    return draft.answer()


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    intent = reading.intent
    if intent not in INTENTS:
        return None
    if intent == "which_track":
        return _which_track(reading, guide)
    if intent == "structure" or (reading.counts and not reading.content):
        return _structure(reading, guide)
    return _guide(reading, guide)
