"""Item 1 of issue 11 — no conversation on disk unless the user exports it.

Before: every answer wrote the whole conversation twice (/tmp/ai-rejsen-export-*, and
Gradio's world-readable /tmp/gradio/<hash>/, kept after a restart), questions refused as too
long included. Now a file is made only when the user clicks export, in a private folder
(0700, the file 0600), and deleted once downloaded or when the server stops.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest_ui import FakeAssistant, ui_settings
from tests.security.helpers import CliServer, canary, files_containing, served, ui_event

pytestmark = [pytest.mark.server, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

TMP = Path(tempfile.gettempdir())


def chat_without_export(url: str, secret: str) -> None:
    """A clinician's session: questions in the page (one too long), and through the API."""
    import httpx

    session = uuid.uuid4().hex[:11]
    with httpx.Client(timeout=60) as client:
        for question in (f"Hvad er formålet med fase 4? Patient {secret}",
                         f"Og hvad skal jeg være opmærksom på? {secret}",
                         f"{secret} " * 400):  # refused as too long
            ui_event(client, url, "respond", [question, None, None], session)
        for history in (None, [{"role": "user", "content": f"tidligere {secret}"},
                               {"role": "assistant", "content": "svar"}]):
            event = client.post(url + "gradio_api/call/chat",
                                json={"data": [f"Hvornår skal der laves udbud? {secret}",
                                               history]}).json()["event_id"]
            assert "event: complete" in client.get(
                url + f"gradio_api/call/chat/{event}").text
        client.get(url + f"gradio_api/deep_link?session_hash={session}")  # refused (403)


def test_a_chat_without_export_leaves_no_file_with_its_text(tmp_path):
    """Attack: a chat session (page and API, a too-long question included) without export;
    then the server stops. Expected: no file under /tmp or the data directory contains the
    canary typed in it, neither while the server runs nor after."""
    secret = canary()
    data_dir = tmp_path / "data"
    with CliServer(data_dir) as server:
        chat_without_export(server.url, secret)
        during = files_containing([TMP, data_dir], secret)
        output = server.stop()
    after = files_containing([TMP, data_dir], secret)
    assert during == [] and after == []
    assert secret not in output


def test_export_makes_a_private_file_on_click_and_deletes_it_once_downloaded(tmp_path):
    """Attack (on ourselves): what an export leaves. Expected: no file before the click; on
    the click one file, 0600 in a 0700 folder inside the process's private temp folder; gone
    once the browser has downloaded it; what was refused as too long is not in it."""
    import httpx

    secret, too_long = canary(), canary()
    settings = ui_settings(tmp_path / "data")
    with served(FakeAssistant(), settings) as url, httpx.Client(timeout=60) as client:
        session = uuid.uuid4().hex[:11]
        ui_event(client, url, "respond", [f"Hvad er fase 4? {secret}", None, None], session)
        ui_event(client, url, "respond", [f"{too_long} " * 400, None, None], session)
        private = Path(os.environ["GRADIO_TEMP_DIR"])
        assert files_containing([TMP], secret) == []  # answered, not exported: nothing
        file = ui_event(client, url, "export_conversation", [None], session)[0]
        path = Path(file["path"])
        assert path.is_relative_to(private) and files_containing([TMP], secret) == [path]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        text = path.read_text(encoding="utf-8")
        assert secret in text and too_long not in text and "for langt" in text
        download = client.get(url + f"gradio_api/file={path}")
        assert download.status_code == 200 and secret in download.text
        for _ in range(100):  # removed just after the last byte went out
            if not path.parent.exists():
                break
            time.sleep(0.02)
        assert not path.exists() and not path.parent.exists()
        assert client.get(url + f"gradio_api/file={path}").status_code in (403, 404)


LEFTOVER = """
import os, sys, time
from ui.tempfiles import use_private_temp
root = use_private_temp()
(root / "samtale.md").write_text(sys.argv[1])
print(root, flush=True)
os._exit(0)  # killed: no atexit, the folder is left behind
"""


def test_gradio_s_temp_folder_is_private_emptied_at_start_and_at_stop(tmp_path):
    """Attack: a server killed without cleaning up, then a new one. Expected: the new one
    removes the dead one's folder when it starts; its own folder is 0700 and gone after a
    normal stop (SIGTERM)."""
    from tests.conftest import ROOT

    secret = canary()
    killed = subprocess.run([sys.executable, "-c", LEFTOVER, secret], cwd=ROOT, text=True,
                            capture_output=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
    left = Path(killed.stdout.strip())
    assert left.is_dir() and files_containing([left], secret)
    with CliServer(tmp_path / "data") as server:
        assert not left.exists()  # emptied at start
        pid = server.process.pid
        own = [p for p in TMP.glob(f"ai-rejsen-run-{pid}-*")]
        assert len(own) == 1 and stat.S_IMODE(own[0].stat().st_mode) == 0o700
        server.stop()  # SIGTERM
    assert not own[0].exists()  # emptied at stop
