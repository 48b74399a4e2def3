"""Order: what comes before or after a key action ("hvad skal vi gøre før prospektiv
validering?"), the next or previous phase, and the first or last step of a phase or track.

The answer never lists the action it is anchored on: before X lists what precedes X, after X
what follows it, and the watch-out that speaks of the order ("først …") goes with it.
"""

from __future__ import annotations

from dataclasses import replace

from assistant import cues, select
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap, PhaseKey
from assistant.reading import Reading
from assistant.tuning import TUNING
from corpus.model import WATCH_OUTS
from index.chunking import Chunk
from index.lexical import tokens


def _first_phases(r: Reading, guide: GuideMap) -> list[PhaseKey]:
    tracks = r.tracks or ((r.track_hint,) if r.track_hint else guide.tracks)
    return [(t, guide.phases(t)[0]) for t in tracks if guide.phases(t)]


def _ordinal_action(r: Reading, guide: GuideMap, which: str) -> Answer:
    keys = list(r.phases) or _first_phases(r, guide)
    if which == "last" and not r.phases:
        tracks = r.tracks or guide.tracks
        keys = [(t, guide.phases(t)[-1]) for t in tracks if guide.phases(t)]
    start = which == "first" and not r.phases  # "hvordan kommer vi i gang?": the journey's start
    draft = Draft(guide, r.english)
    for key in keys[:2]:
        actions = guide.actions(key)
        if not actions:
            continue
        count = min(r.mentions.ordinal_count, len(actions))
        if count > 1 and not start:  # "de to sidste handlinger i den fase"
            picked = actions[:count] if which == "first" else actions[-count:]
            word = "første" if which == "first" else "sidste"
            draft.add_lead(f"De {count} {word} centrale handlinger i {guide.label(key)}:\n\n"
                           + draft.action_list(picked))
            continue
        action = actions[0] if which == "first" else actions[-1]
        word = "første" if which == "first" else "sidste"
        if start:
            draft.add_lead(f"{guide.track_name(key[0])} begynder med {guide.label(key)}: "
                           f"{draft.quote(guide.purpose(key)[:1])} Den første centrale "
                           f"handling er {draft.action_names([action])}.")
            continue
        draft.add_lead(f"Den {word} centrale handling i {guide.label(key)} er "
                       f"{draft.action_names([action])}.")
        companion = select.companion(r, guide, action)
        if companion is not None:
            draft.add(draft.quote([companion]))
    return draft.answer()


def _order_watch_out(r: Reading, guide: GuideMap, key: PhaseKey, before: bool):
    """The phase's watch-out about the question, preferring one that speaks of order ("Men
    først skal der indhentes godkendelser …" for what comes before)."""
    hits = r.evidence.ranked(select.mask(guide, phases=[key], kinds=[WATCH_OUTS]))
    groups = ("before", "first") if before else ("after", "next")
    ordered = [h for h in hits if any(cues.has(tuple(tokens(h.chunk.text)), g) for g in groups)]
    chosen = ordered or hits
    return chosen[0].chunk if chosen else None


def _neighbours(r: Reading, guide: GuideMap, anchors: tuple[Chunk, ...], before: bool) -> Answer:
    draft = Draft(guide, r.english)
    anchors = select.situation_first(r, anchors)
    for anchor in anchors[:2]:
        key = (anchor.track, anchor.phase)
        actions = guide.actions(key)
        if before:
            chosen = [a for a in actions if a.number < anchor.number][-TUNING.order_window:]
        else:
            chosen = [a for a in actions if a.number > anchor.number][:TUNING.order_window]
        where = f"handling {anchor.number} af {len(actions)} i {guide.label(key)}"
        if chosen:
            relation = "Før" if before else "Efter"
            draft.add_lead(f"{relation} *{anchor.text}* ({where}) kommer:\n\n"
                           + draft.action_list(chosen))
        else:
            edge = "første" if before else "sidste"
            neighbour = guide.neighbour(key, -1 if before else 1)
            text = f"*{anchor.text}* er den {edge} centrale handling i {guide.label(key)}."
            if neighbour is not None:
                near = guide.actions(neighbour)
                near = near[-TUNING.order_window:] if before else near[:TUNING.order_window]
                relation = "Før" if before else "Efter"
                # The phase it leads into (or comes from), with what that phase is for.
                text += f" {relation} den kommer {guide.heading(neighbour)}. " + \
                    draft.quote(guide.purpose(neighbour)[:1]) + "\n\n" + \
                    draft.action_list(near)
            draft.add_lead(text)
        watch = None
        if chosen and r.target_pointer and not r.content:
            # "og hvad så bagefter?": no words to rank the watch-outs by; the one that
            # explains the first step listed.
            watch = guide.explains(chosen[0] if not before else chosen[-1])
        watch = watch or _order_watch_out(r, guide, key, before)
        if watch is not None:
            draft.add(draft.quote([watch]))
    return draft.answer()


def _next_phase(r: Reading, guide: GuideMap, keys: tuple[PhaseKey, ...], step: int) -> Answer:
    draft = Draft(guide, r.english)
    for key in keys[:2]:
        target = guide.neighbour(key, step)
        if target is None:
            edge = "første" if step < 0 else "sidste"
            draft.add_lead(f"{guide.label(key)} er den {edge} fase i "
                           f"{guide.track_name(key[0])}.")
            continue
        relation = "Før" if step < 0 else "Efter"
        draft.add_lead(f"{relation} {guide.label(key)} kommer {guide.heading(target)}. "
                       f"{draft.quote(guide.purpose(target)[:1])}")
        draft.add(draft.action_list(guide.actions(target), "Centrale handlinger"))
    return draft.answer()


def _asks_phase(words: tuple[str, ...]) -> bool:
    """"næste fase", "the next phase": the order word right before a phase word (unlike "de
    næste skridt i den fase")."""
    return any((w,) in cues.phrases("phase_word") and any(
        (words[i - 1],) in cues.phrases(g) for g in ("next", "previous"))
        for i, w in enumerate(words) if i > 0)


def _compared(r: Reading, guide: GuideMap) -> list[tuple[Chunk, Chunk]]:
    """"A eller B først?": (A, B) in each phase that has both; A is the step of B's phase
    whose own words the question uses most, besides B."""
    pairs = []
    for b in r.target_actions:
        named = [c for c in guide.actions((b.track, b.phase))
                 if c != b and r.action_words.get(c.id)]
        if named:
            pairs.append((max(named, key=lambda c: len(r.action_words[c.id])), b))
    return select.situation_first(r, pairs, track=lambda p: p[0].track)


def _which_first(r: Reading, guide: GuideMap, pairs: list[tuple[Chunk, Chunk]]) -> Answer:
    draft = Draft(guide, r.english)
    for a, b in pairs[:2]:
        first, then = sorted((a, b), key=lambda c: c.number or 0)
        key = (first.track, first.phase)
        total = len(guide.actions(key))
        draft.add_lead(f"I {guide.label(key)} kommer {draft.action_names([first])} (handling "
                       f"{first.number} af {total}) før {draft.action_names([then])} "
                       f"(handling {then.number}).")
        explains = select.companion(r, guide, then)
        if explains is not None:
            draft.add(draft.quote([explains]))
    return draft.answer()


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    r = reading
    order = r.order
    if r.intent != "order":
        return None
    if r.mentions.ordinal_action:
        if order is not None and order.relation in ("before", "after") and r.target_phases \
                and not r.target_actions:
            # "the first thing in the phase that follows Konceptualisering": that phase's
            step = -1 if order.relation == "before" else 1
            keys = tuple(n for k in r.target_phases if (n := guide.neighbour(k, step)))
            if keys:
                return _ordinal_action(replace(r, phases=keys), guide,
                                       r.mentions.ordinal_action)
        return _ordinal_action(r, guide, r.mentions.ordinal_action)
    if order is None:
        return None
    if order.relation in ("before", "after"):
        before = order.relation == "before"
        if r.target_phases and not r.target_actions:
            return _next_phase(r, guide, r.target_phases, -1 if before else 1)
        pairs = _compared(r, guide) if order.compared else []
        if pairs:
            return _which_first(r, guide, pairs)
        if r.target_actions:
            return _neighbours(r, guide, r.target_actions, before)
        return None
    asks_phase = _asks_phase(r.words)
    if order.relation in ("next", "previous") and r.target_actions and not asks_phase:
        # "og før den?": the step before (or after) the one the last answer named.
        return _neighbours(r, guide, r.target_actions, order.relation == "previous")
    named = r.mentions.phases or r.phases
    phase_word = cues.has(r.words, "phase_word")  # "which phase comes after it?": a phase
    if order.relation in ("next", "previous") and named and r.content and not phase_word:
        # "Modellen er færdigtrænet. Hvad er næste handling i udviklingsfasen?", "og når vi
        # så har købt det, hvad kommer derefter?": the step after the one the situation
        # describes, inside the phase named or talked about.
        anchors = tuple(a for a in r.content_actions if (a.track, a.phase) in named) \
            or select.meant_action(r, guide, named)
        if anchors:
            return _neighbours(r, guide, anchors, order.relation == "previous")
    anchors = r.content_actions or (select.meant_action(r, guide) if not r.phases else ())
    if order.relation in ("next", "previous") and not r.phases and anchors:
        # "Når den prospektive vurdering er gennemført, hvad er så næste skridt?", "Modellen er
        # færdigtrænet. Hvad er næste handling?": the step after (or before) the action the
        # question names or describes; "næste fase": its phase's neighbour.
        if asks_phase:
            keys = tuple(dict.fromkeys((a.track, a.phase) for a in anchors))
            return _next_phase(r, guide, keys, -1 if order.relation == "previous" else 1)
        return _neighbours(r, guide, anchors, order.relation == "previous")
    if order.relation in ("next", "previous") and r.phases:
        return _next_phase(r, guide, r.phases, -1 if order.relation == "previous" else 1)
    if order.relation == "next" and not r.context:  # "hvad så nu?" with nothing before it
        return _ordinal_action(r, guide, "first")
    if order.relation in ("first", "last") and r.intent == "order":
        return _ordinal_action(r, guide, order.relation)
    return None
