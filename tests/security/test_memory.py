"""Item 3 of issue 11 — memory per session is bounded.

Before: 400 API calls carrying a 4 MB history raised the server from 418 MB to ~2 GB, because
each session kept a copy of its inputs. Now bodies are capped at 1 MB, sessions keep no copies
of what was sent, and a conversation keeps only the turns the assistant reads. The soak of 400
maximum-size requests (RSS ≤ 500 MB) is in evals/load.py and BENCHMARKS.md.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest_ui import FakeAssistant, ui_settings
from tests.security.helpers import served, ui_event
from ui.limits import MAX_BODY
from ui.sessions import kept_question, kept_turns

pytestmark = [pytest.mark.server, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]


def history(turns: int, chars: int, marker: str) -> list[dict]:
    return [{"role": "user" if i % 2 == 0 else "assistant",
             "content": (marker + " " + "x" * chars)[:chars]} for i in range(2 * turns)]


def test_a_4_mb_history_is_refused_in_danish(tmp_path):
    """Attack: one call with a 4 MB history. Expected: 413 and a Danish detail."""
    import httpx

    body = json.dumps({"data": ["Hvad er fase 4?", history(1000, 2000, "x")]}).encode()
    assert len(body) > 4_000_000
    with served(FakeAssistant(), ui_settings(tmp_path)) as url:
        response = httpx.post(url + "gradio_api/call/chat", content=body, timeout=30,
                              headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"] == "Forespørgslen er for stor (højst 1 MB)."


def test_the_largest_real_conversation_fits_under_the_cap():
    """Attack (on ourselves): is the cap too tight? Expected: 41 turns of 2,000-character
    questions, every character escaped by JSON, and the longest answers still fit."""
    longest_answer = "æ" * 900 + "x" * 3600  # ~4.5 kB as JSON, as the longest answer
    messages = [{"role": "user", "content": "æ" * 2000}, {"role": "assistant",
                                                          "content": longest_answer}] * 41
    body = json.dumps({"data": ["æ" * 2000, messages]}).encode()
    assert len(body) < MAX_BODY


def test_sessions_keep_no_copy_of_what_was_sent(tmp_path):
    """Attack: calls near the cap, each from a new session. Expected: no session holds the
    history (or any input) afterwards: no deep-link copies of values."""
    import httpx

    marker = "mærke" + uuid.uuid4().hex
    settings = ui_settings(tmp_path)
    assistant = FakeAssistant()
    with served(assistant, settings) as url, httpx.Client(timeout=60) as client:
        body = {"data": ["Hvad er fase 4?", history(120, 2000, marker)]}
        assert 400_000 < len(json.dumps(body)) < MAX_BODY
        for _ in range(5):
            event = client.post(url + "gradio_api/call/chat", json=body).json()["event_id"]
            assert "event: complete" in client.get(url + f"gradio_api/call/chat/{event}").text
        ui_event(client, url, "respond", [f"Hvad er fase 4? {marker}", None, None], "ui1")
        from gradio.context import Context  # noqa: F401 - gradio is loaded by now

        holder = next(iter(_state_holders()))
        assert len(holder.session_data) >= 6
        for session in holder.session_data.values():
            assert session.config_values == {}
            for block in session.blocks_config.blocks.values():
                assert marker not in repr(getattr(block, "value", ""))[:10_000_000]
    assert len(assistant.asked[0]) == 2 * (settings.max_history_turns + 1) + 1  # trimmed


def _state_holders():
    import gc

    from gradio.state_holder import StateHolder

    return [o for o in gc.get_objects() if isinstance(o, StateHolder)
            and type(o).__name__ == "LeanStateHolder" and o.session_data]


def test_a_conversation_keeps_only_the_turns_the_assistant_reads(tmp_path):
    """Attack: a long conversation in the page. Expected: the session keeps the last
    max_history_turns + 1 turns (what the assistant reads, plus the one that tells it the
    conversation was longer)."""
    import httpx

    settings = ui_settings(tmp_path, max_history_turns=3)
    with served(FakeAssistant(), settings) as url, httpx.Client(timeout=60) as client:
        session = uuid.uuid4().hex[:11]
        for n in range(8):
            out = ui_event(client, url, "respond", [f"Spørgsmål nummer {n}", None, None],
                           session)
        chat = out[0]
    questions = [json.dumps(m["content"], ensure_ascii=False) for m in chat
                 if m["role"] == "user"]
    assert len(questions) == 4 and "nummer 7" in questions[-1] and "nummer 4" in questions[0]


def test_a_question_refused_as_too_long_is_not_kept():
    """Attack: a 5,000-character question. Expected: the session keeps a note, not the text."""
    secret = "hemmelig " * 600
    kept = kept_question(secret, 2000)
    assert "hemmelig" not in kept and "5.400 tegn" in kept
    assert kept_question("Hvad er fase 4?", 2000) == "Hvad er fase 4?"
    assert kept_turns(list(range(50)), 41) == list(range(9, 50))
