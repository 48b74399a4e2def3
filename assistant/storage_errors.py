"""Which failures of the index mean a full or read-only disk, so the user is told that.

Python reports these with an errno; Chroma's SQLite (in Rust) with a message instead, e.g.
"(code: 13) database or disk is full", "(code: 778) disk I/O error" (a write refused, also what
a file-size limit gives) and "(code: 8) attempt to write a readonly database". The whole chain
of causes is read, since build_index re-raises what Chroma raised.
"""

from __future__ import annotations

import errno

FULL = "full"
READ_ONLY = "read-only"

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
FULL_TEXTS = ("database or disk is full", "disk i/o error", "no space left", "file too large",
              "quota exceeded")
READ_ONLY_TEXTS = ("readonly database", "read-only file system", "permission denied")


def disk_problem(exc: BaseException | None) -> str | None:
    """FULL, READ_ONLY or None for `exc` and the exceptions it was raised from."""
    seen = 0
    while exc is not None and seen < 10:
        number = getattr(exc, "errno", None)
        text = str(exc).lower()
        if number in FULL_ERRNOS or any(t in text for t in FULL_TEXTS):
            return FULL
        if number in READ_ONLY_ERRNOS or any(t in text for t in READ_ONLY_TEXTS):
            return READ_ONLY
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def reason(exc: BaseException) -> str:
    """A short reason for the message: the OS's words if it gave any, else the first line."""
    lines = str(exc).splitlines()
    text = getattr(exc, "strerror", None) or (lines[0] if lines else "")
    return (text or type(exc).__name__)[:160]
