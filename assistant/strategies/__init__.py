"""Answer strategies: each module has `answer(reading, guide) -> Answer | None` and says in its
docstring which questions it answers. They are tried in the order of STRATEGIES and the first
answer wins, so a new strategy goes where its questions should be caught, and needs no other
module changed. Each is tested on its own on the fixture guides (tests/test_strategies.py).
"""

from __future__ import annotations

from assistant.answer import Answer
from assistant.layout import GuideMap
from assistant.reading import Reading
from assistant.strategies import (
    about,
    injection,
    language,
    missing,
    numbered,
    order,
    phase,
    refusal,
    steps,
    synthesis,
    task,
    topic,
    when,
)

STRATEGIES = (
    language,  # not Danish or English letters: say what can be read
    injection,  # instructions in the question: never followed
    missing,  # a phase, action or track the guide does not have
    task,  # "skriv …": declined, with what the guide says
    refusal,  # off topic, or a detail the guide does not give
    about,  # the guide itself: what, why, for whom, its structure, which track
    order,  # before/after an action, the next or previous phase, the first or last step
    numbered,  # a key action named by its number: where it sits and what explains it
    phase,  # a named phase as a whole, or one of its sections
    steps,  # the steps for a situation: the key actions of the phase it describes
    when,  # where in the journey something happens
    synthesis,  # a topic that runs through several phases
    topic,  # anything else the guide covers: the best passages
)


def answer(reading: Reading, guide: GuideMap) -> Answer:
    for strategy in STRATEGIES:
        result = strategy.answer(reading, guide)
        if result is not None:
            return result
    raise AssertionError("the topic strategy always answers")  # pragma: no cover
