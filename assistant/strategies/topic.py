"""Anything else the guide covers: the passages that answer it best.

The lead is the best passage (a key action with where it sits, or the paragraph itself); the
details are what explains it (an action's watch-out by the question's words, and the one the
question bank asks about with the action; a paragraph's action) and close second passages.
When the question names no track and the other track says about as much, its best passage is
given too: the same step often exists in both. An action that recurs in several
phases with the question's words (the business case) is listed in each.
"""

from __future__ import annotations

from assistant import select
from assistant.answer import Answer
from assistant.compose import Draft, message
from assistant.layout import GuideMap, place_of
from assistant.messages import NOT_COVERED
from assistant.reading import Reading
from corpus.model import KEY_ACTIONS, WATCH_OUTS
from index.chunking import Chunk


def _lead(draft: Draft, chunk: Chunk) -> str:
    return draft.quote([chunk]) if chunk.phase is None else draft.located(chunk)


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    r = reading
    allowed = select.where(r, guide)
    hits = r.evidence.ranked(allowed)
    # A track's own paragraph, or the introduction's line about it, only says what the track
    # is for (the about strategy answers that); a topic is answered from the phases or the
    # rest of the introduction.
    hits = [h for h in hits if not guide.describes_track(h.chunk)] or hits
    hits = select.of_kind(r, hits)
    if not hits:
        return message(NOT_COVERED, english=r.english)
    top = select.best(r, guide, hits)
    tops = [top]
    other = select.other_track(r, guide, top)
    if other is not None:
        tops.append(other)
    tops += [h for h in select.same_actions(r, guide, top, allowed)
             if place_of(h.chunk) not in {place_of(t.chunk) for t in tops}]
    draft = Draft(guide, r.english)
    if len(tops) > 2:  # the same step in several phases: a short list
        draft.add_lead("\n".join(f"- {draft.located(h.chunk)}" for h in tops))
    else:
        for hit in tops:
            draft.add_lead(_lead(draft, hit.chunk))
    shown = {h.chunk for h in tops}
    for hit in tops[:2]:
        extra: list[Chunk] = []
        companion = select.companion(r, guide, hit.chunk)
        if companion is not None:
            extra.append(companion)
        learned = guide.explains(hit.chunk) if hit.chunk.kind == KEY_ACTIONS else None
        if learned is not None and learned != companion:
            extra.append(learned)  # what the action is asked about with, beside the words
        most = 3
        if r.kind == WATCH_OUTS and hit.chunk.kind == WATCH_OUTS and not r.content_actions:
            # "faldgruber, når den skal testes?": what to watch out for there is the section
            # of the phase the situation describes, all of it
            section = guide.section((hit.chunk.track, hit.chunk.phase), WATCH_OUTS)
            extra += section
            most = len(section)
        extra += select.picked(hits, place_of(hit.chunk), hit)[:3]
        extra = [c for c in select.continued(guide, [hit.chunk, *extra])
                 if c not in shown][:most]
        shown |= set(extra)
        paragraphs = [c for c in extra if c.kind != KEY_ACTIONS]
        actions = [c for c in extra if c.kind == KEY_ACTIONS]
        if paragraphs:
            draft.add(draft.quote(paragraphs))
        if actions:
            draft.add(draft.action_names(actions))
    return draft.answer()
