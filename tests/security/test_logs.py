"""Item 2 of issue 11 — no question text in any log, on any path.

Before: a call to /gradio_api/call/chat without the history argument printed
`Received inputs: ["<the question>"]` on stderr. Every call below carries a marker; the server
(`ai-rejsen serve`, with a login so the login path is attacked too) must never print it.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.security.helpers import CliServer, canary, event_ids

pytestmark = [pytest.mark.server]


def malformed_calls(marker: str) -> list[tuple[str, str, object]]:
    """(method, path, JSON body or raw bytes): partial, malformed and odd calls."""
    question = f"Hvad er fase 4? {marker}"
    return [
        ("POST", "gradio_api/call/chat", {"data": [question]}),  # no history: the case
        ("POST", "gradio_api/call/chat", {"data": []}),
        ("POST", "gradio_api/call/chat", {"data": [question, "ikke en liste", "for mange"]}),
        ("POST", "gradio_api/call/chat", {"data": [{"tekst": question}, None]}),
        ("POST", "gradio_api/call/chat", {"data": [question, [[question, question, question]]]}),
        ("POST", "gradio_api/call/chat", {"data": [question, [{"role": "system"}]]}),
        ("POST", "gradio_api/call/chat", {"data": question}),
        ("POST", "gradio_api/call/chat", {"spørgsmål": question}),
        ("POST", "gradio_api/call/chat", f'{{"data": ["{question}"'.encode()),  # cut off
        ("POST", "gradio_api/call/chat", b"\xff\xfe" + question.encode("utf-16")),
        ("POST", "gradio_api/call/v2/chat", {"data": [question]}),
        ("POST", "gradio_api/run/chat", {"data": [question]}),
        ("POST", "gradio_api/api/chat", {"data": [question, 42]}),
        ("POST", "gradio_api/call/ingen", {"data": [question]}),
        ("POST", "gradio_api/queue/join", {"data": [question], "fn_index": 0,
                                           "session_hash": "a"}),
        ("POST", "gradio_api/queue/join", {"data": [question, None, None], "fn_index": 9999,
                                           "session_hash": "b"}),
        ("POST", "gradio_api/queue/join", {"data": [question, 7, "x"], "fn_index": "respond",
                                           "session_hash": "c"}),
        ("GET", f"gradio_api/call/chat/{marker}", None),
        ("GET", f"gradio_api/file={marker}.md", None),
        ("GET", f"gradio_api/queue/data?session_hash={marker}", None),
        ("POST", "gradio_api/upload", {"data": [question]}),
        ("POST", "login", f"username=jens&password={marker}".encode()),
    ]


def test_malformed_and_partial_calls_never_put_the_question_in_the_log(tmp_path):
    """Attack: the calls above, each with a marker in the question (or the password).
    Expected: the marker appears nowhere in the server's stdout and stderr."""
    import httpx

    marker = canary()
    with CliServer(tmp_path / "data", AI_REJSEN_AUTH="jens:hemmelig-kode") as server:
        with httpx.Client(timeout=30) as client:
            client.post(server.url + "login",
                        data={"username": "jens", "password": "hemmelig-kode"})
            respond = event_ids(client, server.url, "respond")[0]
            calls = malformed_calls(marker) + [
                ("POST", "gradio_api/queue/join",
                 {"data": [f"kun spørgsmålet {marker}"], "fn_index": respond,
                  "session_hash": uuid.uuid4().hex[:11]})]
            for method, path, body in calls:
                content = body if isinstance(body, bytes) else (
                    json.dumps(body).encode() if body is not None else None)
                try:
                    response = client.request(method, server.url + path, content=content,
                                              headers={"content-type": "application/json"})
                    if response.status_code == 200 and path.startswith("gradio_api/call/"):
                        event = response.json().get("event_id")
                        if event:
                            client.get(server.url + f"{path}/{event}")
                except httpx.HTTPError as exc:
                    print("afbrudt:", method, path.split("?")[0][:40], type(exc).__name__)
            client.get(server.url + "gradio_api/queue/data",
                       params={"session_hash": calls[-1][2]["session_hash"]}, timeout=5)
        output = server.stop()
    assert marker not in output, output[-3000:]
    assert "Traceback" not in output or "beskeden er udeladt" in output
