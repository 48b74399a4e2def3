"""Answering one question: choose the strategy the question calls for, then compose from the
guide's own words. Strategies, in order: refuse (instructions, tasks, unsupported details),
counts and layout, first/last actions, before/after an action, the next or previous phase, a
whole phase or track, where an action sits, and otherwise hybrid retrieval.
"""

from __future__ import annotations

import logging
import re

from assistant.answer import Answer
from assistant.compose import Draft, group_by_place, place_label, place_of
from assistant.lexicon import COMMON_WORDS
from assistant.places import TRACK_OVERVIEW, PlaceAnswers
from assistant.reading import Reader
from assistant.retrieve import Hit, Retriever
from assistant.sequence import SequenceAnswers
from assistant.understand import AFTER, BEFORE, NEXT_PHASE, PREVIOUS_PHASE, Question, understand
from corpus.model import KEY_ACTIONS, PURPOSE, WATCH_OUTS
from index.chunking import Chunk

log = logging.getLogger(__name__)

NOT_COVERED = ("Det dækker guiden ikke. AI-rejsen handler om at udvikle og implementere "
               "AI-produkter i sundhedsvæsenet gennem offentlig-privat samarbejde; spørg fx om "
               "en fase, dens centrale handlinger, eller hvad man skal være opmærksom på.")
INJECTION = ("Jeg følger ikke instruktioner i spørgsmålet. Jeg svarer kun ud fra AI-rejsen "
             "og med kildehenvisninger; stil gerne et spørgsmål om guiden.")
TASK = ("Det dækker guiden ikke: jeg skriver ikke tekster, kode eller oversættelser, men svarer "
        "på spørgsmål ud fra AI-rejsen med kildehenvisninger.")

MIN_COVERAGE = 0.5  # share of a question's topic words that the guide must know
BORDERLINE_DENSE = 0.85  # at exactly half, the cosine the best passage must reach
ORDER_WORDS = {"rækkefølge", "rækkefølgen", "order", "sequence"}
CONTINUATIONS = ("Herefter", "Derefter", "Dernæst", "Efterfølgende")
LEXICAL_LEAD = 1.5  # a place whose words match this much better than the fused top leads
MAX_PICKED_ACTIONS = 6
WHOLE_INTRO_SECTION = 6  # introduction sections up to this many blocks are quoted whole
TRACKS_RE = re.compile(r"\bspor(?:et|ene)?\b|\btracks?\b")


class Responder(Reader, PlaceAnswers, SequenceAnswers):
    def __init__(self, index, retriever: Retriever):
        super().__init__(index)
        self.retriever = retriever

    def answer(self, text: str, context: tuple[tuple[str, int], ...] = (),
               previous: str | None = None, semantic: bool = True) -> Answer:
        """The answer to `text`; `context` is the phases the conversation is about and
        `previous` the last question. `semantic=False` skips the embedding (for reading earlier
        turns, where only the places matter)."""
        q = self._understand(text)
        if q.injection:
            return Answer(INJECTION, True)
        if q.task:
            return Answer(TASK, True)
        known, unknown = self.topic_words(q.topic_text)
        topical = bool(known or unknown)
        specific = [w for w in known if w not in COMMON_WORDS]  # what retrieval can use
        phases = [p for p in q.phases if p[1] in self.gmap.phases(p[0])]
        follow_up = bool(context) and not phases and not q.tracks and (
            q.follow_up or q.order in (NEXT_PHASE, PREVIOUS_PHASE) or q.action_ordinal is not None
            or not specific)
        if follow_up:
            phases = list(context)
        if q.start and not phases:
            phases = [(t, 1) for t in (q.tracks or ("ny-ide",))]
        scope = frozenset(phases) or frozenset((t, None) for t in q.tracks) or None
        unsupported = q.recommend or q.legal_detail or q.asks_number

        if q.asks_structure_count:
            return self._structure(q)
        if q.asks_layout and not specific:
            return self._layout(phases[0] if phases else ("ny-ide", 1))
        if q.action_ordinal and not q.order:
            return self._ordinal_action(q, phases)
        if q.order in (BEFORE, AFTER) and q.order_target and not [
                w for w in self.topic_words(q.order_head or "")[0] if w not in COMMON_WORDS]:
            target = q.order_target
            if previous and not self.topic_words(understand(target).topic_text)[0]:
                target = previous  # "hvad skal der ske inden, i samme fase?": before that
            answer = self._before_after(q, scope, target)
            if answer is not None:
                return answer
        if q.order in (NEXT_PHASE, PREVIOUS_PHASE, BEFORE, AFTER):
            answer = self._neighbour_phase(q, phases)
            if answer is not None:
                return answer
        if phases and not unsupported and (q.start or not specific or not follow_up):
            focus = [] if q.start or not specific else self.analyzer.query_terms(q.topic_text)
            return self._overview(phases[:2], q.kind, q.start, focus)
        if not phases and (q.which_track or (not specific or set(specific) <= ORDER_WORDS) and (
                q.tracks or self._names_tracks(text))):
            return self._tracks(q.tracks or ("ny-ide", "faerdigt-produkt"))
        if q.when and not unsupported:
            answer = self._when(q, known, scope)
            if answer is not None:
                return answer

        search_text = f"{previous} {text}" if follow_up and previous else text
        terms = self.analyzer.query_terms(search_text)
        # Embedded once and reused below. A follow-up is searched within the conversation's
        # phases with the earlier question's words, but embedded alone (embedding time grows
        # with the text's length).
        dense_text = self.analyzer.spell(text)
        hits = self.retriever.search(dense_text, self._weights(terms),
                                     k=12, scope=scope, semantic=semantic)
        if q.tracks and topical:
            hits = [h for h in hits if h.chunk.section != TRACK_OVERVIEW] or hits
        if not hits:
            return Answer(NOT_COVERED, True)
        if not phases and not follow_up and self._off_topic(known, unknown, hits):
            # Counts only: the words themselves are the user's question.
            log.debug("afvist: %d kendte, %d ukendte emneord", len(known), len(unknown))
            return Answer(NOT_COVERED, True)
        if unsupported and (q.legal_detail or q.recommend or not _has_number(hits[:1])):
            return self._unsupported_detail(q, hits)
        return self._from_hits(q, hits, terms, scope, dense_text, semantic)

    @staticmethod
    def _off_topic(known: list[str], unknown: list[str], hits: list[Hit]) -> bool:
        """Too few of the question's topic words are the guide's; at exactly half, the
        semantic match decides."""
        if not unknown:
            return False
        coverage = len(known) / (len(known) + len(unknown))
        if coverage < MIN_COVERAGE:
            return True
        return coverage == MIN_COVERAGE and max(h.dense for h in hits) < BORDERLINE_DENSE

    def _names_tracks(self, text: str) -> bool:
        return bool(TRACKS_RE.search(text.lower()))

    def _from_hits(self, q: Question, hits: list[Hit], terms: list[str], scope,
                   dense_text: str, semantic: bool = True) -> Answer:
        groups = group_by_place([h.chunk for h in hits])
        best: dict[tuple, Hit] = {}
        for h in hits:
            best.setdefault(place_of(h.chunk), h)
        order = list(best)  # by best fused score
        lexical = {key: max(h.lexical for h in hits if place_of(h.chunk) == key) for key in best}
        strongest = max(lexical, key=lexical.get)
        if lexical[strongest] >= LEXICAL_LEAD * lexical[order[0]]:
            # The words of the question stand in one place that the semantic match missed
            # (Udgiver for "hvem udgiver AI-rejsen?"): lead with it.
            order.remove(strongest)
            order.insert(0, strongest)
            order = [k for k in order if k == strongest or lexical[k] >= 0.5 * lexical[strongest]]
        top = order[0]
        chosen = [top]
        if len(top) == 2 and not q.tracks and not scope:
            # The same step in the other track (validering, udbud, drift …): answer it too when
            # the other track speaks of the question about as strongly.
            other_track = "faerdigt-produkt" if top[0] == "ny-ide" else "ny-ide"
            other = self.retriever.search(dense_text, self._weights(terms), k=4,
                                          scope=frozenset([(other_track, None)]),
                                          semantic=semantic)
            other = [h for h in other if h.chunk.phase is not None]
            if other and other[0].lexical >= 0.5 * lexical[top]:
                key = place_of(other[0].chunk)
                hits = hits + [h for h in other if h.chunk not in groups.get(key, [])]
                groups = group_by_place([h.chunk for h in hits])
                chosen.append(key)
        for key in order[1:]:
            if len(chosen) >= 3:
                break
            if key not in chosen and best[key].score >= 0.85 * best[top].score and \
                    best[key].lexical >= 0.5 * best[top].lexical:
                chosen.append(key)
        draft = Draft()
        for key in chosen:
            picked = self._pick([h for h in hits if place_of(h.chunk) == key])
            if len(key) == 2:
                picked += self._complement(key, q, picked)
            else:
                section = self.gmap.place(key)
                lead = section if len(section) <= WHOLE_INTRO_SECTION else section[:1]
                picked = [c for c in lead if c not in picked] + picked
            picked += self._continuations(picked)
            draft.heading(place_label(key, self.gmap, groups[key]))
            draft.chunks(picked)
        return draft.answer()

    @staticmethod
    def _pick(group_hits: list[Hit]) -> list[Chunk]:
        """The hits of one place that match nearly as well as its best."""
        top_lex = max(h.lexical for h in group_hits)
        top_dense = max(h.dense for h in group_hits)
        picked = [h.chunk for h in group_hits
                  if (top_lex and h.lexical >= 0.6 * top_lex) or h.dense >= top_dense - 0.02]
        actions = [c for c in picked if c.kind == KEY_ACTIONS][:MAX_PICKED_ACTIONS]
        return [c for c in picked if c.kind != KEY_ACTIONS][:4] + actions

    def _complement(self, key: tuple[str, int], q: Question, picked: list[Chunk]) -> list[Chunk]:
        """An action with the watch-out that explains it, and the other way round."""
        kinds = {c.kind for c in picked}
        wanted = {t for t in self.analyzer.query_terms(q.text) if t not in self.place_terms}
        extra: list[Chunk] = []
        if q.kind == PURPOSE:
            extra += self.gmap.section(key, PURPOSE)
        elif q.kind and q.kind not in kinds:
            section = self.gmap.section(key, q.kind)
            extra += section if q.kind != WATCH_OUTS else self._closest(section, wanted, 2)
        elif WATCH_OUTS not in kinds:
            related = set().union(*(self.terms_of(c) for c in picked))
            extra += self._closest(self.gmap.section(key, WATCH_OUTS), wanted | related, 1)
        if q.asks_steps:
            extra += self.gmap.actions(key)
        elif KEY_ACTIONS not in kinds | {c.kind for c in extra}:
            extra += self._closest(self.gmap.actions(key), wanted, 1)
        return [c for c in extra if c not in picked]

    def _continuations(self, picked: list[Chunk]) -> list[Chunk]:
        """A paragraph that starts "Herefter …" belongs with the one it follows."""
        out = []
        for c in picked:
            if c.kind == KEY_ACTIONS:
                continue
            nxt = self.gmap.following(c)
            if nxt and nxt.text.startswith(CONTINUATIONS) and nxt not in picked + out:
                out.append(nxt)
        return out


def _has_number(hits: list[Hit]) -> bool:
    return any(any(ch.isdigit() for ch in h.chunk.text) for h in hits)
