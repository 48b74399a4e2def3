"""Danish lexical retrieval: analysis (tokens, Snowball stems, compound parts, glossary) and BM25.

Does not handle: spelling correction beyond what stemming and compound parts give, or word
senses. Questions are expanded with the glossary; the guide's own text is not.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

TOKEN_RE = re.compile(r"[0-9a-zæøåéü]+(?:-[0-9a-zæøåéü]+)*")

DANISH_STOPWORDS = frozenset("""
og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min
havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil
blev kunne ind når være dog noget ville jo deres dette denne end mit også under have dig anden
hende mine alt meget sit sine vor mod disse hvis din nogle hos blive mange ad bliver hendes været
thi jer sådan hvordan hvorfor hvilke hvilken hvilket hvem hvornår gøre gør gøres kan bør må jeg
vi man mon lige så få fik får nogen noget nok helst gerne the a an of to in on for is are what
which how do does i we you should must when who with and or be it this that at by from as
my our there about can me us your tell please venligst fortæl sig mig hej tak ok okay egentlig
før efter inden næste derefter bagefter forrige then next before after first først ved videre
""".split())



# "IT" is a stopword once lower-cased ("what is it?"). Written in capitals, as the head of a
# compound ("it-afdelingen") or among Danish words and no English ones ("hvornår skal it ind"),
# it is information technology: the guide's "Afklar infrastruktur for IT". It is read as a word
# that no stopword list drops.
IT_WORD = "informationsteknologi"
_IT_CAPS_RE = re.compile(r"(?<![\w-])(?:IT(?![\w])|[Ii][Tt](?=-[^\W\d_]))")
_IT_RE = re.compile(r"(?<![\w-])it(?![\w'’])")
_IT_ANY_RE = re.compile("[iI][tT]")
_ENGLISH_WORDS = frozenset(
    "the is are was what does do did we you they should how which who this that of and our "
    "can when where why there be have has an on with say says about its it's".split())
_DANISH_WORDS = frozenset(
    "og er skal hvad vi det der at til på med den hvornår hvordan af som kan vores jeg ikke "
    "hvor når om hvem hvilke hvilken have være bør må".split())


def _information_technology(text: str) -> str:
    if not text.isupper():
        text = _IT_CAPS_RE.sub(IT_WORD, text)
    text = text.lower()
    if _IT_RE.search(text):
        words = re.findall(r"[\w'’]+", text)
        # (parts of a text are read alone too: "before it" must stay what it was)
        if any(w in _DANISH_WORDS for w in words) and not any(w in _ENGLISH_WORDS
                                                              for w in words):
            text = _IT_RE.sub(IT_WORD, text)
    return text


# Typed on a US keyboard layout, the keys of æ and å give ';' and '[' ("gr;nse", "p[").
# Only between letters, where neither sign stands in Danish or English; "'" (ø's key) does.
_US_LAYOUT_RE = re.compile(r"(?<=[^\W\d_])[;\[](?=[^\W\d_])")
_US_LAYOUT = {";": "æ", "[": "å"}


def normalize(text: str) -> str:
    """Lower-case, NFC, control characters to spaces; IT as a word (_information_technology);
    æ and å typed on a US layout (_US_LAYOUT)."""
    text = unicodedata.normalize("NFC", text)
    if ";" in text or "[" in text:
        text = _US_LAYOUT_RE.sub(lambda m: _US_LAYOUT[m.group()], text)
    text = _information_technology(text) if _IT_ANY_RE.search(text) else text.lower()
    if text.isprintable():  # no character of category "Other": nothing to replace
        return text
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("danish")


def stem(word: str) -> str:
    """Snowball's Danish stem. Not cached: a cache keyed by words would keep the words people
    asked about (a name, a diagnosis) in memory for as long as the process lives."""
    return _stemmer().stemWord(word)


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(normalize(text))


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    """Term → the guide's words, from index/data/glossary.json (each entry says why it is there)."""
    from importlib import resources

    data = json.loads(resources.files("index").joinpath("data/glossary.json").read_text("utf-8"))
    return {e["term"]: e["guide"] for e in data["entries"]}


@lru_cache(maxsize=1)
def _glossary_index() -> tuple[dict[tuple[str, ...], str], int]:
    """Glossary keys as sequences of stems, so inflected forms match too (udbredes ~ udbrede)."""
    index: dict[tuple[str, ...], str] = {}
    for key, value in glossary().items():
        index.setdefault(tuple(stem(w) for w in tokens(key)), value)
    return index, max(len(k) for k in index)


def glossary_matches(words: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, Danish words) for each glossary term in a word list, longest match first."""
    index, longest = _glossary_index()
    stems = [stem(w) for w in words]
    found, i = [], 0
    while i < len(stems):
        for n in range(min(longest, len(stems) - i), 0, -1):
            value = index.get(tuple(stems[i:i + n]))
            if value is not None and not (n == 1 and words[i] in DANISH_STOPWORDS):
                # (a lone stopword is never a term: "skal" is not a form of "skalere")
                found.append((i, i + n, value))
                i += n
                break
        else:
            i += 1
    return found


def glossary_expansion(text: str) -> str:
    """Danish words for the glossary terms found in the text."""
    return " ".join(value for _, _, value in glossary_matches(tokens(text)))


class DigestMemo:
    """A small LRU memo keyed by a digest of its text argument, so it holds no user text."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[bytes, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, compute):
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute(text)
        with self._lock:
            self._items[key] = value
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def fold(word: str) -> str:
    """idé → ide: accents that people leave out when they type fast."""
    return "".join(ch for ch in unicodedata.normalize("NFD", word)
                   if unicodedata.category(ch) != "Mn" or ch in "\u030a")


def distance_within(a: str, b: str, limit: int) -> int | None:
    """The edit distance of a and b if it is at most `limit`, else None (with an early exit).
    Two neighbouring letters typed in the wrong order are one edit ("hanlder", "sisdte"): the
    commonest slip on a keyboard (optimal string alignment distance)."""
    if abs(len(a) - len(b)) > limit:
        return None
    if limit == 1:
        return _within_one(a, b)
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return None
        before, previous = previous, current
    return previous[-1] if previous[-1] <= limit else None


def _within_one(a: str, b: str) -> int | None:
    """distance_within(a, b, 1), by comparing the words around their first difference."""
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if i == len(a):
        return len(b) - len(a)  # equal, or one letter added at the end
    if len(a) < len(b):
        return 1 if a[i:] == b[i + 1:] else None  # one letter added
    if a[i + 1:] == b[i + 1:]:
        return 1  # one letter changed
    if a[i + 1:i + 2] == b[i:i + 1] and a[i:i + 1] == b[i + 1:i + 2] and a[i + 2:] == b[i + 2:]:
        return 1  # two neighbours swapped
    return None


# A word this long may be corrected to a word of the questions people ask (shorter ones are
# too alike: "ligger", "lægger").
ASKED_MIN = 7

# Danish endings a word the guide writes bare may carry in a question (konceptualiseringen).
INFLECTIONS = frozenset("en et ne er erne ene ens ets e s".split())

# Typed without Danish letters: "ae" for "æ", "oe" for "ø", "aa" for "å".
DANISH_LETTERS = {"ae": "æ", "oe": "ø", "aa": "å"}
DIGRAPH_RE = re.compile("ae|oe|aa")


class Analyzer:
    """Turns text into search terms. Knows the corpus's word stems so it can split compounds,
    and its words so it can correct a misspelt question word (valdering → validering)."""

    def __init__(self, vocabulary: frozenset[str] = frozenset(),
                 words: frozenset[str] = frozenset(), lexicon: frozenset[str] = frozenset(),
                 asked: frozenset[str] = frozenset()):
        self.vocabulary = vocabulary  # stems of the corpus's words, for compound splitting
        self.words = words  # the corpus's words as written, for spelling correction
        # Words with æ, ø or å that people use about the guide (its question bank): "især",
        # "købe" are Danish although the guide never writes them.
        self.lexicon = lexicon
        self._lexicon_stems = frozenset(stem(w) for w in lexicon)  # "indføre" → "indfører"
        # A misspelt word is also one of the words people ask about the guide with (its
        # question bank: "idneholder" → "indeholder", "forålet" → "formålet") or a function
        # word ("egemtlig" → "egentlig"): else it is an unknown word, and the question looks
        # like one the guide does not cover.
        typed = {v for w in words | asked if not w.isascii() for v in _ascii(w)}
        self._asked = frozenset(w for w in asked | (DANISH_STOPWORDS if words else set())
                                if w not in words and w not in typed)  # not "malgruppen"
        spelled = words | self._asked
        # By first letter and length, folded once: a word is compared only with those that
        # could be close enough.
        self._buckets: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for w in spelled:
            if len(w) >= 5:
                folded = fold(w)
                self._buckets.setdefault((folded[0], len(folded)), []).append((w, folded))
        self._corrections = DigestMemo(8192)  # keyed by digest: it keeps no asked word
        self._sorted_words = sorted(words)

    def correct(self, word: str) -> str | None:
        return self._corrections.get(word, self._correct)

    def has_prefix(self, word: str) -> bool:
        """A corpus word begins with all but the last two letters (bredt ~ bredere)."""
        if len(word) < 5:
            return False
        from bisect import bisect_left

        prefix = word[:max(4, len(word) - 2)]
        i = bisect_left(self._sorted_words, prefix)
        return i < len(self._sorted_words) and self._sorted_words[i].startswith(prefix)

    def _correct(self, word: str) -> str | None:
        """The corpus word closest to an unknown word of 6+ letters (1 edit, 2 from 9 letters),
        or the Danish word an unknown word spells with ae/oe/aa for æ/ø/å (naeste → næste, foer
        → før: a keyboard without Danish letters).

        Glossary words are left alone: "reuse" is English, not a misspelt "rejse"."""
        if self._left_alone(word):
            return None
        danish = self._danish_letters(word)
        if danish or len(word) < 6:
            return danish
        closest = self._closest(word)
        if closest or len(word) < 8 or "-" in word:
            return closest
        # An inflection or a compound of a misspelt word the guide has: konseptualisringen →
        # konceptualisering + en, idéudvklingsfasen → idéudvikling + s + fasen.
        splits = []
        for cut in range(5, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if tail not in INFLECTIONS and not (len(tail) >= 4 and tail in self.words):
                continue
            for part, link in ((head[:-1], "s"), (head, "")) if head.endswith("s") \
                    else ((head, ""),):
                if len(part) >= 5 and self._left_alone(part):
                    return None  # a compound of the guide's words (driftsfasen)
                splits.append((part, link + tail))
        for part, rest in splits:
            fixed = self._closest(part) if len(part) >= 6 else None
            if fixed:
                return fixed + rest
        return None

    def _closest(self, word: str) -> str | None:
        """The corpus word (or word people ask with) within 1 edit of `word` (2 from 9
        letters), nearest first."""
        folded = fold(word)
        limit = 1 if len(word) < 9 else 2
        best: tuple[int, bool, bool, int, str] | None = None
        candidates = (c for n in range(len(folded) - limit, len(folded) + limit + 1)
                      for c in self._buckets.get((folded[0], n), ()))
        for candidate, their in candidates:
            distance = distance_within(folded, their, limit)
            if distance is not None and candidate in self._asked and (
                    len(word) < ASKED_MIN or _other_ending(folded, their)):
                continue  # "venter", "hurtigt": another inflection, not a misspelling;
                #           "ligger" is no slip for "lægger": short words are too alike
            if distance is not None:  # the guide's own word, then the word as typed
                rank = (distance, candidate not in self.words, candidate != word,
                        abs(len(candidate) - len(word)), candidate)
                best = rank if best is None or rank < best else best
        return best[4] if best else None

    def _left_alone(self, word: str) -> bool:
        """A word the guide has (as written or by its stem), or a glossary term."""
        return word in self.words or stem(word) in self.vocabulary \
            or (stem(word),) in _glossary_index()[0]

    def _danish_letters(self, word: str) -> str | None:
        spans = [m.start() for m in DIGRAPH_RE.finditer(word)]
        if not spans or len(spans) > 3 or word in DANISH_STOPWORDS:
            return None
        for picks in product((True, False), repeat=len(spans)):
            if not any(picks):
                continue
            out, last = [], 0
            for at, pick in zip(spans, picks, strict=True):
                out.append(word[last:at] + (DANISH_LETTERS[word[at:at + 2]] if pick
                                            else word[at:at + 2]))
                last = at + 2
            candidate = "".join(out) + word[last:]
            if self._plausible(candidate):
                return candidate
        return None

    def _plausible(self, word: str) -> bool:
        """The guide has the word, an inflection of it (a shared start) or both parts of it
        as a compound (færdigudviklet, beløbsgrænse); or the question bank has an inflection of
        it; or it is a Danish function word."""
        vocabulary = self.vocabulary
        return word in self.words or word in DANISH_STOPWORDS or word in self.lexicon or (
            len(word) >= 4 and (stem(word) in vocabulary or stem(word) in self._lexicon_stems)) \
            or self.has_prefix(word) or any(
            stem(word[:i]) in vocabulary and stem(word[i:]) in vocabulary
            for i in range(4, len(word) - 3))

    def _word_terms(self, word: str) -> list[str]:
        parts = [p for p in word.replace("'", "-").split("-") if p]
        terms = []
        if len(parts) > 1:
            terms.append(stem("".join(parts)))
        for part in parts:
            if part in DANISH_STOPWORDS or part.isdigit():
                continue
            terms.append(stem(part))
            if len(part) >= 7:
                # Snowball leaves Danish inflections apart (valideres → valid, validering →
                # validering); a shared 6-letter prefix brings them together.
                terms.append("~" + part[:6])
            terms.extend(self.compound_parts(part))
        return terms

    def compound_parts(self, word: str) -> list[str]:
        """valideringsprocessen → validering, proces.

        First a split where both parts are known words (longest head first); a word that is not
        itself known may also split into a known head and an unknown tail of 6+ letters.
        """
        if len(word) < 8 or not self.vocabulary:
            return []
        known = self.vocabulary
        splits = [(word[:i], word[i:]) for i in range(len(word) - 4, 3, -1)]
        for head, tail in splits:
            if stem(head) in known and stem(tail) in known:
                return [stem(head), stem(tail)]
        if stem(word) in known:
            return []
        for head, tail in splits:
            if len(tail) >= 6 and stem(head) in known:
                return [stem(head), stem(tail)]
        return []

    def terms(self, text: str) -> list[str]:
        out = []
        for word in tokens(text):
            if word in DANISH_STOPWORDS:
                continue
            out.extend(self._word_terms(word))
        return out

    def spell(self, text: str) -> str:
        """The text with misspelt words replaced by the closest words of the corpus (or of the
        questions people ask about it)."""
        if not self.words:
            return text

        text = normalize(text)
        words = TOKEN_RE.findall(text)
        # A word of a glossary term of several words stays: "finished product" is a name.
        kept = {words[i] for start, end, _ in glossary_matches(words) if end - start > 1
                for i in range(start, end)}

        def fix(m: re.Match) -> str:
            word = m.group(0)
            return (self.correct(word) if word not in DANISH_STOPWORDS and word not in kept
                    else None) or word

        return TOKEN_RE.sub(fix, text)

    def danish(self, text: str) -> str:
        """The text with only the words typed without Danish letters written with them
        ("naeste fase" → "næste fase"): the words that say how a question asks."""
        if not self.words:
            return text

        def fix(m: re.Match) -> str:
            word = m.group(0)
            return (None if not DIGRAPH_RE.search(word) or self._left_alone(word)
                    else self._danish_letters(word)) or word

        return TOKEN_RE.sub(fix, normalize(text))

    def query_terms(self, text: str) -> list[str]:
        """Terms of a question, spelling corrected, with the glossary's Danish words added."""
        text = self.spell(text)
        return self.terms(text + " " + glossary_expansion(text))


# Base words the guide uses mostly inside compounds, so that their parts are known too.
COMPOUND_BASES = """
specifikation kontrakt proces forordning mærkning godkendelse vurdering validering aftale klasse
risiko data model plan budget afdeling system produkt behov marked viden analyse beskrivelse
aktør partner leverandør indkøb udbud drift klinik patient test infrastruktur sikkerhed ansøgning
fond midler organ kvalitet projekt forskning udvikling løsning idé fase innovation samarbejde
dialog undersøgelse søgning afklaring værktøj økonomi omkostning tjek liste kompetence
""".split()


def corpus_words(texts: list[str]) -> frozenset[str]:
    """Every word as written, and the parts of hyphenated ones (AI-forordningen → forordningen)."""
    words = set()
    for text in texts:
        for token in tokens(text):
            words.update(p for p in [token, *token.replace("'", "-").split("-")]
                         if p and not p.isdigit())
    return frozenset(words)


def _ascii(word: str) -> tuple[str, str]:
    """A word with æ, ø, å or an accent as typed without them: "målgruppen" → "maalgruppen",
    "malgruppen"; "idéudvikling" → "ideudvikling"."""
    return (fold(word.translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))),
            fold(word.translate(str.maketrans({"æ": "a", "ø": "o", "å": "a"}))))


def _other_ending(a: str, b: str) -> bool:
    """The two words differ only in their last two letters (an inflection)."""
    return a != b and abs(len(a) - len(b)) <= 1 and a[:len(a) - 2] == b[:len(a) - 2]


def asked_words(texts) -> frozenset[str]:
    """The words of the questions written about the guide (the bank's in-scope ones), as a
    spelling can be corrected to them: letters only, five or more."""
    return frozenset(w for text in texts for w in tokens(text) if len(w) >= 5 and w.isalpha())


DANISH_WORD_RE = re.compile(r"\w*[æøå]\w*")


def danish_lexicon(texts) -> frozenset[str]:
    """The words with æ, ø or å in `texts` (lower-cased; one regular expression per text, so
    that the question bank's 6,000 questions take milliseconds)."""
    return frozenset(w for text in texts
                     for w in DANISH_WORD_RE.findall(unicodedata.normalize("NFC", text).lower()))


def corpus_vocabulary(texts: list[str]) -> frozenset[str]:
    plain = Analyzer()
    words = [t for text in texts for t in plain.terms(text)] + [stem(w) for w in COMPOUND_BASES]
    return frozenset(t for t in words if len(t) >= 3)


@dataclass(frozen=True)
class Scored:
    index: int
    score: float


class BM25:
    """Okapi BM25 over an inverted index (k1=1.2, b=0.75): scoring touches only matching docs."""

    def __init__(self, doc_terms: list[list[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n = len(doc_terms)
        self.lengths = [len(t) for t in doc_terms]
        self.avg_len = (sum(self.lengths) / self.n) if self.n else 0.0
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, terms in enumerate(doc_terms):
            for term, tf in Counter(terms).items():
                self.postings.setdefault(term, []).append((i, tf))

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def search(self, query_terms: dict[str, float] | list[str], k: int = 10,
               allowed: set[int] | None = None) -> list[Scored]:
        """Top k documents; query terms may carry weights (a list means weight 1 each)."""
        if not isinstance(query_terms, dict):
            query_terms = dict.fromkeys(query_terms, 1.0)
        scores: dict[int, float] = {}
        for term, weight in query_terms.items():
            postings = self.postings.get(term)
            if not postings:
                continue
            idf = self.idf(term) * weight
            for i, tf in postings:
                if allowed is not None and i not in allowed:
                    continue
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg_len)
                scores[i] = scores.get(i, 0.0) + idf * tf * (self.k1 + 1) / norm
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [Scored(i, s) for i, s in ranked]

    def to_dict(self) -> dict:
        return {"k1": self.k1, "b": self.b, "n": self.n, "lengths": self.lengths,
                "postings": self.postings}

    @classmethod
    def from_dict(cls, data: dict) -> BM25:
        self = cls.__new__(cls)
        self.k1, self.b, self.n = data["k1"], data["b"], data["n"]
        self.lengths = data["lengths"]
        self.avg_len = (sum(self.lengths) / self.n) if self.n else 0.0
        self.postings = {t: [tuple(p) for p in ps] for t, ps in data["postings"].items()}
        return self
