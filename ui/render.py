"""Pure translators from answers and conversations to what the UI shows or exports.

Nothing here imports gradio or touches disk: values in, strings out, so every view can be tested
without a server. The chat Markdown is sanitised by the Chatbot itself; everything that goes
into raw HTML here (the sources panel) is escaped with html.escape.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer import Answer, Citation
from corpus.model import ATTRIBUTION, INTRO, section_path
from ui.plaintext import as_text

SOURCES_EMPTY = "Kilderne til det seneste svar vises her, med guidens egne ord."
SOURCES_NONE = "Det seneste svar har ingen kilder i guiden."


@dataclass(frozen=True)
class Turn:
    """One question and the answer it got: the conversation's unit for history and export."""

    question: str
    answer: Answer


def citation_path(citation: Citation) -> str:
    """The citation's readable path (track › phase › section), rebuilt if it came without one."""
    if citation.path:
        return citation.path
    return section_path(citation.track, citation.phase, citation.phase_title, citation.section,
                        INTRO)


def _grouped_paths(citations: Sequence[Citation]) -> list[tuple[list[int], str]]:
    """Citation numbers per distinct path, in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for number, citation in enumerate(citations, 1):
        groups.setdefault(citation_path(citation), []).append(number)
    return [(numbers, path) for path, numbers in groups.items()]


def chat_markdown(answer: Answer) -> str:
    """The answer as a chat message: its Markdown plus one compact line naming the sources."""
    text = answer.answer.strip()
    if answer.refused or not answer.citations:
        return text
    parts = [
        f"[{', '.join(str(n) for n in numbers)}] {path}"
        for numbers, path in _grouped_paths(answer.citations)
    ]
    return f"{text}\n\n*Kilder:* " + " · ".join(parts)


def api_markdown(answer: Answer) -> str:
    """The answer for API clients: its Markdown and a 'Kilder' section with every quote."""
    text = answer.answer.strip()
    if not answer.citations:
        return text
    lines = [text, "", "**Kilder**", ""]
    for number, citation in enumerate(answer.citations, 1):
        lines.append(f"[{number}] {citation_path(citation)}")
        lines.append(_blockquote(citation.quote))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def sources_html(citations: Sequence[Citation], *, answered: bool = True) -> str:
    """The sources panel: each cited passage in full under its path, all text escaped."""
    if not citations:
        message = SOURCES_NONE if answered else SOURCES_EMPTY
        return f'<p class="sources-empty">{html.escape(message)}</p>'
    items = []
    for number, citation in enumerate(citations, 1):
        items.append(
            f'<li class="source" id="source-{number}">'
            f'<div class="source-head"><span class="source-number">[{number}]</span> '
            f'<span class="source-path">{html.escape(citation_path(citation))}</span></div>'
            f'<blockquote class="source-quote">{html.escape(citation.quote)}</blockquote>'
            "</li>"
        )
    return f'<ol class="sources-list">{"".join(items)}</ol>'


def stream_chunks(text: str, chunks: int = 6) -> list[str]:
    """Progressively longer prefixes of `text`, cut between words, the last being all of it."""
    words = text.split(" ")
    if chunks <= 1 or len(words) <= chunks:
        return [text]
    step = -(-len(words) // chunks)  # ceiling division
    prefixes = [" ".join(words[:end]) for end in range(step, len(words), step)]
    return prefixes + [text]


def chat_history(turns: Sequence[Turn], partial: str | None = None) -> list[dict[str, str]]:
    """Chatbot messages for the turns; `partial` replaces the last answer while it streams."""
    messages: list[dict[str, str]] = []
    for turn in turns:
        messages.append({"role": "user", "content": as_text(turn.question)})  # text, not HTML
        messages.append({"role": "assistant", "content": chat_markdown(turn.answer)})
    if partial is not None and messages:
        messages[-1]["content"] = partial
    return messages


def conversation_markdown(turns: Sequence[Turn], exported_at: str | None = None) -> str:
    """The whole conversation with every answer's sources quoted, as a Markdown document."""
    lines = ["# Samtale med AI-rejsen-assistenten", ""]
    if exported_at:
        lines += [f"Eksporteret {exported_at}.", ""]
    if not turns:
        lines += ["Samtalen er tom.", ""]
    for number, turn in enumerate(turns, 1):
        lines += [f"## Spørgsmål {number}", "", _blockquote(as_text(turn.question)), "",
                  "### Svar", "",
                  turn.answer.answer.strip(), ""]
        if turn.answer.citations:
            lines += ["### Kilder", ""]
            for n, citation in enumerate(turn.answer.citations, 1):
                lines += [f"[{n}] **{citation_path(citation)}**", "", _blockquote(citation.quote),
                          ""]
    lines += ["---", "", ATTRIBUTION, ""]
    return "\n".join(lines)


def _blockquote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines() or [""])
