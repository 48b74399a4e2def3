"""Markdown downloads (conversation, phase checklist) written as files for gradio to serve.

A conversation is written only when the user clicks export, never after an answer: it may
quote a patient. Each file gets a fresh folder (0700) and is itself 0600, inside the process's
private temp folder (ui.tempfiles), which is also Gradio's cache, so Gradio serves it from
there without making a copy. A conversation is one-shot: ui.guards deletes it as soon as its
download has been sent (`after_download`); if the browser never fetches it, it goes when the
server stops. Checklists hold only the guide's own text and stay until they are an hour old.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_MAX_AGE_S = 3600.0

_one_shot: set[Path] = set()
_one_shot_lock = threading.Lock()


class ExportDir:
    def __init__(self, root: Path | None = None, max_age_s: float = DEFAULT_MAX_AGE_S):
        if root is None:
            from ui.tempfiles import use_private_temp

            root = Path(tempfile.mkdtemp(prefix="exports-", dir=use_private_temp()))
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.max_age_s = max_age_s

    def write(self, filename: str, text: str, *, one_shot: bool = False) -> Path:
        """Write `text` to a new private file called `filename` (made safe); return its path.

        `one_shot`: deleted right after it has been downloaded once (conversations).
        """
        self._prune()
        folder = Path(tempfile.mkdtemp(dir=self.root))  # 0700
        path = folder / safe_filename(filename)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if one_shot:
            with _one_shot_lock:
                _one_shot.add(path.resolve())
        return path

    def close(self) -> None:
        """Remove every file this app wrote (when its server stops)."""
        shutil.rmtree(self.root, ignore_errors=True)
        with _one_shot_lock:
            _one_shot.difference_update({p for p in _one_shot if p.is_relative_to(self.root)})

    def _prune(self) -> None:
        cutoff = time.time() - self.max_age_s
        for folder in self.root.iterdir():
            try:
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue  # another session removed it first


def after_download(path: str | Path) -> bool:
    """Delete a one-shot export once it has been sent; True if `path` was one."""
    try:
        resolved = Path(path).resolve()
    except (OSError, ValueError):
        return False
    with _one_shot_lock:
        if resolved not in _one_shot:
            return False
        _one_shot.discard(resolved)
    shutil.rmtree(resolved.parent, ignore_errors=True)
    return True


def safe_filename(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return stem or "ai-rejsen.md"


# After the export event has put the file's URL in the hidden DownloadButton, the browser
# fetches it as a download (the same thing the DownloadButton does when clicked).
DOWNLOAD_JS = """
(file) => {
  if (!file || !file.url) return;
  const link = document.createElement('a');
  link.href = file.url;
  link.download = file.orig_name || 'ai-rejsen-samtale.md';
  document.body.appendChild(link);
  link.click();
  link.remove();
}
"""
