"""The benchmark's pure parts: figures, percentiles, profiles and the Markdown report.

No timing and no I/O here; evals/bench.py measures and writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evals.stats import percentile  # noqa: F401 - the bench and its tests use it from here

REPO = str(Path(__file__).resolve().parent.parent) + "/"

# ---- pure: figures, percentiles, tables ----------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: float
    unit: str  # "ms" | "s" | "MB" | "×"
    limit: float | None = None  # the target: value ≤ limit

    @property
    def passed(self) -> bool | None:
        return None if self.limit is None else self.value <= self.limit


@dataclass(frozen=True)
class ScaleRow:
    factor: int
    phases: int
    chunks: int
    index_s: float
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class Profile:
    title: str
    table: str  # Markdown
    note: str = ""


def format_value(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.2f}×"
    digits = 0 if unit == "MB" or (unit == "ms" and value >= 100) else 1 if unit == "ms" else 2
    return f"{value:,.{digits}f} {unit}".replace(",", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]],
                   align: str = "") -> str:
    """align: one letter per column, l, r or c (default: the first left, the rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else ":-:" if a == "c" else "---" for a in align]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def figures_table(figures: Sequence[Figure]) -> str:
    rows = []
    for f in figures:
        target = "" if f.limit is None else f"≤ {f.limit:g} {f.unit}".replace(" ×", "×")
        mark = {True: "✓", False: "✗", None: ""}[f.passed]
        rows.append((f.label, format_value(f.value, f.unit), target, mark))
    return markdown_table(("Måling", "Resultat", "Mål", ""), rows, "lrrc")


def scaling_table(rows: Sequence[ScaleRow]) -> str:
    return markdown_table(
        ("Guide", "Faser", "Tekstdele", "Indeks bygget", "pr. tekstdel", "Svartid p50",
         "Svartid p95"),
        [(f"{r.factor}x", r.phases, r.chunks, format_value(r.index_s, "s"),
          format_value(r.index_s * 1000 / r.chunks, "ms"), format_value(r.p50_ms, "ms"),
          format_value(r.p95_ms, "ms")) for r in rows])


def short_name(key: tuple[str, int, str], roots: Sequence[str] = (REPO,)) -> str:
    """A pstats key as 'package/module.py:line(function)'."""
    filename, line, function = key
    if filename == "~":
        return function
    for marker in ("site-packages/", "lib/python3.11/", *roots):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({function})"


def _noise(key: tuple[str, int, str]) -> bool:
    """Frames that only say 'code ran here': the import machinery, exec, this module."""
    filename, _, function = key
    return filename.startswith("<") or filename == __file__ or (
        filename == "~" and function in ("<built-in method builtins.exec>",
                                         "<built-in method builtins.__import__>"))


def top_functions(stats: dict, count: int = 18, by: str = "cumulative",
                  roots: Sequence[str] = (REPO,)) -> str:
    """The top of a cProfile run (pstats.Stats(...).stats) as a Markdown table."""
    column = 3 if by == "cumulative" else 2
    kept = [item for item in stats.items() if not _noise(item[0])]
    top = sorted(kept, key=lambda item: item[1][column], reverse=True)[:count]
    rows = [(f"{v[3]:.3f}", f"{v[2]:.3f}", v[1], f"`{short_name(k, roots)}`") for k, v in top]
    return markdown_table(("kumulativ s", "egen s", "kald", "funktion"), rows, "rrrl")


def render_report(meta: str, figures: Sequence[Figure], scaling: Sequence[ScaleRow],
                  comparison: str, profiles: Sequence[Profile]) -> str:
    parts = ["# Hastighed", "", meta, "", "## Mål", "", figures_table(figures), "",
             "## Skalering", "", "Guiden forstørret med evals/scale.py: fasernes tekst gentaget "
             "med nye numre og let ændret ordlyd. Indeks bygget = assistenten åbnet i en tom "
             "mappe (model, opdeling, embeddings, BM25, Chroma).", "", scaling_table(scaling), "",
             "## Baseline", "", comparison, "", "## Hvor tiden går", ""]
    if not profiles:
        parts += ["Alle mål er nået; ingen profil nødvendig.", ""]
    for profile in profiles:
        parts += [f"### {profile.title}", "", *([profile.note, ""] if profile.note else []),
                  profile.table, ""]
    return "\n".join(parts)


