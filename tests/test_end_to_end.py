"""The product as a user meets it: the real index and model behind the chat, through the chat
API and in Debian's Chromium. The README's screenshots come from `make screenshots`, not from
here: tests never write into the repository."""

from __future__ import annotations

import pytest

from tests.conftest_ui import DESIGN_QUESTION, ui_settings
from tests.test_ui_browser import answer_and_wait, browser_context, open_app, page  # noqa: F401

pytestmark = [pytest.mark.model, pytest.mark.server,
              pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

DESIGN_PATH = "Ny idé › 4 Test og implementering"


@pytest.fixture(scope="module")
def real_app(real_assistant, tmp_path_factory):
    from ui.app import serve

    settings = ui_settings(tmp_path_factory.mktemp("e2e"))
    demo = serve(real_assistant, settings, block=False)
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        demo.close()


def test_chat_api_answers_the_design_question(real_app):
    from gradio_client import Client

    text = Client(real_app, verbose=False).predict(
        message=DESIGN_QUESTION, history=None, api_name="/chat")
    assert DESIGN_PATH in text
    for action in ("Indhent godkendelser til prospektiv vurdering", "Afklar infrastruktur for IT",
                   "Forbered prospektiv vurdering"):
        assert action in text


@pytest.mark.browser
def test_design_question_in_the_browser(real_app, page):  # noqa: F811
    open_app(page, real_app)
    answer_and_wait(page, DESIGN_QUESTION)
    chat = page.locator("#chatbot")
    assert "Indhent godkendelser til prospektiv vurdering" in chat.inner_text()
    assert "Kilder:" not in chat.inner_text()
    sources = page.locator("#sources")
    assert f"{DESIGN_PATH} › Centrale handlinger" in sources.inner_text()
    # Every [n] of the real answer is a link to one of the panel's cards.
    links = page.eval_on_selector_all("#chatbot a[href^='#kilde-']",
                                      "els => els.map(e => e.getAttribute('href').slice(1))")
    cards = page.eval_on_selector_all("#sources .source", "els => els.map(e => e.id)")
    assert links and set(links) <= set(cards)
    active = page.locator("#journey [data-phase].active")
    highlighted = {active.nth(i).get_attribute("data-phase") for i in range(active.count())}
    assert "ny-ide-4" in highlighted
    page.locator(f"#chatbot a[href='#{links[0]}']").first.click()
    assert page.evaluate("() => document.activeElement.id") == links[0]

    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
