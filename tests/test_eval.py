"""The eval suite holds the line: the bars of issue #3 over the whole question set."""

import pytest

from corpus.parse import source_text
from evals.metrics import BARS, load_cases
from evals.runner import default_questions, evaluate, table

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def result(real_assistant):
    cases = load_cases(default_questions())
    assert len(cases) >= 150
    return evaluate(real_assistant, cases, source_text(), with_baseline=True)


def test_question_set_covers_what_the_issue_asks():
    cases = load_cases(default_questions())
    categories = {c.category for c in cases}
    assert {"english", "followup", "order", "both_tracks", "misspelled", "injection"} <= categories
    assert sum(c.refused for c in cases) >= 25
    places = {p for c in cases for p in c.places}
    for phase in [("ny-ide", n) for n in range(1, 6)] + [("faerdigt-produkt", 1),
                                                         ("faerdigt-produkt", 2)]:
        assert phase in places
    assert ("intro", None) in places


def test_bars_hold(result):
    ours = result["ours"]
    print(table(ours, result["baseline"]))
    failures = "\n".join(f"{f['id']} {f['question']}: {f['problems']}" for f in result["failures"])
    assert ours["citation_hit"] >= BARS["citation_hit"], failures
    assert ours["facts"] >= BARS["facts"], failures
    assert ours["out_of_scope_refused"] >= BARS["out_of_scope_refused"], failures
    assert ours["false_refusals"] <= BARS["false_refusals"], failures
    assert ours["verbatim_quotes"] == BARS["verbatim_quotes"], failures


def test_better_than_the_plain_baseline(result):
    assert result["ours"]["citation_hit"] > result["baseline"]["citation_hit"]
    assert result["ours"]["facts"] > result["baseline"]["facts"]
