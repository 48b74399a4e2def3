"""Pure views of the guide's structure: the journey map, a phase's card and checklist, and the
questions the UI suggests (starters for newcomers, follow-ups drawn from the tracks and phases).

Phases are named in the page by a key like "ny-ide-4" (track id, phase number). Keys arrive back
from the browser, so `parse_phase_key` accepts only a track and phase the guide has.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from assistant.answer import Answer
from corpus.model import ATTRIBUTION, Guide, Phase

STARTER_QUESTIONS = (
    "Hvad er AI-rejsen, og hvem er guiden skrevet til?",
    "Hvad er forskellen på sporene Ny idé og Færdigt produkt?",
    "Hvad skal jeg gøre før prospektiv validering?",
    "Hvornår skal vi tænke på MDR-godkendelse og CE-mærkning?",
)
MAX_FOLLOW_UPS = 3


def phase_key(track: str, number: int) -> str:
    return f"{track}-{number}"


def parse_phase_key(guide: Guide, key: str | None) -> Phase | None:
    """The phase a key names, or None for anything else (keys come from the browser)."""
    if not key:
        return None
    track, _, number = str(key).rpartition("-")
    if guide.track(track) is None or not number.isdigit():
        return None
    return guide.phase(track, int(number))


def phase_name(phase: Phase) -> str:
    """'Ny idé fase 4 Test og implementering': how questions and headings name a phase."""
    return f"{phase.track_name} fase {phase.number} {phase.title}"


def phase_question(phase: Phase) -> str:
    return f"Hvad handler {phase_name(phase)} om?"


def watch_outs_question(phase: Phase) -> str:
    return f"Hvad skal jeg være opmærksom på i {phase_name(phase)}?"


def follow_ups(answer: Answer, guide: Guide) -> list[str]:
    """Two or three next questions from the guide's structure around the answer's focus.

    For the phase in focus: the next phase in its track, this phase's watch-outs, and the other
    track's parallel phase. Without a focus (a refusal, an intro answer): each track's start.
    """
    questions: list[str] = []
    for track, number in answer.focus:
        phase = guide.phase(track, number)
        if phase is None:
            continue
        following = guide.phase(track, number + 1)
        parallel = guide.parallel_phase(track, number)
        questions += [phase_question(following)] if following else []
        questions.append(watch_outs_question(phase))
        questions += [phase_question(parallel)] if parallel else []
        break
    if len(questions) < 2:
        questions += [phase_question(p) for p in _first_phases(guide)]
    return list(dict.fromkeys(questions))[:MAX_FOLLOW_UPS]


def _first_phases(guide: Guide) -> Iterable[Phase]:
    for track in guide.tracks:
        phases = sorted(guide.phases(track.id), key=lambda p: p.number)
        if phases:
            yield phases[0]


def journey_html(guide: Guide, focus: Iterable[tuple[str, int]] = (),
                 selected: str | None = None) -> str:
    """Both tracks as rows of phase buttons; phases in `focus` get the class "active"."""
    focused = {phase_key(track, number) for track, number in focus}
    rows = []
    for track in guide.tracks:
        buttons = []
        for phase in sorted(guide.phases(track.id), key=lambda p: p.number):
            key = phase_key(track.id, phase.number)
            classes = ["phase"] + (["active"] if key in focused else [])
            classes += ["selected"] if key == selected else []
            label = f"Vis {phase_name(phase)}" + (" (i fokus i seneste svar)"
                                                 if key in focused else "")
            buttons.append(
                f'<li><button type="button" id="phase-{key}" data-phase="{key}" '
                f'class="{" ".join(classes)}" aria-pressed="{str(key == selected).lower()}" '
                f'aria-label="{html.escape(label)}">'
                f'<span class="phase-number">{phase.number}</span>'
                f'<span class="phase-title">{html.escape(phase.title)}</span></button></li>'
            )
        rows.append(
            f'<div class="track" data-track="{track.id}">'
            f'<h3 class="track-name">{html.escape(track.name)}</h3>'
            f'<ol class="phases">{"".join(buttons)}</ol></div>'
        )
    legend = ('<p class="journey-legend"><span class="legend-swatch"></span>'
              "Fremhævet: de faser, det seneste svar handler om. Klik på en fase for at se den."
              "</p>")
    return f'<nav class="journey-map" aria-label="Rejsekort">{"".join(rows)}{legend}</nav>'


def phase_markdown(phase: Phase) -> str:
    """A phase's card: purpose, key actions and watch-outs in the guide's own words."""
    lines = [f"### {phase.path}", "", f"**{phase.purpose.title}**", ""]
    lines += [*phase.purpose.paragraphs, ""]
    lines += [f"**{phase.key_actions.title}**", ""]
    lines += [f"{n}. {item}" for n, item in enumerate(phase.key_actions.items, 1)]
    lines += ["", f"**{phase.watch_outs.title}**", ""]
    for block in phase.watch_outs.blocks:
        lines += [f"- {block.text}" if block.is_item else block.text, ""]
    return "\n".join(lines).rstrip() + "\n"


def checklist_markdown(phase: Phase) -> str:
    """The phase's key actions as a Markdown checklist for a meeting, with its watch-outs."""
    lines = [f"# Tjekliste: {phase.path}", "", " ".join(phase.purpose.paragraphs), "",
             f"## {phase.key_actions.title}", ""]
    lines += [f"- [ ] {item}" for item in phase.key_actions.items]
    lines += ["", f"## {phase.watch_outs.title}", ""]
    lines += [f"- {block.text}" for block in phase.watch_outs.blocks]
    lines += ["", "---", "", ATTRIBUTION, ""]
    return "\n".join(lines)
