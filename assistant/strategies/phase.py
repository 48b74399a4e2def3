"""A named phase (or the phase the conversation is about, or "den fase" the situation
describes): the whole phase when one is asked for — its purpose first, then its key actions —
or the one section asked for (purpose, key actions, watch-outs). An action the question names
gets the watch-out that explains it. A phase named beside a topic of its own ("hvad siger fase 4
om IT?") is left to the topic strategy, which searches within the phase.
"""

from __future__ import annotations

from assistant import cues, select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap, PhaseKey
from assistant.reading import Reading
from corpus.model import KEY_ACTIONS, PURPOSE, WATCH_OUTS

INTENTS = ("phase", "purpose", "actions", "watch_outs", "structure")


def _one(draft: Draft, guide: GuideMap, key: PhaseKey, kind: str | None, several: bool,
         named: bool = True) -> None:
    """One phase into the draft. With several phases, each lead names its phase and each detail
    says whose it is, so the parts can be read apart. `named`: the question named the section
    it asks for ("formålet med …"), rather than the model reading it so."""
    name = guide.label(key)
    title = f"{draft.heading(name)}: " if several else ""
    actions_label = f"Centrale handlinger i {name}" if several else "Centrale handlinger"
    if kind == PURPOSE:
        draft.add_lead(title + draft.quote(guide.purpose(key)))
        if not named:  # "forklar fasen …" read as its purpose: the steps that carry it out
            draft.add(draft.action_list(guide.actions(key), actions_label))
    elif kind == KEY_ACTIONS:
        draft.add_lead(draft.action_list(guide.actions(key), actions_label))
    elif kind == WATCH_OUTS:
        watch = guide.section(key, WATCH_OUTS)
        draft.add_lead(title + draft.quote(watch[:1]))
        for paragraph in watch[1:]:  # the section was asked for: all of it
            draft.add(draft.quote([paragraph]), required=True)
    else:
        draft.add_lead(title + draft.quote(guide.purpose(key)))
        draft.add(draft.action_list(guide.actions(key), actions_label), required=True)


def _pointed(r: Reading) -> bool:
    """"… hvad skal vi ellers nå i den samme fase?" on a first turn: "den fase" is the phase the
    asker's situation describes, and the words before it say where that is, not a topic."""
    return not r.follow_up and not r.phases and cues.has(r.words, "one_phase_pointer")


def _situated(r: Reading, guide: GuideMap) -> tuple[PhaseKey, ...]:
    """"Hvad handler den fase om?" with no phase named: the phase its situation describes
    (where its best passage is)."""
    if not _pointed(r) and (r.intent not in ("phase", "purpose")
                            or not cues.has(r.words, "phase_word")):
        return ()
    hits = [h for h in r.evidence.ranked(select.where(r, guide)) if h.chunk.phase is not None]
    if not hits:
        return ()
    best = select.best(r, guide, hits).chunk
    return ((best.track, best.phase),)


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    r = reading
    keys = r.phases or _situated(r, guide)
    if not keys or (r.content and r.intent not in INTENTS and not _pointed(r)):
        return None  # a topic of its own: the topic strategy searches within the phase
    if r.follow_up and not r.mentions.phases and r.content:
        return None  # "ok, og hvad kræver det?": a question about the phase in view, not it all
    keys = keys[:len(guide.tracks)]
    draft = Draft(guide, r.english)
    if len(keys) == 1 and r.kind is None:
        draft.add_lead(draft.heading(guide.label(keys[0])))
    for key in keys:
        _one(draft, guide, key, r.kind, several=len(keys) > 1, named=bool(r.mentions.kinds))
    shown = {c for key in keys for c in select.phase_blocks(guide, key, r.kind)}
    extra = []
    for action in r.content_actions:  # "hvad går det ud på at afdække markedet?"
        if (action.track, action.phase) in keys:
            extra.append(select.companion(r, guide, action))
    if r.content:  # the passage of the phase its own words point at ("målet med aftalen")
        extra += [h.chunk for h in r.evidence.ranked(select.mask(guide, phases=keys), k=2)]
    extra = [c for c in dict.fromkeys(extra) if c is not None and c not in shown][:2]
    paragraphs = [c for c in extra if c.kind != KEY_ACTIONS]
    if paragraphs:
        draft.add(draft.quote(paragraphs))
    return draft.answer()
