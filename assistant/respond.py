"""Answering one question: choose the strategy the question calls for, then compose from the
guide's own words. Strategies, in order: refuse (instructions, tasks, unsupported details),
counts, first/last actions, before/after an action, the next or previous phase, a whole phase
or section, and otherwise hybrid retrieval.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from assistant.answer import Answer
from assistant.compose import Draft, GuideMap, group_by_place, phase_label, place_label
from assistant.lexicon import COMMON_WORDS, PLACE_WORDS
from assistant.retrieve import Hit, Retriever
from assistant.understand import AFTER, BEFORE, NEXT_PHASE, PREVIOUS_PHASE, Question, understand
from corpus.model import KEY_ACTIONS, PURPOSE, TRACK_NAMES, WATCH_OUTS
from index.chunking import Chunk
from index.lexical import DANISH_STOPWORDS, glossary_matches, normalize, tokens

log = logging.getLogger(__name__)

NOT_COVERED = ("Det dækker guiden ikke. AI-rejsen handler om at udvikle og implementere "
               "AI-produkter i sundhedsvæsenet gennem offentlig-privat samarbejde; spørg fx om "
               "en fase, dens centrale handlinger, eller hvad man skal være opmærksom på.")
INJECTION = ("Jeg følger ikke instruktioner i spørgsmålet. Jeg svarer kun ud fra AI-rejsen "
             "og med kildehenvisninger; stil gerne et spørgsmål om guiden.")
TASK = ("Det dækker guiden ikke: jeg skriver ikke tekster, kode eller oversættelser, men svarer "
        "på spørgsmål ud fra AI-rejsen med kildehenvisninger.")

# Action verbs that only say "do X": they don't distinguish "Gennemfør prospektiv vurdering"
# from "prospektiv vurdering".
NEUTRAL_VERBS = {"gennemfør", "udfør", "foretag", "lav", "indgå", "udarbejd", "skab", "sæt"}
BEFORE_WORDS = {"først", "inden", "før", "forudsætning"}
AFTER_WORDS = {"efter", "herefter", "dernæst", "derefter", "bagefter"}
MIN_COVERAGE = 0.5  # share of a question's topic words that the guide must know
BORDERLINE_DENSE = 0.85  # at exactly half, the cosine the best passage must reach
TRACK_OVERVIEW = "Om sporet"
ORDER_WORDS = {"rækkefølge", "rækkefølgen", "order", "sequence"}
CONTINUATIONS = ("Herefter", "Derefter", "Dernæst", "Efterfølgende")
PLACE_WEIGHT = 0.3
LEXICAL_LEAD = 1.5  # a place whose words match this much better than the fused top leads
MAX_PICKED_ACTIONS = 6
WHOLE_INTRO_SECTION = 6  # introduction sections up to this many blocks are quoted whole
TRACKS_RE = re.compile(r"\bspor(?:et|ene)?\b|\btracks?\b")


class Responder:
    def __init__(self, index, retriever: Retriever):
        self.index = index
        self.retriever = retriever
        self.gmap = GuideMap.from_chunks(index.chunks)
        self.analyzer = index.analyzer
        # Phase titles are not place words: "indkøb" names a phase and is also a topic.
        self.place_terms = frozenset(self.analyzer.terms(" ".join(PLACE_WORDS)))
        self.common_terms = frozenset(self.analyzer.terms(" ".join(COMMON_WORDS)))

    # ---- reading the question ------------------------------------------------------------------

    def is_place_word(self, word: str) -> bool:
        if word in PLACE_WORDS:
            return True
        terms = [t for t in self.analyzer.terms(self.analyzer.spell(word)) if t[0] != "~"]
        if not terms:
            return True
        return set(terms) <= self.place_terms or (
            len(terms) >= 3 and set(terms[1:]) <= self.place_terms)

    def known(self, word: str) -> bool:
        return self.analyzer.has_prefix(word) or any(
            t in self.index.bm25.postings for t in self.analyzer.query_terms(word))

    def topic_words(self, text: str) -> tuple[list[str], list[str]]:
        """(known, unknown) words that say what the question is about. A word is known when the
        guide has it (after spelling correction) or it is part of a glossary term."""
        known, unknown = [], []
        words = tokens(text)
        in_glossary = {i for start, end, _ in glossary_matches(words) for i in range(start, end)}
        for i, w in enumerate(words):
            if w in DANISH_STOPWORDS or len(w) < 2 or w.isdigit() or self.is_place_word(w):
                continue
            if i in in_glossary:
                known += [w, w]  # a domain term the glossary knows counts double
            elif w in COMMON_WORDS:
                continue  # everyday words say nothing either way
            elif self.known(w):
                known.append(w)
            else:
                unknown.append(w)
        return known, unknown

    def _understand(self, text: str) -> Question:
        """Read the question as typed, and spelling-corrected for the places it names."""
        q = understand(text)
        spelled = self.analyzer.spell(text)
        if spelled == normalize(text):
            return q
        fixed = understand(spelled)
        return replace(q, tracks=q.tracks or fixed.tracks, phases=q.phases or fixed.phases,
                       kind=q.kind or fixed.kind, topic_text=fixed.topic_text)

    # ---- the strategies --------------------------------------------------------------------

    def answer(self, text: str, context: tuple[tuple[str, int], ...] = (),
               previous: str | None = None) -> Answer:
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
        dense_text = self.analyzer.spell(search_text)  # embedded once, reused below
        hits = self.retriever.search(dense_text, self._weights(terms),
                                     k=12, scope=scope)
        if q.tracks and topical:
            hits = [h for h in hits if h.chunk.section != TRACK_OVERVIEW] or hits
        if not hits:
            return Answer(NOT_COVERED, True)
        if not phases and not follow_up and self._off_topic(known, unknown, hits):
            log.debug("afvist: kendte %s, ukendte %s", known, unknown)
            return Answer(NOT_COVERED, True)
        if unsupported and (q.legal_detail or q.recommend or not _has_number(hits[:3])):
            return self._unsupported_detail(q, hits)
        return self._from_hits(q, hits, terms, scope, dense_text)

    def _weights(self, terms: list[str]) -> dict[str, float]:
        """Place words (fase, guiden …) and everyday words (foregår, bruges …) count a little;
        topic words count fully."""
        return {t: PLACE_WEIGHT if t in self.place_terms or t in self.common_terms else 1.0
                for t in terms}

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

    def _tracks(self, tracks: tuple[str, ...]) -> Answer:
        """What each track is for and its phases."""
        draft = Draft()
        for track in tracks:
            draft.heading(TRACK_NAMES[track])
            items = [c for c in self.index.chunks
                     if c.track == "intro" and c.text.startswith(TRACK_NAMES[track] + ":")]
            overview = [c for c in self.index.chunks
                        if c.track == track and c.section == TRACK_OVERVIEW]
            draft.paragraphs(items[:1] + overview[:1])
            phases = self.gmap.phases(track)
            draft.text("Faser: " + ", ".join(
                f"{n} {self.gmap.title((track, n))}" for n in phases) + ".")
        return draft.answer()

    def _when(self, q: Question, known: list[str], scope) -> Answer | None:
        """Where an action sits in its phase: the action with its neighbours, in each track."""
        tracks = {t for t, _ in scope} if scope else None
        wanted = {t for w in known for t in self.analyzer.query_terms(w) if t[0] != "~"}
        matches = self._match_actions(" ".join(known), tracks)
        if not matches or not wanted:
            return None
        have = set(self.analyzer.terms(matches[0].text))
        if len(wanted & have) * 2 < len(wanted):
            return None
        draft = Draft()
        for action in matches:
            key = (action.track, action.phase)
            actions = self.gmap.actions(key)
            draft.heading(phase_label(key, self.gmap))
            draft.text(f"*{action.text}* er handling {action.number} af {len(actions)} i fase "
                       f"{key[1]} {self.gmap.title(key)}:")
            draft.actions([a for a in actions if abs(a.number - action.number) <= 1])
            watch = self._closest(self.gmap.section(key, WATCH_OUTS), wanted, 1)
            if watch:
                draft.text("Vær opmærksom på:")
                draft.paragraphs(watch)
        return draft.answer()

    def _unsupported_detail(self, q: Question, hits: list[Hit]) -> Answer:
        best = hits[0].chunk
        if q.legal_detail:
            what = "lovgivningens detaljer (artikler, paragraffer, risikoklasser)"
        elif q.recommend:
            what = "konkrete leverandører, organer, fonde eller produkter"
        else:
            what = "tal, beløb, varigheder eller datoer for det"
        draft = Draft()
        draft.text(f"Det dækker guiden ikke: AI-rejsen angiver ikke {what}. "
                   f"Det nærmeste, guiden siger, står i *{best.path}*:")
        draft.text("")
        draft.chunks([best])
        return draft.answer(refused=True)

    def _structure(self, q: Question) -> Answer:
        draft = Draft()
        if q.phases:
            for key in q.phases:
                actions = self.gmap.actions(key)
                draft.heading(phase_label(key, self.gmap))
                draft.text(f"Fasen har {len(actions)} centrale handlinger:")
                draft.actions(actions)
            return draft.answer()
        for track in q.tracks or ("ny-ide", "faerdigt-produkt"):
            phases = self.gmap.phases(track)
            overview = [c for c in self.index.chunks
                        if c.track == "intro" and c.text.startswith(TRACK_NAMES[track] + ":")]
            draft.heading(TRACK_NAMES[track])
            draft.paragraphs(overview[:1])
            draft.text(f"{TRACK_NAMES[track]} har {len(phases)} faser: " + ", ".join(
                f"{n} {self.gmap.title((track, n))}" for n in phases) + ".")
        return draft.answer()

    def _layout(self, key: tuple[str, int]) -> Answer:
        """How a phase is laid out, shown on one phase."""
        draft = Draft()
        draft.text("Hver fase i guiden har et formål og to afsnit: *Centrale handlinger* (i "
                   "rækkefølge) og *Vær opmærksom på*. Fx:")
        draft.heading(phase_label(key, self.gmap))
        draft.chunks(self.gmap.section(key, PURPOSE) + self.gmap.actions(key)
                     + self.gmap.section(key, WATCH_OUTS)[:1])
        return draft.answer()

    def _ordinal_action(self, q: Question, phases: list[tuple[str, int]]) -> Answer:
        first = q.action_ordinal == "first"
        keys = phases or [(t, self.gmap.phases(t)[0 if first else -1])
                          for t in (q.tracks or ("ny-ide", "faerdigt-produkt"))]
        draft = Draft()
        for key in keys[:2]:
            actions = self.gmap.actions(key)
            action = actions[0 if first else -1]
            draft.heading(phase_label(key, self.gmap))
            draft.text(f"Den {'første' if first else 'sidste'} centrale handling i fasen er:")
            draft.actions([action])
        return draft.answer()

    def _overview(self, phases: list[tuple[str, int]], kind: str | None,
                  start: bool = False, focus: list[str] | None = None) -> Answer:
        """A named phase: purpose and key actions, with all its watch-outs, or with those about
        the question's topic (`focus`) when it has one."""
        draft = Draft()
        wanted = {t for t in focus or [] if t not in self.place_terms}
        for key in phases:
            draft.heading(phase_label(key, self.gmap))
            if start:
                draft.text(f"Rejsen begynder med fase {key[1]} {self.gmap.title(key)}.")
                draft.text("")
            watch = self.gmap.section(key, WATCH_OUTS)
            if wanted:
                watch = self._closest(watch, wanted, 2)
            if kind == WATCH_OUTS:
                draft.text("Vær opmærksom på:")
                draft.paragraphs(self.gmap.section(key, WATCH_OUTS))
            elif kind == KEY_ACTIONS and not wanted:
                draft.paragraphs(self.gmap.section(key, PURPOSE))
                draft.text("Centrale handlinger:")
                draft.actions(self.gmap.actions(key))
            else:
                draft.chunks(self.gmap.section(key, PURPOSE) + self.gmap.actions(key) + watch)
        return draft.answer()

    def _base_phases(self, q: Question, phases: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """The phase(s) an order question counts from: named in its target, else in context."""
        if q.order_target:
            named = list(understand(q.order_target).phases)
            titled = self._titled_phases(q.order_target)
            if named or titled:
                return named or titled
        return phases

    def _neighbour_phase(self, q: Question, phases: list[tuple[str, int]]) -> Answer | None:
        base = self._base_phases(q, phases)
        if not base:
            return None
        step = -1 if q.order in (PREVIOUS_PHASE, BEFORE) else 1
        draft = Draft()
        for key in base[:2]:
            target = self.gmap.neighbour(key, step)
            if target is None:
                edge = "første" if step < 0 else "sidste"
                draft.heading(phase_label(key, self.gmap))
                draft.text(f"{key[1]} {self.gmap.title(key)} er den {edge} fase i "
                           f"{TRACK_NAMES[key[0]]}.")
                draft.text("")
                draft.paragraphs(self.gmap.section(key, PURPOSE)[:1])
                continue
            relation = "Før" if step < 0 else "Efter"
            draft.heading(phase_label(target, self.gmap))
            draft.text(f"{relation} fase {key[1]} {self.gmap.title(key)} kommer fase {target[1]} "
                       f"{self.gmap.title(target)}:")
            draft.text("")
            draft.chunks(self.gmap.section(target, PURPOSE) + self.gmap.actions(target))
        return draft.answer()

    def _titled_phases(self, target: str) -> list[tuple[str, int]]:
        """Phases whose title the target names ("efter udvikling" → Ny idé 3)."""
        wanted = set(self.analyzer.terms(target)) - {"~" + w for w in ()} - self._track_terms()
        wanted = {t for t in wanted if t[0] != "~"}
        found = []
        for track in ("ny-ide", "faerdigt-produkt"):
            for n in self.gmap.phases(track):
                title = {t for t in self.analyzer.terms(self.gmap.title((track, n))) if t[0] != "~"}
                if wanted and wanted <= title:
                    found.append((track, n))
        return found

    def _track_terms(self) -> set[str]:
        return set(self.analyzer.terms("ny idé færdigt produkt fase fasen spor sporet"))

    def _match_actions(self, target: str, tracks: set[str] | None,
                       phases: set[tuple[str, int]] | None = None) -> list[Chunk]:
        """The key action the target names, one per track where it matches as well as the best."""
        wanted = set(self.analyzer.query_terms(target)) - self._track_terms()
        if not wanted:
            return []
        scored = []
        for c in self.index.chunks:
            if c.kind != KEY_ACTIONS or (tracks and c.track not in tracks) or (
                    phases and (c.track, c.phase) not in phases):
                continue
            have = set(self.analyzer.terms(c.text)) - NEUTRAL_VERBS
            overlap = len({t for t in wanted & have if t[0] != "~"})
            if overlap:
                scored.append((overlap - 0.1 * len(have - wanted), overlap, c))
        if not scored:
            return []
        best_overlap = max(o for _, o, _ in scored)
        best: dict[str, tuple[float, Chunk]] = {}
        for score, overlap, c in scored:
            if overlap == best_overlap and (c.track not in best or score > best[c.track][0]):
                best[c.track] = (score, c)
        return [c for _, c in sorted(best.values(), key=lambda sc: -sc[0])]

    def _before_after(self, q: Question, scope, target_text: str) -> Answer | None:
        target = understand(target_text)
        if self._titled_phases(target_text) or (
                target.phases and not self.topic_words(target.topic_text)[0]):
            return None  # "efter konceptualisering" is about phases
        tracks = {t for t, _ in scope} if scope else None
        matches = self._match_actions(target.topic_text, tracks, set(target.phases) or None)
        if not matches:
            return None
        before = q.order == BEFORE
        draft = Draft()
        for action in matches:
            key = (action.track, action.phase)
            actions = self.gmap.actions(key)
            draft.heading(phase_label(key, self.gmap))
            chosen = [a for a in actions if (a.number <= action.number if before
                                             else a.number >= action.number)]
            if len(chosen) > 1:
                relation = "Før" if before else "Efter"
                draft.text(f"{relation} *{action.text}* (handling {action.number} af "
                           f"{len(actions)}) kommer:" if before else
                           f"{relation} *{action.text}* (handling {action.number} af "
                           f"{len(actions)}) følger:")
                draft.actions(chosen)
            else:
                neighbour = self.gmap.neighbour(key, -1 if before else 1)
                place = "første" if before else "sidste"
                draft.text(f"*{action.text}* er den {place} centrale handling i fasen.")
                draft.actions([action])
                if neighbour is not None:
                    neighbour_actions = self.gmap.actions(neighbour)
                    picked = neighbour_actions[-3:] if before else neighbour_actions[:3]
                    draft.text(f"{'Før' if before else 'Efter'} den kommer "
                               f"{phase_label(neighbour, self.gmap)}:")
                    draft.actions(picked)
            watch = self._cue_watch_outs(key, target.topic_text, BEFORE_WORDS if before
                                         else AFTER_WORDS)
            if watch:
                draft.text("Vær opmærksom på:")
                draft.paragraphs(watch)
        return draft.answer()

    def _cue_watch_outs(self, key, target: str, cue_words: set[str]) -> list[Chunk]:
        """The phase's watch-out about the target, preferring one that speaks of order."""
        wanted = set(self.analyzer.query_terms(target))
        best = []
        for c in self.gmap.section(key, WATCH_OUTS):
            overlap = len(wanted & set(self.analyzer.terms(c.text)))
            if overlap:
                best.append((bool(set(tokens(c.text)) & cue_words), overlap, -c.position, c))
        best.sort(key=lambda t: t[:3], reverse=True)
        return [t[3] for t in best[:1]]

    def _from_hits(self, q: Question, hits: list[Hit], terms: list[str], scope,
                   dense_text: str) -> Answer:
        groups = group_by_place([h.chunk for h in hits])
        best: dict[tuple, Hit] = {}
        for h in hits:
            best.setdefault(_place(h.chunk), h)
        order = list(best)  # by best fused score
        lexical = {key: max(h.lexical for h in hits if _place(h.chunk) == key) for key in best}
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
                                          scope=frozenset([(other_track, None)]))
            other = [h for h in other if h.chunk.phase is not None]
            if other and other[0].lexical >= 0.5 * lexical[top]:
                key = _place(other[0].chunk)
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
            picked = self._pick([h for h in hits if _place(h.chunk) == key])
            if len(key) == 2:
                picked += self._complement(key, q, picked)
            else:
                section = [c for c in self.index.chunks if _place(c) == key]
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
            related = set().union(*(set(self.analyzer.terms(c.text)) for c in picked))
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
            nxt = next((d for d in self.index.chunks if d.path == c.path
                        and d.position == c.position + 1), None)
            if nxt and nxt.text.startswith(CONTINUATIONS) and nxt not in picked + out:
                out.append(nxt)
        return out

    def _closest(self, chunks: list[Chunk], wanted: set[str], n: int) -> list[Chunk]:
        """The n chunks sharing most terms with `wanted` (a 4+ letter term may also begin a
        word: data ~ datasæt)."""
        stems = [t for t in wanted if t[0] != "~" and len(t) >= 4]

        def overlap(c: Chunk) -> float:
            words = tokens(c.text)
            prefixed = sum(any(w.startswith(t) for w in words) for t in stems)
            return len(wanted & set(self.analyzer.terms(c.text))) + 0.5 * prefixed

        scored = [(overlap(c), c) for c in chunks]
        scored = [(s, c) for s, c in scored if s]
        scored.sort(key=lambda sc: -sc[0])
        return [c for _, c in scored[:n]]


def _place(chunk: Chunk) -> tuple:
    return (chunk.track, chunk.phase) if chunk.phase is not None else \
        (chunk.track, None, chunk.section)


def _has_number(hits: list[Hit]) -> bool:
    return any(any(ch.isdigit() for ch in h.chunk.text) for h in hits)
