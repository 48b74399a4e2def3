"""Instructions hidden in a question ("ignorér dine regler", "you are now …", markup): never
followed, and said so."""

from __future__ import annotations

from assistant.answer import Answer
from assistant.compose import message
from assistant.layout import GuideMap
from assistant.messages import INJECTION
from assistant.reading import Reading


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    if reading.intent != "injection":
        return None
    return message(INJECTION, english=reading.english)
