"""How a question asks, from fixed function words (assistant/data/cues.json): whether it points
back at the conversation, asks about order or time, asks for a kind of detail, or is English.

Pure. Does not decide what a question is about: topics come from the guide and the question bank.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from index.lexical import TOKEN_RE, normalize, tokens

Phrase = tuple[str, ...]


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resources.files("assistant").joinpath("data/cues.json").read_text("utf-8"))


@lru_cache(maxsize=64)
def phrases(group: str) -> tuple[Phrase, ...]:
    """The group's phrases as word tuples, longest first (so "og hvad med" wins over "og")."""
    found = {tuple(tokens(p)) for p in _data()[group]["phrases"]}
    return tuple(sorted((p for p in found if p), key=len, reverse=True))


@lru_cache(maxsize=8)
def section_word(group: str) -> str:
    """The word of a section heading that a group's questions ask about ("målgruppe")."""
    return _data()[group]["section"]


@lru_cache(maxsize=1)
def ordinals() -> dict[str, int]:
    return dict(_data()["ordinals"]["words"])


@lru_cache(maxsize=1)
def cardinals() -> dict[str, int]:
    """Number words that count a phase only right after a phase word ("fase to")."""
    return dict(_data()["cardinals"]["words"])


@lru_cache(maxsize=1)
def detail_kinds() -> tuple[tuple[str, tuple[Phrase, ...]], ...]:
    kinds = _data()["detail"]["kinds"]
    return tuple((name, tuple(tuple(tokens(p)) or (p,) for p in cues))
                 for name, cues in kinds.items())


@lru_cache(maxsize=2)
def _function_words(group: str) -> frozenset[str]:
    return frozenset(_data()[group]["words"])


@lru_cache(maxsize=None)
def _by_first_word(group: str) -> dict[str, tuple[Phrase, ...]]:
    """The phrases of `group` by their first word, in the group's order."""
    out: dict[str, tuple[Phrase, ...]] = {}
    for p in phrases(group):
        if p:
            out[p[0]] = (*out.get(p[0], ()), p)
    return out


def find(words: tuple[str, ...], group: str, start: int = 0) -> tuple[int, int] | None:
    """(start, end) of the first phrase of `group` in `words` at or after `start` (at the
    same place, the one the group lists first). Filler words may stand inside a phrase of
    several words: "hvad skal vi så konkret gøre" says "hvad skal vi gøre"."""
    by_first = _by_first_word(group)
    for i in range(start, len(words)):
        for p in by_first.get(words[i], ()):
            end = _phrase_end(words, i, p)
            if end is not None:
                return i, end
    return None


@lru_cache(maxsize=1)
def _fillers() -> frozenset[str]:
    return frozenset(w for p in phrases("phrase_fillers") for w in p)


def _phrase_end(words: tuple[str, ...], i: int, phrase: Phrase) -> int | None:
    """Where `phrase` ends if it starts at words[i], with filler words allowed between its
    words; None if it does not."""
    j = i + 1
    for word in phrase[1:]:
        while j < len(words) and words[j] != word and words[j] in _fillers():
            j += 1
        if j >= len(words) or words[j] != word:
            return None
        j += 1
    return j


def has(words: tuple[str, ...], group: str) -> bool:
    return find(words, group) is not None


def starts_with(words: tuple[str, ...], group: str) -> bool:
    return any(tuple(words[:len(p)]) == p for p in phrases(group))


def after_start(words: tuple[str, ...], group: str) -> tuple[str, ...] | None:
    """The words after the longest phrase of `group` that `words` open with, or None."""
    lengths = [len(p) for p in phrases(group) if tuple(words[:len(p)]) == p]
    return words[max(lengths):] if lengths else None


def ends_with(words: tuple[str, ...], group: str) -> bool:
    return any(len(words) >= len(p) and tuple(words[-len(p):]) == p for p in phrases(group))


def _until_clause(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The first words of `words` (the tail of `text`'s tokens) up to a comma, a full stop or a
    clause word (når, hvis, …), at least one."""
    spans = [m.span() for m in TOKEN_RE.finditer(normalize(text))]
    spans = spans[len(spans) - len(words):] if len(spans) >= len(words) else []
    norm = normalize(text)
    cut = len(words)
    for i in range(1, len(spans)):
        between = norm[spans[i - 1][1]:spans[i][0]]
        if any(mark in between for mark in ",;.?!–"):
            cut = i
            break
    stop = find(words, "clause_break", start=1)
    if stop:
        cut = min(cut, stop[0])
    return words[:max(cut, 1)]


def detail_kind(text: str) -> str | None:
    """The kind of specific the question asks for ("priser eller beløb", …), or None."""
    words = tuple(tokens(text))
    lowered = text.lower()
    present = set(words)
    for name, cues in detail_kinds():
        for cue in cues:
            if cue and all(not w.isalnum() for w in cue[0]) and cue[0] in lowered:
                return name  # a sign such as "§"
            if cue and cue[0] in present and any(
                    tuple(words[i:i + len(cue)]) == cue for i in range(len(words))):
                return name
    return None


def is_english(text: str) -> bool:
    """More English function words than Danish ones, and at least two."""
    words = tokens(text)
    english = sum(w in _function_words("english") for w in words)
    danish = sum(w in _function_words("danish") for w in words)
    return english >= 2 and english > danish


@dataclass(frozen=True)
class Order:
    """What an order question asks: the relation, and the text it is relative to (if any)."""

    relation: str  # "before" | "after" | "next" | "previous" | "first" | "last"
    target: str = ""  # up to the end of its clause
    rest: str = ""  # everything after "før"/"efter" (a phase title may hold a comma)
    head: str = ""  # everything before it ("hvad gør vi", "hvordan opdaterer man business casen")
    compared: bool = False  # "A eller B først?": is A before B (A is in the head)
    told: bool = False  # the step is one a sentence before the question says is over


def order_of(text: str, told: bool = True) -> Order | None:
    """The order relation a question asks about, with the words it is relative to: up to the
    next clause ("efter markedsdialogen, når …" is after "markedsdialogen"). "Før den" in a
    follow-up is the step before the one in view."""
    full, text = text, asking(text)  # "… sortere billeder efter hastegrad. Hvad …?": no order
    words = tuple(tokens(text))
    if _both_ways(words):
        return None  # "både før og efter vi har købt det": all the way, not one side
    for relation in ("before", "after"):
        span = find(words, relation)
        if span and span[1] == len(words):  # "hvilken handling kommer lige før?"
            return Order("previous" if relation == "before" else "next",
                         head=" ".join(words[:span[0]]))
        if span and span[1] < len(words):
            target = _until_clause(text, words[span[1]:])
            head = " ".join(words[:span[0]])
            if set(target) <= _pointing():  # "og før den?", "hvad lå før den fase?"
                return Order("previous" if relation == "before" else "next", head=head)
            return Order(relation, " ".join(target), " ".join(words[span[1]:]), head)
    done = _done_clause(text, words)
    if done:  # "Når idéudviklingen er overstået, hvad går vi så i gang med?"
        target = " ".join(done[0])
        return Order("after", target, target, " ".join(done[1]))
    step = told_done(full) if told else None
    if step and any(has(words, g) for g in ("next", "first", "now")):
        # "Vi er færdige med konceptualiseringen. Hvad skal vi nu?": what follows that step
        target = " ".join(step)
        return Order("after", target, target, " ".join(words), told=True)
    alternative = [i for i, w in enumerate(words) if w in ("eller", "or")]
    if alternative and has(words, "first"):
        # "retrospektiv eller prospektiv først?", "which comes first, A or B?": is A before B.
        firsts = {w for p in phrases("first") for w in p}
        later = [w for w in words[alternative[-1] + 1:] if w not in firsts]
        if later:
            head = " ".join(words[:alternative[-1]])
            return Order("before", " ".join(later), " ".join(later), head, compared=True)
    if has(words, "first") and has(words, "last"):
        return None  # "hvor starter og slutter sporet?": all of it, from first to last
    for relation in ("next", "previous", "last", "first"):
        if has(words, relation):
            return Order(relation)
    return None


def _both_ways(words: tuple[str, ...]) -> bool:
    """"før og efter", "before or after": both relations, joined by a conjunction."""
    before, after = find(words, "before"), find(words, "after")
    if before is None or after is None:
        return False
    first, then = sorted((before, after))
    return then[0] == first[1] + 1 and words[first[1]] in ("og", "eller", "and", "or")


@lru_cache(maxsize=1)
def _pointing() -> frozenset[str]:
    """Words that point back at the step or phase in view ("den", "den fase", "det trin")."""
    return frozenset(w for g in ("follow_up_end", "phase_word", "action_word")
                     for p in phrases(g) for w in p)


def _done_clause(text: str, words: tuple[str, ...]
                 ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(the step a "når X er overstået" / "when we are done with X" clause says is over, the
    words outside the clause: what is asked), or None. The step is the words between the
    opening word and 'er', or those after 'med'/'with'."""
    start = find(words, "done_start")
    if start is None:
        return None
    done = find(words, "done", start[1])
    link = find(words, "done_link", start[1])
    if done is None or link is None or link[1] > done[0] + 1:
        return None
    if done[1] < len(words) and words[done[1]] in ("med", "with"):  # "færdige med X"
        step = _until_clause(text, words[done[1] + 1:])
        return step, words[:start[0]] + words[done[1] + 1 + len(step):]
    step = words[start[1]:link[0]]
    if not step or (step[0],) in phrases("clause_subject") or set(step) <= _pointing():
        return None  # "når den fase er overstået": the phase in view; 'hvad så' asks on
    return step, words[:start[0]] + words[done[1]:]


def told_done(text: str) -> tuple[str, ...] | None:
    """The step that a sentence before the question says is over ("Vi er færdige med
    konceptualiseringen. Hvad nu?", "Vi har netop afsluttet idéudviklingen. Næste skridt?",
    "Vores prospektive vurdering er afsluttet."), or None: the words after "færdig med"/"done
    with", after a "done" word that "har"/"have" stands shortly before, or before the "er"/"is"
    shortly before one. The reader keeps it only where it names a step of the guide."""
    split = _told_and_asked(text)
    if split is None:
        return None
    done_words, having, links = (_single_words(g) for g in ("done", "done_told", "done_link"))
    for sentence in reversed(split[0]):
        words = tuple(tokens(sentence))
        for i, word in enumerate(words):
            if word not in done_words or i + 1 >= len(words):
                continue
            if words[i + 1] in ("med", "with") and word in ("færdig", "færdige", "færdigt",
                                                            "done", "finished"):
                step = _until_clause(sentence, words[i + 2:])
            elif word in ("igennem", "through") and (having | links) & set(words[max(0, i - 3):i]):
                step = _until_clause(sentence, words[i + 1:])  # "har været igennem X"
            elif having & set(words[max(0, i - 3):i]):
                step = _until_clause(sentence, words[i + 1:])
            elif links & set(words[max(0, i - 2):i]):  # "vores prospektive vurdering er afsluttet"
                link = max(j for j in range(max(0, i - 2), i) if words[j] in links)
                step = words[:link]
            else:
                continue
            if step and not set(step) <= _pointing() | {"det", "it", "that", "this"}:
                return step
    return None


def opens_without_asking(words: tuple[str, ...]) -> bool:
    """A turn that opens with a connective and asks nothing after it ("og i fase 3?"): what
    an elliptic turn must look like (Reading.elliptic), and all of it that words can tell."""
    rest = after_start(words, "follow_up_start")
    return rest is not None and not has(rest, "asks")


def opens_a_sentence(text: str, group: str) -> bool:
    """Whether a phrase of `group` opens one of the text's sentences, or follows a connective
    that does ("og hvad …")."""
    for sentence in _sentences(text):
        words = tuple(tokens(sentence))
        rest = after_start(words, "follow_up_start")
        if starts_with(words, group) or (rest and starts_with(rest, group)):
            return True
    return False


def asks_when(text: str) -> bool:
    """Whether the question asks where in the journey something happens: a "when" phrase
    anywhere, or a word of "when_opening" that opens one of its sentences."""
    return has(tuple(tokens(text)), "when") or opens_a_sentence(text, "when_opening")


@lru_cache(maxsize=1)
def _number_word_re() -> re.Pattern:
    words = "|".join(re.escape(" ".join(p)) for p in phrases("number_word"))
    return re.compile(rf"\b(?:{words})\.?\s*(?=\d)", re.IGNORECASE)


def without_number_words(text: str) -> str:
    """"handling nr 2" as "handling 2": the word that says a number follows, dropped."""
    return _number_word_re().sub("", text)


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text.strip())


def _told_and_asked(text: str) -> tuple[list[str], list[str]] | None:
    """(the sentences that tell, those that ask) of a text with a question among several
    sentences, or None."""
    sentences = _sentences(text)
    if len(sentences) < 2 or not any(s.endswith("?") for s in sentences):
        return None
    told = [s for s in sentences if s.endswith((".", "!"))]
    return told, [s for s in sentences if not s.endswith((".", "!"))]


@lru_cache(maxsize=None)
def _single_words(group: str) -> frozenset[str]:
    """The phrases of `group` that are one word."""
    return frozenset(p[0] for p in phrases(group) if len(p) == 1)


def asking(text: str) -> str:
    """The sentences that ask, when others only tell: in "Vi har haft de første møder. Hvad
    mangler vi?" "første" is the asker's situation, not the first step, and in "Vi sorterer
    billeder efter hastegrad. Hvad …?" "efter" orders nothing."""
    split = _told_and_asked(text)
    return text if split is None else " ".join(split[1])
