"""Refusal as one decision: does the guide cover what this question asks?

The evidence (ScopeEvidence): how likely the intent model finds each out-of-scope intent (off
topic, a detail the guide does not give, a task, an injection), how close the question comes to a
question written about the guide and to one the guide does not answer (the bank's keys), and how
many of its content words the guide knows. A small logistic model weighs them into one
probability that the question is out of scope (`ScopeModel`, fitted by evals/calibrate.py on the
bank with paraphrase families held out); the question is refused above a threshold chosen on
labelled data to keep false refusals within budget. Fixed cases come first: instructions,
structure that does not exist and tasks are declined; a question about the guide itself, or
naming a place in it and nothing else, is never refused. Without a fitted model (another
embedder, the tests' fake one) named thresholds in assistant/tuning.py decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.linear import load_linear, save_linear
from assistant.reading import REFUSED_BY_MODEL, Reading
from assistant.tuning import TUNING, Tuning

DECLINED = ("injection", "missing_structure", "task")  # settled before this decision
ABOUT_GUIDE = ("guide", "structure", "which_track")
FEATURES = (*(f"p_{i}" for i in REFUSED_BY_MODEL), "p_out", "best_key", "best_out_key",
            "margin", "out_share", "top_passage", "coverage", "has_content", "names_place",
            "asks_detail", "p_out_x_margin")


@dataclass(frozen=True)
class ScopeEvidence:
    """What the decision looks at, taken from a Reading (or built by the calibration)."""

    intent: str
    p: tuple[float, ...]  # the model's probability of each of REFUSED_BY_MODEL
    best_key: float  # the closest in-scope bank question's cosine
    best_out_key: float  # the closest out-of-scope bank question's cosine
    out_share: float  # the nearest bank questions' vote that it is out of scope
    top_passage: float  # the ranker's probability that the best passage answers it (0: none)
    coverage: float  # share of the content words the guide or its bank knows
    has_content: bool  # words of its own beyond naming places and asking how
    names_place: bool  # names a phase or track, or continues the conversation
    asks_detail: bool
    asks_task: bool = False  # words that ask the assistant to produce something ("skriv …")

    @property
    def counted(self) -> tuple[float, ...]:
        """The model's probabilities, a task's only where words ask for one: "hvornår skal
        regionen lave et udbud?" asks about a task, not for one."""
        if self.asks_task:
            return self.p
        return tuple(0.0 if i == "task" else p for i, p in zip(REFUSED_BY_MODEL, self.p,
                                                                 strict=True))

    @property
    def p_out(self) -> float:
        return sum(self.counted)

    @property
    def best_out(self) -> str:
        """The likeliest out-of-scope intent."""
        p = self.counted
        return REFUSED_BY_MODEL[int(np.argmax(p))] if any(p) else "off_topic"

    def vector(self) -> np.ndarray:
        margin = self.best_key - self.best_out_key
        return np.array([*self.counted, self.p_out, self.best_key, self.best_out_key, margin,
                         self.out_share, self.top_passage, self.coverage, self.has_content,
                         self.names_place, self.asks_detail, self.p_out * margin],
                        dtype=np.float32)

    @classmethod
    def of(cls, r: Reading) -> ScopeEvidence:
        p = tuple(r.p(i) for i in REFUSED_BY_MODEL)
        return cls(r.intent, p, r.evidence.best_key(), r.evidence.best_out_key,
                   r.evidence.out_share, top_passage(r.evidence), r.coverage,
                   bool(r.content), bool(r.phases or r.mentions.tracks or r.follow_up),
                   r.detail is not None, r.task_request)


def top_passage(evidence) -> float:
    learned = evidence.learned
    return float(learned.max()) if learned is not None and len(learned) else 0.0


@dataclass(frozen=True, eq=False)
class ScopeModel:
    weights: np.ndarray
    bias: float
    threshold: float  # refuse at or above this probability (chosen on labelled data)
    embedding_model: str

    def probability(self, e: ScopeEvidence) -> float:
        return float(1.0 / (1.0 + np.exp(-(e.vector() @ self.weights + self.bias))))


@dataclass(frozen=True)
class Decision:
    refuse: bool
    kind: str = ""  # the out-of-scope intent it is refused as ("off_topic", "near_domain", …)
    reason: str = ""  # which evidence decided: for the eval report, never shown to users


def settled(e: ScopeEvidence, t: Tuning = TUNING) -> Decision | None:
    """The fixed cases, decided before any model or threshold; None for the rest."""
    if e.intent in DECLINED:
        return Decision(True, e.intent, "intent")
    if e.intent in ABOUT_GUIDE and e.p_out < t.out_of_scope_floor:
        return Decision(False, reason="about the guide")
    if not e.has_content and e.names_place and not e.asks_detail:
        return Decision(False, reason="a place in the guide and nothing else")
    return None


def decide_evidence(e: ScopeEvidence, model: ScopeModel | None = None,
                    t: Tuning = TUNING) -> Decision:
    fixed = settled(e, t)
    if fixed is not None:
        return fixed
    if model is not None:
        refuse = model.probability(e) >= model.threshold
        return Decision(refuse, e.best_out if refuse else "", "scope model")
    return _by_thresholds(e, t)


def _by_thresholds(e: ScopeEvidence, t: Tuning) -> Decision:
    """Without a fitted scope model: the model's probabilities and the guide's words."""
    weak_key = e.best_key < t.weak_key
    floor = t.named_place_out_floor if e.names_place else t.out_of_scope_floor
    if e.p_out >= floor:
        return Decision(True, e.best_out, "model")
    if e.p_out >= t.weak_evidence_out and weak_key and e.coverage < t.weak_coverage:
        return Decision(True, e.best_out, "model and weak evidence")
    if e.coverage < t.unknown_words_refuse and weak_key and not e.names_place:
        return Decision(True, e.best_out if e.p_out else "off_topic", "unknown words")
    return Decision(False, reason="in scope")


def decide(r: Reading, model: ScopeModel | None = None) -> Decision:
    return decide_evidence(ScopeEvidence.of(r), model)


# ---- the fitted model on disk ---------------------------------------------------------------


def _meta(embedding_model: str) -> tuple[str, ...]:
    return (embedding_model, ",".join(FEATURES))


def save_scope(model: ScopeModel, folder: Path) -> Path:
    return save_linear("scope", folder, model.embedding_model, model.weights, model.bias,
                       _meta(model.embedding_model), threshold=model.threshold)


def load_scope(embedding_model: str, folder: Path) -> ScopeModel | None:
    data = load_linear("scope", folder, embedding_model, _meta(embedding_model))
    return None if data is None else ScopeModel(data["weights"], data["bias"],
                                                data["threshold"], embedding_model)
