"""Under load: the load script against a fake-assistant app, and a full queue answered in
Danish instead of a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import ROOT
from tests.conftest_ui import FakeAssistant, ui_settings

pytestmark = [pytest.mark.server,
              pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]


def launch(assistant, settings):
    from ui.app import build_app, launch_options

    demo = build_app(assistant, settings)
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings))
    return demo, f"http://127.0.0.1:{settings.port}/"


def load(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evals.load", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})


def test_the_load_script_against_the_app(fake_assistant, tmp_path):
    demo, url = launch(fake_assistant, ui_settings(tmp_path))
    try:
        done = load("--url", url, "--pid", str(os.getpid()), "--clients", "5",
                    "--seconds", "5", "--json")
    finally:
        demo.close()
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["errors"] == 0 and result["requests"] >= 50
    assert result["clients"] == 5 and 4.5 <= result["seconds"] < 15
    assert 0 < result["p50_ms"] <= result["p95_ms"]
    assert {"start", "end"} <= set(result["rss_mb"])
    for label in ("forespørgsler", "fejl", "svartid p50", "svartid p95", "server-RSS start"):
        assert label in done.stdout


@pytest.mark.parametrize("url", ["http://example.com/", "http://10.0.0.5:7860/",
                                 "http://127.0.0.1.example.com/", "file:///etc/passwd"])
def test_the_load_script_refuses_anything_but_loopback(url):
    done = load("--url", url, "--seconds", "1")
    assert done.returncode == 2
    assert done.stderr.startswith("evals.load: kun loopback er tilladt")


def test_the_load_script_is_bounded():
    for args in (["--clients", "5000"], ["--seconds", "100000"], ["--max-requests", "0"]):
        done = load("--url", "http://127.0.0.1:9/", *args)
        assert done.returncode == 2 and "skal ligge mellem" in done.stderr


class Slow(FakeAssistant):
    def ask(self, messages):
        time.sleep(1.5)
        return super().ask(messages)


def test_a_full_queue_answers_in_danish_at_once(tmp_path):
    import httpx

    demo, url = launch(Slow(), ui_settings(tmp_path, concurrency=1, max_queue=1))
    results: list[tuple[int, str, float]] = []

    def ask():
        started = time.perf_counter()
        response = httpx.post(url + "gradio_api/call/chat", json={"data": ["Hvad er fase 4?",
                                                                         None]}, timeout=30)
        body = response.text
        if response.status_code == 200:
            event = response.json()["event_id"]
            body = httpx.get(url + f"gradio_api/call/chat/{event}", timeout=30).text
        results.append((response.status_code, body, time.perf_counter() - started))

    try:
        threads = [threading.Thread(target=ask) for _ in range(6)]
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        for thread in threads:
            thread.join(30)
    finally:
        demo.close()
    busy = [r for r in results if r[0] == 429]
    served = [r for r in results if r[0] == 200]
    assert len(results) == 6 and len(busy) + len(served) == 6
    assert busy and served
    for _, body, seconds in busy:
        assert json.loads(body)["detail"].startswith("Der er mange spørgsmål lige nu")
        assert "køen er fuld (højst 1 ventende)" in body and seconds < 1
    for _, body, _ in served:
        assert "event: complete" in body


def test_a_huge_request_body_is_refused(fake_assistant, tmp_path):
    import httpx

    demo, url = launch(fake_assistant, ui_settings(tmp_path))
    try:
        response = httpx.post(url + "gradio_api/call/chat", content=b"x" * (4 * 1024 * 1024),
                              headers={"content-type": "application/json"}, timeout=30)
    finally:
        demo.close()
    assert response.status_code == 413
    assert response.json()["detail"] == "Forespørgslen er for stor (højst 1 MB)."


def test_a_huge_chunked_body_is_cut_off(fake_assistant, tmp_path):
    import httpx

    def chunks(megabytes: float):  # valid JSON, sent without a Content-Length
        yield b'{"data": ["'
        for _ in range(int(megabytes * 4)):
            yield b"x" * (256 * 1024)
        yield b'", null]}'

    demo, url = launch(fake_assistant, ui_settings(tmp_path))
    try:
        small = httpx.post(url + "gradio_api/call/chat", content=chunks(0.5),
                           headers={"content-type": "application/json"}, timeout=30)
        assert small.status_code == 200  # below the bound it is an ordinary (too long) question
        try:
            huge = httpx.post(url + "gradio_api/call/chat", content=chunks(4),
                              headers={"content-type": "application/json"}, timeout=30)
            assert huge.status_code == 400
        except httpx.HTTPError:
            pass  # the server hung up: just as good
        assert httpx.get(url + "config").status_code == 200  # and it is still serving
    finally:
        demo.close()
