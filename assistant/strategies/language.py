"""A question not written in Danish or English letters ("这本指南讲什么？", "Что такое …",
bare numbers such as "1234"): the guide's words cannot be matched to it, so say what the
assistant can read instead of guessing from a passage that happens to lie close."""

from __future__ import annotations

import unicodedata

from assistant.answer import Answer
from assistant.compose import message
from assistant.layout import GuideMap
from assistant.messages import UNREADABLE
from assistant.reading import Reading


def latin_share(text: str) -> float:
    """The share of the words with letters whose letters are Latin."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if not words:
        return 0.0
    latin = sum(all(unicodedata.name(ch, "").startswith("LATIN") for ch in w if ch.isalpha())
                for w in words)
    return latin / len(words)


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    if latin_share(reading.text) >= 0.5:
        return None
    return message(UNREADABLE)
