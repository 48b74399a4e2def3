"""The assistant: one object that holds the open index and answers conversations.

`Assistant.ask` is the single entry point for the CLI, the chat and the evals. It never raises
for anything a user types: bad input and internal failures come back as a refused Answer with a
Danish message.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
import unicodedata
from collections.abc import Callable, Sequence

from assistant import cues
from assistant.answer import Answer, Message
from assistant.errors import AssistantError, BadInput, IndexUnavailable
from assistant.respond import Responder
from assistant.retrieve import Retriever
from assistant.settings import Settings
from index.lexical import DigestMemo, tokens

log = logging.getLogger(__name__)

EMPTY = "Skriv et spørgsmål om AI-rejsen, fx »Hvad skal jeg gøre før prospektiv validering?«"
INTERNAL = ("Der skete en fejl, så spørgsmålet ikke kunne besvares. Prøv igen; "
            "fortsætter fejlen, så kontakt den, der driver assistenten.")


SCRIPT_RE = re.compile(r"<\s*(script|style)\b.*?(?:<\s*/\s*\1\s*>|$)", re.S | re.I)
TAG_RE = re.compile(r"<[^<>]{0,500}>")
# Terminal escape sequences (colours, cursor moves): their printable tail is noise too.
ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


# Combining marks kept after one base character. Danish needs none once composed (NFC makes
# "å" of "a" + ring); a few let other scripts' accents through. A pile of them ("zalgo" text,
# 'abcdefgh' + 1,990 × U+0301) is no question, and each mark would be a token to embed.
MAX_MARKS = 2


# The guide's longest word has 25 letters; a "word" of hundreds of letters is no word, costs
# stemming and spelling time, and would sit in the stemmer's cache (65,536 entries) at full size.
MAX_WORD = 40
LONG_WORD_RE = re.compile(rf"\S{{{MAX_WORD + 1},}}")

# How much of the last answer is searched for the key actions it names: our longest answers
# are about 3,000 characters; a pasted text beyond this is not an answer the asker read.
SHOWN_CHARS = 6000


def normalise(text: str) -> str:
    """NFC, with at most MAX_MARKS combining marks after each character."""
    out = []
    marks = 0
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Me":
            marks += 1
            if marks > MAX_MARKS:
                continue
        else:
            marks = 0
        out.append(ch)
    return "".join(out)


def clean_text(text: str) -> str:
    """Drop markup, terminal escapes, control characters (NUL included) and extra whitespace.

    Markup is noise in a question about the guide: `<script>…</script> Hvem er målgruppen?`
    is answered as `Hvem er målgruppen?`. What is left is never rendered as HTML anyway.
    """
    text = TAG_RE.sub(" ", SCRIPT_RE.sub(" ", ANSI_RE.sub(" ", text)))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") else ch
                   for ch in text)
    text = LONG_WORD_RE.sub(lambda word: word.group(0)[:MAX_WORD], normalise(text))
    return " ".join(text.split())


def too_long(length: int, limit: int) -> str:
    return (f"Spørgsmålet er for langt ({length:,} tegn). Skriv højst {limit:,} tegn."
            .replace(",", "."))


def bounded_question(text: object, limit: int) -> str:
    """The question, cleaned; BadInput (in Danish, naming the bound) if it is empty or too long.

    The length is checked before any cleaning, so a huge question costs nothing.
    """
    if not isinstance(text, str):
        raise BadInput(EMPTY)
    if len(text) > limit:
        raise BadInput(too_long(len(text), limit))
    question = clean_text(text)
    if not question or not any(ch.isalnum() for ch in question):
        raise BadInput(EMPTY)
    return question


def history_note(turns: int) -> str:
    """Told to the user when the conversation was longer than the context we use."""
    if not turns:
        return "\n\n_Tidligere beskeder i samtalen er ikke brugt som sammenhæng._"
    return (f"\n\n_Samtalen er lang: kun de seneste {turns} spørgsmål og svar er brugt som "
            f"sammenhæng._")


class Assistant:
    def __init__(self, index, embeddings, settings: Settings, guide=None):
        self.index = index
        self.settings = settings
        from assistant.intents import models_dir
        from assistant.ranker import load_ranker
        from index.embeddings import embeddings_name

        model = embeddings_name(embeddings)
        self.retriever = Retriever(index, embeddings, load_ranker(model, models_dir()))
        self.responder = Responder.for_index(index, self.retriever, model)
        self.guide = guide
        # Earlier turns' focus, keyed by a digest: the memo keeps no question text.
        self._context_memo = DigestMemo(1024)

    # ---- entry point -------------------------------------------------------------------------

    def ask(self, messages: Sequence[Message] | str) -> Answer:
        started = time.perf_counter()
        try:
            answer = self._ask(messages)
        except AssistantError as exc:
            answer = Answer(str(exc), True)
        except Exception as exc:  # noqa: BLE001 - the boundary: log it, answer in Danish
            # Where it failed, not the exception's message: that may quote the question.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("uventet fejl under besvarelse: %s\n%s", type(exc).__name__, frames)
            answer = Answer(INTERNAL, True)
        return answer.with_latency((time.perf_counter() - started) * 1000)

    def _ask(self, messages: Sequence[Message] | str) -> Answer:
        if isinstance(messages, str):
            messages = [Message("user", messages)]
        if not isinstance(messages, Sequence) or not messages:
            raise BadInput(EMPTY)
        last = messages[-1]
        if not isinstance(last, Message) or last.role != "user":
            raise BadInput("Den sidste besked i samtalen skal være et spørgsmål fra brugeren.")
        limit = self.settings.max_question_chars
        question = bounded_question(last.content, limit)
        # A turn is a question and its answer: the last `turns` of them are the context.
        turns = self.settings.max_history_turns
        earlier = list(messages[-1 - 2 * turns:-1]) if turns else []
        # Each earlier question, with the answer the asker had read just before it ("Hvor
        # mange faser …?" – "Fem: …" – "Hvad handler den anden om?" picks from that list).
        asked: list[tuple[str, str | None]] = []
        read: str | None = None
        for m in earlier:
            if not isinstance(m, Message) or not isinstance(m.content, str):
                continue
            if m.role == "user":
                asked.append((clean_text(m.content[:limit])[:limit], read))
                read = None
            elif m.role == "assistant":
                read = clean_text(m.content[:SHOWN_CHARS])
        history = tuple(q for q, _ in asked)
        before = messages[-2] if len(messages) > 1 else None
        # The last answer the asker read: the key actions it names are what "den" points at.
        shown = clean_text(before.content[:SHOWN_CHARS]) if isinstance(before, Message) \
            and before.role == "assistant" and isinstance(before.content, str) else None
        answer = self.answer_question(question, history[-3:], shown,
                                      tuple(s for _, s in asked)[-3:])
        if len(messages) - 1 > 2 * turns:
            answer = Answer(answer.answer + history_note(turns), answer.refused,
                            answer.citations, focus=answer.focus)
        return answer

    # ---- the conversation ------------------------------------------------------------------

    def _focus_of(self, question: str, history: tuple[str, ...], shown: str | None,
                  shown_before: tuple[str | None, ...]) -> tuple[tuple[str, int], ...]:
        """The phases an earlier question was about, read from its words and the answer read
        before it (no embedding: a follow-up should cost one embedding, not one per turn)."""
        context = self.context_focus(history, shown_before) if history else ()
        previous = history[-1] if history else None
        return self.responder.answer(question, context, semantic=False, previous=previous,
                                     shown=shown if history else None).focus

    def context_focus(self, history: tuple[str, ...], shown_before: tuple[str | None, ...] = ()
                      ) -> tuple[tuple[str, int], ...]:
        """The phases the conversation was last about (from the latest question that had some).
        `shown_before[i]`, where given, is the answer the asker read before `history[i]`."""
        shown_before = (None,) * (len(history) - len(shown_before)) + tuple(shown_before)
        for i in range(len(history) - 1, -1, -1):
            start = max(0, i - 2)
            earlier, read = history[start:i], shown_before[i]
            focus = self._context_memo.get(
                "\x1f".join((history[i], read or "", *earlier,
                            *(s or "" for s in shown_before[start:i]))),
                lambda _, q=history[i], h=earlier, s=read, b=shown_before[start:i]:
                    self._focus_of(q, h, s, b))
            if focus:
                return focus[:2]
        return ()

    def answer_question(self, text: str, history: tuple[str, ...] = (),
                        shown: str | None = None,
                        shown_before: tuple[str | None, ...] = ()) -> Answer:
        context = self.context_focus(history, shown_before) if history else ()
        return self.responder.answer(text, context, previous=self._asked(history),
                                     shown=shown if history else None)

    def _asked(self, history: tuple[str, ...]) -> str | None:
        """The last earlier question that asked something of its own: "og i fase 3?" was the
        one before it again, so "og i fase 5?" after it is that one too."""
        for earlier in reversed(history):
            if not cues.opens_without_asking(tuple(tokens(earlier))) \
                    or not self.responder.quick_reader.read(earlier, (), False).elliptic:
                return earlier  # (read only when its words allow it: a read costs)
        return history[-1] if history else None


def _guide_text(settings: Settings) -> str:
    from corpus.parse import source_text

    try:
        return source_text(settings.guide_path)
    except OSError as exc:
        raise IndexUnavailable(f"Guiden kan ikke læses: {exc}") from None


def _unavailable(settings: Settings, exc: Exception) -> IndexUnavailable:
    """One Danish sentence that says what went wrong with the index and what to do."""
    from filelock import Timeout

    from assistant.storage_errors import FULL, READ_ONLY, disk_problem, reason
    from index.embeddings import EmbeddingError
    from index.store import ChromaUnreachable, redact_url

    where = settings.data_dir
    if isinstance(exc, EmbeddingError):
        return IndexUnavailable(f"Embedding-modellen kan ikke bruges: {exc}.")
    if isinstance(exc, ChromaUnreachable):
        return IndexUnavailable(f"Chroma-serveren på {redact_url(settings.chroma_url)} svarer "
                                f"ikke ({exc}). Start den, eller ret AI_REJSEN_CHROMA_URL.")
    if isinstance(exc, Timeout):
        return IndexUnavailable(f"En anden proces bygger indekset i {where}; vent, og prøv igen.")
    if where.exists() and not where.is_dir():
        return IndexUnavailable(f"Datamappen {where} er ikke en mappe. Peg AI_REJSEN_DATA_DIR på "
                                "en mappe, og kør `ai-rejsen index`.")
    problem = disk_problem(exc)
    if problem == FULL:
        return IndexUnavailable(
            f"Der er ikke plads på disken til indekset i {where} ({reason(exc)}). Frigør plads, "
            "og kør `ai-rejsen index` igen.")
    if problem == READ_ONLY:
        return IndexUnavailable(
            f"Datamappen {where} er skrivebeskyttet, og der er intet brugbart indeks i den "
            f"({reason(exc)}). Giv skriveadgang, eller peg AI_REJSEN_DATA_DIR på en mappe, hvor "
            "der kan skrives, og kør `ai-rejsen index`.")
    return IndexUnavailable(
        f"Indekset kunne ikke åbnes eller bygges ({exc}). Kør `ai-rejsen index --force`: det "
        "bygger indekset forfra og lader feedback (feedback.sqlite3) ligge.")


def _index_failure(settings: Settings, exc: Exception) -> IndexUnavailable:
    """_unavailable for the errors we expect, and for a full or read-only disk however the
    library reports it (Chroma raises its own InternalError); anything else is a bug: re-raise."""
    from filelock import Timeout

    from assistant.storage_errors import disk_problem
    from index.embeddings import EmbeddingError
    from index.store import IndexError_

    if isinstance(exc, EmbeddingError | IndexError_ | OSError | Timeout) or disk_problem(exc):
        return _unavailable(settings, exc)
    raise exc


def rebuild_index(settings: Settings, progress: Callable[[int, int], None] | None = None,
                  force: bool = False):
    """Build a fresh index beside the current one and swap it in; returns its Manifest.

    With `force`, every index and unfinished build is removed first (except those a running
    server still reads), as deleting the folder would, but feedback stays.
    """
    from filelock import FileLock

    from corpus.bank import files_hash, load_bank
    from corpus.parse import corpus_hash
    from index.embeddings import embeddings_name, make_embeddings
    from index.store import build_index, clear_index_files, remove_unfinished_builds

    text = _guide_text(settings)
    try:
        embeddings = make_embeddings(settings.embeddings)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(settings.data_dir / ".lock"), timeout=600):
            if force:
                kept = clear_index_files(settings.data_dir)
                if kept:
                    log.warning("%d indeks(er) er i brug af en kørende server og bliver liggende",
                                len(kept))
            remove_unfinished_builds(settings.data_dir)
            return build_index(text, corpus_hash(text), embeddings, embeddings_name(embeddings),
                               settings.data_dir, settings.chroma_url, progress,
                               bank=load_bank, bank_hash=files_hash())
    except Exception as exc:  # noqa: BLE001 - sorted by _index_failure; bugs are re-raised
        raise _index_failure(settings, exc) from None


def open_assistant(settings: Settings, progress: Callable[[int, int], None] | None = None,
                   on_rebuild: Callable[[str], None] | None = None) -> Assistant:
    """Open the index (building it if missing, stale or corrupt) and return an Assistant."""
    from corpus.bank import files_hash, load_bank
    from corpus.parse import corpus_hash, parse_guide
    from index.embeddings import embeddings_name, make_embeddings
    from index.store import ensure_index

    text = _guide_text(settings)
    try:
        embeddings = make_embeddings(settings.embeddings)
        # The bank is read only if the index has to be built: its files' hash says whether.
        index = ensure_index(settings.data_dir, embeddings, embeddings_name(embeddings), text,
                             corpus_hash(text), settings.chroma_url, progress, on_rebuild,
                             bank=load_bank, bank_hash=files_hash())
    except Exception as exc:  # noqa: BLE001 - sorted by _index_failure; bugs are re-raised
        raise _index_failure(settings, exc) from None
    return Assistant(index, embeddings, settings, parse_guide(text))
