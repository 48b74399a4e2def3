"""One private temporary folder per server process, for everything Gradio writes to disk.

Gradio copies every file a component hands to the browser into its cache, by default
/tmp/gradio/<hash>/: shared by every user of the machine, world-readable and never emptied.
Here GRADIO_TEMP_DIR points at a folder only this user can open (0700), named after the
process, so it is:
- private: files inside it cannot be read by other users, whatever their own mode;
- emptied at start: folders left by a server that was killed (its process is gone) go first,
  with the conversation exports older versions of this app left in /tmp;
- emptied at stop: removed when the process exits (atexit; `ai-rejsen serve` turns SIGTERM
  into a normal exit so this runs).
Nothing here imports gradio; `use_private_temp()` must run before gradio builds a component,
because each component reads GRADIO_TEMP_DIR when it is made.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "ai-rejsen-run-"
# Left in the shared temp folder by versions before this one: conversation exports.
LEGACY_DIRS = ("ai-rejsen-export-*",)
LEGACY_GRADIO_FILES = ("ai-rejsen-samtale-*.md",)

_lock = threading.Lock()
_root: Path | None = None


def use_private_temp() -> Path:
    """This process's private folder, made (and GRADIO_TEMP_DIR set) on first use."""
    global _root
    with _lock:
        if _root is not None and _root.is_dir():
            return _root
        base = Path(tempfile.gettempdir())
        remove_leftovers(base)
        _root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))  # 0700
        os.environ["GRADIO_TEMP_DIR"] = str(_root)
        atexit.register(remove_private_temp)
        return _root


def remove_private_temp() -> None:
    """Empty and remove this process's folder (at exit, or when the server stops)."""
    global _root
    with _lock:
        if _root is not None:
            shutil.rmtree(_root, ignore_errors=True)
            _root = None


def remove_leftovers(base: Path) -> list[Path]:
    """Remove what dead servers of this user left in `base`; returns what was removed."""
    removed = []
    for path in base.glob(f"{PREFIX}*"):
        pid = _pid_of(path.name)
        if pid is not None and pid != os.getpid() and _ours(path) and not _alive(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    for pattern in LEGACY_DIRS:
        for path in base.glob(pattern):
            if _ours(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    for pattern in LEGACY_GRADIO_FILES:
        for path in (base / "gradio").glob(f"*/{pattern}"):
            if path.is_file() and not path.is_symlink() and path.stat().st_uid == os.getuid():
                path.unlink(missing_ok=True)
                removed.append(path)
    if removed:
        log.info("fjernede %d midlertidige filer/mapper fra tidligere kørsler", len(removed))
    return removed


def _pid_of(name: str) -> int | None:
    digits = name[len(PREFIX):].split("-", 1)[0]
    return int(digits) if digits.isdigit() else None


def _ours(path: Path) -> bool:
    """A real folder (not a link someone planted) owned by this user."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return path.is_dir() and not path.is_symlink() and info.st_uid == os.getuid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
