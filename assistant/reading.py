"""Read a question once, into a frozen Reading that every strategy answers from.

A Reading holds what the question names in the guide (assistant/mentions.py), how it asks
(assistant/cues.py), what it asks for and which track its situation implies (the intent model,
assistant/intents.py), whether it continues the conversation, how much of it the guide knows, and
the retrieval evidence over every chunk. Computed once; strategies only look at it.

Conversation: a turn is a follow-up only when it points back ("der", "den fase", "og hvad med …?",
"næste") or has no content of its own; then the phases the conversation was about stand in for the
places it does not name. A new topic in the middle of a conversation is read as on a fresh page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from assistant import cues
from assistant.intents import IntentModel
from assistant.layout import GuideMap, PhaseKey
from assistant.mentions import MentionReader, Mentions, capitalised, compound_head
from assistant.retrieve import Evidence, Retriever
from assistant.tuning import TUNING
from corpus.bank import OUT_OF_SCOPE_INTENTS
from corpus.model import KEY_ACTIONS, PURPOSE, WATCH_OUTS
from index.chunking import Chunk
from index.lexical import (
    DANISH_STOPWORDS,
    fold,
    glossary_matches,
    normalize,
    stem,
    tokens,
)

REFUSED_BY_MODEL = tuple(i for i in OUT_OF_SCOPE_INTENTS if i != "missing_structure")
INJECTION_RE = re.compile(
    r"\b(?:ignor\w*|glem|forget|disregard|tilsidesæt\w*|override|bypass|se bort fra)\b.{0,60}"
    r"\b(?:instru\w*|regl\w*|rules?|prompt\w*|tidligere|previous|above|ovenstående|alt|all|"
    r"guidelines|retningslinje\w*|guide\w*|kilde\w*)\b"
    r"|\bsystem\s*-?prompt\w*|\bsystem\s*:|\bjailbreak|\bdeveloper mode\b|\bdo anything now\b"
    r"|\bnew instructions\b|\bnye instruktioner\b"
    r"|\b(?:du er nu|you are now|act as|opfør dig som|lad som om|pretend|roleplay|rollespil|"
    r"from now on|fra nu af)\b"
    r"|<\s*/?\s*(?:script|iframe|img|svg|object|style)\b|javascript\s*:|\bon(?:error|load)\s*="
    r"|\b(?:din|dine|your)\s+(?:instruktioner|instructions|regler|rules|prompt|konfiguration|"
    r"configuration)\b|\bapi[- ]?(?:key|nøgle)\w*", re.S)
"""Attempts to give the assistant new instructions: fixed patterns, a guard that holds even
where the learned model is unsure (it also learns them from the bank)."""

KIND_INTENTS = {"purpose": PURPOSE, "actions": KEY_ACTIONS, "watch_outs": WATCH_OUTS}
ACROSS_INTENTS = ("synthesis", "when")  # asked of a thing through the journey


@dataclass(frozen=True, eq=False)
class Reading:
    text: str
    english: bool
    mentions: Mentions
    intent: str
    intents: tuple[tuple[str, float], ...]  # most likely first (empty without a model)
    track_classes: tuple[tuple[str, float], ...]  # the track head's: track ids, "both", "none"
    all_tracks: bool  # "begge spor", "both tracks"
    track_hint: str | None  # the track the situation implies, when the model is sure
    order: cues.Order | None
    when: bool
    counts: bool  # "hvor mange …"
    structure: bool  # "hvordan er … opbygget"
    which_track: bool  # "hvilket spor …"
    track_word: bool  # "spor", "track"
    task_request: bool  # "skriv …", "translate …"
    asks_information: bool  # a sentence opens with a question word: "Hvad siger guiden om …?"
    detail: str | None  # the kind of specific asked for ("priser eller beløb"), if any
    injection: bool
    follow_up: bool
    context: tuple[PhaseKey, ...]  # the phases the conversation was about
    other_track: bool  # "og i det andet spor?"
    content: tuple[str, ...]  # the question's own topic words
    asked_content: tuple[str, ...]  # … of them, those in the sentences that ask
    known: tuple[str, ...]  # … of them, those the guide (or its question bank) knows
    evidence: Evidence
    target_actions: tuple[Chunk, ...] = ()  # the key actions those words name, one per track
    target_phases: tuple[PhaseKey, ...] = ()  # … or the phases they name ("efter udvikling")
    target_pointer: bool = False  # … found from the last question ("inden vi går i gang med den")
    content_actions: tuple[Chunk, ...] = ()  # key actions the question's own words name
    pointed: Chunk | None = None  # the key action of the last answer a follow-up points at
    #                               ("den", "den sidste af dem")
    picked: bool = False  # … by its place among them ("den anden af dem"): said outright
    order_head_topic: bool = False  # words of its own before "før"/"efter" ("hvordan opdaterer
    #                                 man business casen efter …" asks about the business case)
    order_tail_topic: bool = False  # … or after the clause "efter"/"once" opens ("Once we buy
    #                                 it, what does the procurement phase cover?")
    action_words: dict = field(default_factory=dict)  # key action id → the question's topic
    #                                                  terms it holds (place words left out)
    phases: tuple[PhaseKey, ...] = field(default=())  # named, or from the conversation
    decision: object = None  # the refusal decision (assistant/scope.py), set by the Responder
    words: tuple[str, ...] = ()  # the words, typed without Danish letters or not ("naeste")

    def p(self, intent: str) -> float:
        return dict(self.intents).get(intent, 0.0)

    @property
    def may_be_task(self) -> bool:
        """A request to produce something says so ("skriv …"), or at least asks nothing: a
        sentence that opens with a question word asks to be told, not for a text."""
        return self.task_request or not self.asks_information

    @property
    def situation_clause(self) -> bool:
        """"Hvordan holder vi øje med X, efter vi har købt det?": words of its own before
        "efter"/"før" and a clause after it say when the asker is, not what to order against."""
        o = self.order
        if o and o.relation in ("before", "after") and not o.head and self.order_tail_topic:
            return True  # "Efter vi har købt det, hvad skal vi passe på i driften?"
        return bool(o and o.relation in ("before", "after") and self.order_head_topic
                    and not self.target_pointer
                    and cues.starts_with(tuple(tokens(o.rest)), "clause_subject"))

    @property
    def elliptic(self) -> bool:
        """"og i fase 3?", "og til sidst i Udvikling?", "what about phase 2?": a connective, a
        place and nothing asked of it. The last question, asked again of that place."""
        if self.content or self.mentions.missing \
                or not (self.mentions.phases or self.mentions.tracks):
            return False
        return cues.opens_without_asking(self.words)

    @property
    def thing_in_place(self) -> bool:
        """"og hvad sker der med den i udviklingsfasen?": in a conversation, a phase named,
        no words of its own and a pronoun for the thing just asked about."""
        return bool(self.context and self.mentions.phases and not self.content
                    and self.order is None and cues.has(self.words, "thing_pointer"))

    @property
    def elaborates(self) -> bool:
        """"hvad betyder det i praksis?", "kan du uddybe det?": a follow-up with no words of
        its own beyond asking to hear more, and no place, order or section named ("hvad skal
        vi så konkret gøre?" asks for the key actions)."""
        return self.follow_up and not self.content and self.order is None \
            and not (self.mentions.phases or self.mentions.tracks or self.mentions.kinds) \
            and (cues.has(self.words, "elaborate") or cues.has(self.words, "who_does"))

    @property
    def p_both(self) -> float:
        """The model's probability that what is asked is in every track ("hvor kommer CE-mærkning
        ind?")."""
        return dict(self.track_classes).get("both", 0.0)

    @property
    def p_out(self) -> float:
        """The model's probability that the guide does not cover it. Structure that does not
        exist is left out: the guide's own layout settles that (assistant/mentions.py)."""
        return sum(p for i, p in self.intents if i in REFUSED_BY_MODEL)

    @property
    def tracks(self) -> tuple[str, ...]:
        """Tracks named, or implied by the named phases."""
        return self.mentions.tracks or tuple(dict.fromkeys(t for t, _ in self.mentions.phases))

    @property
    def coverage(self) -> float:
        return len(self.known) / len(self.content) if self.content else 1.0

    @property
    def kind(self) -> str | None:
        """The section kind asked for: named, else the intent's."""
        if self.mentions.kinds:
            return self.mentions.kinds[0]
        return KIND_INTENTS.get(self.intent)


class Reader:
    """Reads questions against one open index; built once."""

    def __init__(self, index, retriever: Retriever, guide: GuideMap,
                 model: IntentModel | None = None):
        self.index = index
        self.retriever = retriever
        self.guide = guide
        self.model = model
        self.analyzer = index.analyzer
        self.mention_reader = MentionReader(guide, index.analyzer)
        asking = ("follow_up_start", "follow_up_end", "follow_up_anywhere", "before", "after",
                  "next", "previous", "first", "last", "when", "when_opening", "action_word",
                  "phase_word", "track_word", "kind_purpose", "kind_watch_outs",
                  "kind_key_actions", "count", "structure", "which_track", "light_verbs",
                  "elaborate", "who_does", "recurs")
        self.cue_words = frozenset(
            w for group in asking for p in cues.phrases(group)
            if len(p) == 1 or group.startswith("follow_up") for w in p) | frozenset(
            cues.ordinals())  # "den fjerde af dem"
        # Phrases of several words that say how a question asks ("watch out", "what do we
        # do"): their words are no topic, wherever they stand.
        self.cue_phrases: dict[str, tuple[tuple[str, ...], ...]] = {}  # by first word
        for p in dict.fromkeys(p for group in asking for p in cues.phrases(group) if len(p) > 1):
            self.cue_phrases[p[0]] = (*self.cue_phrases.get(p[0], ()), p)
        self.light_phrases = frozenset(p for g in ("light_verbs", "elaborate", "who_does")
                                       for p in cues.phrases(g) if len(p) > 1)

    @cached_property
    def key_terms(self) -> frozenset[str]:
        """Terms of the bank's in-scope questions: words people use about the guide."""
        return frozenset(t for key in self.index.keys if key.chunks
                         for t in self.analyzer.terms(key.text))

    # ---- the words ---------------------------------------------------------------------------

    def known(self, word: str, bank: bool = True) -> bool:
        """The guide (or, with `bank`, a question written about it) has the word: its stem, an
        inflection (a shared start), a compound of known parts, or a spelling one edit away."""
        analyzer = self.analyzer
        word = analyzer.correct(word) or word
        if "-" in word:
            parts = [p for p in word.split("-") if p and p not in DANISH_STOPWORDS]
            return bool(parts) and all(self.known(p, bank) for p in parts)
        postings = self.index.bm25.postings
        extra = self.key_terms if bank else frozenset()
        if analyzer.has_prefix(word) or stem(word) in postings or stem(word) in extra \
                or (7 <= len(word) <= 10 and "~" + word[:6] in postings):
            return True
        parts = analyzer.compound_parts(word)
        return bool(parts) and all(p in postings or p in extra for p in parts)

    def _in_view(self, words: tuple[str, ...], context: tuple[PhaseKey, ...],
                 shown: str | None, follow_up: bool, mentions: Mentions,
                 order: cues.Order | None, has_content: bool
                 ) -> tuple[Chunk | None, bool]:
        """(the key action of the last answer the turn points at, whether it picked it by its
        place among those the answer named). "den fjerde af dem – hvor lang tid tager den?"
        points back whatever else it says; "og den næste?" after a list of steps points at
        its last (before: its first), unless the list is a whole phase."""
        picks = bool(context) and cues.has(words, "follow_up_pointer") and (
            cues.has(words, "list_first") or cues.has(words, "list_last")
            or any(w in cues.ordinals() for w in words))
        if not shown or not (follow_up or picks):
            return None, False
        in_view = self.guide.actions_in(shown, context)
        named = self.guide.actions_in(shown, context, marked=True) if in_view else ()
        pointed = _pointed(words, in_view, mentions, named)
        picked = pointed is not None and not (len(named) == 1 and pointed == named[0])
        if pointed is None and order is not None and not order.target and not has_content \
                and order.relation in ("next", "previous") and len(named) > 1 \
                and not self.guide.whole_phase(named) and not cues.has(words, "phase_word"):
            pointed = named[-1] if order.relation == "next" else named[0]
        return pointed, picked

    @cached_property
    def _relation_in_titles(self) -> tuple[re.Pattern, ...]:
        """A before/after word inside a key action's title ("Indgå aftale før validering"),
        with the title's words on each side, inflected or not: it names the step, it does not
        ask what comes before it."""
        relations = {p[0] for g in ("before", "after") for p in cues.phrases(g) if len(p) == 1}
        patterns = []
        for title in dict.fromkeys(normalize(c.text) for c in self.guide.key_actions):
            words = tokens(title)
            for i in range(1, len(words) - 1):
                if words[i] in relations:
                    patterns.append(re.compile(
                        rf"(\b{re.escape(stem(words[i - 1]))}\w*\s+){re.escape(words[i])}"
                        rf"(?=\s+{re.escape(stem(words[i + 1]))})", re.IGNORECASE))
        return tuple(patterns)

    @cached_property
    def _phase_words_in_titles(self) -> tuple[tuple[str, str, int], ...]:
        """(the stem of a title word that says "fase" – "afprøvningsfasen" in "Evaluer
        afprøvningsfasen" –, the stem of its neighbour in the title, the neighbour's side)."""
        out = []
        for title in dict.fromkeys(normalize(c.text) for c in self.guide.key_actions):
            words = tokens(title)
            for i, word in enumerate(words):
                if compound_head(word) is None or word in DANISH_STOPWORDS:
                    continue
                for j in (i - 1, i + 1):
                    if 0 <= j < len(words) and words[j] not in DANISH_STOPWORDS:
                        out.append((stem(fold(word)), stem(fold(words[j])), j - i))
        return tuple(dict.fromkeys(out))

    def _in_titles(self, words: tuple[str, ...]) -> frozenset[int]:
        """Positions of words that say "fase" inside a key action's title the question names,
        with the title's word beside it ("hvad vil det sige at evaluere afprøvningsfasen?"):
        they name the step, not the phase."""
        found = set()
        words = tuple(fold(w) for w in words)
        for own, beside, side in self._phase_words_in_titles:
            for i, w in enumerate(words):
                j = i + side
                if w.startswith(own) and 0 <= j < len(words) and words[j].startswith(beside):
                    found.add(i)
        return frozenset(found)

    def _ordinal_asked(self, previous: str, context: tuple[PhaseKey, ...]
                       ) -> tuple[Chunk, ...]:
        """The step an earlier question asked for by its place ("Hvad er første skridt i
        Færdigt produkt?"): the first or last key action of the phase it named, or of the
        phase the conversation is in."""
        asked = self.mention_reader.read(self.analyzer.danish(previous))
        keys = asked.phases or context
        if asked.ordinal_action not in ("first", "last") or not keys:
            return ()
        actions = self.guide.actions(keys[0])
        if not actions:
            return ()
        return (actions[0] if asked.ordinal_action == "first" else actions[-1],)

    def _tail_asks(self, order: cues.Order | None, situation: tuple[str, ...]) -> bool:
        """Whether what follows the clause an opening "efter"/"once" starts asks about
        something of its own: words the guide knows, or a phase it names."""
        if order is None or order.head or not order.target \
                or order.relation not in ("before", "after"):
            return False
        tail = order.rest[len(order.target):].strip()
        if not tail:
            return False
        mentions = self.mention_reader.read(tail)
        return bool(mentions.phases or self.content_words(tail, mentions, situation)[1])

    def _titles_masked(self, text: str) -> str:
        for pattern in self._relation_in_titles:
            text = pattern.sub(r"\1·", text)
        return text

    def _picked_place(self, words: tuple[str, ...], shown: str,
                      context: tuple[PhaseKey, ...], mentions: Mentions,
                      previous: str | None) -> tuple[Mentions, bool]:
        """"hvor mange spor er der?" – "og det første af dem, hvad dækker det?": the phase or
        track the turn picks by its place among those the last answer listed (a title two
        tracks share is the one of the track the last question named)."""
        asked = self.mention_reader.read(self.analyzer.spell(previous)).tracks if previous \
            else ()
        phases, tracks = self.guide.listed(shown, (*context, *((t, 0) for t in asked)))
        if len(phases) > 1 and (picked := _pick(words, phases)) is not None:
            return replace(mentions, phases=(picked,), ordinal_phase=None,
                           ordinal_action=None), True
        if len(tracks) > 1 and (picked := _pick(words, tracks)) is not None:
            return replace(mentions, tracks=(picked,), ordinal_phase=None,
                           ordinal_action=None), True
        return mentions, False

    def content_words(self, text: str, mentions: Mentions, situation: tuple[str, ...] = ()
                      ) -> tuple[list[str], list[str]]:
        """(content words, those the guide knows): the words that say what the question is
        about, without the words that name a place or the track's situation, say how it asks,
        or are stopwords."""
        words = tokens(text)
        glossed = {i for start, end, _ in glossary_matches(words) for i in range(start, end)}
        quiet = frozenset().union(*(self._track_terms.get(t, frozenset()) for t in situation))
        asked: set[int] = set()
        light: set[int] = set()  # words of a light phrase: never a topic, even a title's
        for i, w in enumerate(words):
            for p in self.cue_phrases.get(w, ()):
                if tuple(words[i:i + len(p)]) == p:
                    span = range(i, i + len(p))
                    asked.update(span)
                    if p in self.light_phrases:
                        light.update(span)
        content, known = [], []
        for i, w in enumerate(words):
            if i in mentions.place_words or w in DANISH_STOPWORDS or w in self.cue_words \
                    or len(w) < 2 or w.isdigit():
                continue
            if i in light or (i in asked
                              and not set(self.analyzer.terms(w)) & self._title_terms):
                continue  # "watch out", "what do we do" (not "risici" of "risici ved")
            own = {t for t in self.analyzer.terms(w) if not t.startswith("~")}
            if quiet and own and own <= quiet:
                continue
            content.append(w)
            if i in glossed or self.known(w):
                known.append(w)
        return content, known

    # ---- reading ---------------------------------------------------------------------------

    def read(self, text: str, context: tuple[PhaseKey, ...] = (),
             semantic: bool = True, previous: str | None = None,
             shown: str | None = None) -> Reading:
        """The Reading of `text`; `context` is the phases the conversation was about,
        `previous` its last question and `shown` the last answer. `semantic=False` skips the
        embedding (for re-reading earlier turns cheaply)."""
        spelled = cues.without_number_words(self.analyzer.spell(text))
        if shown and len({t for t, _ in context}) > 1:
            # The last answer led into one track ("Du starter i sporet Ny idé …"): the
            # conversation goes on there.
            named = self.mention_reader.read(self.analyzer.spell(shown)).tracks
            if len(named) == 1:
                context = tuple(p for p in context if p[0] in named) or context
        mentions = self.mention_reader.read(spelled, capitalised(text),
                                            self._in_titles(tuple(tokens(spelled))))
        words = tuple(tokens(self.analyzer.danish(text)))  # "naeste" is "næste"
        all_tracks = cues.has(words, "all_tracks")
        if all_tracks and not mentions.phases:  # "… i de to spor?": no track limits it
            mentions = replace(mentions, tracks=())
        vector = self.retriever.vector(spelled) if semantic else None
        intents, track_hint, places, track_classes = self.understood(text, vector, mentions)
        situation = mentions.tracks or ((track_hint,) if track_hint else ())
        content, known = self.content_words(spelled, mentions, situation)
        norm = normalize(" ".join(text.split()))
        injection = bool(INJECTION_RE.search(norm))
        order = cues.order_of(self._titles_masked(spelled))
        if cues.has(words, "new_topic"):  # "Noget helt andet: …": as on a fresh page
            context, previous, shown = (), None, None
        follow_up = bool(context) and not mentions.phases and not mentions.missing and (
            cues.starts_with(words, "follow_up_start") or cues.ends_with(words, "follow_up_end")
            or cues.has(words, "follow_up_anywhere") or cues.has(words, "follow_up_pointer")
            or not content)
        other_track = follow_up and cues.has(words, "other_track")
        evidence = self.evidence(spelled, mentions, track_hint, vector, places=places)
        if follow_up and len(content) >= 2 and not other_track and not mentions.tracks \
                and not self._about_context(evidence, context):
            follow_up = False  # its own words are about something else: a new topic
        if follow_up:
            track_hint = None  # the conversation says which track
        pointed, picked = self._in_view(words, context, shown, follow_up, mentions, order,
                                        bool(content))
        follow_up = follow_up or picked
        if pointed is None and shown and not mentions.phases and not mentions.tracks \
                and (cues.has(words, "plural_pointer") or _ordinal_alone(words)):
            mentions, listed = self._picked_place(words, shown, context, mentions, previous)
            follow_up = follow_up or listed
            if listed and order is not None and order.relation in ("first", "last"):
                order = None  # "den første af dem": the first one listed, not a first step
        phases = self._phases(mentions, context, follow_up, other_track, track_hint,
                              track_classes, words)
        if follow_up and context and mentions.kinds and not mentions.phases and order \
                and order.relation in ("next", "previous") and not order.target \
                and cues.has(words, "phase_word"):
            # "og hvad skal vi passe på i den næste fase?": that section of the phase after
            # the one in view (a section asked for, so no question about order).
            step = 1 if order.relation == "next" else -1
            beside = self.guide.neighbour(context[0], step)
            if beside is not None:
                phases, order = (beside,), None
        if follow_up and phases and not mentions.phases and not mentions.actions:
            # "den anden centrale handling der": the numbered step of the phase in view
            mentions = replace(mentions, actions=self.mention_reader.numbered(spelled, phases))
        topic_text = spelled
        if follow_up and previous and not other_track and not mentions.phases and intents \
                and (intents[0][0] in ACROSS_INTENTS or cues.has(words, "recurs")) \
                and cues.has(words, "thing_pointer"):
            # "business case i fase 1?" – "og hvor dukker den op igen senere?": the thing the
            # last question asked about, through the journey of the track talked about.
            asked = self.analyzer.spell(previous)  # its topic words, not where it asked
            topic_text = " ".join([*self.content_words(asked, self.mention_reader.read(asked))[0],
                                   spelled])
            mentions = replace(mentions, tracks=tuple(dict.fromkeys(t for t, _ in context)))
            phases, pointed = (), None  # where it recurs, not what the step named involves
            evidence = self.evidence(topic_text, mentions, track_hint,
                                     self.retriever.vector(topic_text) if semantic else None,
                                     places=places)
        if pointed is not None and order is not None and order.relation in ("first", "last"):
            order = None  # "den sidste af dem": the last one named, not the phase's last step
            mentions = replace(mentions, ordinal_action=None)
        target_actions: tuple[Chunk, ...] = ()
        target_phases: tuple[PhaseKey, ...] = ()
        target_pointer = False
        if order is not None and not order.target and pointed is not None \
                and order.relation in ("next", "previous") and not content:
            target_actions, target_pointer = (pointed,), True  # "og før den?": the step named
        elif order is not None and not order.target and not content and previous and context \
                and order.relation in ("next", "previous") and not cues.has(words, "phase_word"):
            # "Hvad skal der stå i samarbejdsaftalen?" – "og før den?", "hvad ligger lige før?":
            # the step it asked about.
            target_actions = self.actions_named(previous, replace(
                mentions, phases=phases or context), TUNING.previous_action_match) \
                or self._ordinal_asked(previous, phases or context)
            target_pointer = bool(target_actions)
        if order is not None and order.target:
            # "næste fase efter Protokol": the phase word before the target belongs to it (not
            # one after it: "efter den prospektive vurdering i fase 4" is after the action).
            phase_word = cues.has(tuple(tokens(order.head)) if order.head else words,
                                  "phase_word")
            target_phases = self.mention_reader.read(
                f"fasen {order.rest}" if phase_word else order.rest).phases
            # A step said to be over in the asker's situation ("vores egen model har været
            # igennem …") is in the track that situation implies.
            named_in = replace(mentions, tracks=(track_hint,)) \
                if order.told and track_hint and not mentions.tracks else mentions
            if named_in.tracks:  # "in the finished product track, which phase follows …"
                target_phases = tuple(p for p in target_phases
                                      if p[0] in named_in.tracks) or target_phases
            target_actions = () if phase_word and target_phases else \
                self.actions_named(order.target, named_in)
            pointer = not self.content_words(order.target,
                                             self.mention_reader.read(order.target))[0]
            if not target_actions and not target_phases and pointer and pointed is not None:
                target_actions, target_pointer = (pointed,), True  # "og efter den sidste?"
            if not target_actions and not target_phases and previous and context and pointer:
                target_pointer = True
                # "hvad skal der ske inden, i samme fase?": before what was just asked about
                in_context = replace(mentions, phases=phases or context)
                target_actions = self.actions_named(previous, in_context,
                                                    TUNING.previous_action_match)
        if order is not None and order.told and not target_actions and not target_phases:
            # "Vi er færdige med at validere det på vores gamle data. Hvad nu?": no step of the
            # guide's is named, so the question is read on its own words.
            order = cues.order_of(self._titles_masked(spelled), told=False)
        reading = Reading(
            text=text, english=cues.is_english(text), mentions=mentions,
            intent="topic", intents=intents, track_classes=track_classes, all_tracks=all_tracks,
            track_hint=track_hint, order=order,
            when=cues.asks_when(self.analyzer.danish(text)), counts=_asks_count(words),
            structure=cues.has(words, "structure"),
            which_track=cues.has(words, "which_track"),
            track_word=cues.has(words, "track_word"),
            task_request=cues.has(words, "task_request"),
            asks_information=cues.opens_a_sentence(text, "question_opening"),
            detail=cues.detail_kind(text), injection=injection, follow_up=follow_up,
            context=context, other_track=other_track, content=tuple(content),
            asked_content=_in_sentences_asking(content, spelled),
            known=tuple(known), evidence=evidence,
            target_actions=target_actions, target_phases=target_phases,
            target_pointer=target_pointer,
            content_actions=self.actions_named(" ".join(content), mentions) if content else (),
            pointed=pointed, picked=picked, words=words,
            order_head_topic=bool(order and order.head and self.content_words(
                order.head, self.mention_reader.read(order.head), situation)[1]),
            order_tail_topic=self._tail_asks(order, situation),
            action_words=self._action_words(topic_text, mentions, track_hint),
            phases=phases)
        return _with_intent(reading)

    def understood(self, text: str, vector, mentions: Mentions):
        """The model's intents, the track the situation implies when it is sure of it, the
        place head's probability for each chunk's place (None without one), and the track
        head's classes."""
        if self.model is None:
            return (), None, None, ()
        intents, tracks, places = self.model.predict_all(text, vector)
        both = dict(tracks).get("both", 0.0)
        hint = None
        if tracks[0][1] >= TUNING.track_hint_floor and tracks[0][0] in self.guide.tracks \
                and both < TUNING.track_hint_both and not mentions.tracks \
                and (self._describes(text, tracks[0][0])
                     or tracks[0][1] >= TUNING.track_hint_sure):
            hint = tracks[0][0]
        return (intents, hint or (None if mentions.tracks else self._described_track(text)),
                self.chunk_places(places), tracks)

    @cached_property
    def _places(self) -> tuple[tuple[str, ...], np.ndarray]:
        names, inverse = np.unique(self.guide.place_of, return_inverse=True)
        return tuple(str(n) for n in names), inverse

    def chunk_places(self, places: dict[str, float]) -> np.ndarray | None:
        """{place label: p} as one probability per chunk (its place's), or None if empty."""
        if not places:
            return None
        names, inverse = self._places
        return np.array([places.get(n, 0.0) for n in names], dtype=np.float32)[inverse]

    @cached_property
    def _own_situation(self) -> dict[str, frozenset[str]]:
        """The words only one track uses to say what it is for: in its own paragraph and in the
        introduction's line about it ("Sådan udvikler du et nyt AI-produkt")."""
        said = {}
        for track in self.guide.tracks:
            lines = [c.text for c in self.guide.track_line(track) + self.guide.overview(track)]
            said[track] = {t for line in lines for t in self.analyzer.terms(line)
                           if not t.startswith("~")}
        return {t: frozenset(terms - set().union(*(o for k, o in said.items() if k != t)))
                for t, terms in said.items()}

    def _describes(self, text: str, track: str) -> bool:
        """The question holds a word only that track uses for its situation: a track implied
        by the topic alone ("overvåges" is an action of one track) is no situation."""
        return bool(set(self.analyzer.query_terms(text)) & self._own_situation.get(track, set()))

    def _described_track(self, text: str) -> str | None:
        """The track whose own paragraph shares at least two of the question's words that the
        other tracks' paragraphs do not, and three times as many as any other track does
        ("anskaffe et CE-mærket AI-værktøj": the track for an approved product)."""
        words = set(self.analyzer.query_terms(text))
        own = {}
        for track, terms in self._track_terms.items():
            others = set().union(*(t for k, t in self._track_terms.items() if k != track))
            own[track] = len({w for w in words & terms - others if not w.startswith("~")})
        ranked = sorted(own.items(), key=lambda tn: -tn[1])
        best, runner_up = ranked[0][1], (ranked[1][1] if len(ranked) > 1 else 0)
        if best < 2 or runner_up * 3 > best:
            return None
        # Those words describe the situation only when the question asks about something
        # else too ("Hvad er MDR og CE-mærkning?" is about them).
        track = ranked[0][0]
        content, _ = self.content_words(text, self.mention_reader.read(text))
        rest = [w for w in content if not set(self.analyzer.terms(w)) & self._track_terms[track]]
        return track if rest else None

    @cached_property
    def _title_terms(self) -> frozenset[str]:
        """The terms of every key action's title: the guide's own topic words."""
        return frozenset().union(*self._action_terms.values())

    @cached_property
    def _action_terms(self) -> dict[str, frozenset[str]]:
        return {c.id: frozenset(t for t in self.analyzer.terms(c.text) if not t.startswith("~"))
                - self._verbs for c in self.guide.key_actions}

    def _action_words(self, spelled: str, mentions: Mentions, track_hint: str | None
                      ) -> dict[str, frozenset[str]]:
        """Which of the question's topic terms (full weight) each key action holds."""
        situation = mentions.tracks or ((track_hint,) if track_hint else ())
        bm25 = self.index.bm25
        strong = {t for t, w in self._weights(spelled, mentions, situation).items()
                  if w >= 1.0 and not t.startswith("~")
                  and len(bm25.postings.get(t, ())) <= TUNING.topic_term_share * bm25.n}
        return {cid: terms & strong for cid, terms in self._action_terms.items()
                if terms & strong}

    def evidence(self, spelled: str, mentions: Mentions, track_hint: str | None, vector,
                 leave_out=None, places: np.ndarray | None = None) -> Evidence:
        """Retrieval over every chunk for the question's words (weighted) and vector, with the
        place head's probability for each chunk's place."""
        situation = mentions.tracks or ((track_hint,) if track_hint else ())
        return self.retriever.evidence(self._weights(spelled, mentions, situation), vector,
                                       leave_out, places)

    @cached_property
    def _verbs(self) -> frozenset[str]:
        """The first word of key actions that begin several different ones ("Gennemfør",
        "Indgå"): the guide's imperative verbs, which name no action by themselves."""
        firsts: dict[str, set[str]] = {}
        for c in self.guide.key_actions:
            words = tokens(c.text)
            if words:
                firsts.setdefault(stem(words[0]), set()).add(c.text)
        return frozenset(w for w, texts in firsts.items() if len(texts) >= 2)

    def actions_named(self, text: str, mentions: Mentions,
                      least: float = TUNING.action_match) -> tuple[Chunk, ...]:
        """The key action `text` names, in each track where one matches as well as the best:
        most of its words that the guide knows are the action's own, directly or through the
        glossary ("prospektiv validering" names "Gennemfør prospektiv vurdering" too)."""
        analyzer = self.analyzer
        words = [w for w in tokens(analyzer.spell(text))
                 if w not in DANISH_STOPWORDS and w not in self.cue_words]
        glossed: dict[int, set[str]] = {}
        for start, end, value in glossary_matches(words):
            for i in range(start, end):
                glossed.setdefault(i, set()).update(analyzer.terms(value))
        bm25 = self.index.bm25
        units = []  # per word: the terms that would show an action has it
        for i, word in enumerate(words):
            own = {t for t in analyzer.terms(word) if not t.startswith("~")} - self._verbs
            generic = own and all(len(bm25.postings.get(t, ())) > TUNING.topic_term_share
                                  * bm25.n for t in own)  # "produkt": no action's own word
            if own and not generic and (i in glossed or self.known(word, bank=False)):
                units.append(own | glossed.get(i, set()))
        if not units:
            return ()
        tracks = set(mentions.tracks) or None
        phases = set(mentions.phases) or None
        best: dict[str, tuple[float, Chunk, float]] = {}
        whole: dict[str, tuple[int, float, Chunk]] = {}  # titles named whole
        said = set().union(*units)
        for c in self.guide.key_actions:
            if (tracks and c.track not in tracks) or (phases and (c.track, c.phase) not in phases):
                continue
            have = self._action_terms[c.id]
            if not have:
                continue
            share = sum(bool(unit & have) for unit in units) / len(units)
            # Of equally named actions, the one whose own words are most of them named.
            score = share + 0.5 * len(have & said) / len(have)
            if share >= least and (c.track not in best or score > best[c.track][0]):
                best[c.track] = (score, c, share)
            rare = sum(1.0 / (1 + len(bm25.postings.get(t, ()))) for t in have)
            if len(have) >= TUNING.whole_title_terms and have <= said and (
                    c.track not in whole or (len(have), rare) > whole[c.track][:2]):
                whole[c.track] = (len(have), rare, c)  # of equally long titles, the rarer
        if not best:
            # A longer situation that holds an action's whole title ("vi har fået de etiske
            # godkendelser til den prospektive vurdering hjem"): the most specific such title.
            return tuple(c for *_, c in sorted(whole.values(), key=lambda w: (-w[0], -w[1])))
        top = max(share for _, _, share in best.values())
        # Each track's own best, where it names the action as fully as the best track's does.
        return tuple(c for _, c, share in sorted(best.values(), key=lambda b: -b[0])
                     if share >= top)

    @cached_property
    def _track_terms(self) -> dict[str, frozenset[str]]:
        """The words of each track's own paragraph: they describe the situation the track is
        for ("indkøb … af et allerede … CE-mærket AI-produkt")."""
        return {t: frozenset(term for c in self.guide.overview(t)
                             for term in self.analyzer.terms(c.text) if not term.startswith("~"))
                for t in self.guide.tracks}

    def _weights(self, text: str, mentions: Mentions,
                 tracks: tuple[str, ...] = ()) -> dict[str, float]:
        """Question terms for BM25: words that only name a place, or describe the situation of
        the track the question is in, count little ("et CE-mærket produkt" says which track,
        not what about)."""
        words = tokens(self.analyzer.spell(text))
        situation = frozenset().union(*(self._track_terms.get(t, frozenset()) for t in tracks))

        bm25 = self.index.bm25
        generic = TUNING.topic_term_share * bm25.n

        def weight(i: int) -> float:
            own = set(self.analyzer.terms(words[i]))
            quiet = i in mentions.place_words or (own and own <= situation | {
                t for t in own if t.startswith("~")})
            if quiet:
                return TUNING.place_word_weight
            if own and all(len(bm25.postings.get(t, ())) > generic for t in own
                           if not t.startswith("~")):
                return TUNING.generic_word_weight  # "AI", "produkt": in much of the guide
            return 1.0

        weights: dict[str, float] = {}

        def add(terms, w: float) -> None:
            for term in terms:
                weights[term] = max(weights.get(term, 0.0), w)

        for i, word in enumerate(words):
            if word not in DANISH_STOPWORDS:
                add(self.analyzer.terms(word), weight(i))
        for start, end, value in glossary_matches(words):  # a term's words weigh as it does
            add(self.analyzer.terms(value), max(weight(i) for i in range(start, end)))
        return weights

    def _about_context(self, evidence: Evidence, context: tuple[PhaseKey, ...]) -> bool:
        """Whether a turn's own words fit the phases the conversation was about about as well
        as anywhere else in the guide."""
        from assistant.select import mask

        everywhere = evidence.ranked(k=1)
        inside = evidence.ranked(mask(self.guide, phases=context), k=1)
        return bool(inside) and (not everywhere or inside[0].score
                                 >= TUNING.follow_up_ratio * everywhere[0].score)

    def _phases(self, mentions: Mentions, context, follow_up: bool, other_track: bool,
                track_hint: str | None, track_classes=(), words=()) -> tuple[PhaseKey, ...]:
        if mentions.phases:
            # "den første fase", "test og implementering" name a phase of every track: the
            # situation picks one ("et nyudviklet produkt": the track the model is sure of).
            likely = track_hint
            if likely is None and track_classes and not mentions.tracks \
                    and track_classes[0][1] >= TUNING.track_hint_floor \
                    and dict(track_classes).get("both", 0.0) < TUNING.track_hint_both:
                likely = track_classes[0][0]  # … unless it could as well be either track
            hinted = tuple(p for p in mentions.phases if p[0] == likely)
            return hinted if hinted and not mentions.tracks else mentions.phases
        if not follow_up:
            return ()
        if context and cues.has(words, "one_phase_pointer"):
            context = context[:1]  # "den fase", "that same phase": the one the answer led with
        if other_track:
            return tuple(p for key in context for p in self.guide.parallel(key)) or context
        if mentions.tracks:  # "og i Færdigt produkt?": the same step in the named track
            moved = [p for key in context for p in [key, *self.guide.parallel(key)]
                     if p[0] in mentions.tracks]
            return tuple(dict.fromkeys(moved))
        return context


def _ordinal_alone(words: tuple[str, ...]) -> bool:
    """"Hvad handler den anden om?", "og den fjerde?", "the fourth one": a place in a list
    with no noun of its own ("den anden fase" names a phase itself), so it picks from what the
    last answer listed, like "den anden af dem"."""
    nouns = {w for g in ("phase_word", "action_word", "track_word") for p in cues.phrases(g)
             for w in p}
    ordinals = cues.ordinals()
    return any(w in ("den", "det", "the") and words[i + 1] in ordinals
               and (i + 2 == len(words) or words[i + 2] not in nouns)
               for i, w in enumerate(words[:-1]))


def _pick(words: tuple[str, ...], items: tuple):
    """The item of a list a turn picks by its place ("den første af dem", "den sidste",
    "den fjerde af dem"), or None."""
    if cues.has(words, "list_first"):
        return items[0]
    if cues.has(words, "list_last"):
        return items[-1]
    numbers = [cues.ordinals()[w] for w in words if w in cues.ordinals()]
    if numbers and 1 < numbers[0] <= len(items):
        return items[numbers[0] - 1]
    return None


def _pointed(words: tuple[str, ...], in_view: tuple[Chunk, ...], mentions: Mentions,
             named: tuple[Chunk, ...]) -> Chunk | None:
    """The key action of the last answer a follow-up points at: the first or last of them
    ("den første af dem", "og efter den sidste?"), or the only one it set off as a name
    ("… er *Overvåg produktet*." – "og før den?"; `named`)."""
    if not in_view or mentions.ordinal_phase or (mentions.ordinal_action and mentions.phases):
        return None  # "den sidste handling i Udvikling" names its own place
    if cues.has(words, "phase_word"):
        return None  # "hvad er pointen med den fase?": the phase, not a step of it
    if len(in_view) > 1 and (picked := _pick(words, in_view)) is not None:
        return picked  # a list to pick from (one title in a sentence is no list)
    if mentions.ordinal_action or any(w in cues.ordinals() for w in words):
        return None  # "hvad er den første handling?" after a phase: the phase's first
    return named[0] if len(named) == 1 else None


def _asks_count(words: tuple[str, ...]) -> bool:
    """"hvor mange faser …": a count cue with a phase, action or track word right after it."""
    span = cues.find(words, "count")
    if span is None:
        return False
    after = words[span[1]:span[1] + 3]
    return any((w,) in cues.phrases(g) for w in after
               for g in ("phase_word", "action_word", "track_word"))


def _with_intent(r: Reading) -> Reading:
    """The intent: what the guide's structure settles (structure that does not exist,
    instructions), else the model's likeliest intent that the question can carry (an order
    question needs something to be ordered against; a refusal needs the model to be sure),
    else the question's own cues."""
    if r.injection:
        return _replace(r, intent="injection")
    if r.mentions.missing is not None:
        return _replace(r, intent="missing_structure")
    if r.mentions.ordinal_action:  # "den første handling": the guide's order answers it
        return _replace(r, intent="order")
    if r.order is not None and r.target_pointer and r.target_actions:
        return _replace(r, intent="order")  # "og den næste?": after the steps just named
    if (r.structure or r.counts) and not r.phases and r.p_out < TUNING.out_of_scope_floor:
        return _replace(r, intent="structure")  # "hvordan er guiden opbygget?"
    if r.order is not None and r.order.relation in ("before", "after") \
            and (r.target_actions or r.target_phases) and not r.order_head_topic \
            and not r.situation_clause \
            and r.intents and r.intents[0][0] in ("actions", "topic", "phase", "when", "order"):
        return _replace(r, intent="order")  # "what do we do once it is in operation?"
    return _replace(r, intent=sure_intent(r.intents, lambda i: _can_carry(r, i))
                    or _intent_from_cues(r))


def sure_intent(intents, can_carry) -> str | None:
    """The likeliest of `intents` ((intent, probability), likeliest first) that is sure enough
    (a refusal needs more than an answer) and that `can_carry` accepts; None if none is."""
    for intent, p in intents:
        floor = TUNING.out_of_scope_floor if intent in OUT_OF_SCOPE_INTENTS \
            else TUNING.intent_floor
        if p < floor:
            return None
        if can_carry(intent):
            return intent
    return None


def _can_carry(r: Reading, intent: str) -> bool:
    if intent == "task":
        return r.may_be_task
    if intent == "missing_structure":
        return False  # the guide's layout has just said nothing named is missing
    if intent == "guide":
        # "Hvad advarer guiden om, når vi søger fonde?" names the guide but asks about a phase:
        # unless the model is sure, the best passage must be the introduction's or colophon's.
        top = r.evidence.ranked(k=1)
        return dict(r.intents).get("guide", 0.0) >= TUNING.guide_sure or not top \
            or top[0].chunk.phase is None
    if intent == "which_track":
        return r.which_track or r.track_word  # asking which track fits says "spor", "track" …
    if intent == "order":
        if r.situation_clause:
            return False
        if r.mentions.ordinal_phase and r.order and r.order.relation in ("first", "last"):
            return False  # "den sidste fase" names a phase; it does not ask about order
        return r.order is not None and bool(
            r.target_actions or r.target_phases or r.mentions.ordinal_action
            or (r.order.relation in ("next", "previous", "first", "last")))
    return True


def _intent_from_cues(r: Reading) -> str:
    if r.counts or (r.structure and not r.phases):
        return "structure"
    if r.which_track:
        return "which_track"
    if r.order is not None and not r.situation_clause \
            and (r.target_actions or r.target_phases or r.follow_up
                                or r.mentions.ordinal_action
                                or (r.order.relation in ("next", "previous")
                                    and r.content_actions)
                                or (r.order.relation in ("first", "next") and not r.phases
                                    and not r.mentions.ordinal_phase
                                    and not _own_topic(r))):
        return "order"
    if r.when:
        return "when"
    if r.mentions.kinds:
        return {PURPOSE: "purpose", KEY_ACTIONS: "actions", WATCH_OUTS: "watch_outs"}[
            r.mentions.kinds[0]]
    return "phase" if r.phases else "topic"


def _in_sentences_asking(content: list[str], text: str) -> tuple[str, ...]:
    """The content words found in the sentences that ask ("Jeg er læge og har en idé. Hvor
    starter jeg?": none)."""
    asking = set(tokens(cues.asking(text)))
    return tuple(w for w in content if w in asking)


def _own_topic(r: Reading) -> bool:
    """A question with words of its own about something else, where the model does not see
    an order question among its two likeliest: "Skal klinikerne være med til at definere
    behovet, hvis vi starter fra bunden?" – "starter" says where the asker is, it does not
    ask for the first step."""
    return len(r.asked_content) >= TUNING.own_topic_words and "order" not in (
        i for i, _ in r.intents[:2])


def _replace(r: Reading, **changes) -> Reading:
    from dataclasses import replace

    return replace(r, **changes)
