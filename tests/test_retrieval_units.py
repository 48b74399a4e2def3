"""Hand-worked examples: BM25 on three documents, reciprocal rank fusion, Danish analysis."""

import math

import numpy as np
import pytest

from assistant.retrieve import Evidence
from assistant.tuning import TUNING
from corpus.parse import load_guide
from index.chunking import chunk_guide
from index.lexical import (
    BM25,
    Analyzer,
    asked_words,
    corpus_vocabulary,
    corpus_words,
    danish_lexicon,
    glossary_expansion,
)


def test_bm25_by_hand():
    bm25 = BM25([["a", "b"], ["b", "c", "c"], ["c"]])  # average length 2
    # idf(a) = ln(1 + (3-1+.5)/(1+.5)); d0: tf 1, length 2 = average, so tf part = 1.
    (only,) = bm25.search(["a"])
    assert only.index == 0 and only.score == pytest.approx(math.log(1 + 2.5 / 1.5))
    # idf(c) = ln(1.6). d1: 2*2.2/(2 + 1.2*(.25 + .75*1.5)) ; d2: 2.2/(1 + 1.2*(.25 + .75*.5))
    first, second = bm25.search(["c"])
    assert (first.index, second.index) == (2, 1)
    assert first.score == pytest.approx(math.log(1.6) * 2.2 / 1.75)
    assert second.score == pytest.approx(math.log(1.6) * 4.4 / 3.65)
    assert bm25.search(["zzz"]) == []
    assert [s.index for s in bm25.search(["c"], allowed={1})] == [1]


def test_bm25_round_trips_through_json():
    bm25 = BM25([["a", "b"], ["b", "c", "c"], ["c"]])
    again = BM25.from_dict(bm25.to_dict())
    assert again.search(["c", "b"]) == bm25.search(["c", "b"])


def test_reciprocal_rank_fusion_by_hand():
    """Three chunks: BM25 ranks c0, c2 (c1 shares no word, so it is not in that ranking); the
    dense ranking is c1, c2, c0; no bank key points at any. score = Σ w / (k + rank), divided by
    its best possible value (every ranking's first place)."""
    chunks = tuple(chunk_guide(load_guide())[:3])
    evidence = Evidence(chunks, lexical=np.array([2.0, 0.0, 1.0]),
                        dense=np.array([0.1, 0.9, 0.5]), key_dense=np.zeros(3),
                        key_lexical=np.zeros(3))
    t = TUNING
    k, lexical, dense = t.rrf_k, t.weight_lexical, t.weight_dense
    best = (lexical + dense + t.weight_key_dense + t.weight_key_lexical) / (k + 1)
    fused = {h.chunk: h.score for h in evidence.ranked()}
    assert fused[chunks[0]] == pytest.approx((lexical / (k + 1) + dense / (k + 3)) / best)
    assert fused[chunks[1]] == pytest.approx(dense / (k + 1) / best)
    assert fused[chunks[2]] == pytest.approx((lexical / (k + 2) + dense / (k + 2)) / best)
    assert list(fused) == [chunks[0], chunks[2], chunks[1]]
    only_two = evidence.ranked(np.array([False, True, True]))
    assert [h.chunk for h in only_two] == [chunks[2], chunks[1]]


@pytest.fixture(scope="module")
def analyzer():
    chunks = chunk_guide(load_guide())
    return Analyzer(corpus_vocabulary([c.context for c in chunks]))


def test_compounds_split_into_the_guides_words(analyzer):
    assert {"validering", "proces"} <= set(analyzer.terms("valideringsprocessen"))
    assert {"afprøvning", "kontrak"} <= set(analyzer.terms("afprøvningskontrakt"))
    assert {"krav", "specifikation"} <= set(analyzer.terms("kravspecifikation"))


def test_danish_letters_and_hyphens_survive(analyzer):
    terms = analyzer.terms("CE-mærkning og front-end på Færdigt produkt")
    assert {"ce", "mærkning", "cemærkning", "front", "frontend", "færd"} <= set(terms)


def test_an_adverb_is_no_knowledge(analyzer):
    # Snowball stems "videre" and "viden" alike: "før man går videre" names no
    # "Lav en behovs- og vidensafklaring".
    assert not set(analyzer.terms("før man går videre")) & set(analyzer.terms("viden"))


def test_inflections_meet(analyzer):
    assert set(analyzer.terms("valideres")) & set(analyzer.terms("validering"))
    assert set(analyzer.terms("godkendt")) & set(analyzer.terms("godkendelser"))


@pytest.mark.parametrize("question, read_as_it", [
    ("Hvornår skal IT inddrages?", True),
    ("hvad skal it-afdelingen vide", True),
    ("hvornår skal it ind over", True),  # Danish words, no English ones
    ("When should IT be involved?", True),  # capitals
    ("who paid for it?", False),
    ("and the phase before it?", False),
    ("before it", False),  # a part of an English question read alone stays the same
])
def test_information_technology_is_no_stopword(analyzer, question, read_as_it):
    guide = set(analyzer.terms("Afklar infrastruktur for IT"))
    assert bool(set(analyzer.terms(question)) & guide - set(analyzer.terms("afklar "
                                                                          "infrastruktur"))) \
        is read_as_it


@pytest.mark.parametrize("typed, read", [
    ("udbud gr;nse", ["udbud", "grænse"]),  # æ's key on a US layout
    ("hvad sker der p[ afdelingen", ["hvad", "sker", "der", "p", "afdelingen"]),  # not at an end
    ("m[l for fasen", ["mål", "for", "fasen"]),
    ("kilde [1]; se også", ["kilde", "1", "se", "også"]),  # signs between other signs stay
])
def test_danish_letters_typed_on_a_us_layout(typed, read):
    from index.lexical import tokens

    assert tokens(typed) == read


@pytest.mark.parametrize("question, danish", [
    ("What about the AI Act?", "ai-forordning"),
    ("CE mark", "ce-mærkning"),
    ("OPI", "opi-kontrakt"),
    ("tender", "udbud"),
    ("prospective validation", "prospektiv"),
    ("forretningsplan", "business case"),
])
def test_glossary(question, danish):
    assert danish in glossary_expansion(question)


def test_chunks_keep_place_and_never_split_sentences():
    chunks = chunk_guide(load_guide())
    assert len({c.id for c in chunks}) == len(chunks)
    design = [c for c in chunks if c.track == "ny-ide" and c.phase == 4 and c.number == 4]
    assert design[0].text == "Gennemfør prospektiv vurdering"
    assert design[0].path == "Ny idé › 4 Test og implementering › Centrale handlinger"
    for c in chunks:
        if c.kind in ("purpose", "watch_outs"):
            assert c.text[-1] in ".)!?", c.text
    assert chunk_guide(load_guide()) == chunks  # ids derive from content


@pytest.fixture(scope="module")
def guide_texts():
    return [c.context for c in chunk_guide(load_guide())]


def speller_of(texts, bank=()):
    """The question Analyzer: the guide's stems and words, and the bank's Danish words."""
    return Analyzer(corpus_vocabulary(texts), corpus_words(texts), danish_lexicon(bank))


def test_danish_letters_typed_as_two_are_read_as_danish(guide_texts):
    speller = speller_of(guide_texts)
    assert speller.spell("ce maerket produkt naeste punkt og fasen foer") == \
        "ce mærket produkt næste punkt og fasen før"
    # English words and words the guide has are left alone.
    assert speller.spell("what does it do") == "what does it do"


def test_misspelt_inflections_and_compounds_of_guide_words_are_corrected(guide_texts):
    speller = speller_of(guide_texts)
    # The guide writes "Konceptualisering" and "Idéudvikling" bare: the ending and the
    # compound's tail stay, the misspelt word they hang on is corrected.
    assert speller.spell("hvad sker der i konseptualisringen") == \
        "hvad sker der i konceptualiseringen"
    assert speller.spell("idéudvklingsfasen") == "idéudviklingsfasen"
    # A compound of the guide's own words, hyphenated or not, is left as written.
    assert speller.spell("driftsfasen og produkt-sporet") == "driftsfasen og produkt-sporet"


def test_words_people_use_about_the_guide_count_as_danish(guide_texts):
    plain = speller_of(guide_texts)
    assert plain.spell("isaer") == "isaer"  # the guide never writes "især"
    bank = speller_of(guide_texts, ["Hvad er især vigtigt?"])
    assert bank.spell("isaer naeste") == "især næste"
    # … and the other forms of such a word ("indføre" in the bank, "indfoerer" typed)
    assert plain.spell("indfoerer") == "indfoerer"
    inflected = speller_of(guide_texts, ["Hvordan kan vi indføre det?"])
    assert inflected.spell("indfoerer") == "indfører"
    # Only the Danish letters: the words that say how a question asks, not spelling fixes.
    assert bank.danish("hvad er naeste fase efter valdering") == \
        "hvad er næste fase efter valdering"


def test_two_letters_typed_in_the_wrong_order_are_one_slip():
    from index.lexical import distance_within

    assert distance_within("hanlder", "handler", 1) == 1
    assert distance_within("sisdte", "sidste", 1) == 1
    assert distance_within("ca", "abc", 2) is None  # not a swap and an insertion both


def test_misspelt_words_of_the_questions_people_ask_and_function_words_are_corrected(
        guide_texts):
    asked = asked_words(["Hvad indeholder fasen?", "Hvad er formålet med den?",
                         "Hvem er malgruppen?", "Hvornår er vi ventet?"])
    speller = Analyzer(corpus_vocabulary(guide_texts), corpus_words(guide_texts),
                       danish_lexicon([]), asked)
    assert speller.spell("hvad idneholder den egemtlig") == "hvad indeholder den egentlig"
    assert speller.spell("forålet") == "formålet"
    # The guide's "målgruppen", not the bank's ascii-typed "malgruppen".
    assert speller.spell("malgruppen") == "målgruppen"
    # Another ending is another inflection, not a slip: "venter" stays.
    assert speller.spell("hvem venter") == "hvem venter"
    # Without the bank's words the same slips stay unknown.
    assert speller_of(guide_texts).spell("idneholder") == "idneholder"


def test_short_words_are_not_corrected_to_the_words_people_ask_with(guide_texts):
    asked = asked_words(["Hvad lægger vi vægt på?"])
    speller = Analyzer(corpus_vocabulary(guide_texts), corpus_words(guide_texts),
                       danish_lexicon([]), asked)
    assert speller.spell("hvad ligger lige før") == "hvad ligger lige før"
