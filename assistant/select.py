"""Choosing passages from a Reading's evidence: which part of the guide to rank, the best places,
the passage that goes with another, and whether the other track says the same.

Shared by the strategies; pure (a Reading and the guide's layout in, chunks out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from assistant.layout import GuideMap, PhaseKey, place_of
from assistant.reading import Reading
from assistant.retrieve import Hit
from assistant.tuning import TUNING
from corpus.model import INTRO_TRACK, KEY_ACTIONS, PURPOSE, WATCH_OUTS
from index.chunking import Chunk


def mask(guide: GuideMap, *, phases: Iterable[PhaseKey] | None = None,
         tracks: Iterable[str] | None = None, kinds: Iterable[str] | None = None,
         in_phases: bool = False, intro: bool | None = None) -> np.ndarray:
    """The chunks to rank: in these phases, these tracks, of these kinds (all if not given)."""
    out = np.ones(len(guide.chunks), dtype=bool)
    if phases:
        out &= np.isin(guide.place_of, [f"{t}:{n}" for t, n in phases])
    if tracks:
        out &= np.isin(guide.track_of, list(tracks))
    if kinds:
        out &= np.isin(guide.kind_of, list(kinds))
    if in_phases:
        out &= guide.in_phase
    if intro is not None:
        out &= (guide.track_of == INTRO_TRACK) == intro
    return out


def where(r: Reading, guide: GuideMap) -> np.ndarray | None:
    """The part of the guide the question names: its phases, else its tracks, else all of it.
    (A track the situation only implies is a preference, see `best`, not a limit.)"""
    if r.phases:
        return mask(guide, phases=r.phases)
    if r.tracks:
        return mask(guide, tracks=r.tracks)
    return None


def situation_first(r: Reading, items, track=lambda item: item.track) -> list:
    """`items` with those in the track the situation implies first, in their order otherwise
    ("vores CE-mærkede produkt": Færdigt produkt's steps before Ny idé's)."""
    if not r.track_hint:
        return list(items)
    return sorted(items, key=lambda item: track(item) != r.track_hint)


def best(r: Reading, guide: GuideMap, hits: list[Hit]) -> Hit:
    """The best hit, preferring the track the situation implies when it holds one about as
    good ("vi har købt et CE-mærket værktøj": Færdigt produkt's validation first)."""
    top = hits[0]
    if r.track_hint and top.chunk.track != r.track_hint:
        inside = [h for h in hits if h.chunk.track == r.track_hint]
        if inside and inside[0].score >= TUNING.hint_ratio * top.score:
            return inside[0]
    return top


def of_kind(r: Reading, hits: list[Hit]) -> list[Hit]:
    """Hits with the section kind the question asks for ("hvad skal vi være obs på" → the
    watch-outs) first, when the best of that kind ranks close to the very best."""
    if not r.kind or not hits:
        return hits
    wanted = [h for h in hits if h.chunk.kind == r.kind]
    if wanted and wanted[0].score >= TUNING.second_place_ratio * hits[0].score:
        return wanted + [h for h in hits if h.chunk.kind != r.kind]
    return hits


def best_places(hits: list[Hit]) -> list[tuple[tuple, Hit]]:
    """Each place's best hit, best place first."""
    best: dict[tuple, Hit] = {}
    for h in hits:
        best.setdefault(place_of(h.chunk), h)
    return list(best.items())


def picked(hits: list[Hit], place: tuple, top: Hit, most: int = 3) -> list[Chunk]:
    """The passages of one place that rank close to its best (at most `most`)."""
    chosen = [h.chunk for h in hits if place_of(h.chunk) == place
              and h.score >= TUNING.second_place_ratio * top.score]
    return chosen[:most]


def companion(r: Reading, guide: GuideMap, chunk: Chunk) -> Chunk | None:
    """What explains a passage: for a key action, the watch-out of its phase that the question
    and the action share most; for a paragraph, the key action it is about."""
    if chunk.phase is None:
        return None
    key = (chunk.track, chunk.phase)
    kinds = [WATCH_OUTS] if chunk.kind == KEY_ACTIONS else [KEY_ACTIONS]
    hits = r.evidence.ranked(mask(guide, phases=[key], kinds=kinds), k=1)
    if chunk.kind == KEY_ACTIONS and (not hits or hits[0].lexical <= 0):
        # The question has no words of the watch-outs ("den sidste handling i fasen"): the one
        # the bank asks about together with the action.
        learned = guide.explains(chunk)
        if learned is not None:
            return learned
    if chunk.kind != KEY_ACTIONS:
        # The actions the bank asks about together with the paragraph, the one whose own
        # words the question uses most ("… at IT-infrastrukturen er på plads" and "what does
        # IT need?": Afklar infrastruktur for IT).
        worded = [a for a in guide.actions(key)
                  if guide.explains(a) == chunk and r.action_words.get(a.id)]
        if worded:
            return max(worded, key=lambda a: len(r.action_words[a.id]))
    if not hits:
        return None
    if chunk.kind != KEY_ACTIONS and hits[0].lexical <= 0 and hits[0].key <= 0:
        return None  # no action is about it: better nothing than a guess
    return hits[0].chunk


def wants_both(r: Reading) -> bool:
    """The question asks of every track ("begge spor"), or names no track and the model finds
    that what it asks is in every track."""
    return r.all_tracks or (not r.tracks and r.p_both >= TUNING.both_floor)


def other_track(r: Reading, guide: GuideMap, top: Hit) -> Hit | None:
    """The best passage of another track, when that track says about as much about it (or
    something tied to the question, when the model finds it asked of every track)."""
    if r.tracks or top.chunk.phase is None:
        return None
    others = [t for t in guide.tracks if t != top.chunk.track]
    # What to watch out for, or what a phase is for, is answered from that section in the other
    # track too; a step may be an action in one track and a paragraph in the other.
    kinds = [r.kind] if r.kind in (WATCH_OUTS, PURPOSE) and top.chunk.kind == r.kind else None
    # Places compared on their passages' own evidence: the place head prefers one of them.
    hits = r.evidence.ranked(mask(guide, tracks=others, in_phases=True, kinds=kinds), k=1,
                             plain=True)
    own = r.evidence.ranked(mask(guide, tracks=[top.chunk.track], in_phases=True), k=1,
                            plain=True)
    if not own:
        return None
    if wants_both(r):
        ratio = TUNING.both_likely_ratio
    else:
        ratio = TUNING.hinted_other_ratio if r.track_hint else TUNING.both_tracks_ratio
    if not hits or weak(hits[0]):
        return None
    other = hits[0]
    if other.score >= ratio * own[0].score:
        return other
    # Or its words and meaning match about as well as the top passage's do (the learned
    # score is sharp: bank questions may point at one track's wording only).
    if not r.track_hint and top.lexical > 0 and other.lexical >= ratio * top.lexical \
            and other.dense >= top.dense - TUNING.both_dense_gap:
        return other
    return None


def spread(hits: list[Hit], ratio: float, most: int = 5) -> list[tuple[tuple, Hit]]:
    """The phases whose best passage ranks close to the very best: a topic found across them.
    When the best shares words with the question, so must every phase's (a phase found by
    meaning alone beside ones that name the topic is a guess)."""
    if hits and hits[0].lexical > 0:
        hits = [h for h in hits if h.lexical > 0]
    places = [(p, h) for p, h in best_places(hits) if len(p) == 2]
    if not places:
        return []
    top = places[0][1].score
    return [(p, h) for p, h in places if h.score >= ratio * top][:most]


def across_phases(r: Reading, guide: GuideMap, most: int) -> list[tuple[tuple, Hit]]:
    """The phases (within what the question names) whose best passage ranks close to the
    best one's, or [] when not even the best is tied to the question."""
    allowed = where(r, guide)
    if allowed is None and r.track_hint and not wants_both(r):
        # "vores CE-mærkede produkt": the track the situation implies, if the topic runs
        # through it; else the whole guide.
        inside = across_phases(replace(r, mentions=replace(r.mentions, tracks=(r.track_hint,))),
                               guide, most)
        if len(inside) >= TUNING.synthesis_min_places:
            return inside
    # Phases compared on their passages' own evidence, not on the place head's one favourite.
    hits = r.evidence.ranked(allowed if allowed is not None else mask(guide, in_phases=True),
                             plain=True)
    hits = [h for h in hits if not weak(h)]  # found by neither words nor a close question
    if not hits or hits[0].chunk.phase is None:
        return []
    places = spread(hits, TUNING.synthesis_ratio, most)
    if wants_both(r):  # each track's best phase, when the model finds it in every track
        have = {p[0] for p, _ in places}
        for track in guide.tracks:
            if track in have:
                continue
            best = next(((p, h) for p, h in best_places(hits)
                         if p[0] == track and len(p) == 2 and not weak(h)), None)
            if best is not None and best[1].score >= TUNING.both_likely_ratio * hits[0].score:
                places.insert(min(1, len(places)), best)
    return places[:most]


def actions_about(r: Reading, guide: GuideMap, key: PhaseKey, most: int = 2,
                  besides: Chunk | None = None) -> list[Chunk]:
    """The key actions of a phase that hold the question's topic words, best first (at most
    `most`, leaving out `besides`): "Gennemfør prospektiv validering" beside the paragraph on
    validation, "Udfør markedsdialog" beside "Afdæk markedet"."""
    hits = r.evidence.ranked(mask(guide, phases=[key], kinds=[KEY_ACTIONS]), plain=True)
    return [h.chunk for h in hits
            if r.action_words.get(h.chunk.id) and h.chunk != besides][:most]


def meant_action(r: Reading, guide: GuideMap, phases=None) -> tuple[Chunk, ...]:
    """The key action a question's situation describes ("modellen er færdigtrænet": Skab
    produktet), when the ranker is sure of it: the best one in the track the situation
    implies, or in any track; within `phases` when given."""
    tracks = r.tracks or ((r.track_hint,) if r.track_hint else None)
    hits = r.evidence.ranked(mask(guide, kinds=[KEY_ACTIONS], tracks=tracks,
                                  phases=list(phases) if phases else None), k=1)
    if hits and hits[0].score >= TUNING.anchor_score:
        return (hits[0].chunk,)
    return ()


def weak(hit: Hit) -> bool:
    """Neither the question's words nor a question written about it point at the passage."""
    return hit.lexical <= 0 and hit.key < TUNING.related_key


def continued(guide: GuideMap, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks, each followed by the paragraph that continues it ("Herefter …")."""
    from assistant import cues
    from index.lexical import tokens

    out: list[Chunk] = []
    for c in chunks:
        out.append(c)
        following = guide.following(c) if c.kind != KEY_ACTIONS else None
        if following is not None and following not in chunks and cues.starts_with(
                tuple(tokens(following.text)), "continuation"):
            out.append(following)
    return list(dict.fromkeys(out))


def same_actions(r: Reading, guide: GuideMap, top: Hit, allowed: np.ndarray | None
                 ) -> list[Hit]:
    """Key actions of other phases that hold the same topic words of the question as the best
    one ("business case" is an action in four phases): the topic runs through them."""
    words = r.action_words.get(top.chunk.id)
    if top.chunk.kind != KEY_ACTIONS or not words:
        return []
    kinds = mask(guide, kinds=[KEY_ACTIONS])
    allowed = kinds if allowed is None else kinds & allowed
    return [h for h in r.evidence.ranked(allowed)
            if (h.chunk.track, h.chunk.phase) != (top.chunk.track, top.chunk.phase)
            and r.action_words.get(h.chunk.id) == words]


def nearest(r: Reading, guide: GuideMap) -> Hit | None:
    """The passage closest to the question in the phases (for "the nearest the guide says")."""
    hits = r.evidence.ranked(where(r, guide), k=1)
    return hits[0] if hits else None


def phase_blocks(guide: GuideMap, key: PhaseKey, kind: str | None) -> list[Chunk]:
    if kind in (PURPOSE, KEY_ACTIONS, WATCH_OUTS):
        return guide.section(key, kind)
    return guide.purpose(key) + guide.actions(key)
