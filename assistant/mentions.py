"""The guide's structure named in a question: tracks, phases, key actions, section kinds, and
structure that does not exist ("fase 7", "den 9. handling i Idéudvikling", "det tredje spor").

Everything is matched against the guide's own names, read from its layout: track names, phase
numbers and titles, action counts and titles, section headings. English and other words for them
come through the glossary. Pure: text in, a frozen Mentions out.

Does not handle: which track a situation implies ("vi har købt et CE-mærket værktøj"): that is
learned from the question bank (assistant/intents.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from assistant import cues
from assistant.layout import GuideMap, PhaseKey
from corpus.model import KEY_ACTIONS, KIND_TITLES, PURPOSE, WATCH_OUTS
from index.lexical import (
    DANISH_STOPWORDS,
    Analyzer,
    fold,
    glossary_matches,
    stem,
    tokens,
)

NUMBER_RE = re.compile(r"^(\d{1,3})\.?$")
PLURAL_ACTION_WORDS = frozenset({"handlinger", "actions", "steps"})
GLUED_RE = re.compile(r"^(fase|phase|trin|step|handling)(\d{1,3})$")  # "fase3"
# A title word found in this many chunks or more is an everyday word of the guide ("udvikling"):
# it names its phase only beside a word like "fase" ("udviklingsfasen", "fasen Udvikling").
COMMON_TITLE_WORD = 3


WORD_RE = re.compile(r"[0-9A-Za-zÆØÅæøåÉéÜü]+(?:-[0-9A-Za-zÆØÅæøåÉéÜü]+)*")


def capitalised(text: str) -> frozenset[str]:
    """Words written with a capital inside a sentence ("hvad sker der i Udvikling?"), lower-
    cased: the asker names something. Not a sentence's first word, not all capitals ("MDR")."""
    out = set()
    for m in WORD_RE.finditer(text):
        word = m.group(0)
        before = text[:m.start()].rstrip()
        if before and before[-1] not in ".!?:;\"'«»(" and word[0].isupper() \
                and not word.isupper():
            out.add(word.lower())
    return frozenset(out)


@dataclass(frozen=True)
class Missing:
    """Structure the question names that the guide does not have, and what it has instead."""

    what: str  # "phase" | "action" | "track"
    number: int
    track: str | None = None  # the track (for a phase), or None for all
    phase: PhaseKey | None = None  # the phase (for an action)


@dataclass(frozen=True)
class Mentions:
    tracks: tuple[str, ...] = ()  # named tracks
    phases: tuple[PhaseKey, ...] = ()  # named phases that exist
    actions: tuple[PhaseKey | tuple[str, int, int], ...] = ()  # (track, phase, number)
    kinds: tuple[str, ...] = ()  # section kinds named (purpose, key_actions, watch_outs)
    ordinal_phase: str | None = None  # "first" | "last" phase named without a number
    ordinal_action: str | None = None  # "first" | "last" action
    ordinal_count: int = 1  # … so many of them ("de to sidste handlinger")
    missing: Missing | None = None
    place_words: frozenset[int] = frozenset()  # positions of words that only name places


def _same(stem_a: str, stem_b: str) -> bool:
    """Two stems of one word: equal, or one the other plus an ending ("ny" ~ "nye")."""
    short, long = sorted((stem_a, stem_b), key=len)
    return stem_a == stem_b or (len(short) >= 2 and long.startswith(short)
                                and len(long) - len(short) <= 2)


def _match_with_gap(stems: list[str], start: int, name: tuple[str, ...],
                    owner: list[int]) -> int | None:
    """The end of `name` in `stems` from `start`, allowing one other word inside it ("færdigt,
    CE-mærket produkt": the parts of a hyphenated word are one word)."""
    i, gaps = start, 0
    for j, part in enumerate(name):
        if i < len(stems) and _same(stems[i], part):
            i += 1
            continue
        if not j or gaps or i >= len(stems):
            return None
        skip = i
        while skip < len(stems) and owner[skip] == owner[i]:
            skip += 1
        if skip < len(stems) and _same(stems[skip], part):
            i, gaps = skip + 1, 1
        else:
            return None
    return i


def compound_head(word: str) -> str | None:
    """"testfasen" → "test", "indkøbsfasen" → "indkøb", "test-fasen" → "test"."""
    m = re.match(r"^(\w{3,}?)s?-?fase(?:n|r|rne)?$", word)
    return m.group(1) if m else None


# Shorter bases than this are too general to name a phase ("test" is a title word anyway).
MIN_BASE = 5
NOUN_ENDINGS = ("ering", "ning", "else", "ende")


def _base(head: str) -> str:
    """The part of a noun its verb shares: "afprøvning" → "afprøv", "evaluering" → "evalu",
    "design" → "design"."""
    head = fold(head)
    for ending in NOUN_ENDINGS:
        if head.endswith(ending) and len(head) - len(ending) >= MIN_BASE - 1:
            return head[:-len(ending)]
    return head


def _orders(word: str) -> bool:
    """"næste", "sidste", "forrige", …: a word that places a phase, not a title's."""
    return any((word,) in cues.phrases(g) for g in ("next", "previous", "first", "last"))


def _count(word: str) -> int | None:
    """A small count written as a digit or a word ("to", "two", "3")."""
    n = int(word) if word.isdigit() and len(word) < 3 else cues.cardinals().get(word)
    return n if n and n > 1 else None


def _edge(word: str) -> bool:
    return (word,) in cues.phrases("list_first") or (word,) in cues.phrases("list_last")


def _num(word: str) -> int | None:
    if m := NUMBER_RE.match(word):
        return int(m.group(1))
    return cues.ordinals().get(word)


class MentionReader:
    """Built once per guide: its names as word sequences, its titles as terms."""

    def __init__(self, layout: GuideMap, analyzer: Analyzer):
        self.layout = layout
        self.analyzer = analyzer

    @cached_property
    def track_names(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each track's name and id as folded word stems: ("ny-ide", ("ny", "ide"))."""
        out = []
        for track in self.layout.tracks:
            for name in (self.layout.track_name(track), track.replace("-", " ")):
                words = tuple(stem(fold(w)) for w in tokens(name.replace("-", " ")))
                if words:
                    out.append((track, words))
        return out

    @cached_property
    def guide_names(self) -> frozenset[str]:
        """Words that name the guide itself: its title (the introduction's first heading) and
        the genre's nouns ("guiden")."""
        titles = self.layout.intro_sections[:1]
        words = {w for t in titles for w in tokens(t)}
        words |= {p[0] for p in cues.phrases("guide_word") if len(p) == 1}
        for w in list(words):
            words |= set(w.split("-"))
        return frozenset(words)

    @cached_property
    def title_terms(self) -> dict[PhaseKey, frozenset[str]]:
        return {key: frozenset(t for t in self.analyzer.terms(self.layout.title(key))
                               if not t.startswith("~"))
                for key in self.layout.phase_keys()}

    @cached_property
    def phase_words(self) -> dict[PhaseKey, tuple[str, ...]]:
        """Each phase's words from its purpose and key action titles, folded: an everyday
        "afprøvningsfasen" names the phase whose purpose says "afprøves"."""
        out = {}
        for key in self.layout.phase_keys():
            text = " ".join(c.text for c in [*self.layout.purpose(key),
                                              *self.layout.actions(key)])
            out[key] = tuple(dict.fromkeys(fold(w) for w in tokens(text)
                                           if w not in DANISH_STOPWORDS))
        return out

    def _described(self, heads: list[str], tracks) -> list[PhaseKey]:
        """Phases a compound with "fase" names by what the phase does, when its head is no
        title word: the one phase of a track whose purpose or key actions hold a word of the
        head's base ("afprøvning" → "afprøves"); a base found in several phases of a track
        names none of them."""
        found: list[PhaseKey] = []
        for head in heads:
            base = _base(head)
            if len(base) < MIN_BASE:
                continue
            hits = [k for k, words in self.phase_words.items()
                    if (not tracks or k[0] in tracks)
                    and any(w.startswith(base) for w in words)]
            for track in dict.fromkeys(t for t, _ in hits):
                mine = [k for k in hits if k[0] == track]
                if len(mine) == 1:
                    found.append(mine[0])
        return found

    @cached_property
    def common_terms(self) -> frozenset[str]:
        """Title terms the guide uses in many passages: not enough alone to name a phase."""
        counts: dict[str, int] = {}
        for chunk in self.layout.chunks:
            for term in set(self.analyzer.terms(chunk.text)):
                counts[term] = counts.get(term, 0) + 1
        return frozenset(t for t, n in counts.items() if n >= COMMON_TITLE_WORD)

    @cached_property
    def kind_terms(self) -> dict[str, str]:
        """Each section heading's longest word, the one that names it ("opmærksom" in "Vær
        opmærksom på", "handling" in "Centrale handlinger")."""
        out = {}
        for kind, title in KIND_TITLES.items():
            terms = [t for t in self.analyzer.terms(title) if not t.startswith("~")]
            words = sorted(tokens(title), key=len, reverse=True)
            out[kind] = stem(words[0]) if words else (terms[0] if terms else "")
        return out

    # ---- reading -------------------------------------------------------------------------

    def read(self, text: str, capitalised: frozenset[str] = frozenset(),
             in_titles: frozenset[int] = frozenset()) -> Mentions:
        """What `text` names; `capitalised` holds the words the asker wrote with a capital
        inside a sentence (see `capitalised`): an everyday title word so written is a name.
        `in_titles` holds the positions of words that belong to a key action's title named
        in the question ("evaluere afprøvningsfasen"): they name that step, not a phase."""
        named = frozenset(t for w in capitalised for t in self.analyzer.terms(w))
        words = tuple(tokens(text))
        matches = glossary_matches(list(words))  # the Danish words of its English ones
        expanded = words + tuple(tokens(" ".join(value for _, _, value in matches)))
        tracks, track_spans = self._tracks(expanded)
        place_words = {i for s, e in track_spans for i in range(s, e) if i < len(words)}
        for start, end, value in matches:  # "the finished product track"
            if self._tracks(tuple(tokens(value)))[0]:
                place_words |= set(range(start, end))
        place_words |= {i for i, w in enumerate(words) if w in self.guide_names}
        phases, missing, ordinal_phase, phase_spans = self._phases(words, expanded, tracks,
                                                                       named, in_titles, matches)
        place_words |= {i for s, e in phase_spans for i in range(s, e) if i < len(words)}
        missing = missing or self._missing_track(words)
        actions, action_missing, ordinal_action, count = self._actions(words, phases)
        return Mentions(
            tracks=tracks, phases=phases, actions=actions, kinds=self._kinds(expanded),
            ordinal_phase=ordinal_phase, ordinal_action=ordinal_action, ordinal_count=count,
            missing=missing or action_missing, place_words=frozenset(place_words))

    def numbered(self, text: str, phases: tuple[PhaseKey, ...]) -> tuple:
        """Key actions `text` names by number inside `phases` (the phase in view: "den anden
        centrale handling der")."""
        return self._actions(tuple(tokens(text)), phases)[0]

    def _tracks(self, words: tuple[str, ...]) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
        """Track names, also with one word inside them ("færdigt AI-produkt", "nye AI-idéer")."""
        stems, owner = [], []  # hyphenated words split, each part knowing its word
        for i, word in enumerate(words):
            for part in word.split("-"):
                if part:
                    stems.append(stem(fold(part)))
                    owner.append(i)
        found: list[str] = []
        spans = []
        for track, name in self.track_names:
            for i in range(len(stems)):
                end = _match_with_gap(stems, i, name, owner)
                if end is not None:
                    found.append(track)
                    spans.append((owner[i], owner[end - 1] + 1))
        return tuple(dict.fromkeys(found)), spans

    def _phases(self, words, expanded, tracks, named=frozenset(), in_titles=frozenset(),
                matches=None):
        found: list[PhaseKey] = []
        spans: list[tuple[int, int]] = []
        missing = None
        ordinal = None
        candidates = tracks or self.layout.tracks
        for i, word in enumerate(words):
            glued = GLUED_RE.match(word)
            number = None
            if glued and glued.group(1) in ("fase", "phase"):
                number, span = int(glued.group(2)), (i, i + 1)
            elif self._is_phase_word(word):
                after = _num(words[i + 1]) if i + 1 < len(words) else None
                if after is None and i + 1 < len(words):
                    after = cues.cardinals().get(words[i + 1])  # "fase tre"
                before = _num(words[i - 1]) if i > 0 else None
                if after is not None and not self._is_action_word_at(words, i + 2):
                    number, span = after, (i, i + 2)
                elif before is not None:
                    number, span = before, (i - 1, i + 1)
                    if not NUMBER_RE.match(words[i - 1]):
                        ordinal = "first" if before == 1 else ordinal  # "den første fase"
                elif i > 0 and words[i - 1] in ("sidste", "last", "final", "allersidste"):
                    ordinal, span = "last", (i - 1, i + 1)
            if number is None:
                continue
            keys = [(t, number) for t in candidates if self.layout.has_phase((t, number))]
            if keys:
                found += keys
                spans.append(span)
            elif missing is None:
                missing = Missing("phase", number, tracks[0] if len(tracks) == 1 else None)
        if ordinal == "last":
            found += [(t, self.layout.phases(t)[-1]) for t in candidates if self.layout.phases(t)]
        titled = self._titled(expanded, tracks, named, in_titles, words, matches)
        found += titled
        title_terms = set().union(*(self.title_terms[k] for k in titled)) if titled else set()
        for i, word in enumerate(words):  # the words of a named title only name a place
            head = compound_head(word)
            if titled and (set(self.analyzer.terms(word)) & title_terms or head):
                spans.append((i, i + 1))
        return tuple(dict.fromkeys(found)), missing, ordinal, spans

    def _is_phase_word(self, word: str) -> bool:
        return (word,) in cues.phrases("phase_word")

    def _is_action_word_at(self, words, i: int) -> bool:
        return i < len(words) and (words[i],) in cues.phrases("action_word")

    def _titled(self, expanded, tracks, named=frozenset(), in_titles=frozenset(),
                words: tuple[str, ...] | None = None, matches=None) -> list[PhaseKey]:
        """Phases named by title: all of a title's words (for a one-word title that the guide
        also uses as an everyday word, only beside a word like "fase"), or a compound with
        "fase" whose head begins a title word ("testfasen", "idéfasen", "indkøbsfasen", also
        written apart: "drift fasen")."""
        expanded = tuple(w for i, w in enumerate(expanded) if i not in in_titles)
        terms = set(self.analyzer.terms(" ".join(expanded)))
        heads = [compound_head(w) for w in expanded]
        # … or written apart: "drift fasen", "test fasen" (not "næste fasen", "den fase").
        pairs = _beside(words, in_titles, matches) if words is not None \
            else zip(expanded, expanded[1:], strict=False)
        heads += [w for w, after in pairs
                  if self._is_phase_word(after) and len(w) >= 3 and not _num(w)
                  and w not in DANISH_STOPWORDS and not _orders(w)]
        heads = [fold(h) for h in heads if h]
        matched = []
        for key, title in self.title_terms.items():
            if tracks and key[0] not in tracks:
                continue
            everyday = len(title) == 1 and title <= self.common_terms \
                and not title <= named  # "handlinger i Udvikling": written as a name
            if title and title <= terms and (not everyday or self._beside_phase_word(
                    expanded, title)):
                matched.append(key)
            elif any(fold(w).startswith(h) for h in heads
                     for w in tokens(self.layout.title(key))):
                matched.append(key)
        if not matched:  # "afprøvningsfasen": no title word, the phase's purpose says it
            matched = self._described([compound_head(w) for w in expanded
                                       if compound_head(w)], tracks)
        # "Idéudvikling" also contains "udvikling": keep the most specific title.
        return [k for k in matched if not any(
            self.title_terms[k] < self.title_terms[o] for o in matched)]

    def _beside_phase_word(self, words, title: frozenset[str]) -> bool:
        """An everyday title word right beside a word like "fase" ("fasen Udvikling",
        "udvikling fasen"), not anywhere in the same question ("gennem faserne for mit
        udviklingsprojekt")."""
        at = [i for i, w in enumerate(words) if set(self.analyzer.terms(w)) & title]
        near = [i for i, w in enumerate(words) if self._is_phase_word(w)
                or compound_head(w)]
        return any(abs(i - j) <= 2 for i in at for j in near)

    def _missing_track(self, words) -> Missing | None:
        for i, word in enumerate(words[:-1]):
            number = _num(word)
            if number and (words[i + 1],) in cues.phrases("track_word") \
                    and number > len(self.layout.tracks) and not NUMBER_RE.match(word):
                return Missing("track", number)
        return None

    def _actions(self, words, phases):
        """Key actions named by number ("handling 3", "den 9. centrale handling") within the
        named phase, and the first or last action."""
        found, missing, ordinal, count = [], None, None, 1
        for i, word in enumerate(words):
            if (word,) not in cues.phrases("action_word") and not (
                    word == "centrale" and i + 1 < len(words)):
                continue
            before = _num(words[i - 1]) if i > 0 else None
            if words[i - 1:i] == ("centrale",) and i > 1:
                before = _num(words[i - 2])
            after = _num(words[i + 1]) if i + 1 < len(words) else None
            if word in PLURAL_ACTION_WORDS:
                before = None  # "de 15 handlinger i fase 1": a count, not a number
            number = before if before is not None else after
            j = i - 2 if i > 1 and words[i - 1] in ("centrale", "key") else i - 1
            counted = _count(words[j]) if j >= 1 else None
            if counted and _edge(words[j - 1]):  # "the last two actions"
                j, count = j - 1, counted
            elif j >= 1 and _edge(words[j]) and (before_edge := _count(words[j - 1])):
                count = before_edge  # "de to sidste"
            if j >= 0 and (words[j],) in cues.phrases("list_first"):
                ordinal = "first"  # "den første (centrale) handling", "the first key action"
            elif j >= 0 and (words[j],) in cues.phrases("list_last"):
                ordinal = "last"
            elif number is not None and phases:
                for key in phases:
                    if self.layout.action(key, number):
                        found.append((*key, number))
                if not found and number:
                    missing = Missing("action", number, phases[0][0], phases[0])
        # ("den 2. centrale handling": both "centrale" and "handling" find it)
        return tuple(dict.fromkeys(found)), missing, ordinal, count

    def _kinds(self, expanded) -> tuple[str, ...]:
        """Section kinds asked for: the heading's own word, or a word people use for it."""
        terms = set(self.analyzer.terms(" ".join(expanded))) | {stem(w) for w in expanded}
        return tuple(k for k in (WATCH_OUTS, PURPOSE, KEY_ACTIONS)
                     if (self.kind_terms[k] and self.kind_terms[k] in terms)
                     or cues.has(tuple(expanded), f"kind_{k}"))


def _beside(words: tuple[str, ...], skip: frozenset[int] = frozenset(),
            matches: list[tuple[int, int, str]] | None = None) -> list[tuple[str, str]]:
    """Pairs of words that stand side by side in the question, read in Danish: its own
    neighbours, the words inside one glossary value, and a glossary value beside a word or
    value it stood next to ("development phase": "udvikling" "fase"). Values of words far
    apart are no pair ("new idea journey … phases" names no "idé fase")."""
    kept = [(i, w) for i, w in enumerate(words) if i not in skip]
    pairs = [(a, b) for (i, a), (j, b) in zip(kept, kept[1:], strict=False) if j == i + 1]
    if matches is None:
        matches = glossary_matches(list(words))
    values = [(start, end, tuple(tokens(value))) for start, end, value in matches]
    for start, end, value in values:
        if not value:
            continue
        pairs += zip(value, value[1:], strict=False)
        if end < len(words) and end not in skip:
            pairs.append((value[-1], words[end]))
        if start > 0 and start - 1 not in skip:
            pairs.append((words[start - 1], value[0]))
    for (_, end, first), (start, _, second) in zip(values, values[1:], strict=False):
        if start == end and first and second:
            pairs.append((first[-1], second[0]))
    return pairs
