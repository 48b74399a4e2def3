"""Parse the repaired guide (corpus/ai-rejsen.md) into frozen sections.

Deliberately strict: the source follows one heading scheme (see the comment at its top), and a
line that does not fit is an error, not something to guess about.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

from corpus.model import (
    COLOPHON,
    INTRO,
    INTRO_NAME,
    INTRO_TRACK,
    KIND_BY_TITLE,
    Block,
    Guide,
    Section,
)

# "# Ny idé {ny-ide}" opens a track; {intro} and {colophon} open the parts around the tracks.
PART_RE = re.compile(r"^# (?P<title>.+?) \{(?P<part>[a-z0-9]+(?:-[a-z0-9]+)*)\}$")
NON_TRACK_PARTS = (INTRO_TRACK, "colophon")
PHASE_RE = re.compile(r"^## Fase (?P<number>\d+): (?P<title>.+)$")
HEADING2_RE = re.compile(r"^## (?P<title>.+)$")
HEADING3_RE = re.compile(r"^### (?P<title>.+)$")
ITEM_RE = re.compile(r"^(?:(?P<number>\d+)\. |- )(?P<text>.+)$")
COMMENT_RE = re.compile(r"<!--.*?-->", re.S)

TRACK_OVERVIEW_TITLE = "Om sporet"


class GuideFormatError(ValueError):
    """The guide source does not follow its heading scheme."""


def parse_guide(text: str) -> Guide:
    """Turn the guide source into a Guide, sections in reading order."""
    text = COMMENT_RE.sub("", text)
    sections: list[Section] = []
    part = track = track_name = None
    phase = phase_title = None
    kind = title = None
    blocks: list[Block] = []

    def flush() -> None:
        nonlocal blocks
        if title is not None and blocks:
            sections.append(Section(track, phase, phase_title, kind, title, tuple(blocks),
                                    track_name))
        blocks = []

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if m := PART_RE.match(line):
            flush()
            part = m["part"]
            track = INTRO_TRACK if part in NON_TRACK_PARTS else part
            track_name = INTRO_NAME if part in NON_TRACK_PARTS else m["title"]
            phase = phase_title = None
            kind, title = (INTRO, TRACK_OVERVIEW_TITLE) if track != INTRO_TRACK else (None, None)
        elif m := PHASE_RE.match(line):
            flush()
            phase, phase_title, kind, title = int(m["number"]), m["title"], None, None
        elif m := HEADING3_RE.match(line):
            flush()
            if phase is None or m["title"] not in KIND_BY_TITLE:
                raise GuideFormatError(f"linje {lineno}: uventet overskrift {line!r}")
            kind, title = KIND_BY_TITLE[m["title"]], m["title"]
        elif m := HEADING2_RE.match(line):
            flush()
            if track != INTRO_TRACK:
                raise GuideFormatError(f"linje {lineno}: fase uden nummer {line!r}")
            kind, title = (COLOPHON if part == "colophon" else INTRO), m["title"]
        elif line.startswith("#"):
            raise GuideFormatError(f"linje {lineno}: ukendt overskrift {line!r}")
        elif title is None:
            raise GuideFormatError(f"linje {lineno}: tekst uden overskrift {line!r}")
        elif m := ITEM_RE.match(line):
            number = int(m["number"]) if m["number"] else None
            blocks.append(Block(m["text"], is_item=True, number=number))
        else:
            blocks.append(Block(line))
    flush()
    return Guide(tuple(sections))


def source_text(path: str | Path | None = None) -> str:
    """The guide source: the file at `path`, or the one shipped in this package."""
    if path is not None:
        return Path(path).read_text(encoding="utf-8")
    return resources.files("corpus").joinpath("ai-rejsen.md").read_text(encoding="utf-8")


def load_guide(path: str | Path | None = None) -> Guide:
    return parse_guide(source_text(path))


def corpus_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
