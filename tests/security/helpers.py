"""Helpers for the attack tests: servers to attack, the chat's own event protocol, disk scans.

The web chat's events (answering, exporting) are private to the page, so API clients cannot
call them by name; the page calls them through Gradio's queue (`queue/join`, then the event
stream at `queue/data`), and so does `ui_event` here, finding each event in /config by the
name of its Python function.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from evals.processes import free_port, stop_process

CLI = str(Path(sys.executable).parent / "ai-rejsen")


def canary() -> str:
    """A word that exists nowhere until this test types it."""
    return "kanariefugl" + uuid.uuid4().hex


def wait_until_up(url: str, process: subprocess.Popen | None = None, timeout: float = 120):
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError("the server stopped")
        try:
            if httpx.get(url + "config", timeout=2).status_code in (200, 401):
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


class CliServer:
    """`ai-rejsen serve` in a subprocess; its stdout and stderr are collected in memory."""

    def __init__(self, data_dir: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = os.environ | {"AI_REJSEN_DATA_DIR": str(data_dir),
                                 "AI_REJSEN_EMBEDDINGS": "fake",
                                 "AI_REJSEN_PORT": str(self.port), **env}
        self.output: list[str] = []
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> CliServer:
        self.process = subprocess.Popen([CLI, "serve"], env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._drain, daemon=True).start()
        wait_until_up(self.url, self.process)
        return self

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def stop(self) -> str:
        if self.process is not None and self.process.poll() is None:
            stop_process(self.process)
        time.sleep(0.2)  # the drain thread reads the last lines
        return "".join(self.output)

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def served(assistant, settings, limits=None):
    """The app as `ai-rejsen serve` runs it (ui.server), in this process."""
    from ui.app import build_app, launch_options
    from ui.server import ServerLimits, run

    running = run(build_app(assistant, settings), settings, launch_options(settings),
                  block=False, limits=limits or ServerLimits())
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        running.close()


def event_ids(client, url: str, api_name: str) -> tuple[int, int | None]:
    """(fn_index, trigger component id) of the page's event run by function `api_name`."""
    config = client.get(url + "config").json()
    for dependency in config["dependencies"]:
        if dependency.get("api_name") == api_name:
            targets = [t for t in dependency["targets"] if t[0] is not None]
            return dependency["id"], targets[0][0] if targets else None
    raise KeyError(api_name)


def ui_event(client, url: str, api_name: str, data: list, session: str) -> list:
    """Run one of the page's events as the browser does; its final output data."""
    fn_index, trigger = event_ids(client, url, api_name)
    joined = client.post(url + "gradio_api/queue/join", json={
        "data": data, "fn_index": fn_index, "trigger_id": trigger, "session_hash": session,
        "event_data": None})
    joined.raise_for_status()
    with client.stream("GET", url + "gradio_api/queue/data",
                       params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "process_completed":
                if not message.get("success"):
                    raise RuntimeError(f"event {api_name} failed")
                return message["output"]["data"]
    raise RuntimeError("the event stream ended without a result")


def files_containing(roots: list[Path], needle: str, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every regular file under `roots` whose bytes contain `needle` (UTF-8)."""
    wanted = needle.encode("utf-8")
    found = []
    for root in roots:
        for folder, _, names in os.walk(root, onerror=lambda error: None):
            for name in names:
                path = Path(folder) / name
                if any(path.is_relative_to(s) for s in skip) or path.is_symlink():
                    continue
                if _contains(path, wanted):
                    found.append(path)
    return found


def _contains(path: Path, wanted: bytes) -> bool:
    try:
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            tail = b""
            while chunk := handle.read(1 << 20):
                if wanted in tail + chunk:
                    return True
                tail = chunk[-len(wanted):]
    except OSError:
        return False
    return False
