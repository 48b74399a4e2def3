"""Opening the assistant from a terminal: a progress bar on stderr while the index is built.

Shared by the CLI and the evals (so evals/ never imports the CLI).
"""

from __future__ import annotations

import sys

from assistant.settings import Settings


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str):
        self.label = label

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        end = "\n" if done >= total else ""
        print(f"\r{self.label}: [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
              end=end, file=sys.stderr, flush=True)


def open_with_progress(settings: Settings):
    from assistant.service import open_assistant

    def announce(reason: str) -> None:
        print(f"Bygger indekset ({reason}) …", file=sys.stderr)

    return open_assistant(settings, Progress("Indekserer"), announce)
