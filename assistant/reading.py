"""Reading a question against the guide: which of its words are topics the guide knows, which
only name a place in the guide, and which key action a phrase names.

Shared by the answer strategies (assistant/respond.py, places.py, sequence.py).
"""

from __future__ import annotations

from dataclasses import replace

from assistant.compose import GuideMap
from assistant.lexicon import COMMON_WORDS, PLACE_WORDS
from assistant.understand import Question, understand
from index.chunking import Chunk
from index.lexical import DANISH_STOPWORDS, glossary_matches, normalize, stem, tokens

# Action verbs that only say "do X": they don't distinguish "Gennemfør prospektiv vurdering"
# from "prospektiv vurdering".
NEUTRAL_VERBS = {"gennemfør", "udfør", "foretag", "lav", "indgå", "udarbejd", "skab", "sæt"}
PLACE_WEIGHT = 0.3


class Reader:
    def __init__(self, index):
        self.index = index
        self.gmap = GuideMap.from_chunks(index.chunks)
        self.analyzer = index.analyzer
        # Phase titles are not place words: "indkøb" names a phase and is also a topic.
        self.place_terms = frozenset(self.analyzer.terms(" ".join(PLACE_WORDS)))
        self.common_terms = frozenset(self.analyzer.terms(" ".join(COMMON_WORDS)))
        self._chunk_terms: dict[str, frozenset[str]] = {}
        self.track_terms = frozenset(
            self.analyzer.terms("ny idé færdigt produkt fase fasen spor sporet"))
        self.title_terms = {
            (track, n): frozenset(t for t in self.analyzer.terms(self.gmap.title((track, n)))
                                  if t[0] != "~")
            for track in ("ny-ide", "faerdigt-produkt") for n in self.gmap.phases(track)}

    def terms_of(self, chunk: Chunk) -> frozenset[str]:
        """A chunk's search terms, computed once."""
        terms = self._chunk_terms.get(chunk.id)
        if terms is None:
            terms = self._chunk_terms[chunk.id] = frozenset(self.analyzer.terms(chunk.text))
        return terms

    def is_place_word(self, word: str) -> bool:
        if word in PLACE_WORDS:
            return True
        terms = [t for t in self.analyzer.terms(self.analyzer.spell(word)) if t[0] != "~"]
        if not terms:
            return True
        return set(terms) <= self.place_terms or (
            len(terms) >= 3 and set(terms[1:]) <= self.place_terms)

    def known(self, word: str) -> bool:
        """The guide has the word: as a stem, by its first letters, or — for a compound — both
        of its parts (patientjournaler is not known because the guide knows "patient")."""
        word = self.analyzer.correct(word) or word
        if "-" in word:  # it-afdelingen, ai-løsning: every part that says something
            parts = [p for p in word.split("-") if p and p not in DANISH_STOPWORDS]
            return bool(parts) and all(self.known(p) or p in COMMON_WORDS for p in parts)
        postings = self.index.bm25.postings
        # A shared 6-letter start joins inflections (valideres ~ validering), not compounds.
        if self.analyzer.has_prefix(word) or stem(word) in postings \
                or (7 <= len(word) <= 10 and "~" + word[:6] in postings):
            return True
        parts = self.analyzer.compound_parts(word)
        return bool(parts) and all(p in postings for p in parts)

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

    def _weights(self, terms: list[str]) -> dict[str, float]:
        """Place words (fase, guiden …) and everyday words (foregår, bruges …) count a little;
        topic words count fully."""
        return {t: PLACE_WEIGHT if t in self.place_terms or t in self.common_terms else 1.0
                for t in terms}

    def _closest(self, chunks: list[Chunk], wanted: set[str], n: int) -> list[Chunk]:
        """The n chunks sharing most terms with `wanted` (a 4+ letter term may also begin a
        word: data ~ datasæt)."""
        stems = [t for t in wanted if t[0] != "~" and len(t) >= 4]

        def overlap(c: Chunk) -> float:
            words = tokens(c.text)
            prefixed = sum(any(w.startswith(t) for w in words) for t in stems)
            return len(wanted & self.terms_of(c)) + 0.5 * prefixed

        scored = [(overlap(c), c) for c in chunks]
        scored = [(s, c) for s, c in scored if s]
        scored.sort(key=lambda sc: -sc[0])
        return [c for _, c in scored[:n]]

    def _titled_phases(self, target: str) -> list[tuple[str, int]]:
        """Phases whose title the target names ("efter udvikling" → Ny idé 3)."""
        wanted = {t for t in self.analyzer.terms(target) if t[0] != "~"} - self.track_terms
        if not wanted:
            return []
        return [key for key, title in self.title_terms.items() if wanted <= title]

    def _match_actions(self, target: str, tracks: set[str] | None,
                       phases: set[tuple[str, int]] | None = None) -> list[Chunk]:
        """The key action the target names, one per track where it matches as well as the best."""
        wanted = set(self.analyzer.query_terms(target)) - self.track_terms
        if not wanted:
            return []
        scored = []
        for c in self.gmap.key_actions:
            if (tracks and c.track not in tracks) or (phases and (c.track, c.phase) not in phases):
                continue
            have = self.terms_of(c) - NEUTRAL_VERBS
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

