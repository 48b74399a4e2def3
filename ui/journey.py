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


JOURNEY_TOGGLE = ("Vis fasernes navne", "Skjul fasernes navne")
LEGEND_CITED = "Nævnt i seneste svar"
LEGEND_OPEN = "Fasekortet er åbent"
CITED_STATE = f'<span class="sr-only"> ({LEGEND_CITED.lower()})</span>'


def journey_html(guide: Guide, focus: Iterable[tuple[str, int]] = (),
                 selected: str | None = None) -> str:
    """The tracks as a compact strip of numbered phase buttons that expands to show titles.

    A phase in `focus` (cited by the latest answer) is filled and shows its title even in the
    strip; the phase whose card is open (`selected`) has a ring and aria-pressed. One legend
    explains both. A button's name is its visible text ("4 Test og implementering"), so what a
    voice user says matches what a screen reader hears; the state is spelled out in hidden text.
    """
    focused = {phase_key(track, number) for track, number in focus}
    rows = []
    for track in guide.tracks:
        buttons = []
        for phase in sorted(guide.phases(track.id), key=lambda p: p.number):
            key = phase_key(track.id, phase.number)
            classes = ["phase"] + (["active"] if key in focused else [])
            classes += ["selected"] if key == selected else []
            state = CITED_STATE if key in focused else ""
            buttons.append(
                f'<li><button type="button" id="phase-{key}" data-phase="{key}" '
                f'class="{" ".join(classes)}" aria-pressed="{str(key == selected).lower()}" '
                f'title="{html.escape(phase_name(phase))}">'
                f'<span class="phase-number">{phase.number}</span> '
                f'<span class="phase-title">{html.escape(phase.title)}</span>{state}</button></li>'
            )
        rows.append(
            f'<div class="track" data-track="{track.id}">'
            f'<h3 class="track-name">{html.escape(track.name)}</h3>'
            f'<ol class="phases">{"".join(buttons)}</ol></div>'
        )
    toggle = (f'<button type="button" class="journey-toggle" aria-expanded="false" '
              f'aria-controls="journey-tracks">{JOURNEY_TOGGLE[0]}</button>')
    legend = ('<p class="journey-legend">'
              f'<span class="legend-item"><span class="swatch cited"></span>{LEGEND_CITED}</span>'
              f'<span class="legend-item"><span class="swatch open"></span>{LEGEND_OPEN}</span>'
              "</p>")
    return (f'<nav class="journey-map" aria-labelledby="journey-title">'
            f'<div class="journey-bar"><h2 id="journey-title" class="journey-title">Rejsekort</h2>'
            f'{toggle}{legend}</div>'
            f'<div id="journey-tracks" class="tracks">{"".join(rows)}</div></nav>')


def phase_html(phase: Phase) -> str:
    """A phase's card: purpose, key actions and watch-outs in the guide's own words, escaped.

    Its heading takes focus when the card opens (tabindex -1), and the headings continue the
    page's order (h2 for the card, h3 for its parts).
    """
    parts = [f'<h2 id="phase-card-title" tabindex="-1">{html.escape(phase.path)}</h2>',
             f"<h3>{html.escape(phase.purpose.title)}</h3>"]
    parts += [f"<p>{html.escape(text)}</p>" for text in phase.purpose.paragraphs]
    parts.append(f"<h3>{html.escape(phase.key_actions.title)}</h3>")
    parts.append("<ol>" + "".join(f"<li>{html.escape(item)}</li>"
                                  for item in phase.key_actions.items) + "</ol>")
    parts.append(f"<h3>{html.escape(phase.watch_outs.title)}</h3>")
    items: list[str] = []
    for block in phase.watch_outs.blocks:
        if block.is_item:
            items.append(f"<li>{html.escape(block.text)}</li>")
            continue
        if items:
            parts.append(f"<ul>{''.join(items)}</ul>")
            items = []
        parts.append(f"<p>{html.escape(block.text)}</p>")
    if items:
        parts.append(f"<ul>{''.join(items)}</ul>")
    return ('<section class="phase-card" aria-labelledby="phase-card-title">'
            f'{"".join(parts)}</section>')


def checklist_markdown(phase: Phase) -> str:
    """The phase's key actions as a Markdown checklist for a meeting, with its watch-outs."""
    lines = [f"# Tjekliste: {phase.path}", "", " ".join(phase.purpose.paragraphs), "",
             f"## {phase.key_actions.title}", ""]
    lines += [f"- [ ] {item}" for item in phase.key_actions.items]
    lines += ["", f"## {phase.watch_outs.title}", ""]
    lines += [f"- {block.text}" for block in phase.watch_outs.blocks]
    lines += ["", "---", "", ATTRIBUTION, ""]
    return "\n".join(lines)
