"""A key action named by its number ("hvad er den 2. centrale handling i Udvikling?", "den
anden centrale handling der, hvad indebærer den?"): where it sits, and the watch-out that
explains it. A numbered action the guide does not have is the missing strategy's.
"""

from __future__ import annotations

from assistant import select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap
from assistant.reading import Reading

INTENTS = ("actions", "topic", "phase", "purpose", "order")


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    r = reading
    named = [c for c in (guide.action((t, p), n) for t, p, n in r.mentions.actions)
             if c is not None]
    if not named or r.intent not in INTENTS or r.order is not None:
        return None
    draft = Draft(guide, r.english)
    for action in named[:len(guide.tracks)]:
        draft.add_lead(draft.located(action))
        explains = select.companion(r, guide, action)
        if explains is not None:
            draft.add(draft.quote([explains]))
    return draft.answer()
