"""An enlarged guide for the scaling benchmark: the tracks' phases repeated N times.

Pure text in, text out, in the guide's own heading scheme so `parse_guide` reads it. Copy 1 of
every phase is the guide itself; copies 2..N are renumbered after it (Ny idé 6-10, 11-15, …),
titled "<title> (runde k)" and have two neighbouring words swapped in every paragraph and item,
so their chunk ids, BM25 postings and vectors all differ. Introduction, track overviews and
colophon appear once. Deliberately *not* a realistic guide: it only has to be N times as big.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from corpus.parse import COMMENT_RE, ITEM_RE, PART_RE, PHASE_RE


@dataclass
class _Part:
    lead: list[str] = field(default_factory=list)  # the part heading and text before phase 1
    phases: list[tuple[str, list[str]]] = field(default_factory=list)  # (title, body lines)


def _split(source: str) -> list[_Part]:
    parts = [_Part()]
    for line in COMMENT_RE.sub("", source).splitlines():
        stripped = line.strip()
        if PART_RE.match(stripped):
            parts.append(_Part([line]))
        elif m := PHASE_RE.match(stripped):
            parts[-1].phases.append((m["title"], []))
        elif parts[-1].phases:
            parts[-1].phases[-1][1].append(line)
        else:
            parts[-1].lead.append(line)
    return parts


def perturb(line: str, rng: random.Random) -> str:
    """Swap two neighbouring words of a paragraph or item; headings and blank lines stay."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return line
    prefix = ""
    if m := ITEM_RE.match(stripped):
        prefix, stripped = stripped[: m.start("text")], m["text"]
    words = stripped.split()
    if len(words) < 3:
        return prefix + stripped + " (runde)"
    i = rng.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    return prefix + " ".join(words)


def enlarge_guide(source: str, factor: int, seed: int = 0) -> str:
    """The guide with every track's phases repeated `factor` times (factor 1: the guide itself,
    without its header comment)."""
    if factor < 1:
        raise ValueError("factor skal være mindst 1")
    rng = random.Random(seed)
    out = [f"<!-- AI-rejsen forstørret {factor}x til hastighedsmålinger (evals/scale.py). -->"]
    for part in _split(source):
        out += part.lead
        count = len(part.phases)
        for copy in range(factor):
            for n, (title, body) in enumerate(part.phases, 1):
                if copy == 0:
                    out += [f"## Fase {n}: {title}", *body]
                else:
                    out.append(f"## Fase {copy * count + n}: {title} (runde {copy + 1})")
                    out += [perturb(line, rng) for line in body]
    return "\n".join(out).strip() + "\n"
