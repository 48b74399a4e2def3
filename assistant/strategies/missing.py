"""A phase, key action or track that the guide does not have ("fase 7", "den 9. handling i
Idéudvikling", "det tredje spor"): say what the guide has instead, with its overview."""

from __future__ import annotations

from assistant import messages
from assistant.answer import Answer
from assistant.compose import Draft
from assistant.layout import GuideMap
from assistant.reading import Reading


def _phase_list(guide: GuideMap, track: str) -> str:
    return ", ".join(f"{n} {guide.title((track, n))}" for n in guide.phases(track))


def answer(reading: Reading, guide: GuideMap) -> Answer | None:
    gap = reading.mentions.missing
    if gap is None:
        return None
    draft = Draft(guide, reading.english)
    if gap.what == "action" and gap.phase is not None:
        actions = guide.actions(gap.phase)
        draft.add_lead(messages.MISSING_ACTION.format(
            place=guide.label(gap.phase), count=len(actions), number=gap.number))
        draft.add(draft.action_list(actions, "Centrale handlinger"), required=True)
        return draft.answer(refused=True)
    if gap.what == "track":
        names = messages.join([guide.track_name(t) for t in guide.tracks])
        draft.add_lead(messages.MISSING_TRACK.format(count=len(guide.tracks), names=names,
                                                     number=gap.number))
        tracks = guide.tracks
    else:
        tracks = (gap.track,) if gap.track else guide.tracks
        if gap.track:
            draft.add_lead(messages.MISSING_PHASE.format(
                track=guide.track_name(gap.track), count=len(guide.phases(gap.track)),
                number=gap.number))
        else:
            have = messages.join([f"{guide.track_name(t)} med {len(guide.phases(t))} faser"
                                  for t in guide.tracks])
            draft.add_lead(messages.MISSING_PHASE_ANY.format(tracks=have, number=gap.number))
    for track in tracks:
        overview = guide.overview(track)
        text = f"{draft.heading(guide.track_name(track))}\n\n"
        text += f"{draft.quote(overview)}\n\n" if overview else ""
        text += f"Faser: {_phase_list(guide, track)}."
        draft.add(text, required=True)
    return draft.answer(refused=True)
