"""Item 11 of issue 11 — the CLI's edge cases end in one Danish line and an honest exit code.

Each test names its attack (what the caller does to the CLI) and the expected result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "ai-rejsen")
QUESTION = {"role": "user", "content": "Hvad er fase 4?"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cli-edges")
    return os.environ | {"AI_REJSEN_DATA_DIR": str(data_dir), "AI_REJSEN_EMBEDDINGS": "fake"}


def run(args: list[str], env: dict, shell_redirect: str = "", stdin: str | None = None):
    """The CLI through sh, so a test can close a descriptor (`<&-`, `>&-`) as a user would."""
    command = " ".join(["exec", '"$@"', shell_redirect])
    return subprocess.run(["sh", "-c", command, "sh", CLI, *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def one_danish_line(done) -> str:
    assert "Traceback" not in done.stderr and "uventet fejl" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("ai-rejsen:")]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_batch_from_a_closed_stdin_is_refused_in_danish(env):
    """Attack: `ai-rejsen ask --json --batch - <&-`. Expected: exit 1, a Danish line."""
    done = run(["ask", "--json", "--batch", "-"], env, "<&-")
    assert done.returncode == 1
    assert "standardinput er lukket" in one_danish_line(done)


@pytest.mark.parametrize("bad_id", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_an_id_json_cannot_hold_is_refused_and_the_output_stays_json(env, bad_id):
    """Attack: a batch line whose id is NaN, ±Infinity or beyond a float. Expected: an error
    line that is valid JSON (no NaN/Infinity written back), and the run goes on."""
    lines = [f'{{"id": {bad_id}, "messages": [{json.dumps(QUESTION)}]}}',
             json.dumps({"id": 7, "messages": [QUESTION]})]
    done = run(["ask", "--json", "--batch", "-"], env, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line, parse_constant=pytest.fail) for line in done.stdout.splitlines()]
    assert out[0]["id"] is None and "ikke gyldig JSON" in out[0]["error"]
    assert out[1]["id"] == 7 and "error" not in out[1]


@pytest.mark.parametrize("redirect", [">&-", ">/dev/full"], ids=["closed", "full"])
def test_an_answer_that_cannot_be_written_fails(env, redirect):
    """Attack: stdout closed (`>&-`) or on a full device (/dev/full). Expected: exit 1 and a
    Danish line, never exit 0 with nothing written."""
    done = run(["ask", "--json", "Hvad er fase 4?"], env, redirect)
    assert done.returncode == 1
    assert "standardoutput" in one_danish_line(done)


def test_dev_null_and_a_fifo_are_readable_batch_sources(env, tmp_path):
    """Attack: `--batch /dev/null` and `--batch <fifo>` (neither is a regular file). Expected:
    read like any file, not "filen findes ikke"."""
    empty = run(["ask", "--json", "--batch", "/dev/null"], env)
    assert empty.returncode == 0 and empty.stdout == "" and "findes ikke" not in empty.stderr
    fifo = tmp_path / "linjer"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat > '{fifo}'"], stdin=subprocess.PIPE, text=True)
    reader = subprocess.Popen([CLI, "ask", "--json", "--batch", str(fifo)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer.communicate(json.dumps({"id": "fifo", "messages": [QUESTION]}) + "\n", timeout=60)
    stdout, stderr = reader.communicate(timeout=120)
    assert reader.returncode == 0, stderr
    assert json.loads(stdout)["id"] == "fifo"


def test_a_folder_or_a_missing_file_is_named_as_what_it_is(env, tmp_path):
    """Attack: `--batch <folder>` and `--batch <missing>`. Expected: exit 1, the right reason."""
    folder = run(["ask", "--json", "--batch", str(tmp_path)], env)
    assert folder.returncode == 1 and "er en mappe" in one_danish_line(folder)
    missing = run(["ask", "--json", "--batch", str(tmp_path / "nej.jsonl")], env)
    assert missing.returncode == 1 and "filen findes ikke" in one_danish_line(missing)


def test_credentials_in_the_chroma_url_are_never_echoed(env, tmp_path):
    """Attack: AI_REJSEN_CHROMA_URL with a user and password, and no server there. Expected: the
    error names the server without the credentials."""
    from evals.processes import free_port

    url = f"http://admin:Hemmelig-Kode-42@127.0.0.1:{free_port()}"
    for args in (["index"], ["ask", "Hvad er fase 4?"]):
        done = run(args, env | {"AI_REJSEN_CHROMA_URL": url,
                                "AI_REJSEN_DATA_DIR": str(tmp_path / "data")})
        assert done.returncode == 1
        line = one_danish_line(done)
        assert "Hemmelig-Kode-42" not in done.stderr + done.stdout and "admin" not in line
        assert "127.0.0.1" in line


def test_credentials_in_the_chroma_url_go_to_the_server_as_basic_auth(monkeypatch, tmp_path):
    """Attack (on ourselves): a user and password in AI_REJSEN_CHROMA_URL. Expected: sent as
    HTTP Basic auth to the server (for a proxy in front of Chroma), kept out of the manifest."""
    import base64

    import chromadb

    from index import store

    seen = {}
    monkeypatch.setattr(chromadb, "HttpClient", lambda **kwargs: seen.update(kwargs) or "ok")
    url = "https://anna:hemmelig%3Akode@chroma.lokal:8443"
    assert store.chroma_client(tmp_path, url) == "ok"
    assert (seen["host"], seen["port"], seen["ssl"]) == ("chroma.lokal", 8443, True)
    login = base64.b64decode(seen["headers"]["Authorization"].split()[1]).decode()
    assert login == "anna:hemmelig:kode"
    assert store.redact_url(url) == "https://chroma.lokal:8443"
