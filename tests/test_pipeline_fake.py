"""The whole path on a tiny guide with the fake embedder: fast, and hand-checkable."""

import pytest

from tests.conftest import open_test_assistant


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    return open_test_assistant(tmp_path_factory, guide="mini-guide")


def test_mini_guide_is_indexed_whole(mini):
    # Forord 1, track overview 1, two phases of (purpose 1, actions 2, watch-out 1), Udgiver 1.
    assert mini.index.manifest.chunk_count == len(mini.index.chunks) == 11
    assert {c.path for c in mini.index.chunks} >= {
        "Ny idé › 2 Udvikling › Centrale handlinger", "Kolofon › Udgiver"}


def test_before_an_action_lists_what_comes_first(mini):
    answer = mini.ask("Hvad skal jeg gøre før prospektiv validering?")
    assert not answer.refused
    assert "1. Skab produktet" in answer.answer
    assert "Først skal der indhentes godkendelser" in answer.answer
    assert answer.citations[0].path == "Ny idé › 2 Udvikling › Centrale handlinger"


def test_named_phase_and_next_phase(mini):
    assert mini.ask("Hvad handler fase 1 om?").citations[0].phase == 1
    assert mini.ask("Hvad kommer efter idéudvikling?").citations[0].phase == 2


def test_unrelated_question_is_refused(mini):
    answer = mini.ask("Hvordan bliver vejret i Aarhus i morgen?")
    assert answer.refused and "dækker guiden ikke" in answer.answer


def test_to_json_matches_the_cli_contract(mini):
    data = mini.ask("Hvad er de centrale handlinger i fase 2?").to_json()
    assert set(data) == {"answer", "refused", "citations", "latency_ms"}
    citation = data["citations"][0]
    assert set(citation) == {"track", "phase", "phase_title", "section", "quote"}
    assert citation["track"] == "ny-ide" and citation["phase"] == 2
    assert isinstance(data["latency_ms"], float)
