"""Items 5 and 6 of issue 11 — no uploads, and no URL is ever fetched by the server.

Before: POST /gradio_api/upload took 15 × 1 MB a request, without login, into /tmp/gradio; and
/gradio_api/file=http://<public address>/x.png made the server fetch it (502 once the network
refused). Now both get 403 from ui.guards before Gradio sees the request.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

from tests.conftest_ui import FakeAssistant, ui_settings
from tests.security.helpers import served
from ui.guards import refused_path

pytestmark = [pytest.mark.server]

TMP = Path(tempfile.gettempdir())
URL_TARGETS = [
    "http://93.184.216.34/x.png",
    "https://example.com/x.png",
    "HTTP://example.com/x.png",
    "http%3A%2F%2Fexample.com%2Fx.png",
    "http%253A%252F%252Fexample.com",
    "//example.com/x.png",
    "ftp://example.com/x",
    "file:///etc/passwd",
    "data:text/plain,hej",
    " http://example.com/",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with served(FakeAssistant(), ui_settings(tmp_path_factory.mktemp("urls"))) as url:
        yield url


def newest_files() -> set[Path]:
    roots = [Path(os.environ["GRADIO_TEMP_DIR"]), TMP / "gradio"]
    return {p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("path", ["gradio_api/upload", "gradio_api/upload/", "upload",
                                  "gradio_api/process_recording"])
def test_uploads_are_refused_and_nothing_is_written(app, path):
    """Attack: 15 × 1 MB files to the upload routes, without logging in. Expected: 403, a
    Danish detail, and no new file in Gradio's temp folders."""
    import httpx

    before = newest_files()
    files = [("files", (f"x{n}.bin", b"0" * (1024 * 1024))) for n in range(15)]
    response = httpx.post(app + path, files=files, timeout=60)
    assert response.status_code == 403
    assert "tager ikke imod filer" in response.json()["detail"]
    assert newest_files() - before == set()


@pytest.mark.parametrize("target", URL_TARGETS)
def test_a_file_url_with_a_scheme_is_refused_before_anything_is_fetched(app, target,
                                                                         monkeypatch):
    """Attack: /gradio_api/file=<URL> (and /file=, /gradio_api/proxy=). Expected: 403, and no
    name looked up or connection opened: Gradio's fetcher is never called."""
    import httpx
    from gradio import route_utils

    looked_up, fetched = [], []
    real_getaddrinfo = socket.getaddrinfo

    def spy_getaddrinfo(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost"):
            looked_up.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy_getaddrinfo)
    from gradio import routes

    for module in (route_utils, routes):
        if hasattr(module, "secure_url_stream_response"):
            monkeypatch.setattr(module, "secure_url_stream_response",
                                lambda *a, **k: fetched.append(a) or None)
    for prefix in ("gradio_api/file=", "file=", "gradio_api/proxy="):
        response = httpx.get(app + prefix + target, timeout=30)
        assert response.status_code == 403, (prefix, target, response.status_code)
    assert looked_up == [] and fetched == []


def test_the_rules_refuse_only_what_they_should():
    assert refused_path("/gradio_api/file=/tmp/ai-rejsen-run-1-x/exports-y/z/a.md") is None
    assert refused_path("/gradio_api/queue/join") is None
    assert refused_path("/gradio_api/call/chat") is None
    assert refused_path("/gradio_api/deep_link") == "lukket rute"
    assert refused_path("/gradio_api/run-history/records") == "lukket rute"
    assert refused_path("/gradio_api/file=https://x") == "file= med en adresse"


def test_deep_links_and_the_run_history_are_closed(app):
    """Attack: /gradio_api/deep_link (it wrote a session's values to disk) and the run-history
    routes. Expected: 403."""
    import httpx

    for path in ("gradio_api/deep_link?session_hash=abc", "gradio_api/run-history/records",
                 "gradio_api/run-history/buckets"):
        assert httpx.get(app + path, timeout=30).status_code == 403, path
    assert httpx.post(app + "gradio_api/run-history/connect", json={},
                      timeout=30).status_code == 403
    assert httpx.get(app + "config", timeout=30).json()["run_history"] is False
