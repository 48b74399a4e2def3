"""Hand-worked examples: BM25 on three documents, reciprocal rank fusion, Danish analysis."""

import math

import pytest

from assistant.fusion import reciprocal_rank_fusion
from corpus.parse import load_guide
from index.chunking import chunk_guide
from index.lexical import BM25, Analyzer, corpus_vocabulary, glossary_expansion


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
    fused = dict(reciprocal_rank_fusion([["x", "y", "z"], ["y", "z", "w"]], k=60))
    assert fused["y"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["z"] == pytest.approx(1 / 63 + 1 / 62)
    assert fused["x"] == pytest.approx(1 / 61)
    assert list(fused) == ["y", "z", "x", "w"]


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


def test_inflections_meet(analyzer):
    assert set(analyzer.terms("valideres")) & set(analyzer.terms("validering"))
    assert set(analyzer.terms("godkendt")) & set(analyzer.terms("godkendelser"))


@pytest.mark.parametrize("question, danish", [
    ("What about the AI Act?", "ai-forordning"),
    ("CE mark", "ce-mærkning"),
    ("OPI", "opi-kontrakt"),
    ("tender", "udbud"),
    ("prospective validation", "prospektiv"),
    ("business case", "business case"),
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
