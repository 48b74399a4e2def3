"""Item 12 of issue 11 — remote content in one's own message is shown as text, never fetched.

Before: `![x](url)`, `<img>`, `<video>` and CSS `url()` in a user's message made the browser
fetch that URL, `<form action>` was kept, and exports kept the raw HTML. Now a user's message
is escaped (ui.plaintext) and every response carries a Content-Security-Policy that lets the
page contact this server only (ui.guards). The Chromium test points every trick at another
listener on this machine and counts the requests it gets: none.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.answer import Answer
from evals.processes import free_port
from tests.conftest_ui import FakeAssistant, design_answer, ui_settings
from tests.security.helpers import served
from ui import render
from ui.plaintext import as_text

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def tricks(base: str) -> str:
    return " ".join([
        f"![x]({base}/markdown.png)",
        f'<img src="{base}/img.png">',
        f'<video src="{base}/video.mp4" autoplay muted></video>',
        f'<audio src="{base}/audio.mp3" autoplay></audio>',
        f'<div style="background-image:url({base}/css.png)">baggrund</div>',
        f'<form action="{base}/form"><button>Send</button></form>',
        f'<link rel="stylesheet" href="{base}/style.css">',
        f'<iframe src="{base}/frame"></iframe>',
        f'<object data="{base}/object"></object><embed src="{base}/embed">',
        f'<svg><image href="{base}/svg.png"/></svg>',
        f"Hvad er fase 4? {base}/link",
    ])


def test_a_message_is_escaped_so_it_shows_as_typed():
    """Attack: Markdown and HTML in a question. Expected: none of it survives as syntax, in the
    chat and in the export."""
    message = tricks("http://127.0.0.1:9")
    turn = render.Turn(message, design_answer())
    shown = render.chat_history([turn])[0]["content"]
    exported = render.conversation_markdown([turn])
    for text in (shown, exported):
        assert "<img" not in text and "<form" not in text and "](http" not in text
        assert "&lt;img" in text and r"!\[x\]\(http\://127\.0\.0\.1\:9/markdown\.png\)" in text
    assert as_text("Hvad er fase 4?") == r"Hvad er fase 4?"


class Listener:
    """Another HTTP server on this machine: counts every request it gets."""

    def __init__(self):
        self.paths: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                listener.paths.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()


@pytest.mark.server
def test_every_response_carries_the_security_headers(tmp_path):
    """Attack (on the browser): framing, MIME sniffing, leaking the address. Expected: the page,
    the API, a file and a refusal all carry CSP (default-src 'self'; img-src 'self' data:;
    connect-src 'self'; frame-ancestors 'none'), nosniff and a referrer policy."""
    import httpx

    with served(FakeAssistant(), ui_settings(tmp_path)) as url:
        responses = [httpx.get(url), httpx.get(url + "config"),
                     httpx.post(url + "gradio_api/call/chat", json={"data": ["Hej", None]}),
                     httpx.post(url + "gradio_api/upload")]
    for response in responses:
        policy = response.headers["content-security-policy"]
        for directive in ("default-src 'self'", "img-src 'self' data:", "connect-src 'self'",
                          "frame-ancestors 'none'"):
            assert directive in policy, (response.url, directive)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS)
        context.set_default_timeout(20_000)
        yield context
        context.close()


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")
def test_a_message_pointing_at_another_listener_makes_no_request_to_it(tmp_path, chromium):
    """Attack: a question (and, for the CSP alone, an answer) full of images, media, CSS, forms
    and frames pointing at another listener on this machine. Expected: the listener gets no
    request at all; the question shows as typed; no form or image is made of it."""
    listener = Listener()
    answer = Answer(f'Svar med <img src="{listener.base}/answer.png"> og '
                    f'<img src="{listener.base}/answer2.png" onerror="1">', refused=False)
    assistant = FakeAssistant(answer)
    page = chromium.new_page()
    try:
        with served(assistant, ui_settings(tmp_path)) as url:
            page.goto(url)
            page.wait_for_selector("#msg textarea")
            page.fill("#msg textarea", tricks(listener.base))
            page.press("#msg textarea", "Enter")
            page.locator("#chatbot").filter(has_text="Svar med").wait_for()
            page.wait_for_timeout(1500)  # every image, video and frame its chance to load
            chat = page.locator("#chatbot")
            shown = chat.inner_text()
            made = chat.locator("form, video, audio, iframe, object, embed").count()
    finally:
        page.close()
        listener.close()
    assert listener.paths == []
    assert "![x](" in shown and "<video" in shown and made == 0
