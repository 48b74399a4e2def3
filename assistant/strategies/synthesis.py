"""A topic that runs through the journey ("hvilke aftaler skal vi indgå undervejs?", "hvor
dukker business casen op?"): a short list across the phases where the guide speaks of it, each
item cited: the passage that speaks of it, and the key actions of that phase that do.
"""

from __future__ import annotations

from assistant import select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap
from assistant.reading import Reading
from assistant.tuning import TUNING
from corpus.model import KEY_ACTIONS


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    r = reading
    if r.intent != "synthesis":
        return None
    places = select.across_phases(r, guide, most=6)
    if len(places) < TUNING.synthesis_min_places:
        return None
    draft = Draft(guide, r.english)
    draft.add_lead("\n".join(
        draft.item(h.chunk, select.actions_about(r, guide, key, most=TUNING.synthesis_actions,
                                                 besides=h.chunk))
        for key, h in places))
    # What the steps listed involve: the watch-out that explains each, while the answer is short.
    for explaining in dict.fromkeys(guide.explains(h.chunk) for _, h in places
                                    if h.chunk.kind == KEY_ACTIONS):
        if explaining is not None:
            draft.add(draft.quote([explaining]))
    return draft.answer()
