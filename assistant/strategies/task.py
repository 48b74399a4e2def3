"""A request to produce something ("skriv en projektbeskrivelse", "translate this", code):
declined, followed by what the guide says about the subject, so the user still gets its words."""

from __future__ import annotations

from assistant import messages, select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap
from assistant.reading import Reading
from assistant.tuning import TUNING
from index.lexical import tokens


def _what(text: str) -> str:
    for word in tokens(text):
        for verb, what in messages.TASK_OBJECTS.items():
            if word.startswith(verb):
                return what
    return messages.TASK_DEFAULT


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    floor = TUNING.task_cue_floor if reading.task_request else TUNING.task_floor
    if reading.p("task") < floor or not reading.may_be_task \
            or reading.intent in ("injection", "missing_structure"):
        return None
    draft = Draft(guide, reading.english)
    draft.add_lead(messages.TASK.format(what=_what(reading.text)))
    top = select.nearest(reading, guide)
    if top is not None and (top.lexical > 0 or top.key > TUNING.related_key):
        chunks = [top.chunk]
        extra = select.companion(reading, guide, top.chunk)
        chunks += [extra] if extra is not None else []
        draft.add(f"{messages.TASK_NEAREST}\n\n{draft.placed(chunks)}", required=True)
    return draft.answer(refused=True)
