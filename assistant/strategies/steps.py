"""The steps for a situation ("Vores model er færdigtrænet. Hvad er de konkrete skridt nu, når
den skal testes?", "Which step are we at? …"): a question about the steps now that names no
phase and no order, where the model reads it as asking for actions or their order. The phase
the situation describes (where its best passage is) is named, with its key actions and the
watch-out that explains the action the situation is closest to.
"""

from __future__ import annotations

from assistant import cues, select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap
from assistant.reading import Reading
from corpus.model import KEY_ACTIONS

ASKS = ("actions", "order")  # what the model must read the question as, likeliest first


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    r = reading
    if r.phases or r.order is not None or r.mentions.ordinal_action \
            or r.follow_up or not r.intents or r.intents[0][0] not in ASKS \
            or r.intent not in ("actions", "topic") or not cues.has(r.words, "action_word") \
            or not cues.has(r.words, "now"):
        return None
    hits = [h for h in r.evidence.ranked(select.where(r, guide)) if h.chunk.phase is not None]
    if not hits:
        return None
    key = (hits[0].chunk.track, hits[0].chunk.phase)
    draft = Draft(guide, r.english)
    draft.add_lead(f"Det hører til {guide.label(key)}.")
    draft.add_lead(draft.action_list(guide.actions(key), "Centrale handlinger"))
    closest = next((h.chunk for h in hits if h.chunk.kind == KEY_ACTIONS
                    and (h.chunk.track, h.chunk.phase) == key), None)
    if closest is not None:
        explains = select.companion(r, guide, closest)
        if explains is not None:
            draft.add(draft.quote([explains]))
    return draft.answer()
