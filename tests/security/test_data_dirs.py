"""Item 9 of issue 11 — bad data directories get a clear Danish message, never "uventet fejl".

Read-only: a read-only bind mount in a private mount namespace (`unshare --mount`) when running
as root (root ignores file modes), else plain file modes. A full disk: RLIMIT_FSIZE on the
process (writes beyond it fail as they would on a full disk; SIGXFSZ ignored), and ENOSPC
raised at the write calls themselves.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import IndexUnavailable
from assistant.service import open_assistant, rebuild_index
from assistant.settings import Settings
from index import store

CLI = str(Path(sys.executable).parent / "ai-rejsen")
ANSWER = "I denne fase testes produktet."


def can_mount_read_only() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    done = subprocess.run(["unshare", "--mount", "sh", "-c",
                           "mount --bind -o ro /tmp /tmp && ! touch /tmp/.ai-rejsen-ro-probe"],
                          capture_output=True, timeout=30)
    return done.returncode == 0


READ_ONLY_BY_MOUNT = can_mount_read_only()
needs_read_only = pytest.mark.skipif(
    not READ_ONLY_BY_MOUNT and os.geteuid() == 0,
    reason="som root kræver en skrivebeskyttet mappe `unshare --mount`, som ikke virker her")


def run_read_only(folder: Path, args: list[str], env: dict) -> subprocess.CompletedProcess:
    """The CLI with `folder` read-only for it."""
    if READ_ONLY_BY_MOUNT:
        command = ["unshare", "--mount", "sh", "-c",
                   'mount --bind -o ro "$1" "$1" && shift && exec "$@"', "sh", str(folder),
                   CLI, *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    for path in (folder, *folder.rglob("*")):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    try:
        return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)
    finally:
        for path in (folder, *folder.rglob("*")):
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)


def tree(folder: Path) -> dict[str, tuple[int, float]]:
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime)
            for p in folder.rglob("*")}


def env_for(data_dir: Path) -> dict:
    return os.environ | {"AI_REJSEN_DATA_DIR": str(data_dir), "AI_REJSEN_EMBEDDINGS": "fake"}


def no_traceback(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr and "uventet fejl" not in done.stderr, done.stderr
    return done.stderr


@needs_read_only
def test_a_valid_index_in_a_read_only_folder_answers(tmp_path):
    """Attack: the data directory is read-only (a read-only volume) and holds a valid index.
    Expected: it is opened and answers; it is not called corrupt, and nothing in it changes."""
    data_dir = tmp_path / "data"
    rebuild_index(Settings(data_dir=data_dir, embeddings="fake"))
    before = tree(data_dir)
    done = run_read_only(data_dir, ["ask", "--json", "Hvad er formålet med fase 4?"],
                         env_for(data_dir))
    assert done.returncode == 0, no_traceback(done)
    assert ANSWER in done.stdout and "Bygger indekset" not in done.stderr
    assert tree(data_dir) == before


@needs_read_only
def test_a_read_only_folder_without_an_index_is_told_in_danish(tmp_path):
    """Attack: an empty read-only data directory. Expected: exit 1 and one Danish line that
    says it is read-only and what to do."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    done = run_read_only(data_dir, ["ask", "Hvad er fase 4?"], env_for(data_dir))
    assert done.returncode == 1
    assert "er skrivebeskyttet" in no_traceback(done) and "AI_REJSEN_DATA_DIR" in done.stderr


def test_a_full_disk_while_building_is_told_in_danish(tmp_path):
    """Attack: the disk fills up while `ai-rejsen index` writes (RLIMIT_FSIZE: no file may grow
    beyond 20 kB). Expected: exit 1 and a Danish line about the disk, not "uventet fejl"."""
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    data_dir = tmp_path / "data"
    done = subprocess.run([CLI, "index"], env=env_for(data_dir), preexec_fn=small_files,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "ikke plads på disken" in no_traceback(done)
    assert not any(p.name.startswith("build-") for p in data_dir.iterdir())  # no half build


@pytest.mark.parametrize("where", ["json files", "vectors"])
def test_enospc_at_the_write_call_keeps_the_index_in_use(tmp_path, monkeypatch, where):
    """Attack: ENOSPC at the moment a rebuild writes (the JSON files, or Chroma's SQLite saying
    "database or disk is full"). Expected: a Danish message about the disk, and the index in
    use still answers."""
    from chromadb.errors import InternalError

    settings = Settings(data_dir=tmp_path / "data", embeddings="fake")
    rebuild_index(settings)
    before = (settings.data_dir / "current").resolve()

    def full(*args, **kwargs):
        if where == "vectors":
            raise InternalError("error returned from database: (code: 13) database or disk "
                                "is full")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store, "_write_vectors" if where == "vectors" else "_write_json", full)
    with pytest.raises(IndexUnavailable, match="ikke plads på disken"):
        rebuild_index(settings)
    monkeypatch.undo()
    assert (settings.data_dir / "current").resolve() == before
    assert ANSWER in open_assistant(settings).ask("Hvad er formålet med fase 4?").answer


def test_force_rebuilds_from_scratch_but_keeps_feedback_and_indexes_in_use(tmp_path):
    """Attack (on ourselves): the advice for a broken index. Expected: `ai-rejsen index --force`
    removes the old indexes and unfinished builds, never feedback.sqlite3 or an index a
    running server still reads."""
    settings = Settings(data_dir=tmp_path / "data", embeddings="fake")
    rebuild_index(settings)
    in_use = open_assistant(settings)  # holds the lease on the first index
    first = (settings.data_dir / "current").resolve()
    rebuild_index(settings)
    second = (settings.data_dir / "current").resolve()
    (settings.data_dir / "build-killed").mkdir()
    (settings.data_dir / "feedback.sqlite3").write_bytes(b"feedback")
    done = subprocess.run([CLI, "index", "--force"], env=env_for(settings.data_dir),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    names = {p.name for p in settings.data_dir.iterdir()}
    assert first.name in names and second.name not in names and "build-killed" not in names
    assert (settings.data_dir / "feedback.sqlite3").read_bytes() == b"feedback"
    assert ANSWER in in_use.ask("Hvad er formålet med fase 4?").answer
    store.release_lease(first)
