"""The UI's pure translators, on the real guide and a fixed answer: no gradio, no server."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace

from assistant.answer import Answer, Citation
from corpus.model import ATTRIBUTION
from tests.conftest_ui import GUIDE, XSS, cite, design_answer, lead_answer, ny_ide_4
from ui import journey, render, scripts, style

PATH_WATCH = "Ny idé › 4 Test og implementering › Vær opmærksom på"
PATH_ACTIONS = "Ny idé › 4 Test og implementering › Centrale handlinger"


def test_chat_markdown_links_every_marker_to_its_source_card_and_lists_no_sources():
    answer = design_answer()
    text = render.chat_markdown(answer, turn=3)
    assert "Kilder" not in text
    assert f'[\\[1\\]](#kilde-3-1 "Kilde 1: {PATH_WATCH}")' in text
    assert text.count("(#kilde-3-2 ") == 2
    assert not re.search(r"(?<!\\)\[\d+\](?!\()", text)  # no marker left bare


def test_chat_markdown_leaves_markers_without_a_source_as_they_are():
    answer = Answer("a [1] b [7]", False, (cite(ny_ide_4().purpose, "x"),))
    assert render.chat_markdown(answer).endswith("b [7]")


def test_a_lead_comes_first_and_the_details_fold_away():
    answer = lead_answer()
    text = render.chat_markdown(answer, turn=1)
    lead, _, rest = text.partition("<details")
    assert lead.startswith(ny_ide_4().watch_outs.paragraphs[0]) and "(#kilde-1-1 " in lead
    assert rest.startswith(' class="answer-details"><summary>Vis mere fra guiden</summary>\n\n')
    assert "1. Indhent godkendelser til prospektiv vurdering [\\[2\\]](#kilde-1-2 " in rest
    assert rest.endswith("\n\n</details>")
    assert render.streaming_text(answer) == answer.lead.strip()


def test_an_answer_that_is_all_lead_has_nothing_folded():
    answer = replace(design_answer(), lead=design_answer().answer)
    assert "<details" not in render.chat_markdown(answer)
    assert render.streaming_text(answer) == answer.answer


def test_a_refusal_is_shown_as_it_is():
    refusal = Answer("Det står der ikke noget om i guiden.", refused=True)
    assert render.chat_markdown(refusal) == refusal.answer
    assert render.streaming_text(refusal) == refusal.answer
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
    panel = render.sources_html([render.Turn("q", design_answer())])
    assert panel.count('<li class="source"') == 2
    assert 'id="kilde-1-1"' in panel and 'id="kilde-1-2"' in panel
    assert html_text(PATH_WATCH) in panel
    assert html_text(ny_ide_4().watch_outs.paragraphs[0]) in panel
    assert "6. MDR-godkendelse og CE-mærkning" in panel
    assert "earlier" not in panel


def test_sources_html_folds_earlier_answers_sources_so_their_links_still_land():
    refusal = Answer("Det dækker guiden ikke.", refused=True)
    turns = [render.Turn("første <b>spørgsmål</b>", design_answer()),
             render.Turn("andet", refusal), render.Turn("tredje", design_answer())]
    panel = render.sources_html(turns)
    current, _, earlier = panel.partition('<div class="earlier-sources">')
    assert 'class="sources-list current" data-turn="3"' in current and 'id="kilde-3-2"' in current
    assert earlier.count("<details") == 1  # the refusal cited nothing
    assert "Svar 1: første &lt;b&gt;spørgsmål&lt;/b&gt;" in earlier and 'id="kilde-1-1"' in earlier
    assert render.SOURCES_NONE in render.sources_html(turns[:2])


def test_sources_html_escapes_quotes_and_says_when_there_are_none():
    phase = ny_ide_4()
    turn = render.Turn("q", Answer("x [1]", False, (cite(phase.purpose, XSS),)))
    panel = render.sources_html([turn])
    assert "<script" not in panel and "<img" not in panel
    assert "&lt;script&gt;" in panel
    assert render.SOURCES_NONE in render.sources_html([render.Turn("q", Answer("nej", True))])
    assert render.SOURCES_EMPTY in render.sources_html([])


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
    assert history[1]["content"] == render.chat_markdown(design_answer(), 1)
    assert "(#kilde-2-1 " in render.chat_history(turns)[3]["content"]


def test_conversation_markdown_exports_questions_answers_and_quoted_sources():
    turns = [render.Turn("hvad skal jeg gøre\nfør prospektiv validering?", design_answer())]
    text = render.conversation_markdown(turns, exported_at="2025-01-02 10:00")
    assert text.startswith("# Samtale med AI-rejsen-assistenten")
    assert "Eksporteret 2025-01-02 10:00." in text
    assert "> hvad skal jeg gøre\n> før prospektiv validering?" in text
    assert f"[1] **{PATH_WATCH}**" in text and f"[2] **{PATH_ACTIONS}**" in text
    assert f"> {ny_ide_4().watch_outs.paragraphs[0]}" in text
    assert text.rstrip().endswith(ATTRIBUTION)


def test_an_export_quotes_each_source_once_at_the_end_and_renumbers_the_markers():
    phase = ny_ide_4()
    purpose = Answer("Formålet [1]. Handlingerne [2].", False, (
        cite(phase.purpose, phase.purpose.paragraphs[0]),
        cite(phase.key_actions, phase.key_actions.text)))
    turns = [render.Turn("første", design_answer()), render.Turn("anden", purpose),
             render.Turn("tredje", design_answer())]
    text = render.conversation_markdown(turns)
    body, _, sources = text.partition("## Kilder")
    assert [line[:3] for line in sources.splitlines() if line.startswith("[")] == [
        "[1]", "[2]", "[3]"]  # watch-outs, key actions, purpose: each once
    assert body.count("### Svar") == 3 and "Kilder" not in body
    assert "Formålet [3]. Handlingerne [2]." in body  # numbered by first use in the talk
    assert sources.index(PATH_WATCH) < sources.index(PATH_ACTIONS)
    assert len(text) < 2 * len(render.conversation_markdown(turns[:1])) + 600


def test_journey_map_lists_both_tracks_and_highlights_the_focus():
    page = journey.journey_html(GUIDE, focus=(("ny-ide", 4),), selected="faerdigt-produkt-1")
    assert page.count('data-phase="') == 7
    assert 'id="phase-ny-ide-4" data-phase="ny-ide-4" class="phase active"' in page
    assert 'data-phase="faerdigt-produkt-1" class="phase selected" aria-pressed="true"' in page
    assert page.count(" active") == 1 and page.count(journey.CITED_STATE) == 1
    assert "Ny idé" in page and "Færdigt produkt" in page
    assert " active" not in journey.journey_html(GUIDE)


def test_journey_buttons_are_named_by_their_visible_text_and_one_legend_explains_both_marks():
    page = journey.journey_html(GUIDE)
    assert "aria-label=" not in page
    assert ('<span class="phase-number">1</span> <span class="phase-title">Idéudvikling</span>'
            in page)
    assert page.count('class="journey-legend"') == 1
    assert journey.LEGEND_CITED in page and journey.LEGEND_OPEN in page
    assert 'aria-expanded="false" aria-controls="journey-tracks"' in page
    assert '<h2 id="journey-title"' in page and page.count('<h3 class="track-name">') == 2


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


def test_the_phase_card_shows_purpose_key_actions_and_watch_outs_escaped():
    card = journey.phase_html(ny_ide_4())
    assert '<h2 id="phase-card-title" tabindex="-1">Ny idé › 4 Test og implementering</h2>' in card
    for heading in ("Formål", "Centrale handlinger", "Vær opmærksom på"):
        assert f"<h3>{heading}</h3>" in card
    assert "<li>Gennemfør prospektiv vurdering</li>" in card
    assert card.count("<li>") >= len(ny_ide_4().key_actions.items)


def test_checklist_has_one_unchecked_box_per_key_action():
    phase = ny_ide_4()
    text = journey.checklist_markdown(phase)
    boxes = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    assert boxes == [f"- [ ] {item}" for item in phase.key_actions.items]
    assert text.startswith("# Tjekliste: Ny idé › 4 Test og implementering")
    assert ATTRIBUTION in text


def test_the_views_import_without_gradio():
    code = ("import sys, ui.render, ui.journey, ui.feedback, ui.access, ui.app, ui.scripts, "
            "ui.style, ui.screenshots; assert 'gradio' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_page_script_is_filled_in_and_the_css_templates_are_safe_for_gradio():
    page = scripts.page_js()
    assert "__NARROW__" not in page and "__LABELS__" not in page
    assert '"Like": "Godt svar"' in page
    assert "__TOGGLE" not in scripts.journey_js(*journey.JOURNEY_TOGGLE)
    # gr.HTML evaluates css_template as a JavaScript template string.
    for css in (style.JOURNEY_CSS, style.SOURCES_CSS, style.SR_ONLY_CSS):
        assert "`" not in css and "${" not in css


def html_text(text: str) -> str:
    import html

    return html.escape(text)
