"""Shared helpers for the UI tests: a fake assistant over the real guide, settings, a free port.

Not a conftest pytest loads by itself: the UI test modules import from tests.conftest_ui.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from assistant.answer import Answer, Citation, Message
from assistant.settings import Settings
from corpus.model import Guide, Phase
from corpus.parse import load_guide
from evals.processes import free_port  # noqa: F401 - the UI tests import it from here

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

GUIDE = load_guide()
DESIGN_QUESTION = "hvad skal jeg gøre før prospektiv validering?"
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def ny_ide_4() -> Phase:
    phase = GUIDE.phase("ny-ide", 4)
    assert phase is not None
    return phase


def cite(section, quote: str) -> Citation:
    return Citation(section.track, section.phase, section.phase_title, section.title, quote,
                    section.path)


def design_answer() -> Answer:
    """A fixed answer about Ny idé phase 4, quoting its watch-outs and key actions verbatim."""
    phase = ny_ide_4()
    return Answer(
        answer=(
            f"{phase.watch_outs.paragraphs[0]} [1]\n\n"
            "De centrale handlinger i fasen er blandt andet:\n\n"
            f"- {phase.key_actions.items[0]} [2]\n- {phase.key_actions.items[2]} [2]"
        ),
        refused=False,
        citations=(cite(phase.watch_outs, phase.watch_outs.paragraphs[0]),
                   cite(phase.key_actions, phase.key_actions.text)),
        latency_ms=3.0,
        focus=(("ny-ide", 4),),
    )


def lead_answer() -> Answer:
    """An answer in the shape issue 9 gives: a one-sentence lead, then the details."""
    phase = ny_ide_4()
    lead = f"{phase.watch_outs.paragraphs[0]} [1]"
    actions = "\n".join(f"{n}. {item} [2]" for n, item in enumerate(phase.key_actions.items, 1))
    details = (f"**Centrale handlinger**\n\n{actions}\n\n"
               f"**Vær opmærksom på**\n\n{phase.watch_outs.paragraphs[1]} [1]")
    return replace(design_answer(), answer=f"{lead}\n\n{details}", lead=lead)


def long_answer() -> Answer:
    """An answer longer than any screen, all lead: what the chat must show from its top."""
    phase = ny_ide_4()
    paragraphs = [f"Afsnit {n}: {phase.purpose.paragraphs[0]} [1]" for n in range(1, 25)]
    return replace(design_answer(), answer="\n\n".join(paragraphs), lead="")


class FakeAssistant:
    """Answers every question with `answer` (default: the design answer) and records questions."""

    def __init__(self, answer: Answer | None = None, guide: Guide = GUIDE):
        self.guide = guide
        self.answer = answer or design_answer()
        self.asked: list[list[Message]] = []

    def ask(self, messages: list[Message]) -> Answer:
        self.asked.append(list(messages))
        return self.answer


def xss_answer() -> Answer:
    phase = ny_ide_4()
    return Answer(answer=f"Farligt svar {XSS} slut.", refused=False,
                  citations=(cite(phase.purpose, f"Citat med {XSS}"),), focus=(("ny-ide", 4),))


def ui_settings(data_dir: Path, **overrides) -> Settings:
    values = {"data_dir": data_dir, "host": "127.0.0.1", "port": free_port(),
              "concurrency": 2, "max_queue": 16, **overrides}
    return Settings(**values)
