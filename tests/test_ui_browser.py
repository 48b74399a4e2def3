"""The web UI in Debian's Chromium through Playwright, with fake assistants (fast, no index).

At a 1366×768 laptop and a 390×844 phone: the answer first, citations that open their source,
the first view, focus and announcements, the phase card, "Ny samtale" and its undo, exports,
and axe-core's WCAG 2.1 AA rules. Nothing here writes into the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer import Answer, Message
from tests.conftest_ui import (
    DESIGN_QUESTION,
    FakeAssistant,
    free_port,
    lead_answer,
    long_answer,
    ny_ide_4,
    ui_settings,
    xss_answer,
)
from ui.screenshots import CHROMIUM, LAPTOP, PHONE, ask, launch_chromium, wait_until_answered

pytestmark = [pytest.mark.browser, pytest.mark.server,
              pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

TIMEOUT_MS = 20_000
LONG_QUESTION = "giv mig et langt svar"
PATH_ACTIONS = "Ny idé › 4 Test og implementering › Centrale handlinger"
ENGLISH = ("Clear", "Copy message", "Like", "Dislike", "Scroll down", "chatbot conversation",
           "Use via API")


class Answers(FakeAssistant):
    """The lead-and-details answer for every question, and a very long one when asked for."""

    def ask(self, messages: list[Message]) -> Answer:
        self.asked.append(list(messages))
        return long_answer() if messages[-1].content == LONG_QUESTION else self.answer


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app as serve() runs it (theme, CSS), answering in the shape issue 9 gives."""
    from ui.app import serve

    settings = ui_settings(tmp_path_factory.mktemp("ui-data"))
    demo = serve(Answers(lead_answer()), settings, block=False)
    try:
        yield f"http://127.0.0.1:{settings.port}/", settings
    finally:
        demo.close()


@pytest.fixture(scope="module")
def xss_url(tmp_path_factory):
    """A bare demo.launch() whose assistant answers with markup that must not run."""
    from ui.app import build_app

    demo = build_app(FakeAssistant(xss_answer()), ui_settings(tmp_path_factory.mktemp("xss")))
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = launch_chromium(playwright, tmp_path_factory.mktemp("chromium-profile"),
                                  LAPTOP, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    yield page
    page.close()


@pytest.fixture
def phone(browser_context):
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    yield page
    page.close()


def open_app(page, url: str):
    page.goto(url)
    page.wait_for_selector("#msg textarea")
    page.wait_for_function("() => window.aiRejsen")  # the page script is in place
    return page


def answer_and_wait(page, question: str = DESIGN_QUESTION) -> None:
    ask(page, question)
    wait_until_answered(page)


def wait_for_answer(page, text: str) -> None:
    page.locator("#chatbot [data-testid='bot']").filter(has_text=text).first.wait_for()


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""(selector) => {
        const r = document.querySelector(selector).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight + 1;
    }""", selector)


# --- The answer first ------------------------------------------------------------------------

def test_the_lead_shows_first_with_linked_sources_and_the_details_folded(app, page):
    open_app(page, app[0])
    answer_and_wait(page)
    phase = ny_ide_4()
    chat = page.locator("#chatbot")
    assert phase.watch_outs.paragraphs[0] in chat.inner_text()
    assert "Kilder:" not in chat.inner_text()  # the sources are listed only in the panel
    details = chat.locator("details.answer-details").last
    assert details.get_attribute("open") is None
    assert not chat.get_by_text("Revurder business case").first.is_visible()
    details.locator("summary").click()
    assert chat.get_by_text("Revurder business case").first.is_visible()

    sources = page.locator("#sources")
    assert sources.locator(".source").count() == 2
    assert PATH_ACTIONS in sources.inner_text()
    active = page.locator("#journey [data-phase].active")
    assert [active.nth(i).get_attribute("data-phase") for i in range(active.count())] == [
        "ny-ide-4"]
    page.locator("#followups button", has_text="Ny idé fase 5").wait_for()


def test_after_a_long_answer_its_top_is_in_view(app, page):
    open_app(page, app[0])
    answer_and_wait(page)
    answer_and_wait(page, LONG_QUESTION)
    place = page.evaluate("""() => {
        const bots = document.querySelectorAll('#chatbot [data-testid="bot"]');
        const users = document.querySelectorAll('#chatbot .user-row');
        const answer = bots[bots.length - 1].getBoundingClientRect();
        const question = users[users.length - 1].getBoundingClientRect();
        const chat = document.querySelector('#chatbot').getBoundingClientRect();
        return {answer: answer.top, question: question.top, height: answer.height,
                chatTop: chat.top, chatBottom: chat.bottom, screen: window.innerHeight};
    }""")
    assert place["height"] > place["screen"]  # truly longer than the screen
    assert 0 <= place["question"] < place["answer"] < place["screen"] * 0.6
    assert place["chatTop"] - 1 <= place["question"] and place["answer"] < place["chatBottom"]


def test_the_median_answer_fits_a_laptop_screen_without_scrolling(app, page):
    open_app(page, app[0])
    answer_and_wait(page)
    assert page.evaluate("() => window.scrollY") == 0
    assert in_viewport(page, "#chatbot [data-testid='bot']")


# --- Citations you can click -----------------------------------------------------------------

def test_a_citation_click_brings_its_card_into_view_and_highlights_it(app, page):
    open_app(page, app[0])
    answer_and_wait(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("#chatbot a[href='#kilde-1-1']").first.click()
    card = page.locator("#kilde-1-1")
    assert "flash" in card.get_attribute("class")
    assert in_viewport(page, "#kilde-1-1")
    assert page.evaluate("() => document.activeElement.id") == "kilde-1-1"


def test_an_earlier_answers_citation_opens_its_folded_sources(app, page):
    open_app(page, app[0])
    answer_and_wait(page)
    answer_and_wait(page, "og igen?")
    assert not page.locator("#kilde-1-1").is_visible()  # folded under "tidligere svar"
    page.locator("#chatbot a[href='#kilde-1-1']").first.click()
    assert page.locator("#kilde-1-1").is_visible()
    assert in_viewport(page, "#kilde-1-1")


def test_on_a_phone_a_citation_opens_its_source_under_the_answer(app, phone):
    open_app(phone, app[0])
    answer_and_wait(phone)
    link = phone.locator("#chatbot a[href='#kilde-1-1']").first
    link.click()
    inline = phone.locator("#chatbot .inline-source[data-source='kilde-1-1']")
    inline.wait_for()
    assert ny_ide_4().watch_outs.paragraphs[0] in inline.inner_text()
    assert in_viewport(phone, "#chatbot .inline-source")
    assert link.get_attribute("aria-expanded") == "true"
    link.click()
    inline.wait_for(state="detached")


# --- First view, focus, announcements --------------------------------------------------------

def test_the_first_view_on_a_laptop_shows_title_input_and_three_starters(app, page):
    page.set_viewport_size(LAPTOP)
    open_app(page, app[0])
    assert in_viewport(page, "h1") and in_viewport(page, "#msg textarea")
    shown = page.evaluate("""() => [...document.querySelectorAll('#starters button')]
        .filter(el => { const r = el.getBoundingClientRect();
                        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; })
        .length""")
    assert shown >= 3


def test_on_a_phone_the_page_opens_at_the_title(app, phone):
    open_app(phone, app[0])
    phone.wait_for_timeout(500)
    assert phone.evaluate("() => window.scrollY") == 0
    assert in_viewport(phone, "h1")


def test_focus_moves_to_the_new_answer_after_a_starter(app, page):
    open_app(page, app[0])
    starter = page.locator("#starters button").first
    question = starter.inner_text().strip()
    starter.focus()
    page.keyboard.press("Enter")
    wait_until_answered(page)
    assert question in page.locator("#chatbot").inner_text()
    page.locator("#starters").wait_for(state="hidden")
    assert page.evaluate("""() => document.activeElement.matches('#chatbot [data-testid="bot"]')
        && document.activeElement === [...document.querySelectorAll(
            '#chatbot [data-testid="bot"]')].pop()""")
    page.wait_for_function("() => document.getElementById('answer-status').textContent")
    assert page.locator("#answer-status").inner_text().startswith("Svaret er kommet")
    assert page.get_attribute("#answer-status", "role") == "status"


def test_typing_a_question_keeps_focus_in_the_input(app, page):
    open_app(page, app[0])
    page.focus("#msg textarea")
    answer_and_wait(page)
    assert page.evaluate("() => document.activeElement.matches('#msg textarea')")


def test_the_page_speaks_danish(app, page):
    open_app(page, app[0])
    answer_and_wait(page)
    page.wait_for_timeout(200)
    assert page.get_attribute("html", "lang") == "da"
    labels = page.evaluate("""() => [...document.querySelectorAll('[aria-label], [title]')]
        .flatMap(el => [el.getAttribute('aria-label'), el.getAttribute('title')])""")
    assert not [label for label in labels if label in ENGLISH]
    assert page.locator("#chatbot button[aria-label='Godt svar']").count() >= 1
    assert not page.get_by_text("Use via API").is_visible()


def test_controls_are_at_least_44_px(app, phone):
    open_app(phone, app[0])
    answer_and_wait(phone)
    controls = phone.evaluate("""() => [...document.querySelectorAll('button, summary, a[href]')]
        .filter(el => el.offsetParent !== null)
        .map(el => {
            const r = el.getBoundingClientRect();
            return {name: (el.innerText || el.getAttribute('aria-label') || '').trim(),
                    width: r.width, height: r.height,
                    citation: el.matches('a[href^="#kilde-"]')};
        })""")
    # A [n] link sits inside a sentence (WCAG 2.5.8's inline exception): 24 px is enough.
    small = [c for c in controls if min(c["width"], c["height"]) < (24 if c["citation"] else 44)]
    assert small == []


# --- The journey strip and the phase card ----------------------------------------------------

def test_the_strip_expands_to_show_every_phase_title(app, page):
    open_app(page, app[0])
    title = page.locator("#phase-ny-ide-1 .phase-title")
    assert not title.is_visible()
    toggle = page.locator("#journey .journey-toggle")
    toggle.click()
    assert title.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    answer_and_wait(page)  # the strip is re-rendered with the answer's focus: still expanded
    assert title.is_visible()
    assert page.get_attribute("#journey .journey-toggle", "aria-expanded") == "true"


def test_a_phase_card_opens_over_the_page_asks_and_exports_a_checklist(app, page):
    open_app(page, app[0])
    page.click("#phase-ny-ide-4")
    detail = page.locator("#phase-detail")
    detail.filter(has_text="Vær opmærksom på").wait_for()
    assert "Gennemfør prospektiv vurdering" in detail.inner_text()
    assert "selected" in page.get_attribute("#phase-ny-ide-4", "class")
    assert page.evaluate("() => getComputedStyle(document.getElementById('phase-panel'))"
                         ".position") == "fixed"
    page.wait_for_function("() => document.activeElement.id === 'phase-card-title'")

    with page.expect_download() as info:
        page.click("#checklist-download")
    download = info.value
    assert download.suggested_filename == "ai-rejsen-tjekliste-ny-ide-4.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "- [ ] Indhent godkendelser til prospektiv vurdering" in text

    page.click("#ask-phase")
    page.locator("#phase-panel").wait_for(state="detached")
    wait_until_answered(page)
    assert ("Hvad handler Ny idé fase 4 Test og implementering om?"
            in page.locator("#chatbot").inner_text())


def test_escape_closes_the_phase_card_and_focus_returns_to_its_phase(app, phone):
    open_app(phone, app[0])
    phone.click("#phase-ny-ide-2")
    phone.locator("#phase-card-title").wait_for()
    box = phone.locator("#phase-panel").bounding_box()
    assert box["width"] >= PHONE["width"] - 1  # across the phone, over the chat
    phone.keyboard.press("Escape")
    phone.locator("#phase-panel").wait_for(state="detached")
    phone.wait_for_function("() => document.activeElement.id === 'phase-ny-ide-2'")


# --- Ny samtale, export, feedback ------------------------------------------------------------

def test_new_conversation_clears_everything_and_can_be_undone(app, page):
    open_app(page, app[0])
    answer_and_wait(page)
    page.click("#new-chat")
    page.locator("#starters").wait_for()
    page.locator("#sources .sources-empty").wait_for()
    assert page.locator("#journey [data-phase].active").count() == 0
    assert page.locator("#chatbot [data-testid='bot']").count() == 0
    page.wait_for_function(
        "() => document.getElementById('answer-status').textContent.includes('ryddet')")
    page.click("#undo-new-chat")
    wait_for_answer(page, ny_ide_4().watch_outs.paragraphs[0])
    page.locator("#sources .source").first.wait_for()
    page.locator("#undo-new-chat").wait_for(state="hidden")
    assert page.locator("#journey [data-phase].active").count() == 1
    page.wait_for_function("() => document.activeElement.matches('#msg textarea')")


def test_the_conversation_exports_and_feedback_is_stored(app, page):
    url, settings = app
    open_app(page, url)
    answer_and_wait(page)
    answer_and_wait(page, "og igen?")
    page.locator("#export-download:not([disabled])").wait_for()
    with page.expect_download() as info:
        page.click("#export-download")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert re.match(r"ai-rejsen-samtale-.*\.md$", info.value.suggested_filename)
    assert DESIGN_QUESTION in text and text.count("## Kilder") == 1
    assert text.count(f"**{PATH_ACTIONS}**") == 1  # cited twice, quoted once

    from ui.feedback import FEEDBACK_FILE, load_feedback

    page.locator("#chatbot button[aria-label='Godt svar']").last.click()
    path = settings.data_dir / FEEDBACK_FILE
    for _ in range(50):
        if load_feedback(path):
            break
        page.wait_for_timeout(100)
    records = load_feedback(path)
    assert records and records[-1].liked is True and records[-1].question is None
    assert PATH_ACTIONS in records[-1].paths


def test_markup_in_an_answer_executes_nothing(xss_url, page):
    open_app(page, xss_url)
    ask(page, "vis mig noget farligt")
    wait_for_answer(page, "slut.")
    page.locator("#sources .source").wait_for()
    page.wait_for_timeout(500)  # give a broken image's onerror every chance to fire
    assert page.evaluate("() => window.__pwned") is None
    assert "<script>window.__pwned=1</script>" in page.locator("#sources").inner_text()


def test_usable_at_phone_width(app, phone):
    open_app(phone, app[0])
    overflow = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    for selector in ("#chatbot", "#msg textarea", "#journey", "#sources"):
        box = phone.locator(selector).bounding_box()
        assert box and box["width"] <= PHONE["width"]
    assert phone.locator("#msg label, #msg [data-testid='block-info']").first.is_visible()


# --- axe-core: WCAG 2.1 AA in every state, at both sizes --------------------------------------

def reach(page, url: str, state: str) -> None:
    open_app(page, url)
    if state == "empty":
        return
    answer_and_wait(page)
    if state == "phase card open":
        page.click("#phase-ny-ide-4")
        page.locator("#phase-card-title").wait_for()
    elif state == "after Ny samtale":
        page.click("#new-chat")
        page.locator("#undo-new-chat").wait_for()
    page.wait_for_timeout(300)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
@pytest.mark.parametrize("state", ["empty", "after an answer", "phase card open",
                                   "after Ny samtale"])
def test_axe_finds_no_serious_or_critical_violations(app, browser_context, viewport, state):
    from axe_playwright_python.sync_playwright import Axe

    page = browser_context.new_page()
    try:
        page.set_viewport_size(viewport)
        reach(page, app[0], state)
        # label-content-name-mismatch is experimental in axe 4.x: asked for by name.
        results = Axe().run(page, options={
            "rules": {"label-content-name-mismatch": {"enabled": True}}})
    finally:
        page.close()
    violations = results.response["violations"]
    serious = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
               for v in violations if v["impact"] in ("serious", "critical")]
    print(f"axe {viewport['width']}x{viewport['height']} {state}: "
          f"{[(v['id'], v['impact'], len(v['nodes'])) for v in violations]}")
    assert serious == []
