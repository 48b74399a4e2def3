"""Answers about a whole place in the guide: a phase, a track, the counts and the layout, and
the refusal that points to the nearest place when the guide lacks the detail asked for."""

from __future__ import annotations

from assistant.answer import Answer
from assistant.compose import Draft, phase_label
from assistant.retrieve import Hit
from assistant.understand import Question
from corpus.model import KEY_ACTIONS, PURPOSE, WATCH_OUTS
from index.chunking import Chunk

TRACK_OVERVIEW = "Om sporet"


class PlaceAnswers:
    """Mixed into the Responder; uses its Reader state (gmap, index, place_terms, _closest)."""

    def _tracks(self, tracks: tuple[str, ...]) -> Answer:
        """What each track is for and its phases."""
        draft = Draft()
        for track in tracks:
            draft.heading(self.gmap.track_name(track))
            overview = self.gmap.place((track, None, TRACK_OVERVIEW))
            draft.paragraphs(self._foreword_item(track) + overview[:1])
            draft.text(f"Faser: {self._phase_list(track)}.")
        return draft.answer()

    def _phase_list(self, track: str) -> str:
        """The phases in order: 1 Idéudvikling, 2 Konceptualisering, …"""
        return ", ".join(f"{n} {self.gmap.title((track, n))}" for n in self.gmap.phases(track))

    def _foreword_item(self, track: str) -> list[Chunk]:
        """The foreword's line about a track: "Ny idé: Sådan udvikler du … (5 faser)"."""
        return [c for c in self.gmap.place(("intro", None, "Forord"))
                if c.text.startswith(self.gmap.track_name(track) + ":")][:1]

    def _structure(self, q: Question) -> Answer:
        draft = Draft()
        if q.phases:
            for key in q.phases:
                actions = self.gmap.actions(key)
                draft.heading(phase_label(key, self.gmap))
                draft.text(f"Fasen har {len(actions)} centrale handlinger:")
                draft.actions(actions)
            return draft.answer()
        for track in q.tracks or ("ny-ide", "faerdigt-produkt"):
            phases = self.gmap.phases(track)
            draft.heading(self.gmap.track_name(track))
            draft.paragraphs(self._foreword_item(track))
            draft.text(f"{self.gmap.track_name(track)} har {len(phases)} faser: "
                       f"{self._phase_list(track)}.")
        return draft.answer()

    def _layout(self, key: tuple[str, int]) -> Answer:
        """How a phase is laid out, shown on one phase."""
        draft = Draft()
        draft.text("Hver fase i guiden har et formål og to afsnit: *Centrale handlinger* (i "
                   "rækkefølge) og *Vær opmærksom på*. Fx:")
        draft.heading(phase_label(key, self.gmap))
        draft.chunks(self.gmap.section(key, PURPOSE) + self.gmap.actions(key)
                     + self.gmap.section(key, WATCH_OUTS)[:1])
        return draft.answer()

    def _overview(self, phases: list[tuple[str, int]], kind: str | None,
                  start: bool = False, focus: list[str] | None = None) -> Answer:
        """A named phase: purpose and key actions, with all its watch-outs, or with those about
        the question's topic (`focus`) when it has one."""
        draft = Draft()
        wanted = {t for t in focus or [] if t not in self.place_terms}
        for key in phases:
            draft.heading(phase_label(key, self.gmap))
            if start:
                draft.text(f"Rejsen begynder med fase {key[1]} {self.gmap.title(key)}.")
                draft.text("")
            watch = self.gmap.section(key, WATCH_OUTS)
            if wanted:
                watch = self._closest(watch, wanted, 2)
            if kind == WATCH_OUTS:
                draft.text("Vær opmærksom på:")
                draft.paragraphs(self.gmap.section(key, WATCH_OUTS))
            elif kind == KEY_ACTIONS and not wanted:
                draft.paragraphs(self.gmap.section(key, PURPOSE))
                draft.text("Centrale handlinger:")
                draft.actions(self.gmap.actions(key))
            else:
                draft.chunks(self.gmap.section(key, PURPOSE) + self.gmap.actions(key) + watch)
        return draft.answer()

    def _unsupported_detail(self, q: Question, hits: list[Hit]) -> Answer:
        best = hits[0].chunk
        if q.legal_detail:
            what = "lovgivningens detaljer (artikler, paragraffer, risikoklasser)"
        elif q.recommend:
            what = "konkrete leverandører, organer, fonde eller produkter"
        else:
            what = "tal, beløb, varigheder eller datoer for det"
        draft = Draft()
        draft.text(f"Det dækker guiden ikke: AI-rejsen angiver ikke {what}. "
                   f"Det nærmeste, guiden siger, står i *{best.path}*:")
        draft.text("")
        draft.chunks([best])
        return draft.answer(refused=True)
