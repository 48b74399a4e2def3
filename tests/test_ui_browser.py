"""The web UI in Debian's Chromium through Playwright, with fake assistants (fast, no index).

Uses playwright.sync_api directly with the launch arguments from STACK.md, never a downloaded
browser. Saves docs/screenshot.png from the design question.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest_ui import (
    DESIGN_QUESTION,
    FakeAssistant,
    free_port,
    ny_ide_4,
    ui_settings,
    xss_answer,
)

pytestmark = [pytest.mark.browser, pytest.mark.server,
              pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# The README screenshot comes from the real assistant (tests/test_end_to_end.py).
SCREENSHOT = Path(__file__).resolve().parent.parent / "test-results" / "ui-fake.png"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app as serve() runs it (theme, CSS), with the design answer for every question."""
    from ui.app import serve

    settings = ui_settings(tmp_path_factory.mktemp("ui-data"))
    demo = serve(FakeAssistant(), settings, block=False)
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
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=CHROMIUM_ARGS, accept_downloads=True,
            viewport={"width": 1366, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    yield page
    page.close()


def open_app(page, url: str):
    page.goto(url)
    page.wait_for_selector("#msg textarea")
    return page


def ask(page, question: str) -> None:
    page.fill("#msg textarea", question)
    page.press("#msg textarea", "Enter")


def wait_for_answer(page, text: str) -> None:
    page.locator("#chatbot .message.bot, #chatbot [data-testid='bot']").filter(
        has_text=text).first.wait_for()


def test_the_design_question_shows_answer_sources_and_focus(app, page):
    url, _ = app
    open_app(page, url)
    ask(page, DESIGN_QUESTION)
    phase = ny_ide_4()
    first = phase.watch_outs.paragraphs[0]
    wait_for_answer(page, "Kilder:")
    chat = page.locator("#chatbot")
    assert first in chat.inner_text()
    assert "Ny idé › 4 Test og implementering › Vær opmærksom på" in chat.inner_text()

    sources = page.locator("#sources")
    sources.locator(".source").first.wait_for()
    assert sources.locator(".source").count() == 2
    assert "Ny idé › 4 Test og implementering › Vær opmærksom på" in sources.inner_text()
    assert first in sources.inner_text()

    active = page.locator("#journey [data-phase].active")
    active.first.wait_for()
    assert [active.nth(i).get_attribute("data-phase") for i in range(active.count())] == [
        "ny-ide-4"]

    page.locator("#followups button", has_text="Ny idé fase 5").wait_for()
    page.click("#phase-ny-ide-4")
    page.locator("#phase-detail", has_text="Centrale handlinger").wait_for()
    page.wait_for_timeout(300)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_a_starter_question_gets_an_answer(app, page):
    url, _ = app
    open_app(page, url)
    starter = page.locator("#starters button").first
    question = starter.inner_text().strip()
    starter.click()
    wait_for_answer(page, "Kilder:")
    assert question in page.locator("#chatbot").inner_text()
    page.locator("#starters").wait_for(state="hidden")


def test_a_phase_card_asks_about_its_phase_and_exports_a_checklist(app, page):
    url, _ = app
    open_app(page, url)
    page.click("#phase-ny-ide-4")
    detail = page.locator("#phase-detail")
    detail.filter(has_text="Vær opmærksom på").wait_for()
    assert "Gennemfør prospektiv vurdering" in detail.inner_text()
    assert "selected" in page.get_attribute("#phase-ny-ide-4", "class")

    with page.expect_download() as info:
        page.click("#checklist-download")
    download = info.value
    assert download.suggested_filename == "ai-rejsen-tjekliste-ny-ide-4.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "- [ ] Indhent godkendelser til prospektiv vurdering" in text

    page.click("#ask-phase")
    page.locator("#chatbot").filter(
        has_text="Hvad handler Ny idé fase 4 Test og implementering om?").wait_for()
    wait_for_answer(page, "Kilder:")


def test_the_conversation_exports_and_feedback_is_stored(app, page):
    url, settings = app
    open_app(page, url)
    ask(page, DESIGN_QUESTION)
    wait_for_answer(page, "Kilder:")
    page.locator("#export-download:not([disabled])").wait_for()
    with page.expect_download() as info:
        page.click("#export-download")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert re.match(r"ai-rejsen-samtale-.*\.md$", info.value.suggested_filename)
    assert DESIGN_QUESTION in text and "### Kilder" in text

    from ui.feedback import FEEDBACK_FILE, load_feedback

    page.locator("#chatbot button[aria-label='Like']").last.click()
    path = settings.data_dir / FEEDBACK_FILE
    for _ in range(50):
        if load_feedback(path):
            break
        page.wait_for_timeout(100)
    records = load_feedback(path)
    assert records and records[-1].liked is True and records[-1].question is None
    assert "Ny idé › 4 Test og implementering › Centrale handlinger" in records[-1].paths


def test_new_conversation_clears_everything(app, page):
    url, _ = app
    open_app(page, url)
    ask(page, DESIGN_QUESTION)
    wait_for_answer(page, "Kilder:")
    page.click("#new-chat")
    page.locator("#starters").wait_for()
    page.locator("#sources .sources-empty").wait_for()
    assert page.locator("#journey [data-phase].active").count() == 0
    assert "Kilder:" not in page.locator("#chatbot").inner_text()


def test_markup_in_an_answer_executes_nothing(xss_url, page):
    open_app(page, xss_url)
    ask(page, "vis mig noget farligt")
    wait_for_answer(page, "slut.")
    page.locator("#sources .source").wait_for()
    page.wait_for_timeout(500)  # give a broken image's onerror every chance to fire
    assert page.evaluate("() => window.__pwned") is None
    assert "<script>window.__pwned=1</script>" in page.locator("#sources").inner_text()


def test_usable_at_phone_width(app, browser_context):
    url, _ = app
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        open_app(page, url)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1
        for selector in ("#chatbot", "#msg textarea", "#journey", "#sources"):
            box = page.locator(selector).bounding_box()
            assert box and box["width"] <= 390
        assert page.locator("#msg label, #msg [data-testid='block-info']").first.is_visible()
    finally:
        page.close()
