"""The web app's API through gradio_client, with a fake assistant: /chat answers with sources."""

from __future__ import annotations

import pytest

from assistant.answer import Message
from tests.conftest_ui import DESIGN_QUESTION, FakeAssistant, free_port, ny_ide_4, ui_settings

pytestmark = [pytest.mark.server, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from ui.app import build_app

    assistant = FakeAssistant()
    settings = ui_settings(tmp_path_factory.mktemp("ui-data"), concurrency=3, max_queue=7)
    demo = build_app(assistant, settings)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield demo, assistant, f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture(scope="module")
def client(served):
    from gradio_client import Client

    return Client(served[2], verbose=False)


def test_chat_returns_the_answer_with_its_sources(served, client):
    _, assistant, _ = served
    text = client.predict(message=DESIGN_QUESTION, api_name="/chat")
    phase = ny_ide_4()
    assert phase.watch_outs.paragraphs[0] in text
    assert "**Kilder**" in text
    assert "[1] Ny idé › 4 Test og implementering › Vær opmærksom på" in text
    assert "[2] Ny idé › 4 Test og implementering › Centrale handlinger" in text
    assert assistant.asked[-1] == [Message("user", DESIGN_QUESTION)]


def test_chat_passes_the_history_on(served, client):
    _, assistant, _ = served
    history = [{"role": "user", "content": "Hvad er fase 4?"},
               {"role": "assistant", "content": "Test og implementering."}]
    client.predict(message="Og før den?", history=history, api_name="/chat")
    assert assistant.asked[-1] == [Message("user", "Hvad er fase 4?"),
                                   Message("assistant", "Test og implementering."),
                                   Message("user", "Og før den?")]


def test_only_the_chat_endpoint_is_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/chat"]


def test_queue_limits_come_from_settings(served):
    demo, _, _ = served
    assert demo._queue.max_size == 7
    assert demo._queue.default_concurrency_limit == 3
