"""Questions the guide does not cover (assistant/scope.py decides, once): off topic gets a short
refusal; a detail the guide does not give (a price, a duration, a name, an article) gets
"Guiden angiver ikke …" with the nearest thing it does say.

A question asking for a detail is answered, not refused, when the passage it points at holds a
number (the udbud threshold of ca. 1,6 mio. kr.).
"""

from __future__ import annotations

from assistant import messages, select
from assistant.answer import Answer
from assistant.compose import Draft, message
from assistant.layout import GuideMap
from assistant.reading import Reading
from assistant.scope import Decision, decide
from assistant.tuning import TUNING


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    decision = reading.decision if isinstance(reading.decision, Decision) else decide(reading)
    top = select.nearest(reading, guide)
    has_number = top is not None and any(ch.isdigit() for ch in top.chunk.text)
    if not decision.refuse and (reading.detail is None or has_number):
        return None
    if decision.refuse and decision.kind != "near_domain" and reading.detail is None:
        return message(messages.NOT_COVERED, english=reading.english)
    if top is None or (top.lexical <= 0 and top.key < TUNING.related_key):
        return message(messages.NOT_COVERED, english=reading.english)
    draft = Draft(guide, reading.english)
    draft.add_lead(messages.DETAIL.format(what=reading.detail or messages.DETAIL_GENERIC))
    draft.add(draft.placed([top.chunk]), required=True)
    return draft.answer(refused=True)
