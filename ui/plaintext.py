"""A user's own words shown as text, never as Markdown or HTML.

The chat renders every message as Markdown, and its sanitiser keeps what is harmless to run
but not what reaches out: `![x](http://…)`, `<img src>`, `<video>`, CSS `url()` and
`<form action>` in a user's message made the browser fetch that address, and an export kept
the raw HTML for whatever opens the file later. A question is text: every character Markdown
or HTML could read as syntax is escaped, so it shows exactly as typed.
"""

from __future__ import annotations

import html
import re

# Markdown's punctuation (CommonMark: any ASCII punctuation may be backslash-escaped).
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:])")


def as_text(text: str) -> str:
    """`text` escaped so a Markdown renderer shows it literally (and no HTML survives)."""
    escaped = MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))
    # Line breaks stay line breaks; leading spaces would start a code block.
    return "\n".join(line.lstrip() for line in escaped.split("\n"))
