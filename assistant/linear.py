"""A fitted logistic model on disk (the ranker's, the scope decision's): its weights, its bias,
any extra numbers, and a description (`meta`: the embedder it was fitted with, its feature names,
a version). It is loaded only when the description is the one the running code expects, so a
model fitted for other features or another embedder is never used."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.expansion import artefact_path


def save_linear(kind: str, folder: Path, embedding_model: str, weights: np.ndarray,
                bias: float, meta: tuple[str, ...], **extra: float) -> Path:
    path = artefact_path(folder, kind, embedding_model)
    np.savez(path, weights=weights.astype(np.float32), bias=np.float32(bias),
             **{name: np.float32(value) for name, value in extra.items()}, meta=np.array(meta))
    return path


def load_linear(kind: str, folder: Path, embedding_model: str, meta: tuple[str, ...]):
    """The saved arrays (weights as float32, bias and extras as floats), or None when there is
    no such file or it describes another model."""
    path = artefact_path(folder, kind, embedding_model)
    if not path.is_file():
        return None
    data = np.load(path)
    if tuple(str(x) for x in data["meta"]) != meta:
        return None
    return {name: data[name].astype(np.float32) if name == "weights" else float(data[name])
            for name in data.files if name != "meta"}
