"""No question text in the server's log, on any path, including malformed and partial calls.

Gradio prints every exception it meets while handling an event with traceback.print_exc(), and
its messages quote the input: a call to /gradio_api/call/chat without the history argument
printed `Received inputs: ["<the question>"]` on stderr. uvicorn logs exceptions from the app
the same way. Both are kept, but as the exception's type and where it happened: the message
is left out, since it may quote what the user typed.

`quiet_gradio()` swaps the `traceback` that Gradio's modules use for one that prints this way,
and `RedactingFilter` does the same for log records carrying an exception.
"""

from __future__ import annotations

import logging
import sys
import traceback as _traceback
import types

GRADIO_MODULES = ("gradio.queueing", "gradio.routes", "gradio.route_utils", "gradio.utils",
                  "gradio.blocks", "gradio.helpers", "gradio.mcp")
LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "gradio", "fastapi", "starlette", "")
NOTE = "(beskeden er udeladt: den kan indeholde brugerens spørgsmål)"


def describe(exc_type, exc, tb) -> str:
    """The exception's type and the frames it passed through, without its message."""
    name = getattr(exc_type, "__name__", "Exception")
    frames = "".join(_traceback.format_tb(tb)) if tb is not None else ""
    return f"Traceback (most recent call last):\n{frames}{name} {NOTE}\n"


def _print_exc(limit=None, file=None, chain=True):
    exc_type, exc, tb = sys.exc_info()
    if exc_type is not None:
        (file or sys.stderr).write(describe(exc_type, exc, tb))


def _format_exc(limit=None, chain=True) -> str:
    exc_type, exc, tb = sys.exc_info()
    return describe(exc_type, exc, tb) if exc_type is not None else ""


def _print_exception(exc, value=None, tb=None, limit=None, file=None, chain=True):
    if isinstance(exc, BaseException):
        exc_type, tb = type(exc), exc.__traceback__
    else:
        exc_type = exc
    (file or sys.stderr).write(describe(exc_type, value, tb))


def redacted_traceback() -> types.ModuleType:
    """A stand-in for the traceback module whose printers leave messages out."""
    module = types.ModuleType("traceback")
    module.__dict__.update({name: getattr(_traceback, name) for name in dir(_traceback)
                            if not name.startswith("__")})
    module.print_exc = _print_exc
    module.format_exc = _format_exc
    module.print_exception = _print_exception
    return module


def quiet_gradio() -> None:
    """Make Gradio's modules print exceptions without their messages (idempotent)."""
    import importlib

    stand_in = redacted_traceback()
    for name in GRADIO_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "traceback", None) is _traceback:
            module.traceback = stand_in
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())


class RedactingFilter(logging.Filter):
    """Log records keep an exception's type and frames, not its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            record.msg = f"{record.getMessage()}\n{describe(exc_type, None, tb)}".rstrip()
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True
