"""The glossary is data with reasons: abbreviations and domain terms, each pointing at words the
guide really uses."""

import json

from corpus.parse import source_text
from index.lexical import glossary, tokens
from tests.conftest import ROOT

ENTRIES = json.loads((ROOT / "index" / "data" / "glossary.json").read_text("utf-8"))["entries"]


def test_every_entry_says_why_it_is_there():
    for entry in ENTRIES:
        assert entry["term"].strip() and entry["guide"].strip(), entry
        assert len(entry["reason"]) >= 20, entry


def test_every_value_is_the_guides_own_words():
    guide_words = set(tokens(source_text()))
    for entry in ENTRIES:
        missing = [w for w in tokens(entry["guide"]) if w not in guide_words]
        assert not missing, (entry["term"], missing)


def test_terms_are_unique_and_loaded():
    terms = [e["term"] for e in ENTRIES]
    assert len(terms) == len(set(terms))
    assert glossary()["kravspec"] == "kravspecifikation"
