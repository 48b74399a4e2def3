"""Thumbs up/down on answers, kept locally in SQLite (settings.data_dir / "feedback.sqlite3").

A record holds the verdict, the time and the cited paths. The question text is kept only when
the operator opted in (settings.store_questions): questions may contain patient details.
Nothing here leaves the machine, and nothing here imports gradio.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.answer import Answer
from ui.render import citation_path

FEEDBACK_FILE = "feedback.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    liked INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    paths TEXT NOT NULL,
    question TEXT
)
"""


@dataclass(frozen=True)
class Feedback:
    liked: bool
    refused: bool
    paths: tuple[str, ...]
    created_at: str  # ISO 8601, UTC
    question: str | None = None


def feedback_for(answer: Answer, question: str, liked: bool, *, store_questions: bool,
                 now: datetime | None = None) -> Feedback:
    """The record to keep for a verdict on `answer`; the question only if opted in."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return Feedback(
        liked=bool(liked),
        refused=answer.refused,
        paths=tuple(dict.fromkeys(citation_path(c) for c in answer.citations)),
        created_at=moment.isoformat(timespec="seconds"),
        question=question if store_questions else None,
    )


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=10)
    connection.execute(SCHEMA)
    return connection


def save_feedback(path: Path, feedback: Feedback) -> None:
    """Append one record; a connection per call, so concurrent requests need no shared state."""
    with closing(_connect(path)) as connection, connection:
        connection.execute(
            "INSERT INTO feedback (created_at, liked, refused, paths, question) "
            "VALUES (?, ?, ?, ?, ?)",
            (feedback.created_at, int(feedback.liked), int(feedback.refused),
             json.dumps(list(feedback.paths), ensure_ascii=False), feedback.question),
        )


def load_feedback(path: Path) -> Sequence[Feedback]:
    """Every record in the order it was given (for reports and tests)."""
    if not path.exists():
        return []
    with closing(_connect(path)) as connection:
        rows = connection.execute(
            "SELECT liked, refused, paths, created_at, question FROM feedback ORDER BY id"
        ).fetchall()
    return [Feedback(bool(liked), bool(refused), tuple(json.loads(paths)), created_at, question)
            for liked, refused, paths, created_at, question in rows]
