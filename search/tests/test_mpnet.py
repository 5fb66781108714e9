import numpy as np

from search import mpnet
from search.mpnet import get_mpnet

KNEE = "My knee hurts when I climb stairs. What could it be?"
KNEE_AGAIN = "What causes knee pain that gets worse going up steps?"
RASH = "Is a red itchy rash after starting amoxicillin an allergy?"


def test_vectors_are_unit_length_and_rank_a_paraphrase_above_another_problem():
    vectors = get_mpnet().encode([KNEE, KNEE_AGAIN, RASH])
    assert vectors.shape == (3, mpnet.DIMENSIONS) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2


def test_a_text_gets_the_same_vector_alone_and_padded_in_a_batch():
    long = " ".join([KNEE] * 6)
    batched = get_mpnet().encode([KNEE, long, RASH, ""])
    alone = np.stack([get_mpnet().encode([text])[0] for text in (KNEE, long, RASH, "")])
    np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_relative_positions_fall_in_exact_then_log_spaced_buckets():
    buckets = mpnet._buckets(200)
    # Row is the query, column the key; keys after the query use the upper half of the buckets.
    assert [int(buckets[199, 199 - n]) for n in (0, 1, 7, 8, 16, 127, 199)] == [0, 1, 7, 8, 10, 15, 15]
    assert [int(buckets[0, n]) for n in (1, 7, 8, 16, 99, 199)] == [17, 23, 24, 26, 31, 31]
