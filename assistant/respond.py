"""Answering one question: read it once (assistant/reading.py), then let the strategies
(assistant/strategies/) answer it in their declared order."""

from __future__ import annotations

from dataclasses import replace

from assistant import cues, strategies
from assistant.answer import Answer
from assistant.companions import explains
from assistant.intents import LEXICAL, IntentModel, load_model, models_dir
from assistant.layout import GuideMap, PhaseKey
from assistant.reading import Reader, Reading
from assistant.retrieve import Retriever
from assistant.scope import ScopeModel, decide, load_scope

# What a question about the guide itself asks ("hvem står bag?", "hvem er den skrevet til?").
GUIDE_INTENTS = ("guide",)
# What a question about a subject asks: these can be asked again of another track.
TOPICAL = ("phase", "purpose", "actions", "watch_outs", "topic", "when", "order", "synthesis")


class Responder:
    def __init__(self, index, retriever: Retriever, model: IntentModel | None = None,
                 lexical_model: IntentModel | None = None, scope: ScopeModel | None = None):
        self.guide = GuideMap(index.chunks, explains(
            index.chunks, [k.chunks for k in index.keys], index.key_vectors)
            if len(index.keys) else None)
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
             semantic: bool = True, previous: str | None = None,
             shown: str | None = None) -> Reading:
        reader = self.reader if semantic else self.quick_reader
        reading = reader.read(text, context, semantic, previous, shown)
        if cues.has(reading.words, "new_topic"):
            previous = None  # "Noget helt andet: …": nothing before it is asked again
        if reading.other_track and not reading.content and previous:
            reading = self._in_other_track(reader, reading, previous, semantic)
        elif (reading.elliptic or reading.thing_in_place) and previous:
            reading = self._in_named_place(reader, reading, previous, semantic)
        elif reading.pointed is not None and not reading.target_actions \
                and reading.intent != "order" and (reading.picked or (
                    not reading.content and cues.has(reading.words, "thing_pointer"))):
            # "hvad indebærer den?", "den anden af dem – …" (not "… der?": the phase)
            reading = self._about_pointed(reader, reading, semantic, previous)
        elif reading.elaborates and previous:
            reading = self._asked_again(reader, reading, previous, semantic)
        if previous and not reading.context and reading.intent not in GUIDE_INTENTS \
                and not reading.mentions.phases and not reading.mentions.tracks \
                and cues.has(reading.words, "thing_pointer") \
                and self.quick_reader.read(previous, (), False).intent in GUIDE_INTENTS:
            # "Hvem har udgivet guiden?" – "og har nogen givet penge til den?": still the guide.
            reading = replace(reading, intent="guide", follow_up=True)
        scope = self.scope if semantic else None  # fitted on what the full reading sees
        return replace(reading, decision=decide(reading, scope))

    def _in_other_track(self, reader: Reader, reading: Reading, previous: str,
                        semantic: bool) -> Reading:
        """"og i det andet spor?": the last question again, asked of the tracks the
        conversation was not about (its phases moved to their parallels there)."""
        asked = reader.read(previous, (), semantic)
        was = {t for t, _ in reading.context} | set(asked.tracks)
        others = tuple(t for t in self.guide.tracks if t not in was)
        if not others or asked.intent not in TOPICAL:
            return reading
        phases = tuple(p for key in asked.mentions.phases for p in self.guide.parallel(key)
                       if p[0] in others)
        mentions = replace(asked.mentions, tracks=others, phases=phases)
        return _as_this_turn(asked, reading, mentions=mentions, phases=phases, track_hint=None,
                             other_track=True)

    def _in_named_place(self, reader: Reader, reading: Reading, previous: str,
                        semantic: bool) -> Reading:
        """"og i fase 3?" after "business case fase 1": the last question again, asked of the
        place this turn names (a track named alone: the parallels of the phases asked about)."""
        asked = reader.read(previous, (), semantic)
        if asked.intent not in TOPICAL:
            return reading
        named = reading.mentions
        phases = reading.phases if named.phases else tuple(
            p for key in asked.mentions.phases for p in self.guide.parallel(key)
            if p[0] in named.tracks)
        mentions = replace(asked.mentions, tracks=named.tracks, phases=phases)
        return _as_this_turn(asked, reading, mentions=mentions, phases=phases or reading.phases,
                             track_hint=None)

    def _asked_again(self, reader: Reader, reading: Reading, previous: str,
                     semantic: bool) -> Reading:
        """"hvad betyder det i praksis?": the last question again, where the conversation is."""
        asked = reader.read(previous, reading.context, semantic)
        if asked.intent not in TOPICAL:
            return reading
        return _as_this_turn(asked, reading)

    def _about_pointed(self, reader: Reader, reading: Reading, semantic: bool,
                       previous: str | None) -> Reading:
        """"Hvad skal vi være opmærksomme på ved den?", "den sidste af dem, hvad går den ud
        på?": the turn asked about the key action the last answer named, in its phase."""
        action = reading.pointed
        key = (action.track, action.phase)
        about = reader.read(f"{reading.text} {action.text}", (key,), semantic, previous)
        # What it is about is that one step, not its phase's list nor the order of steps.
        intent = "topic" if about.intent in ("actions", "phase", "order") else about.intent
        mentions = replace(about.mentions, tracks=(action.track,))
        return _as_this_turn(about, reading, intent=intent, order=None, mentions=mentions,
                             phases=(key,), pointed=action, picked=reading.picked)

    def answer(self, text: str, context: tuple[PhaseKey, ...] = (),
               semantic: bool = True, previous: str | None = None,
               shown: str | None = None) -> Answer:
        """`shown`: the last answer the asker read, for what "den" points at."""
        return strategies.answer(self.read(text, context, semantic, previous, shown),
                                 self.guide)


def _as_this_turn(asked: Reading, turn: Reading, **changes) -> Reading:
    """An earlier question's reading (or one written for this turn) standing for this turn: its
    text, language, words and conversation, a follow-up."""
    return replace(asked, text=turn.text, english=turn.english, follow_up=True,
                   context=turn.context, words=turn.words, **changes)
