"""Markdown downloads (conversation, phase checklist) written as files for gradio to serve.

Each file goes into its own fresh subfolder, so concurrent sessions never overwrite each other
and the download keeps a readable name. Folders older than `max_age` are removed on the next
write: gradio keeps its own copy in its cache once a file has been handed to the browser.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

DEFAULT_MAX_AGE_S = 3600.0


class ExportDir:
    def __init__(self, root: Path | None = None, max_age_s: float = DEFAULT_MAX_AGE_S):
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="ai-rejsen-export-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_age_s = max_age_s

    def write(self, filename: str, text: str) -> Path:
        """Write `text` to a new file called `filename` (made safe) and return its path."""
        self._prune()
        folder = Path(tempfile.mkdtemp(dir=self.root))
        path = folder / safe_filename(filename)
        path.write_text(text, encoding="utf-8")
        return path

    def _prune(self) -> None:
        cutoff = time.time() - self.max_age_s
        for folder in self.root.iterdir():
            try:
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue  # another session removed it first


def safe_filename(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return stem or "ai-rejsen.md"
