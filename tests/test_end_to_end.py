"""The product as a user meets it: the real index and model behind the chat, through the chat
API and in Debian's Chromium. Saves the README's screenshot (docs/screenshot.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest_ui import DESIGN_QUESTION, ui_settings
from tests.test_ui_browser import ask, browser_context, open_app, page, wait_for_answer  # noqa: F401

pytestmark = [pytest.mark.model, pytest.mark.server,
              pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.png"
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
    ask(page, DESIGN_QUESTION)
    wait_for_answer(page, "Indhent godkendelser til prospektiv vurdering")
    sources = page.locator("#sources")
    sources.locator(".source").first.wait_for()
    assert f"{DESIGN_PATH} › Centrale handlinger" in sources.inner_text()
    active = page.locator("#journey [data-phase].active")
    active.first.wait_for()
    highlighted = {active.nth(i).get_attribute("data-phase") for i in range(active.count())}
    assert "ny-ide-4" in highlighted
    page.wait_for_timeout(300)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
