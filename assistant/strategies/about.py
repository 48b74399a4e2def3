"""Questions about the guide itself: what it is, why, for whom, how to use it, who made it
(the introduction and colophon); how it is built (its tracks, their phases, what a phase holds,
how many), and a track named alone; and which track fits a situation. Never refused.
"""

from __future__ import annotations

from assistant import cues, select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap, place_of
from assistant.reading import Reading
from assistant.tuning import TUNING
from corpus.model import KIND_TITLES, WATCH_OUTS

INTENTS = ("guide", "structure", "which_track")
WHOLE_SECTION = 2  # a colophon entry or a two-paragraph section is quoted whole


def _phase_list(guide: GuideMap, track: str) -> str:
    return ", ".join(f"{n} {guide.title((track, n))}" for n in guide.phases(track))


def _track(draft: Draft, guide: GuideMap, track: str, lead: bool, brief: bool = False,
           phases: bool = True) -> None:
    """A track: the introduction's line about it, its own paragraph (unless `brief`) and its
    phases (unless `phases` is False: the lead has listed them)."""
    item = guide.track_line(track)
    overview = [] if brief and item else guide.overview(track)
    parts = [draft.quote(item) if item else draft.heading(guide.track_name(track))]
    parts += [draft.quote(overview)] if overview else []
    parts += [f"Faser: {_phase_list(guide, track)}."] if phases and not brief else []
    if lead:
        draft.add_lead("\n\n".join(parts))
    else:
        draft.add("\n\n".join(parts), required=True)


def _fitting_track(r: Reading, guide: GuideMap) -> str | None:
    """The track the situation describes: implied (the model), or the one whose own words
    (its line in the introduction, its paragraph) the question matches best. None when the
    question names the tracks to compare them."""
    if len(r.mentions.tracks) > 1:
        return None
    if r.track_hint in guide.tracks:
        return r.track_hint
    hits = r.evidence.ranked(select.mask(guide, in_phases=False))
    for hit in hits[:3]:
        c = hit.chunk
        if c.track in guide.tracks and c.phase is None and hit.lexical > 0:
            return c.track
        named = [t for t in guide.tracks if c.text.startswith(guide.track_name(t) + ":")]
        if named and hit.lexical > 0:
            return named[0]
    return None


def _which_track(r: Reading, guide: GuideMap) -> Answer:
    draft = Draft(guide, r.english)
    tracks = list(guide.tracks)
    fitting = _fitting_track(r, guide)
    if fitting is not None:  # the situation names it: that track first
        tracks.remove(fitting)
        tracks.insert(0, fitting)
    for i, track in enumerate(tracks):
        lead = i == 0 or fitting is None
        _track(draft, guide, track, lead=lead, brief=not lead)
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
    sections = ", ".join(f"*{t}*" for t in KIND_TITLES.values())
    if r.tracks:
        for track in r.tracks:
            draft.add_lead(f"{guide.track_name(track)} har {len(guide.phases(track))} faser: "
                           f"{_phase_list(guide, track)}.")
            _track(draft, guide, track, lead=False, phases=False)
        return draft.answer()
    counts = ", ".join(f"{guide.track_name(t)} ({len(guide.phases(t))} faser)"
                       for t in guide.tracks)
    draft.add_lead(f"Guiden har {len(guide.tracks)} spor: {counts}. Hver fase har afsnittene "
                   f"{sections}.")
    if cues.has(r.words, "sections_word"):  # "hvilke afsnit …": show one phase
        first = guide.phase_keys()[0]
        draft.add(f"Fx {guide.label(first)}:\n\n"
                  + draft.blocks(guide.purpose(first) + guide.actions(first)
                                 + guide.section(first, WATCH_OUTS)[:1]), required=True)
        return draft.answer()
    for track in guide.tracks:
        _track(draft, guide, track, lead=False)
    return draft.answer()


def _guide(r: Reading, guide: GuideMap) -> Answer | None:
    """The sections of the introduction and colophon that answer: the best one first (a short
    section whole, else the passages of it that matched about as well as the best, in the
    guide's order), then any other section that matched about as well ("hvem står bag?" is both
    the editors and the publisher)."""
    hits = r.evidence.ranked(select.mask(guide, intro=True))
    if not hits:
        return None
    close = [h for h in hits if h.score >= TUNING.second_place_ratio * hits[0].score]
    places = select.best_places(close)[:TUNING.guide_sections]
    if cues.has(r.words, "audience"):
        # "hvem er den skrevet til?" is asked like "hvem har skrevet den?": the section on
        # whom the guide is for answers, whatever came closest.
        word = cues.section_word("audience")
        asked = [h for h in hits if word in (h.chunk.section or "").lower()]
        if asked:
            places = select.best_places(asked)[:1]
            close += [asked[0]]
    draft = Draft(guide, r.english)
    for i, (place, _) in enumerate(places):
        section = guide.place(place)
        chunks = section if len(section) <= WHOLE_SECTION else sorted(
            (h.chunk for h in close if place_of(h.chunk) == place),
            key=lambda c: c.position)
        if i == 0:
            draft.add_lead(draft.quote(chunks[:1]))
            if len(chunks) > 1:
                draft.add(draft.quote(chunks[1:]))
        else:
            draft.add(draft.quote(chunks))
    return draft.answer()


def _track_alone(r: Reading) -> bool:
    """"Hvad handler Færdigt produkt om?", "hvad dækker Ny idé?": a track named, no phase, and
    nothing asked of it beyond what it is (no words of its own, no section, order or time)."""
    return bool(r.mentions.tracks) and not r.phases and not r.content and not r.order \
        and not r.when and not r.mentions.kinds and not r.all_tracks and not r.other_track \
        and r.intent in ("phase", "purpose", "actions", "topic", "structure")


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    intent = reading.intent
    if _track_alone(reading):
        return _structure(reading, guide)
    if intent not in INTENTS or (reading.phases and not reading.counts):
        return None  # a named phase is the phase strategy's
    if intent == "which_track":
        return _which_track(reading, guide)
    if intent == "structure" or (reading.counts and not reading.content):
        return _structure(reading, guide)
    return _guide(reading, guide)
