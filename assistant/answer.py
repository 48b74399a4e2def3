"""What an answer is: Markdown in Danish, whether it was refused, and its citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    track: str  # "ny-ide" | "faerdigt-produkt" | "intro"
    phase: int | None
    phase_title: str | None
    section: str  # "Centrale handlinger", "Vær opmærksom på", "Formål", "Forord", ...
    quote: str  # the guide's words, verbatim
    path: str = ""  # "Ny idé › 4 Test og implementering › Centrale handlinger"

    def to_json(self) -> dict:
        return {"track": self.track, "phase": self.phase, "phase_title": self.phase_title,
                "section": self.section, "quote": self.quote}


@dataclass(frozen=True)
class Message:
    role: str  # "user" | "assistant"
    content: str


@dataclass(frozen=True)
class Answer:
    answer: str  # Markdown; claims carry [n] markers that index `citations` (1-based)
    refused: bool
    citations: tuple[Citation, ...] = ()
    latency_ms: float = 0.0
    # (track, phase) pairs the answer is about, most relevant first: for the journey map,
    # follow-up suggestions and follow-up questions.
    focus: tuple[tuple[str, int], ...] = field(default=())
    # The opening of `answer` that answers the question itself (at most about two sentences or
    # a short list); the rest is detail a reader may fold away. "" when the answer is all lead.
    lead: str = ""

    @property
    def details(self) -> str:
        """What follows the lead ("" when there is no separate lead)."""
        if not self.lead or not self.answer.startswith(self.lead):
            return ""
        return self.answer[len(self.lead):].strip()

    def to_json(self) -> dict:
        return {"answer": self.answer, "refused": self.refused,
                "citations": [c.to_json() for c in self.citations],
                "latency_ms": round(self.latency_ms, 3)}

    def with_latency(self, latency_ms: float) -> Answer:
        data = asdict(self)
        data["citations"] = self.citations
        data["latency_ms"] = latency_ms
        return Answer(**data)
