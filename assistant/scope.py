"""Refusal as one decision: does the guide cover what this question asks?

The evidence: how likely the intent model finds an out-of-scope intent (off topic, a detail the
guide does not give, a task, an injection, structure that does not exist), how close the question
comes to a question written about the guide (the bank's keys), and how many of its content words
the guide knows. The thresholds are named in assistant/tuning.py and calibrated on labelled data.
A question about the guide itself is never refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.reading import Reading
from assistant.tuning import TUNING
from corpus.bank import OUT_OF_SCOPE_INTENTS

GUIDE_NAMES = ("ai-rejsen", "airejsen", "ai rejsen", "guiden", "guide", "ai journey", "pixi")


@dataclass(frozen=True)
class Decision:
    refuse: bool
    kind: str = ""  # the out-of-scope intent it is refused as ("off_topic", "near_domain", …)
    reason: str = ""  # which evidence decided: for the eval report, never shown to users


def about_the_guide(r: Reading) -> bool:
    text = " " + r.text.lower() + " "
    named = any(f" {n} " in text or f" {n}?" in text or f" {n}s " in text or f" {n}en " in text
                for n in GUIDE_NAMES)
    return r.intent in ("guide", "structure", "which_track") or (
        named and r.intent not in OUT_OF_SCOPE_INTENTS and not r.content)


def decide(r: Reading) -> Decision:
    if r.intent in ("injection", "missing_structure", "task"):
        return Decision(True, r.intent, "intent")
    if about_the_guide(r) or (not r.content and r.detail is None
                              and (r.follow_up or r.phases or r.mentions.tracks)):
        # The guide itself, or a place in it and nothing else ("fase 2?", "og der?")
        return Decision(False, reason="about the guide or a place in it")
    best_out = max(((i, p) for i, p in r.intents if i in OUT_OF_SCOPE_INTENTS),
                   key=lambda ip: ip[1], default=("off_topic", 0.0))
    weak_key = r.evidence.best_key() < TUNING.weak_key
    weak_words = r.coverage < TUNING.weak_coverage
    if r.p_out >= TUNING.out_of_scope_floor:
        return Decision(True, best_out[0], "model")
    if r.p_out >= TUNING.weak_evidence_out and weak_key and weak_words:
        return Decision(True, best_out[0], "model and weak evidence")
    if r.coverage < TUNING.unknown_words_refuse and weak_key and not r.phases:
        return Decision(True, best_out[0] if r.intents else "off_topic", "unknown words")
    return Decision(False, reason="in scope")
