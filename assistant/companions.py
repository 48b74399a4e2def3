"""Which watch-out explains a key action, learned from the question bank.

The bank's questions about a key action ("hvordan skalerer vi?") and those about a watch-out
of the same phase ("kan produktet bruges på andre afdelinger?") are asked in the same words
when the watch-out explains the action. So each action is paired with the watch-out whose
questions lie closest to the centre of the action's questions. An answer that names an action
without words of its own ("den sidste handling i fasen", "den sidste af dem – hvad går den
ud på?") quotes that watch-out beside it.
"""

from __future__ import annotations

import numpy as np

from corpus.model import KEY_ACTIONS, WATCH_OUTS
from index.chunking import Chunk

# The mean of the closest few questions about a watch-out: one stray question is no pairing.
CLOSEST = 5


def explains(chunks: tuple[Chunk, ...], key_chunks: list[tuple[int, ...]],
             key_vectors: np.ndarray) -> dict[str, str]:
    """Key action id → watch-out id, for the actions and watch-outs the bank asks about.
    `key_chunks[i]` are the chunk positions bank question i is about; `key_vectors[i]` its
    unit vector."""
    asked: dict[int, list[int]] = {}
    for i, about in enumerate(key_chunks):
        for position in about:
            asked.setdefault(position, []).append(i)
    watch_outs: dict[tuple, list[int]] = {}
    for position, c in enumerate(chunks):
        if c.kind == WATCH_OUTS and position in asked:
            watch_outs.setdefault((c.track, c.phase), []).append(position)
    out: dict[str, str] = {}
    for position, c in enumerate(chunks):
        candidates = watch_outs.get((c.track, c.phase), [])
        if c.kind != KEY_ACTIONS or position not in asked or not candidates:
            continue
        centre = key_vectors[asked[position]].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        closeness = [float(np.sort(key_vectors[asked[w]] @ centre)[-CLOSEST:].mean())
                     for w in candidates]
        out[c.id] = chunks[candidates[int(np.argmax(closeness))]].id
    return out
