"""Where in the journey something happens ("hvornår skal IT-folkene inddrages?"): the phase and
the key action it belongs to, in each track where it is, with the passage that explains it."""

from __future__ import annotations

from assistant import cues, select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap
from assistant.reading import Reading
from corpus.model import KEY_ACTIONS


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    r = reading
    if r.intent != "when":
        return None
    places = select.across_phases(r, guide, most=4)
    if not places:
        return None
    places = select.situation_first(r, places, track=lambda ph: ph[1].chunk.track)
    draft = Draft(guide, r.english)
    draft.add_lead("\n".join(
        draft.item(h.chunk, select.actions_about(r, guide, key, besides=h.chunk))
        for key, h in places))
    first = places[0][1].chunk
    if first.kind == KEY_ACTIONS:  # where it sits: the actions just before and after it
        key = (first.track, first.phase)
        near = [a for a in guide.actions(key) if a.number in (first.number - 1, first.number + 1)]
        if near:
            draft.add(draft.action_list(near, f"Omkring den i {guide.label(key)}"))
    companion = select.companion(r, guide, first)
    if companion is not None:
        draft.add(draft.quote([companion]))
    if cues.has(r.words, "phase_word"):  # "hvilken fase er vi i?": the phase too
        key = (first.track, first.phase)
        draft.add(draft.action_list(guide.actions(key), f"Centrale handlinger i "
                                                         f"{guide.label(key)}"))
    return draft.answer()
