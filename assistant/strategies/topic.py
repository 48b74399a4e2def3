"""Anything else the guide covers: the passages that answer it best.

The lead is the best passage (a key action with where it sits, or the paragraph itself); the
details are what explains it (an action's watch-out, a paragraph's action) and a close second
passage. When the question names no track and the other track says about as much, its best
passage is given too: the same step often exists in both.
"""

from __future__ import annotations

from assistant import select
from assistant.answer import Answer
from assistant.compose import Draft, message
from assistant.layout import GuideMap, place_of
from assistant.messages import NOT_COVERED
from assistant.reading import Reading
from corpus.model import KEY_ACTIONS
from index.chunking import Chunk


def _lead(draft: Draft, chunk: Chunk) -> str:
    if chunk.phase is None:
        return draft.quote([chunk])
    return draft.located(chunk)


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    r = reading
    hits = r.evidence.ranked(select.where(r, guide))
    # A track's own paragraph only says what the track is for (the about strategy answers
    # that); a topic is answered from the phases or the introduction.
    hits = [h for h in hits if not select.is_overview(h.chunk)] or hits
    hits = select.of_kind(r, hits)
    if not hits:
        return message(NOT_COVERED, english=r.english)
    top = select.best(r, guide, hits)
    draft = Draft(guide, r.english)
    tops = [top]
    other = select.other_track(r, guide, top)
    if other is not None:
        tops.append(other)
    for hit in tops:
        draft.add_lead(_lead(draft, hit.chunk))
    for hit in tops:
        extra: list[Chunk] = [c for c in select.picked(hits, place_of(hit.chunk), hit)
                              if c not in (h.chunk for h in tops)][:2]
        companion = select.companion(r, guide, hit.chunk)
        if companion is not None and companion not in extra:
            extra.insert(0, companion)
        paragraphs = [c for c in extra if c.kind != KEY_ACTIONS]
        actions = [c for c in extra if c.kind == KEY_ACTIONS]
        if paragraphs:
            draft.add(draft.quote(paragraphs))
        if actions:
            draft.add(draft.action_names(actions))
        if hit.chunk.phase is None:
            following = guide.following(hit.chunk)
            if following is not None:
                draft.add(draft.quote([following]))
    return draft.answer()
