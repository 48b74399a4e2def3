"""Compose an answer from the guide's own words: a short lead that answers the question, then the
details, each claim followed by its citation.

Pure: chunks in, an Answer out. A run of key actions from one list is one citation with one
marker; the lead is kept apart so the chat can show it first and fold the rest. Sources are not
listed here: the chat shows them in its panel, the CLI and exports once at the end.
"""

from __future__ import annotations

import re

from assistant.answer import Answer, Citation
from assistant.layout import GuideMap, PhaseKey, place_of
from assistant.tuning import TUNING
from corpus.model import KEY_ACTIONS, PURPOSE, WATCH_OUTS
from index.chunking import Chunk

ENGLISH_NOTE = "_The guide is written in Danish, so the answer quotes it in Danish._"


class Draft:
    """Collects the lead and the details as Markdown, and the citations their [n] point to."""

    def __init__(self, guide: GuideMap, english: bool = False):
        self.guide = guide
        self.english = english
        self.lead: list[str] = []
        self.details: list[str] = []
        self.citations: list[Citation] = []
        self.focus: list[PhaseKey] = []

    # ---- citations -------------------------------------------------------------------------

    def cite(self, chunks: list[Chunk]) -> str:
        """The marker for these chunks (one section's run), citing them once."""
        first = chunks[0]
        if first.kind == KEY_ACTIONS:
            quote = "\n".join(f"{c.number}. {c.text}" for c in chunks)
        else:
            quote = "\n\n".join(c.text for c in chunks)
        citation = Citation(first.track, first.phase, first.phase_title, first.section, quote,
                            first.path)
        if citation not in self.citations:
            self.citations.append(citation)
        if first.phase is not None and (first.track, first.phase) not in self.focus:
            self.focus.append((first.track, first.phase))
        return f"[{self.citations.index(citation) + 1}]"

    # ---- building blocks (each returns Markdown lines) ------------------------------------

    def quote(self, chunks: list[Chunk]) -> str:
        """Paragraphs in the guide's order, each with its marker."""
        return "\n\n".join(f"{c.text} {self.cite([c])}"
                           for c in sorted(chunks, key=lambda c: c.position))

    def action_list(self, chunks: list[Chunk], label: str = "") -> str:
        """Key actions with their numbers; each consecutive run carries one marker."""
        lines = []
        for run in _runs(sorted(chunks, key=lambda c: (c.path, c.number or 0))):
            marker = self.cite(run)
            head = f"{label} {marker}:" if label else ""
            lines += ([head] if head else []) + [f"{c.number}. {c.text}" for c in run]
            if not label:
                lines[-1] += f" {marker}"
            label = ""
        return "\n".join(lines)

    def action_names(self, chunks: list[Chunk]) -> str:
        """*Action* [n], *Action* [m]: actions named inside a sentence."""
        return ", ".join(f"*{c.text}* {self.cite([c])}" for c in chunks)

    def located(self, chunk: Chunk) -> str:
        """Where a passage sits and what it says, on one line: 'Ny idé › 4 Test og
        implementering, handling 2 af 6: *Afklar infrastruktur for IT* [1]'."""
        if chunk.phase is None:
            return f"{chunk.path}: {self.quote([chunk])}"
        key = (chunk.track, chunk.phase)
        if chunk.kind == KEY_ACTIONS:
            count = len(self.guide.actions(key))
            return (f"{self.guide.label(key)}, handling {chunk.number} af {count}: "
                    f"{self.action_names([chunk])}")
        return f"{self.guide.label(key)}: {self.quote([chunk])}"

    def item(self, chunk: Chunk, actions: list[Chunk]) -> str:
        """A list item: where a passage sits and what it says, and the other key actions of its
        phase on the same topic ('(*Gennemfør retrospektiv validering* [2])', for an action
        '(også *Udfør markedsdialog* [3])')."""
        line = f"- {self.located(chunk)}"
        others = [a for a in actions if a != chunk]
        if others:
            line += f" ({'også ' if chunk.kind == KEY_ACTIONS else ''}" \
                    f"{self.action_names(others)})"
        return line

    def heading(self, text: str) -> str:
        return f"**{text}**"

    def place(self, key: PhaseKey) -> str:
        return self.guide.label(key)

    def blocks(self, chunks: list[Chunk]) -> str:
        """Purpose, then actions as a list, then other text, as the guide orders a phase."""
        purpose = [c for c in chunks if c.kind == PURPOSE]
        actions = [c for c in chunks if c.kind == KEY_ACTIONS]
        rest = [c for c in chunks if c.kind not in (PURPOSE, KEY_ACTIONS)]
        parts = [self.quote(purpose)] if purpose else []
        if actions:
            parts.append(self.action_list(actions, "Centrale handlinger"))
        if rest:
            label = "Vær opmærksom på:\n\n" if actions and all(
                c.kind == WATCH_OUTS for c in rest) else ""
            parts.append(label + self.quote(rest))
        return "\n\n".join(parts)

    def placed(self, chunks: list[Chunk]) -> str:
        """Each place's chunks under its name: '**Ny idé › 2 Konceptualisering**' and the text."""
        groups: dict[tuple, list[Chunk]] = {}
        for c in chunks:
            groups.setdefault(place_of(c), []).append(c)
        parts = []
        for key, group in groups.items():
            name = self.guide.label(key) if len(key) == 2 else group[0].path
            parts.append(f"{self.heading(name)}\n\n{self.blocks(group)}")
        return "\n\n".join(parts)

    # ---- assembling ------------------------------------------------------------------------

    def add_lead(self, markdown: str) -> None:
        if markdown:
            self.lead.append(markdown)

    def add(self, markdown: str, required: bool = False) -> bool:
        """Add details; optional ones only while the answer stays short enough for a meeting."""
        if not markdown:
            return False
        if not required and self.length() + len(markdown) > TUNING.answer_soft_chars \
                and (self.details or self.lead):
            return False
        self.details.append(markdown)
        return True

    def length(self) -> int:
        return sum(len(p) + 2 for p in self.lead + self.details)

    def answer(self, refused: bool = False) -> Answer:
        lead = "\n\n".join(self.lead).strip()
        parts = [lead] if lead else []
        parts += [d.strip() for d in self.details if d.strip()]
        if self.english:
            parts.append(ENGLISH_NOTE)
        body, citations, mapping = _renumber("\n\n".join(parts), self.citations)
        lead = MARKER_RE.sub(lambda m: f"[{mapping[int(m.group(1))]}]", lead)
        return Answer(body, refused, citations, focus=tuple(self.focus),
                      lead=lead if self.details else "")


MARKER_RE = re.compile(r"\[(\d+)\]")


def _renumber(body: str, citations: list[Citation]) -> tuple[str, tuple[Citation, ...], dict]:
    """Markers numbered in the order a reader meets them: [1] first, then [2] …"""
    order: list[int] = []
    for m in MARKER_RE.finditer(body):
        n = int(m.group(1))
        if n not in order and 1 <= n <= len(citations):
            order.append(n)
    order += [n for n in range(1, len(citations) + 1) if n not in order]
    mapping = {old: new for new, old in enumerate(order, 1)}
    body = MARKER_RE.sub(lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", body)
    return body, tuple(citations[old - 1] for old in order), mapping


def _runs(actions: list[Chunk]) -> list[list[Chunk]]:
    runs: list[list[Chunk]] = []
    for c in actions:
        last = runs[-1][-1] if runs else None
        if last is not None and last.path == c.path and last.number is not None \
                and c.number == last.number + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def message(text: str, refused: bool = True, english: bool = False) -> Answer:
    """An answer that is only our own message (a refusal, a prompt to ask about the guide)."""
    body = f"{text}\n\n{ENGLISH_NOTE}" if english else text
    return Answer(body, refused)
