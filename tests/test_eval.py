"""The eval suite holds the line.

- The development set (evals/questions.jsonl) keeps the bars of issue #3.
- The blind development set (evals/blind-dev.jsonl, written by a helper who saw only the guide
  and a persona) meets the targets of issue #9, and answers are short enough for a meeting.
The blind test sets are reported by `ai-rejsen eval` in aggregate only and are not asserted here:
a bar on them would be a reason to look at them.
"""

import pytest

from corpus.parse import source_text
from evals.metrics import BARS, load_cases
from evals.runner import default_questions, evaluate, questions_path, table

pytestmark = pytest.mark.model

BLIND_BARS = {  # issue #9's targets
    "citation_hit": 0.95,
    "top1_citation": 0.90,
    "facts": 0.90,
    "both_tracks": 0.90,
    "out_of_scope_refused": 0.95,
}
BLIND_FALSE_REFUSALS = 0.02  # at most
SHORT = {"answer_chars_p50": 600, "answer_chars_p90": 1000}  # at most, in-scope answers


@pytest.fixture(scope="module")
def dev(real_assistant):
    cases = load_cases(default_questions())
    assert len(cases) >= 150
    return evaluate(real_assistant, cases, source_text(), with_baseline=True)


@pytest.fixture(scope="module")
def blind(real_assistant):
    cases = load_cases(questions_path("blind-dev.jsonl"))
    assert len(cases) >= 100
    return evaluate(real_assistant, cases, source_text(), with_baseline=False)


def _failures(result) -> str:
    return "\n".join(f"{f['id']} {f['question']}: {f['problems']}" for f in result["failures"])


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


def test_blind_sets_cover_every_kind_of_question():
    for name in ("blind-dev.jsonl", "blind-dev2.jsonl", "blind-dev4.jsonl", "blind-test.jsonl",
                 "blind-fresh.jsonl", "blind-final.jsonl", "blind-final2.jsonl",
                 "blind-final3.jsonl", "blind-final4.jsonl", "blind-final5.jsonl",
                 "blind-final6.jsonl", "blind-final7.jsonl", "blind-final8.jsonl",
                 "blind-final9.jsonl", "blind-dev10.jsonl", "blind-dev12.jsonl",
                 "blind-dev15.jsonl", "blind-dev16.jsonl", "blind-final10.jsonl"):
        cases = load_cases(questions_path(name))
        categories = {c.category for c in cases}
        assert {"near_domain", "missing_structure", "synthesis", "followup", "task",
                "english", "misspelled", "both_tracks"} <= categories, name
        assert sum(c.refused for c in cases) >= 20, name


def test_development_set_bars_hold(dev):
    ours = dev["ours"]
    print(table(ours, dev["baseline"]))
    assert ours["citation_hit"] >= BARS["citation_hit"], _failures(dev)
    assert ours["facts"] >= BARS["facts"], _failures(dev)
    assert ours["out_of_scope_refused"] >= BARS["out_of_scope_refused"], _failures(dev)
    assert ours["false_refusals"] <= BARS["false_refusals"], _failures(dev)
    assert ours["verbatim_quotes"] == BARS["verbatim_quotes"], _failures(dev)


def test_better_than_the_plain_baseline(dev):
    assert dev["ours"]["citation_hit"] > dev["baseline"]["citation_hit"]
    assert dev["ours"]["facts"] > dev["baseline"]["facts"]


def test_blind_development_set_meets_the_targets(blind):
    ours = blind["ours"]
    print(table(ours, None))
    for key, bar in BLIND_BARS.items():
        assert ours[key] >= bar, f"{key} {ours[key]:.3f} < {bar}\n{_failures(blind)}"
    assert ours["false_refusals"] <= BLIND_FALSE_REFUSALS, _failures(blind)
    assert ours["verbatim_quotes"] == 1.0


def test_answers_are_short_enough_for_a_meeting(dev, blind):
    for result in (dev, blind):
        for key, most in SHORT.items():
            assert result["ours"][key] <= most, key
