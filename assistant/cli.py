"""The `ai-rejsen` command: index, ask, serve, eval, bench.

Only this module touches argv and stdout. Library errors become one Danish line and a non-zero
exit code; nothing here imports a heavy library at module level, so `ask` starts fast.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
from collections.abc import Iterator

from assistant.answer import Answer, Message
from assistant.console import open_with_progress
from assistant.errors import AssistantError
from assistant.settings import Settings


def _privacy_defaults() -> None:
    """Nothing leaves the machine: telemetry off before any library is imported."""
    for name, value in (("ANONYMIZED_TELEMETRY", "False"), ("GRADIO_ANALYTICS_ENABLED", "False"),
                        ("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
                        ("TRANSFORMERS_OFFLINE", "1"), ("OMP_NUM_THREADS", "1"),
                        ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(name, value)


def format_markdown(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Kilder:"]
        for n, c in enumerate(answer.citations, 1):
            lines.append(f"[{n}] {c.path}")
    return "\n".join(lines)


class BadLine(AssistantError):
    """A batch line that cannot be read; carries the line's id when it had one."""

    def __init__(self, message: str, conversation_id: object = None):
        super().__init__(message)
        self.conversation_id = conversation_id


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999: Python reads it as inf, which JSON cannot write back
        raise ValueError(f"tallet {text[:20]} er for stort")
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} er ikke et tal i JSON")


def parse_conversation(line: str) -> tuple[object, list[Message]]:
    """One batch line: {"id": ..., "messages": [{"role", "content"}, ...]}.

    NaN, Infinity and numbers beyond a float are refused: Python's json would read them, and
    the id would then be written back as something that is not JSON.
    """
    try:
        data = json.loads(line, parse_float=_finite, parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadLine(f"linjen er ikke gyldig JSON ({getattr(exc, 'msg', 'for dybt')})") from None
    except ValueError as exc:
        raise BadLine(f"linjen er ikke gyldig JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BadLine("linjen skal være et JSON-objekt")
    conversation_id = data.get("id")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadLine("'messages' skal være en ikke-tom liste", conversation_id)
    out = []
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant") \
                or not isinstance(m.get("content"), str):
            raise BadLine("hver besked skal have 'role' (user/assistant) og 'content'",
                          conversation_id)
        out.append(Message(m["role"], m["content"]))
    return conversation_id, out


def check_batch_source(path: str) -> None:
    """Refuse a batch source that cannot be read, in Danish, before the index is opened.

    A FIFO or /dev/null is a fine source (not a regular file, but readable); a directory is not.
    """
    if path == "-":
        if sys.stdin is None:  # started with stdin closed (`<&-`)
            raise AssistantError("--batch -: standardinput er lukket; send linjerne ind, eller "
                                 "giv en fil")
        return
    if not os.path.exists(path):
        raise AssistantError(f"filen findes ikke: {path}")
    if os.path.isdir(path):
        raise AssistantError(f"{path} er en mappe, ikke en fil")
    if not os.access(path, os.R_OK):
        raise AssistantError(f"filen kan ikke læses: {path}")


def batch_lines(path: str) -> Iterator[str]:
    """The non-blank lines; bytes that are not UTF-8 become U+FFFD instead of stopping the run."""
    if path == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    else:
        try:
            stream = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise AssistantError(f"filen kan ikke læses: {path} ({exc.strerror})") from None
    with stream:
        for line in stream:
            if line.strip():
                yield line


def cmd_ask(args, settings: Settings) -> int:
    if args.batch is None and not args.question:
        raise AssistantError("skriv et spørgsmål: ai-rejsen ask \"spørgsmål\"")
    if args.batch is not None and not args.json:
        raise AssistantError("--batch kræver --json")
    if args.batch is not None and args.question:
        raise AssistantError("brug enten et spørgsmål eller --batch, ikke begge")
    if args.batch is not None:
        check_batch_source(args.batch)
    check_stdout()
    if args.batch is None:
        from assistant.service import bounded_question

        # Checked before the index is opened: an empty or huge question fails fast.
        bounded_question(" ".join(args.question), settings.max_question_chars)
    assistant = open_with_progress(settings)
    if args.batch is None:
        answer = assistant.ask(" ".join(args.question))
        emit(json.dumps(answer.to_json(), ensure_ascii=False, allow_nan=False) if args.json
             else format_markdown(answer))
        return 0
    for line in batch_lines(args.batch):
        try:
            conversation_id, messages = parse_conversation(line)
        except BadLine as exc:
            out = Answer(f"Linjen kunne ikke læses: {exc}", True).to_json()
            out = {"id": exc.conversation_id, **out, "error": str(exc)}
        else:
            out = {"id": conversation_id, **assistant.ask(messages).to_json()}
        emit(json.dumps(out, ensure_ascii=False, allow_nan=False))
    return 0


class OutputError(AssistantError):
    """stdout cannot be written (closed, a full disk, /dev/full)."""


def emit(text: str) -> None:
    """One line on stdout, flushed at once: a full or closed stdout fails here, in Danish,
    instead of at exit (exit code 120) or not at all."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: the stream was closed
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutputError(f"svaret kunne ikke skrives til standardoutput ({reason})") from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit does not fail a second time."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def check_stdout() -> None:
    """With stdout closed (`>&-`), print() writes nowhere and says nothing: refuse instead."""
    if sys.stdout is None:
        raise AssistantError("standardoutput er lukket, så svaret kan ikke skrives")


def cmd_index(args, settings: Settings) -> int:
    from assistant.console import Progress
    from assistant.service import rebuild_index
    from index.store import redact_url

    manifest = rebuild_index(settings, Progress("Indekserer"), force=args.force)
    where = redact_url(settings.chroma_url) or str(settings.data_dir)
    emit(f"Indeks bygget: {manifest.chunk_count} tekstdele, model {manifest.embedding_model}, "
          f"guide {manifest.corpus_hash}, {manifest.build_seconds:.1f} s, i {where}")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from ui.access import is_loopback, launch_auth
    from ui.app import serve

    if args.host:
        settings = _replace(settings, host=args.host)
    if args.port:
        settings = _replace(settings, port=args.port)
    if args.no_auth:
        settings = _replace(settings, allow_no_auth=True)
    # Who may get in is settled before the index is opened (which can take a while).
    if launch_auth(settings) is None and not is_loopback(settings.host):
        print(f"ai-rejsen: ADVARSEL: serveren lytter på {settings.host} uden login; alle, der "
              "kan nå adressen, kan bruge den.", file=sys.stderr)
    serve(open_with_progress(settings), settings)
    return 0


def _replace(settings: Settings, **changes) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def cmd_eval(args, settings: Settings) -> int:
    from evals.runner import main as run_eval

    return run_eval(settings, args)


def cmd_learn(args, settings: Settings) -> int:
    from assistant.train import main as run_learn

    return run_learn(settings, args)


def cmd_bench(args, settings: Settings) -> int:
    from evals.bench import main as run_bench

    return run_bench(settings, args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ai-rejsen", description="Spørg AI-rejsen: svar med kilder fra guiden.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="stil et spørgsmål")
    ask.add_argument("question", nargs="*", help="spørgsmålet")
    ask.add_argument("--json", action="store_true", help="svar som ét JSON-objekt")
    ask.add_argument("--batch", metavar="FILE",
                     help="JSONL med samtaler ({'id', 'messages'}); '-' for stdin")
    index = sub.add_parser("index", help="byg indekset")
    index.add_argument("--force", action="store_true",
                       help="fjern alle gamle indekser først (feedback bevares)")
    serve = sub.add_parser("serve", help="start chatten i browseren")
    serve.add_argument("--host", help="adresse (standard 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (standard 7860)")
    serve.add_argument("--no-auth", action="store_true",
                       help="tillad en anden adresse end 127.0.0.1 uden login (advarsel)")
    ev = sub.add_parser("eval", help="kør evalueringen og skriv en rapport")
    ev.add_argument("--questions", help="JSONL med spørgsmål (standard evals/questions.jsonl)")
    ev.add_argument("--out", help="mappe til rapporten (standard evals/reports)")
    ev.add_argument("--no-baseline", action="store_true", help="spring baseline over")
    learn = sub.add_parser("learn", help="embed spørgebanken, træn og krydsvalider "
                           "intentionsmodellen")
    learn.add_argument("--out", help="mappe til krydsvalideringen (standard evals/reports)")
    bench = sub.add_parser("bench", help="mål hastigheden og skriv BENCHMARKS.md")
    bench.add_argument("--quick", action="store_true", help="færre gentagelser")
    bench.add_argument("--out", help="fil til tabellen (standard BENCHMARKS.md)")
    return parser


COMMANDS = {"ask": cmd_ask, "index": cmd_index, "serve": cmd_serve, "eval": cmd_eval,
            "learn": cmd_learn, "bench": cmd_bench}


def main(argv: list[str] | None = None) -> int:
    _privacy_defaults()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return COMMANDS[args.command](args, settings)
    except AssistantError as exc:
        if isinstance(exc, OutputError):
            _silence_stdout()
        print(f"ai-rejsen: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ai-rejsen: afbrudt", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ai-rejsen ask … | head`: the reader left; nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # noqa: BLE001 - the last boundary: one line, no traceback
        print(f"ai-rejsen: uventet fejl ({type(exc).__name__}: {exc}). Sæt "
              "AI_REJSEN_DEBUG=1 for hele forløbet.", file=sys.stderr)
        if os.environ.get("AI_REJSEN_DEBUG"):
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())
