"""Refusal as one decision: does the guide cover what this question asks?

The evidence: how likely the intent model finds an out-of-scope intent (off topic, a detail the
guide does not give, a task, an injection, structure that does not exist), how close the question
comes to a question written about the guide (the bank's keys), and how many of its content words
the guide knows. The thresholds are named in assistant/tuning.py and calibrated on labelled data
(evals/calibrate.py). A question about the guide itself is never refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.reading import REFUSED_BY_MODEL, Reading
from assistant.tuning import TUNING, Tuning

DECLINED = ("injection", "missing_structure", "task")  # settled before this decision
ABOUT_GUIDE = ("guide", "structure", "which_track")


@dataclass(frozen=True)
class ScopeEvidence:
    """What the decision looks at, taken from a Reading (or built by the calibration)."""

    intent: str
    p_out: float  # the model's probability of an out-of-scope intent (0 without a model)
    best_out: str  # the likeliest out-of-scope intent
    best_key: float  # the closest bank question's cosine
    coverage: float  # share of the content words the guide or its bank knows
    has_content: bool  # words of its own beyond naming places and asking how
    names_place: bool  # names a phase or track, or continues the conversation
    asks_detail: bool

    @classmethod
    def of(cls, r: Reading) -> ScopeEvidence:
        best_out = max(((i, p) for i, p in r.intents if i in REFUSED_BY_MODEL),
                       key=lambda ip: ip[1], default=("off_topic", 0.0))[0]
        return cls(r.intent, r.p_out, best_out, r.evidence.best_key(), r.coverage,
                   bool(r.content), bool(r.phases or r.mentions.tracks or r.follow_up),
                   r.detail is not None)


@dataclass(frozen=True)
class Decision:
    refuse: bool
    kind: str = ""  # the out-of-scope intent it is refused as ("off_topic", "near_domain", …)
    reason: str = ""  # which evidence decided: for the eval report, never shown to users


def decide_evidence(e: ScopeEvidence, t: Tuning = TUNING) -> Decision:
    if e.intent in DECLINED:
        return Decision(True, e.intent, "intent")
    if e.intent in ABOUT_GUIDE and e.p_out < t.out_of_scope_floor:
        return Decision(False, reason="about the guide")
    if not e.has_content and e.names_place and not e.asks_detail:
        return Decision(False, reason="a place in the guide and nothing else")
    weak_key = e.best_key < t.weak_key
    floor = t.named_place_out_floor if e.names_place else t.out_of_scope_floor
    if e.p_out >= floor:
        return Decision(True, e.best_out, "model")
    if e.p_out >= t.weak_evidence_out and weak_key and e.coverage < t.weak_coverage:
        return Decision(True, e.best_out, "model and weak evidence")
    if e.coverage < t.unknown_words_refuse and weak_key and not e.names_place:
        return Decision(True, e.best_out if e.p_out else "off_topic", "unknown words")
    return Decision(False, reason="in scope")


def decide(r: Reading) -> Decision:
    return decide_evidence(ScopeEvidence.of(r))
