"""The assistant: one object that holds the open index and answers conversations.

`Assistant.ask` is the single entry point for the CLI, the chat and the evals. It never raises
for anything a user types: bad input and internal failures come back as a refused Answer with a
Danish message.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from assistant.answer import Answer, Message
from assistant.compose import Draft, GuideMap, group_by_place, phase_label, place_label
from assistant.errors import AssistantError, BadInput, IndexUnavailable
from assistant.retrieve import Hit, Retriever
from assistant.settings import Settings
from assistant.understand import AFTER, BEFORE, NEXT_PHASE, PREVIOUS_PHASE, Question, understand
from corpus.model import KEY_ACTIONS, PURPOSE, TRACK_NAMES, WATCH_OUTS
from index.chunking import Chunk
from index.lexical import DANISH_STOPWORDS, tokens

log = logging.getLogger(__name__)

NOT_COVERED = ("Det dækker guiden ikke. AI-rejsen handler om at udvikle og implementere "
               "AI-produkter i sundhedsvæsenet gennem offentlig-privat samarbejde; spørg fx om "
               "en fase, dens centrale handlinger, eller hvad man skal være opmærksom på.")
INJECTION = ("Jeg følger ikke instruktioner i spørgsmålet. Jeg svarer kun ud fra AI-rejsen "
             "og med kildehenvisninger; stil gerne et spørgsmål om guiden.")
EMPTY = "Skriv et spørgsmål om AI-rejsen, fx »Hvad skal jeg gøre før prospektiv validering?«"
INTERNAL = ("Der skete en fejl, så spørgsmålet ikke kunne besvares. Prøv igen; "
            "fortsætter fejlen, så kontakt den, der driver assistenten.")

# Words that say where in the guide, not what about: a question of only these asks for a phase
# or section as a whole.
GENERIC_WORDS = """
fase faser fasen faserne spor sporet phase phases track handling handlinger handlingerne central
centrale opmærksom opmærksomme formål formålet purpose handler sker indeholder går ud gøre gør
ny nyt idé ide færdigt færdig produkt produktet guide guiden ai-rejsen rejsen hovedpunkter
vigtigste key actions watch-outs watch out first næste forrige kommer trin skridt steps step
about happens main points what punkter overblik oversigt kort kortfattet opsummer summary
summarise summarize beskriv describe explain forklar lave laver vi jeg man de der
""".split()

# Action verbs that only say "do X": they don't distinguish "Gennemfør prospektiv vurdering"
# from "prospektiv vurdering".
NEUTRAL_VERBS = {"gennemfør", "udfør", "foretag", "lav", "indgå", "udarbejd", "skab", "sæt"}
BEFORE_WORDS = {"først", "inden", "før", "forudsætning"}
AFTER_WORDS = {"efter", "herefter", "dernæst", "derefter", "bagefter"}


def clean_text(text: str) -> str:
    """Drop control characters (NUL included) and collapse whitespace."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") else ch
                   for ch in text)
    return " ".join(text.split())


class Assistant:
    def __init__(self, index, embeddings, settings: Settings, guide=None):
        self.index = index
        self.settings = settings
        self.retriever = Retriever(index, embeddings)
        self.gmap = GuideMap.from_chunks(index.chunks)
        self.analyzer = index.analyzer
        self.guide = guide
        self.generic_terms = frozenset(self.analyzer.terms(" ".join(GENERIC_WORDS)))
        self._context_cache: Callable = lru_cache(maxsize=1024)(self._focus_of)

    # ---- entry point -------------------------------------------------------------------------

    def ask(self, messages: Sequence[Message] | str) -> Answer:
        started = time.perf_counter()
        try:
            answer = self._ask(messages)
        except AssistantError as exc:
            answer = Answer(str(exc), True)
        except Exception:  # noqa: BLE001 - the boundary: log it, answer in Danish
            log.exception("uventet fejl under besvarelse")
            answer = Answer(INTERNAL, True)
        return answer.with_latency((time.perf_counter() - started) * 1000)

    def _ask(self, messages: Sequence[Message] | str) -> Answer:
        if isinstance(messages, str):
            messages = [Message("user", messages)]
        if not messages:
            raise BadInput(EMPTY)
        last = messages[-1]
        if last.role != "user":
            raise BadInput("Den sidste besked i samtalen skal være et spørgsmål fra brugeren.")
        limit = self.settings.max_question_chars
        if len(last.content) > limit:
            raise BadInput(f"Spørgsmålet er for langt ({len(last.content):,} tegn). Skriv højst "
                           f"{limit:,} tegn.".replace(",", "."))
        question = clean_text(last.content)
        if not question or not any(ch.isalnum() for ch in question):
            raise BadInput(EMPTY)
        turns = self.settings.max_history_turns
        earlier = list(messages[:-1])[-turns:] if turns else []
        history = tuple(clean_text(m.content)[:limit] for m in earlier if m.role == "user")
        answer = self.answer_question(question, history[-3:])
        if len(messages) - 1 > turns:
            note = (f"\n\n_Kun de seneste {turns} beskeder i samtalen er brugt som "
                    f"sammenhæng._")
            answer = Answer(answer.answer + note, answer.refused, answer.citations,
                            focus=answer.focus)
        return answer

    # ---- understanding the conversation ----------------------------------------------------

    def _focus_of(self, question: str, history: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
        return self.answer_question(question, history).focus

    def context_focus(self, history: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
        """The phases the conversation was last about (from the latest question that had some)."""
        for i in range(len(history) - 1, -1, -1):
            focus = self._context_cache(history[i], history[max(0, i - 2):i])
            if focus:
                return focus
        return ()

    def content_words(self, text: str) -> list[str]:
        return [w for w in tokens(text)
                if w not in DANISH_STOPWORDS and not set(self.analyzer.terms(w))
                <= self.generic_terms and not w.isdigit()]

    def known(self, word: str) -> bool:
        return any(t in self.index.bm25.postings for t in self.analyzer.query_terms(word))

    # ---- answering ----------------------------------------------------------------------------

    def answer_question(self, text: str, history: tuple[str, ...] = ()) -> Answer:
        q = understand(text)
        if q.injection:
            return Answer(INJECTION, True)
        content = self.content_words(text)
        phases = list(q.phases)
        if not phases and not q.tracks and history and (
                q.follow_up or q.order in (NEXT_PHASE, PREVIOUS_PHASE) or not content):
            phases = list(self.context_focus(history))
        scope = frozenset(phases) or frozenset((t, None) for t in q.tracks) or None

        if q.asks_structure_count:
            return self._structure(q)
        if q.order in (BEFORE, AFTER) and q.order_target:
            answer = self._before_after(q, scope)
            if answer is not None:
                return answer
        if q.order in (NEXT_PHASE, PREVIOUS_PHASE) or (q.order in (BEFORE, AFTER) and phases):
            answer = self._neighbour_phase(q, phases)
            if answer is not None:
                return answer
        if phases and not content:
            return self._overview(phases[:2], q.kind)

        terms = self.analyzer.query_terms(text)
        specific = [t for t in terms if t not in self.generic_terms]
        terms = specific or terms
        hits = self.retriever.search(text, terms, k=12, scope=scope)
        if not hits:
            return Answer(NOT_COVERED, True)
        verdict = self._relevance(content, hits)
        if verdict is not None:
            return verdict
        if q.legal_detail or (q.asks_number and not _has_number(hits[:3])):
            return self._unsupported_detail(q, hits)
        return self._from_hits(q, hits, bool(q.tracks))

    def _relevance(self, content: list[str], hits: list[Hit]) -> Answer | None:
        """Refuse when the question shares (almost) nothing with the guide."""
        if not content:
            return None
        known = sum(self.known(w) for w in content)
        coverage = known / len(content)
        top_dense = max(h.dense for h in hits)
        top_lexical = max(h.lexical for h in hits)
        if coverage >= 0.5 and top_lexical >= 2.0:
            return None
        if top_dense >= 0.86 and coverage > 0:
            return None
        log.debug("afvist: dækning %.2f, bm25 %.2f, cos %.3f", coverage, top_lexical, top_dense)
        return Answer(NOT_COVERED, True)

    def _unsupported_detail(self, q: Question, hits: list[Hit]) -> Answer:
        best = hits[0].chunk
        draft = Draft()
        what = "lovtekstens detaljer (artikler, paragraffer, klasser)" if q.legal_detail else \
            "tal, beløb, varigheder eller datoer for det"
        draft.text(f"Det dækker guiden ikke: AI-rejsen angiver ikke {what}. "
                   f"Det nærmeste, guiden siger, står i *{best.path}*:")
        draft.text("")
        draft.chunks([best])
        return draft.answer(refused=True)

    def _structure(self, q: Question) -> Answer:
        draft = Draft()
        tracks = q.tracks or tuple(TRACK_NAMES)[1:]
        if q.phases:
            for key in q.phases:
                actions = self.gmap.actions(key)
                draft.heading(phase_label(key, self.gmap))
                draft.text(f"Fasen har {len(actions)} centrale handlinger:")
                draft.actions(actions)
            return draft.answer()
        for track in tracks:
            phases = self.gmap.phases(track)
            overview = [c for c in self.index.chunks
                        if c.track == "intro" and c.section == "Forord" and c.number is None
                        and c.text.startswith(TRACK_NAMES[track] + ":")]
            draft.heading(TRACK_NAMES[track])
            if overview:
                draft.paragraphs(overview[:1])
            draft.text("Faserne er: " + ", ".join(
                f"{n} {self.gmap.title((track, n))}" for n in phases) + ".")
        return draft.answer()

    def _overview(self, phases: list[tuple[str, int]], kind: str | None) -> Answer:
        draft = Draft()
        for key in phases:
            draft.heading(phase_label(key, self.gmap))
            if kind == WATCH_OUTS:
                draft.text("Vær opmærksom på:")
                draft.paragraphs(self.gmap.section(key, WATCH_OUTS))
            elif kind == KEY_ACTIONS:
                draft.text("Centrale handlinger:")
                draft.actions(self.gmap.actions(key))
            else:
                draft.chunks(self.gmap.section(key, PURPOSE) + self.gmap.actions(key))
        return draft.answer()

    def _neighbour_phase(self, q: Question, phases: list[tuple[str, int]]) -> Answer | None:
        if not phases:
            return None
        step = -1 if q.order in (PREVIOUS_PHASE, BEFORE) else 1
        draft = Draft()
        for key in phases[:2]:
            target = self.gmap.neighbour(key, step)
            if target is None:
                edge = "første" if step < 0 else "sidste"
                draft.heading(phase_label(key, self.gmap))
                draft.text(f"Det er den {edge} fase i {TRACK_NAMES[key[0]]}.")
                draft.paragraphs(self.gmap.section(key, PURPOSE)[:1])
                continue
            relation = "Før" if step < 0 else "Efter"
            draft.heading(phase_label(target, self.gmap))
            draft.text(f"{relation} {key[1]} {self.gmap.title(key)} kommer fase {target[1]} "
                       f"{self.gmap.title(target)}:")
            draft.text("")
            draft.chunks(self.gmap.section(target, PURPOSE) + self.gmap.actions(target))
        return draft.answer()

    def _match_actions(self, target: str, tracks: set[str] | None) -> list[Chunk]:
        """The key action(s) the target names, at most one per track, equally good matches."""
        wanted = set(self.analyzer.query_terms(target))
        if not wanted:
            return []
        scored = []
        for c in self.index.chunks:
            if c.kind != KEY_ACTIONS or (tracks and c.track not in tracks):
                continue
            have = set(self.analyzer.terms(c.text)) - NEUTRAL_VERBS
            overlap = len(wanted & have)
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

    def _before_after(self, q: Question, scope) -> Answer | None:
        tracks = {t for t, _ in scope} if scope else None
        target_phases = understand(q.order_target).phases
        matches = self._match_actions(q.order_target, tracks)
        if not matches or (target_phases and not q.phases == target_phases and False):
            return None
        if target_phases and self._names_phase(q.order_target):
            return None
        before = q.order == BEFORE
        cue_words = BEFORE_WORDS if before else AFTER_WORDS
        draft = Draft()
        for action in matches:
            key = (action.track, action.phase)
            actions = self.gmap.actions(key)
            draft.heading(phase_label(key, self.gmap))
            chosen = [a for a in actions if (a.number < action.number if before
                                             else a.number > action.number)]
            if chosen:
                relation = "Før" if before else "Efter"
                draft.text(f"{relation} *{action.text}* (handling {action.number} af "
                           f"{len(actions)}) kommer:")
                draft.actions(chosen)
            else:
                neighbour = self.gmap.neighbour(key, -1 if before else 1)
                place = "første" if before else "sidste"
                draft.text(f"*{action.text}* er den {place} centrale handling i fasen.")
                if neighbour is not None:
                    neighbour_actions = self.gmap.actions(neighbour)
                    picked = neighbour_actions[-3:] if before else neighbour_actions[:3]
                    draft.text(f"{'Før' if before else 'Efter'} den kommer "
                               f"{phase_label(neighbour, self.gmap)}:")
                    draft.actions(picked)
            watch = self._cue_watch_outs(key, q.order_target, cue_words)
            if watch:
                draft.text("Vær opmærksom på:")
                draft.paragraphs(watch)
        return draft.answer()

    def _names_phase(self, target: str) -> bool:
        """True when the target is a phase's title rather than an action."""
        wanted = set(self.analyzer.terms(target)) - self.generic_terms
        for track in ("ny-ide", "faerdigt-produkt"):
            for n in self.gmap.phases(track):
                title_terms = set(self.analyzer.terms(self.gmap.title((track, n))))
                if wanted and wanted <= title_terms:
                    return True
        return False

    def _cue_watch_outs(self, key, target: str, cue_words: set[str]) -> list[Chunk]:
        """The phase's watch-outs about the target, preferring those that speak of order."""
        wanted = set(self.analyzer.query_terms(target))
        best = []
        for c in self.gmap.section(key, WATCH_OUTS):
            words = set(tokens(c.text))
            overlap = len(wanted & set(self.analyzer.terms(c.text)))
            if overlap:
                best.append((bool(words & cue_words), overlap, -c.position, c))
        best.sort(key=lambda t: t[:3], reverse=True)
        return [t[3] for t in best[:1]]

    def _from_hits(self, q: Question, hits: list[Hit], track_named: bool) -> Answer:
        groups = group_by_place([h.chunk for h in hits])
        best: dict[tuple, Hit] = {}
        for h in hits:
            key = _place(h.chunk)
            if key not in best:
                best[key] = h
        order = list(best)  # by best fused score
        top = order[0]
        chosen = [top]
        top_score = best[top].score
        parallel = self.gmap.parallel(top) if len(top) == 2 else None
        if parallel and not track_named and parallel in best and (
                best[parallel].lexical > 0 or best[parallel].dense >= best[top].dense - 0.04):
            chosen.append(parallel)
        for key in order[1:]:
            if len(chosen) >= 3:
                break
            if key not in chosen and best[key].score >= 0.85 * top_score:
                chosen.append(key)
        draft = Draft()
        for key in chosen:
            group_hits = [h for h in hits if _place(h.chunk) == key]
            picked = self._pick(group_hits, q)
            if len(key) == 2 and q.kind and not any(c.kind == q.kind for c in picked):
                extra = self._best_of_kind(key, q)
                picked.extend(extra)
            draft.heading(place_label(key, self.gmap, groups[key]))
            draft.chunks(picked)
        return draft.answer()

    def _pick(self, group_hits: list[Hit], q: Question) -> list[Chunk]:
        top_lex = max(h.lexical for h in group_hits)
        top_dense = max(h.dense for h in group_hits)
        picked = [h.chunk for h in group_hits
                  if (top_lex and h.lexical >= 0.6 * top_lex) or h.dense >= top_dense - 0.02]
        return picked[:4]

    def _best_of_kind(self, key: tuple[str, int], q: Question) -> list[Chunk]:
        section = self.gmap.section(key, q.kind)
        if q.kind == KEY_ACTIONS or q.kind == PURPOSE:
            return section
        wanted = set(self.analyzer.query_terms(q.text))
        ranked = sorted(section, key=lambda c: -len(wanted & set(self.analyzer.terms(c.text))))
        return ranked[:2]


def _place(chunk: Chunk) -> tuple:
    return (chunk.track, chunk.phase) if chunk.phase is not None else \
        (chunk.track, None, chunk.section)


def _has_number(hits: list[Hit]) -> bool:
    return any(any(ch.isdigit() for ch in h.chunk.text) for h in hits)


def open_assistant(settings: Settings, progress: Callable[[int, int], None] | None = None,
                   on_rebuild: Callable[[str], None] | None = None) -> Assistant:
    """Open the index (building it if missing, stale or corrupt) and return an Assistant."""
    from corpus.parse import corpus_hash, parse_guide, source_text
    from index.embeddings import EmbeddingError, make_embeddings
    from index.store import IndexError_, ensure_index

    try:
        text = source_text(settings.guide_path)
    except OSError as exc:
        raise IndexUnavailable(f"Guiden kan ikke læses: {exc}") from exc
    try:
        embeddings = make_embeddings(settings.embeddings)
        index = ensure_index(settings.data_dir, embeddings, settings.embeddings, text,
                             corpus_hash(text), settings.chroma_url, progress, on_rebuild)
    except (EmbeddingError, IndexError_, OSError) as exc:
        raise IndexUnavailable(
            f"Indekset kunne ikke åbnes eller bygges ({exc}). Kør `ai-rejsen index` igen; "
            f"hjælper det ikke, så slet mappen {settings.data_dir}.") from exc
    return Assistant(index, embeddings, settings, parse_guide(text))
