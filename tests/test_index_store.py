"""The index never leaves users without answers: built when missing, rebuilt when stale or
corrupt, swapped atomically, and safe when two processes start at once (fake embedder)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.errors import IndexUnavailable
from assistant.service import open_assistant
from assistant.settings import Settings
from corpus.parse import corpus_hash, source_text
from index import store
from index.embeddings import FakeEmbeddings
from index.store import (
    IndexCorrupt,
    IndexMissing,
    IndexStale,
    build_index,
    ensure_index,
    open_index,
    read_manifest,
)
from tests.conftest import ROOT

GUIDE = source_text()
HASH = corpus_hash(GUIDE)
PHASE_4_PURPOSE = "I denne fase testes produktet."
NEW_SENTENCE = "Husk at invitere patientrepræsentanter til afprøvningen."


def changed_guide(tmp_path: Path) -> Path:
    """The guide with one sentence added to Ny idé phase 4's purpose."""
    assert PHASE_4_PURPOSE in GUIDE
    path = tmp_path / "guide.md"
    path.write_text(GUIDE.replace(PHASE_4_PURPOSE, f"{PHASE_4_PURPOSE} {NEW_SENTENCE}", 1),
                    encoding="utf-8")
    return path


def build(data_dir: Path, text: str = GUIDE, model: str = "fake", **kwargs):
    return build_index(text, corpus_hash(text), FakeEmbeddings(), model, data_dir, **kwargs)


def current(data_dir: Path) -> Path:
    return (data_dir / "current").resolve()


def index_dirs(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir() if p.name.startswith(("index-", "build-")))


def ensure(data_dir: Path, model: str = "fake", text: str = GUIDE, reasons: list | None = None,
           progress: list | None = None):
    return ensure_index(data_dir, FakeEmbeddings(), model, text, corpus_hash(text),
                        progress=None if progress is None else lambda d, t: progress.append((d, t)),
                        on_rebuild=None if reasons is None else reasons.append)


def answers(index) -> bool:
    return bool(index.store.similarity_search("prospektiv vurdering", k=1))


# ---- missing and stale ----------------------------------------------------------------------

def test_a_missing_index_is_built_on_start_with_progress(tmp_path):
    data_dir = tmp_path / "data"
    reasons, progress = [], []
    assistant = open_assistant(Settings(data_dir=data_dir, embeddings="fake"),
                               lambda d, t: progress.append((d, t)), reasons.append)
    assert len(reasons) == 1 and "intet indeks" in reasons[0]
    assert progress[-1][0] == progress[-1][1] == assistant.index.manifest.chunk_count
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert not assistant.ask("Hvad er formålet med fase 4?").refused
    with pytest.raises(IndexMissing):
        read_manifest(tmp_path / "elsewhere")


def test_opening_reads_the_vectors_from_chroma_and_makes_the_langchain_store_when_used(tmp_path):
    """Answering needs the vectors only; the langchain wrapper (~0.4 s to import) waits."""
    data_dir = tmp_path / "data"
    ensure(data_dir)
    index = ensure(data_dir)
    assert index.vectors.shape == (index.manifest.chunk_count,
                                   index.manifest.embedding_dimension)
    assert "store" not in vars(index)
    assert answers(index)
    assert "store" in vars(index)


def test_a_changed_guide_is_noticed_and_the_index_rebuilt(tmp_path):
    data_dir = tmp_path / "data"
    first = open_assistant(Settings(data_dir=data_dir, embeddings="fake"))
    first_dir = current(data_dir)
    assert all(NEW_SENTENCE not in c.text for c in first.index.chunks)
    reasons = []
    settings = Settings(data_dir=data_dir, embeddings="fake", guide_path=changed_guide(tmp_path))
    second = open_assistant(settings, on_rebuild=reasons.append)
    assert reasons == ["guiden er ændret siden indekset blev bygget"]
    assert any(NEW_SENTENCE in c.text for c in second.index.chunks)
    assert current(data_dir) != first_dir and answers(second.index)
    reasons.clear()
    open_assistant(settings, on_rebuild=reasons.append)  # up to date now: opened, not rebuilt
    assert reasons == []


def test_another_embedding_model_means_a_rebuild(tmp_path):
    data_dir = tmp_path / "data"
    build(data_dir)
    with pytest.raises(IndexStale, match="embedding-model"):
        open_index(data_dir, FakeEmbeddings(), "fake-v2", HASH)
    reasons = []
    index = ensure(data_dir, model="fake-v2", reasons=reasons)
    assert "embedding-model fake ≠ fake-v2" in reasons[0]
    assert index.manifest.embedding_model == "fake-v2" and answers(index)


def test_another_schema_version_means_a_rebuild(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    build(data_dir)
    monkeypatch.setattr(store, "SCHEMA_VERSION", store.SCHEMA_VERSION + 1)
    reasons = []
    index = ensure(data_dir, reasons=reasons)
    assert "skemaversion" in reasons[0]
    assert index.manifest.schema_version == store.SCHEMA_VERSION


# ---- corrupt ---------------------------------------------------------------------------------

def truncate_sqlite(index_dir: Path) -> None:
    db = index_dir / "chroma" / "chroma.sqlite3"
    with open(db, "r+b") as f:
        f.truncate(db.stat().st_size // 3)


DAMAGE = {
    "truncated chroma.sqlite3": truncate_sqlite,
    "chunks.json deleted": lambda d: (d / "chunks.json").unlink(),
    "lexical.json deleted": lambda d: (d / "lexical.json").unlink(),
    "chroma folder deleted": lambda d: shutil.rmtree(d / "chroma"),
    "garbage manifest": lambda d: (d / "manifest.json").write_bytes(b"\x00{garbage"),
    "manifest of the wrong shape": lambda d: (d / "manifest.json").write_text('{"a": 1}'),
    "chunks.json cut short": lambda d: (d / "chunks.json").write_text(
        (d / "chunks.json").read_text(encoding="utf-8")[:5000], encoding="utf-8"),
    "index folder deleted": lambda d: shutil.rmtree(d),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_corrupt_index_is_detected_and_rebuilt(tmp_path, damage):
    data_dir = tmp_path / "data"
    build(data_dir)
    broken = current(data_dir)
    DAMAGE[damage](broken)
    with pytest.raises((IndexCorrupt, IndexMissing)):
        open_index(data_dir, FakeEmbeddings(), "fake", HASH)
    reasons = []
    index = ensure(data_dir, reasons=reasons)
    assert len(reasons) == 1
    assert current(data_dir) != broken and answers(index)
    assert open_index(data_dir, FakeEmbeddings(), "fake", HASH).manifest.key == index.manifest.key


def test_when_no_rebuild_is_possible_the_error_says_what_to_do(tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("ikke en mappe")
    with pytest.raises(IndexUnavailable) as caught:
        open_assistant(Settings(data_dir=not_a_folder, embeddings="fake"))
    message = str(caught.value)
    assert "ikke en mappe" in message and str(not_a_folder) in message
    assert "kør `ai-rejsen index`" in message


def test_a_broken_index_is_met_with_advice_that_keeps_the_feedback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise store.IndexCorrupt("noget er i stykker")

    monkeypatch.setattr(store, "build_index", broken)
    monkeypatch.setattr(store, "open_index", broken)
    with pytest.raises(IndexUnavailable) as caught:
        open_assistant(Settings(data_dir=tmp_path / "data", embeddings="fake"))
    message = str(caught.value)
    assert "`ai-rejsen index --force`" in message and "feedback" in message
    assert "slet mappen" not in message


# ---- atomic rebuilds ------------------------------------------------------------------------

def test_a_rebuild_that_fails_halfway_leaves_the_previous_index_serving(tmp_path):
    data_dir = tmp_path / "data"
    build(data_dir)
    before = current(data_dir)
    new_text = changed_guide(tmp_path).read_text(encoding="utf-8")
    with pytest.raises(store.IndexError_, match="afbrudt"):
        build(data_dir, new_text, fail_after_vectors=True)
    assert current(data_dir) == before
    assert index_dirs(data_dir) == [before.name]  # the half build is gone
    assert answers(open_index(data_dir, FakeEmbeddings(), "fake", HASH))


KILLED_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from corpus.parse import corpus_hash
    from index.embeddings import FakeEmbeddings
    from index.store import build_index

    data_dir, marker = Path(sys.argv[1]), Path(sys.argv[2])
    text = Path(sys.argv[3]).read_text(encoding="utf-8")

    def progress(done, total):
        marker.write_text(f"{done}/{total}")
        time.sleep(30)  # killed here, halfway through the vectors

    build_index(text, corpus_hash(text), FakeEmbeddings(), "fake", data_dir, progress=progress)
""")


def test_a_killed_build_leaves_no_half_index_in_use(tmp_path):
    data_dir = tmp_path / "data"
    build(data_dir)
    before = current(data_dir)
    marker, guide = tmp_path / "marker", changed_guide(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(data_dir), str(marker),
                             str(guide)], cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the build never started"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert current(data_dir) == before
    assert any(name.startswith("build-") for name in index_dirs(data_dir))
    assert answers(open_index(data_dir, FakeEmbeddings(), "fake", HASH))
    # The next start under the lock removes the remains and builds the changed guide.
    new_text = guide.read_text(encoding="utf-8")
    index = ensure(data_dir, text=new_text)
    assert not any(name.startswith("build-") for name in index_dirs(data_dir))
    assert index.manifest.corpus_hash == corpus_hash(new_text)


def test_an_index_a_process_reads_outlives_any_number_of_rebuilds(tmp_path):
    data_dir = tmp_path / "data"
    build(data_dir)
    old = open_index(data_dir, FakeEmbeddings(), "fake", HASH)  # takes the lease
    first = current(data_dir)
    new_text = changed_guide(tmp_path).read_text(encoding="utf-8")
    for text in (new_text, GUIDE, new_text):
        build(data_dir, text)
        assert first.is_dir() and answers(old)  # a server opened before the rebuilds goes on
    store.release_lease(first)  # the server stopped
    build(data_dir)
    assert not first.exists() and len(index_dirs(data_dir)) == 2  # current and previous


# ---- two processes at once ------------------------------------------------------------------

def test_two_processes_starting_at_once_build_one_index(tmp_path):
    data_dir = tmp_path / "data"
    env = os.environ | {"AI_REJSEN_DATA_DIR": str(data_dir), "AI_REJSEN_EMBEDDINGS": "fake"}
    cli = [str(Path(sys.executable).parent / "ai-rejsen"), "ask", "--json",
           "Hvad er formålet med fase 4?"]
    procs = [subprocess.Popen(cli, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    for out, _ in results:
        assert PHASE_4_PURPOSE in out
    assert sum(err.count("Bygger indekset") for _, err in results) == 1
    assert len([n for n in index_dirs(data_dir) if n.startswith("index-")]) == 1
    assert not any(n.startswith("build-") for n in index_dirs(data_dir))
