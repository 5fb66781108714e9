import json

import numpy as np
import pytest

from search import pair_encoder
from search.embeddings import DIMENSIONS, Encoder, embed
from search.pair_encoder import PAIR_DIMENSIONS, AdapterError, embed_for_pairs, graph_weights, load_adapter, quantise

ALCOHOL = "How long after my last dose of amoxicillin can I drink alcohol?"
ALCOHOL_AGAIN = "I took my last amoxicillin tablet this morning. When is it safe to have a drink?"
AMOXICILLIN_SIDE_EFFECTS = "What are the common side effects of amoxicillin in children?"
TEXTS = [ALCOHOL, ALCOHOL_AGAIN, AMOXICILLIN_SIDE_EFFECTS, "頭痛三天了", ""]


def test_a_zero_update_runs_exactly_the_packaged_model():
    """The adapter's matrices land where the graph keeps them: with no update, the merged and re-quantised
    weights give the packaged model's vectors (a matrix in the wrong place would not)."""
    meta, arrays = load_adapter()
    zero = {key: np.zeros_like(value) if key.endswith(".B") else value for key, value in arrays.items()}
    vectors = Encoder(weights=graph_weights(meta, zero)).encode(TEXTS)
    np.testing.assert_allclose(vectors, embed(TEXTS), atol=1e-5)


def test_the_shipped_encoder_is_tuned_and_separates_same_question_from_same_topic():
    both, plain = embed_for_pairs(TEXTS), embed(TEXTS)
    assert both.shape == (len(TEXTS), PAIR_DIMENSIONS)
    tuned = both[:, :DIMENSIONS]  # then all-mpnet-base-v2's vector (test_mpnet.py)
    np.testing.assert_allclose(np.linalg.norm(tuned, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(tuned, plain, atol=1e-3)
    same, other = float(tuned[0] @ tuned[1]), float(tuned[0] @ tuned[2])
    assert same - other > float(plain[0] @ plain[1]) - float(plain[0] @ plain[2])


def test_quantise_keeps_each_column_within_half_a_step():
    weight = np.random.default_rng(0).normal(size=(384, 96)).astype(np.float32)
    quantised, scale = quantise(weight)
    assert quantised.dtype == np.int8 and scale.shape == (1, 96)
    assert np.abs(quantised.astype(np.float32) * scale - weight).max() <= scale.max() / 2 + 1e-6


def test_a_missing_or_foreign_adapter_is_refused(tmp_path):
    with pytest.raises(AdapterError, match="missing"):
        load_adapter(tmp_path / "none.npz")
    meta, arrays = load_adapter()
    for change in ({"format": 99}, {"base_model": "another-model"}):
        path = tmp_path / "adapter.npz"
        np.savez(path, **{"meta": np.array(json.dumps({**meta, **change})), **arrays})  # type: ignore[arg-type]
        with pytest.raises(AdapterError):
            load_adapter(path)


def test_the_version_names_the_adapter_file():
    assert len(pair_encoder.pair_version()) == 16
