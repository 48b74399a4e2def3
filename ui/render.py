"""Pure translators from answers and conversations to what the UI shows or exports.

Nothing here imports gradio or touches disk: values in, strings out, so every view can be tested
without a server. The chat Markdown is sanitised by the Chatbot itself; everything that goes
into raw HTML here (the sources panel) is escaped with html.escape.

In the chat an answer shows its lead first and folds the details away; every [n] marker is a
link to its source card (id "kilde-<turn>-<n>"), and the sources are listed only in the panel.
An export lists each source once, at the end, with the answers' markers renumbered to match.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer import Answer, Citation
from corpus.model import ATTRIBUTION, INTRO, Guide, section_path
from ui.plaintext import as_text

SOURCES_EMPTY = "Kilderne til det seneste svar vises her, med guidens egne ord."
SOURCES_NONE = "Det seneste svar har ingen kilder i guiden."
MORE = "Vis mere fra guiden"
EARLIER = "Kilder til tidligere svar"
MARKER = re.compile(r"\[(\d+)\]")
QUESTION_PREVIEW = 60


@dataclass(frozen=True)
class Turn:
    """One question and the answer it got: the conversation's unit for history and export."""

    question: str
    answer: Answer


def citation_path(citation: Citation, guide: Guide | None = None) -> str:
    """The citation's readable path (track › phase › section), rebuilt if it came without one
    (the track named as `guide` names it, else by its id)."""
    if citation.path:
        return citation.path
    name = guide.track_name(citation.track) if guide else citation.track
    return section_path(name, citation.phase, citation.phase_title, citation.section, INTRO)


def source_id(turn: int, number: int) -> str:
    """The page id of source card `number` of the answer to question `turn` (both 1-based)."""
    return f"kilde-{turn}-{number}"


def link_citations(text: str, citations: Sequence[Citation], turn: int) -> str:
    """Each [n] that names one of `citations` as a Markdown link to its card; others as they are.

    The link's title is the source's path, so a pointer shows where the claim comes from.
    """
    def link(match: re.Match) -> str:
        number = int(match.group(1))
        if not 1 <= number <= len(citations):
            return match.group(0)
        path = citation_path(citations[number - 1]).replace('"', "'")
        return f'[\\[{number}\\]](#{source_id(turn, number)} "Kilde {number}: {path}")'

    return MARKER.sub(link, text)


def chat_markdown(answer: Answer, turn: int = 1) -> str:
    """The answer as a chat message: the lead, the details folded under it, markers as links."""
    if not answer.details:
        return link_citations(answer.answer.strip(), answer.citations, turn)
    lead = link_citations(answer.lead.strip(), answer.citations, turn)
    details = link_citations(answer.details, answer.citations, turn)
    # A blank line on each side of the Markdown inside <details>, or it is not parsed.
    return (f'{lead}\n\n<details class="answer-details"><summary>{MORE}</summary>\n\n'
            f"{details}\n\n</details>")


def streaming_text(answer: Answer) -> str:
    """What the chat streams before the final message: the lead (or all) as plain Markdown.

    Links and the folded details appear only in the final message: a half-streamed link or
    <details> element would flash as raw Markdown.
    """
    return (answer.lead if answer.details else answer.answer).strip()


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


def sources_html(turns: Sequence[Turn]) -> str:
    """The sources panel: the latest answer's cited passages in full, each under its path, and
    the earlier answers' sources folded away (their [n] links still find them). Escaped."""
    if not turns:
        return _empty(SOURCES_EMPTY)
    latest = len(turns)
    citations = turns[-1].answer.citations
    current = (_source_list(citations, latest, "current") if citations
               else _empty(SOURCES_NONE))
    earlier = [
        f'<details class="earlier-answer"><summary>Svar {number}: '
        f"{html.escape(_preview(turn.question))}</summary>"
        f"{_source_list(turn.answer.citations, number)}</details>"
        for number, turn in reversed(list(enumerate(turns[:-1], 1))) if turn.answer.citations
    ]
    if not earlier:
        return current
    return (f'{current}<div class="earlier-sources"><p class="earlier-title">{EARLIER}</p>'
            f'{"".join(earlier)}</div>')


def _source_list(citations: Sequence[Citation], turn: int, kind: str = "earlier") -> str:
    items = [
        f'<li class="source" id="{source_id(turn, number)}" tabindex="-1">'
        f'<div class="source-head"><span class="source-number">[{number}]</span> '
        f'<span class="source-path">{html.escape(citation_path(citation))}</span></div>'
        f'<blockquote class="source-quote">{html.escape(citation.quote)}</blockquote>'
        "</li>"
        for number, citation in enumerate(citations, 1)
    ]
    return f'<ol class="sources-list {kind}" data-turn="{turn}">{"".join(items)}</ol>'


def _empty(message: str) -> str:
    return f'<p class="sources-empty">{html.escape(message)}</p>'


def _preview(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= QUESTION_PREVIEW else text[:QUESTION_PREVIEW - 1].rstrip() + "…"


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
    for number, turn in enumerate(turns, 1):
        messages.append({"role": "user", "content": as_text(turn.question)})  # text, not HTML
        messages.append({"role": "assistant", "content": chat_markdown(turn.answer, number)})
    if partial is not None and messages:
        messages[-1]["content"] = partial
    return messages


def conversation_markdown(turns: Sequence[Turn], exported_at: str | None = None) -> str:
    """The whole conversation as a Markdown document, every source quoted once at the end.

    Sources are numbered across the conversation in order of first use, and each answer's [n]
    markers are renumbered to match, so a source cited in three answers is quoted once.
    """
    lines = ["# Samtale med AI-rejsen-assistenten", ""]
    if exported_at:
        lines += [f"Eksporteret {exported_at}.", ""]
    if not turns:
        lines += ["Samtalen er tom.", ""]
    sources: dict[tuple[str, str], int] = {}
    for number, turn in enumerate(turns, 1):
        numbers = {n: sources.setdefault((citation_path(c), c.quote.strip()), len(sources) + 1)
                   for n, c in enumerate(turn.answer.citations, 1)}
        text = MARKER.sub(lambda m, numbers=numbers: _renumber(m, numbers),
                          turn.answer.answer.strip())
        lines += [f"## Spørgsmål {number}", "", _blockquote(as_text(turn.question)), "",
                  "### Svar", "", text, ""]
    if sources:
        lines += ["## Kilder", ""]
        for (path, quote), n in sources.items():
            lines += [f"[{n}] **{path}**", "", _blockquote(quote), ""]
    lines += ["---", "", ATTRIBUTION, ""]
    return "\n".join(lines)


def _renumber(match: re.Match, numbers: dict[int, int]) -> str:
    number = numbers.get(int(match.group(1)))
    return f"[{number}]" if number else match.group(0)


def _blockquote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines() or [""])
