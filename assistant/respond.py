"""Answering one question: read it once (assistant/reading.py), then let the strategies
(assistant/strategies/) answer it in their declared order."""

from __future__ import annotations

from dataclasses import replace

from assistant import strategies
from assistant.answer import Answer
from assistant.intents import LEXICAL, IntentModel, load_model, models_dir
from assistant.layout import GuideMap, PhaseKey
from assistant.reading import Reader, Reading
from assistant.retrieve import Retriever
from assistant.scope import ScopeModel, decide, load_scope


class Responder:
    def __init__(self, index, retriever: Retriever, model: IntentModel | None = None,
                 lexical_model: IntentModel | None = None, scope: ScopeModel | None = None):
        self.guide = GuideMap(index.chunks)
        self.scope = scope
        self.reader = Reader(index, retriever, self.guide, model)
        # Earlier turns are re-read without their vector (cheaply): with the words-only model.
        self.quick_reader = Reader(index, retriever, self.guide,
                                   lexical_model if model is None or model.uses_vectors
                                   else model)

    @classmethod
    def for_index(cls, index, retriever: Retriever, embedding_model: str) -> Responder:
        return cls(index, retriever, load_model(embedding_model), load_model(LEXICAL),
                   load_scope(embedding_model, models_dir()))

    def read(self, text: str, context: tuple[PhaseKey, ...] = (),
             semantic: bool = True, previous: str | None = None) -> Reading:
        reader = self.reader if semantic else self.quick_reader
        reading = reader.read(text, context, semantic, previous)
        scope = self.scope if semantic else None  # fitted on what the full reading sees
        return replace(reading, decision=decide(reading, scope))

    def answer(self, text: str, context: tuple[PhaseKey, ...] = (),
               semantic: bool = True, previous: str | None = None) -> Answer:
        return strategies.answer(self.read(text, context, semantic, previous), self.guide)
