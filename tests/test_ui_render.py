"""The UI's pure translators, on the real guide and a fixed answer: no gradio, no server."""

from __future__ import annotations

import subprocess
import sys

from assistant.answer import Answer, Citation
from corpus.model import ATTRIBUTION
from tests.conftest_ui import GUIDE, XSS, cite, design_answer, ny_ide_4
from ui import journey, render

PATH_WATCH = "Ny idé › 4 Test og implementering › Vær opmærksom på"
PATH_ACTIONS = "Ny idé › 4 Test og implementering › Centrale handlinger"


def test_chat_markdown_keeps_the_answer_and_adds_one_compact_sources_line():
    answer = design_answer()
    text = render.chat_markdown(answer)
    assert text.startswith(answer.answer)
    last = text.splitlines()[-1]
    assert last == f"*Kilder:* [1] {PATH_WATCH} · [2] {PATH_ACTIONS}"


def test_chat_markdown_groups_citations_of_the_same_section():
    phase = ny_ide_4()
    answer = Answer("a [1] b [2] c [3]", False, (
        cite(phase.watch_outs, phase.watch_outs.paragraphs[0]),
        cite(phase.key_actions, phase.key_actions.items[0]),
        cite(phase.watch_outs, phase.watch_outs.paragraphs[1]),
    ))
    assert render.chat_markdown(answer).endswith(
        f"*Kilder:* [1, 3] {PATH_WATCH} · [2] {PATH_ACTIONS}")


def test_a_refusal_is_shown_as_it_is():
    refusal = Answer("Det står der ikke noget om i guiden.", refused=True)
    assert render.chat_markdown(refusal) == refusal.answer
    assert render.api_markdown(refusal) == refusal.answer


def test_citation_path_is_rebuilt_when_missing():
    citation = Citation("ny-ide", 4, "Test og implementering", "Vær opmærksom på", "x")
    assert render.citation_path(citation, GUIDE) == PATH_WATCH
    assert render.citation_path(citation) == "ny-ide › 4 Test og implementering › Vær opmærksom på"
    intro = Citation("intro", None, None, "Forord", "x")
    assert render.citation_path(intro, GUIDE) == "Introduktion › Forord"


def test_api_markdown_has_a_kilder_section_with_paths_and_quotes():
    text = render.api_markdown(design_answer())
    head, _, sources = text.partition("**Kilder**")
    assert "[1]" in head and sources
    assert f"[1] {PATH_WATCH}" in sources and f"[2] {PATH_ACTIONS}" in sources
    assert "> 1. Indhent godkendelser til prospektiv vurdering" in sources


def test_sources_html_shows_each_passage_in_full_under_its_path():
    answer = design_answer()
    panel = render.sources_html(answer.citations)
    assert panel.count('<li class="source"') == 2
    assert html_text(PATH_WATCH) in panel
    assert html_text(ny_ide_4().watch_outs.paragraphs[0]) in panel
    assert "6. MDR-godkendelse og CE-mærkning" in panel


def test_sources_html_escapes_quotes_and_says_when_there_are_none():
    phase = ny_ide_4()
    panel = render.sources_html((cite(phase.purpose, XSS),))
    assert "<script" not in panel and "<img" not in panel
    assert "&lt;script&gt;" in panel
    assert render.SOURCES_NONE in render.sources_html(())
    assert render.SOURCES_EMPTY in render.sources_html((), answered=False)


def test_stream_chunks_grow_to_the_whole_text():
    text = " ".join(f"ord{i}" for i in range(20))
    parts = render.stream_chunks(text, 6)
    assert 2 <= len(parts) <= 7 and parts[-1] == text
    assert all(b.startswith(a) and len(b) > len(a) for a, b in zip(parts, parts[1:], strict=False))
    assert render.stream_chunks("kort svar", 6) == ["kort svar"]


def test_chat_history_pairs_turns_and_streams_into_the_last_answer():
    turns = [render.Turn("første", design_answer()), render.Turn("anden", design_answer())]
    history = render.chat_history(turns, partial="Inden et")
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[2]["content"] == "anden" and history[3]["content"] == "Inden et"
    assert history[1]["content"] == render.chat_markdown(design_answer())


def test_conversation_markdown_exports_questions_answers_and_quoted_sources():
    turns = [render.Turn("hvad skal jeg gøre\nfør prospektiv validering?", design_answer())]
    text = render.conversation_markdown(turns, exported_at="2025-01-02 10:00")
    assert text.startswith("# Samtale med AI-rejsen-assistenten")
    assert "Eksporteret 2025-01-02 10:00." in text
    assert "> hvad skal jeg gøre\n> før prospektiv validering?" in text
    assert f"[1] **{PATH_WATCH}**" in text and f"[2] **{PATH_ACTIONS}**" in text
    assert f"> {ny_ide_4().watch_outs.paragraphs[0]}" in text
    assert text.rstrip().endswith(ATTRIBUTION)


def test_journey_map_lists_both_tracks_and_highlights_the_focus():
    page = journey.journey_html(GUIDE, focus=(("ny-ide", 4),), selected="faerdigt-produkt-1")
    assert page.count('data-phase="') == 7
    assert 'id="phase-ny-ide-4" data-phase="ny-ide-4" class="phase active"' in page
    assert 'data-phase="faerdigt-produkt-1" class="phase selected" aria-pressed="true"' in page
    assert page.count(" active") == 1
    assert "Ny idé" in page and "Færdigt produkt" in page
    assert " active" not in journey.journey_html(GUIDE)


def test_phase_keys_from_the_browser_are_checked():
    assert journey.parse_phase_key(GUIDE, "ny-ide-4") == ny_ide_4()
    assert journey.parse_phase_key(GUIDE, "faerdigt-produkt-2").title.startswith("Indkøb")
    for bad in (None, "", "ny-ide-9", "ny-ide-x", "intro-1", "<script>-1", "ny-ide--1"):
        assert journey.parse_phase_key(GUIDE, bad) is None


def test_phase_question_names_track_phase_and_title():
    assert (journey.phase_question(ny_ide_4())
            == "Hvad handler Ny idé fase 4 Test og implementering om?")


def test_follow_ups_come_from_the_next_phase_the_watch_outs_and_the_parallel_track():
    assert journey.follow_ups(design_answer(), GUIDE) == [
        "Hvad handler Ny idé fase 5 Indkøb, drift og skalering om?",
        "Hvad skal jeg være opmærksom på i Ny idé fase 4 Test og implementering?",
        "Hvad handler Færdigt produkt fase 1 Test og implementering om?",
    ]


def test_follow_ups_at_the_end_of_a_track_and_without_a_focus():
    last = Answer("x", False, focus=(("faerdigt-produkt", 2),))
    assert journey.follow_ups(last, GUIDE) == [
        "Hvad skal jeg være opmærksom på i Færdigt produkt fase 2 Indkøb, drift og skalering?",
        "Hvad handler Ny idé fase 5 Indkøb, drift og skalering om?",
    ]
    assert journey.follow_ups(Answer("nej", True), GUIDE) == [
        "Hvad handler Ny idé fase 1 Idéudvikling om?",
        "Hvad handler Færdigt produkt fase 1 Test og implementering om?",
    ]


def test_phase_markdown_shows_purpose_key_actions_and_watch_outs():
    text = journey.phase_markdown(ny_ide_4())
    assert text.startswith("### Ny idé › 4 Test og implementering")
    for heading in ("**Formål**", "**Centrale handlinger**", "**Vær opmærksom på**"):
        assert heading in text
    assert "4. Gennemfør prospektiv vurdering" in text


def test_checklist_has_one_unchecked_box_per_key_action():
    phase = ny_ide_4()
    text = journey.checklist_markdown(phase)
    boxes = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    assert boxes == [f"- [ ] {item}" for item in phase.key_actions.items]
    assert text.startswith("# Tjekliste: Ny idé › 4 Test og implementering")
    assert ATTRIBUTION in text


def test_the_views_import_without_gradio():
    code = ("import sys, ui.render, ui.journey, ui.feedback, ui.access, ui.app; "
            "assert 'gradio' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def html_text(text: str) -> str:
    import html

    return html.escape(text)
