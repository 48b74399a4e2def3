"""Order-aware answers: before and after a key action, the next or previous phase, the first or
last action, and where in its phase an action sits."""

from __future__ import annotations

from assistant.answer import Answer
from assistant.compose import Draft, phase_label
from assistant.understand import BEFORE, PREVIOUS_PHASE, Question, understand
from corpus.model import PURPOSE, WATCH_OUTS
from index.chunking import Chunk
from index.lexical import tokens

BEFORE_WORDS = {"først", "inden", "før", "forudsætning"}
AFTER_WORDS = {"efter", "herefter", "dernæst", "derefter", "bagefter"}


class SequenceAnswers:
    """Mixed into the Responder; uses its Reader state (gmap, analyzer, _match_actions …)."""

    def _when(self, q: Question, known: list[str], scope) -> Answer | None:
        """Where an action sits in its phase: the action with its neighbours, in each track."""
        tracks = {t for t, _ in scope} if scope else None
        wanted = {t for w in known for t in self.analyzer.query_terms(w) if t[0] != "~"}
        matches = self._match_actions(" ".join(known), tracks)
        if not matches or not wanted:
            return None
        have = set(self.analyzer.terms(matches[0].text))
        if len(wanted & have) * 2 < len(wanted):
            return None
        draft = Draft()
        for action in matches:
            key = (action.track, action.phase)
            actions = self.gmap.actions(key)
            draft.heading(phase_label(key, self.gmap))
            draft.text(f"*{action.text}* er handling {action.number} af {len(actions)} i fase "
                       f"{key[1]} {self.gmap.title(key)}:")
            draft.actions([a for a in actions if abs(a.number - action.number) <= 1])
            watch = self._closest(self.gmap.section(key, WATCH_OUTS), wanted, 1)
            if watch:
                draft.text("Vær opmærksom på:")
                draft.paragraphs(watch)
        return draft.answer()

    def _ordinal_action(self, q: Question, phases: list[tuple[str, int]]) -> Answer:
        first = q.action_ordinal == "first"
        keys = phases or [(t, self.gmap.phases(t)[0 if first else -1])
                          for t in (q.tracks or ("ny-ide", "faerdigt-produkt"))]
        draft = Draft()
        for key in keys[:2]:
            actions = self.gmap.actions(key)
            action = actions[0 if first else -1]
            draft.heading(phase_label(key, self.gmap))
            draft.text(f"Den {'første' if first else 'sidste'} centrale handling i fasen er:")
            draft.actions([action])
        return draft.answer()

    def _base_phases(self, q: Question, phases: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """The phase(s) an order question counts from: named in its target, else in context."""
        if q.order_target:
            named = list(understand(q.order_target).phases)
            titled = self._titled_phases(q.order_target)
            if named or titled:
                return named or titled
        return phases

    def _neighbour_phase(self, q: Question, phases: list[tuple[str, int]]) -> Answer | None:
        base = self._base_phases(q, phases)
        if not base:
            return None
        step = -1 if q.order in (PREVIOUS_PHASE, BEFORE) else 1
        draft = Draft()
        for key in base[:2]:
            target = self.gmap.neighbour(key, step)
            if target is None:
                edge = "første" if step < 0 else "sidste"
                draft.heading(phase_label(key, self.gmap))
                draft.text(f"{key[1]} {self.gmap.title(key)} er den {edge} fase i "
                           f"{self.gmap.track_name(key[0])}.")
                draft.text("")
                draft.paragraphs(self.gmap.section(key, PURPOSE)[:1])
                continue
            relation = "Før" if step < 0 else "Efter"
            draft.heading(phase_label(target, self.gmap))
            draft.text(f"{relation} fase {key[1]} {self.gmap.title(key)} kommer fase {target[1]} "
                       f"{self.gmap.title(target)}:")
            draft.text("")
            draft.chunks(self.gmap.section(target, PURPOSE) + self.gmap.actions(target))
        return draft.answer()

    def _before_after(self, q: Question, scope, target_text: str) -> Answer | None:
        target = understand(target_text)
        if self._titled_phases(target_text) or (
                target.phases and not self.topic_words(target.topic_text)[0]):
            return None  # "efter konceptualisering" is about phases
        tracks = {t for t, _ in scope} if scope else None
        matches = self._match_actions(target.topic_text, tracks, set(target.phases) or None)
        if not matches:
            return None
        before = q.order == BEFORE
        draft = Draft()
        for action in matches:
            key = (action.track, action.phase)
            actions = self.gmap.actions(key)
            draft.heading(phase_label(key, self.gmap))
            chosen = [a for a in actions if (a.number <= action.number if before
                                             else a.number >= action.number)]
            if len(chosen) > 1:
                relation = "Før" if before else "Efter"
                draft.text(f"{relation} *{action.text}* (handling {action.number} af "
                           f"{len(actions)}) kommer:" if before else
                           f"{relation} *{action.text}* (handling {action.number} af "
                           f"{len(actions)}) følger:")
                draft.actions(chosen)
            else:
                neighbour = self.gmap.neighbour(key, -1 if before else 1)
                place = "første" if before else "sidste"
                draft.text(f"*{action.text}* er den {place} centrale handling i fasen.")
                draft.actions([action])
                if neighbour is not None:
                    neighbour_actions = self.gmap.actions(neighbour)
                    picked = neighbour_actions[-3:] if before else neighbour_actions[:3]
                    draft.text(f"{'Før' if before else 'Efter'} den kommer "
                               f"{phase_label(neighbour, self.gmap)}:")
                    draft.actions(picked)
            watch = self._cue_watch_outs(key, target.topic_text, BEFORE_WORDS if before
                                         else AFTER_WORDS)
            if watch:
                draft.text("Vær opmærksom på:")
                draft.paragraphs(watch)
        return draft.answer()

    def _cue_watch_outs(self, key, target: str, cue_words: set[str]) -> list[Chunk]:
        """The phase's watch-out about the target, preferring one that speaks of order."""
        wanted = set(self.analyzer.query_terms(target))
        best = []
        for c in self.gmap.section(key, WATCH_OUTS):
            overlap = len(wanted & self.terms_of(c))
            if overlap:
                best.append((bool(set(tokens(c.text)) & cue_words), overlap, -c.position, c))
        best.sort(key=lambda t: t[:3], reverse=True)
        return [t[3] for t in best[:1]]
