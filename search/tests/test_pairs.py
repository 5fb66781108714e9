import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from search.embeddings import embed
from search.pairs import FEATURE_NAMES, PairScorer, get_scorer, score_pairs

ALCOHOL = "How long after my last dose of amoxicillin can I drink alcohol?"
ALCOHOL_AGAIN = "I took my last amoxicillin tablet this morning. When is it safe to have a drink?"
AMOXICILLIN_SIDE_EFFECTS = "What are the common side effects of amoxicillin in children?"
KNEE = "What exercises can help my knee pain from runner's knee?"
KNEE_AGAIN = "My doctor says I have runner's knee. Which exercises should I do at home to ease the pain?"
KNEE_SURGERY = "Do I need surgery for runner's knee?"


def test_the_scorer_loads_and_has_one_weight_per_feature():
    scorer = get_scorer()
    assert isinstance(scorer, PairScorer)
    vectors = embed([KNEE, KNEE_AGAIN])
    features = scorer.features([(KNEE, KNEE_AGAIN)], vectors[:1], vectors[1:])
    assert features.shape == (1, len(FEATURE_NAMES))


def test_a_paraphrase_scores_above_the_same_topic_asking_something_else():
    paraphrase, other_ask, knee_paraphrase, knee_other = score_pairs(
        [(ALCOHOL, ALCOHOL_AGAIN), (ALCOHOL, AMOXICILLIN_SIDE_EFFECTS), (KNEE, KNEE_AGAIN), (KNEE, KNEE_SURGERY)]
    )
    assert paraphrase > 0.5 > other_ask
    assert knee_paraphrase > 0.5 > knee_other


def test_scores_are_probabilities_and_symmetric():
    pairs = [(ALCOHOL, ALCOHOL_AGAIN), (KNEE, AMOXICILLIN_SIDE_EFFECTS), ("", ""), (KNEE, KNEE), ("?", "42 mg")]
    scores = score_pairs(pairs)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert score_pairs([(b, a) for a, b in pairs]) == pytest.approx(scores, abs=1e-6)
    assert score_pairs([]) == []


def test_precomputed_vectors_give_the_same_scores():
    scorer = get_scorer()
    vectors = embed([KNEE, KNEE_AGAIN, KNEE_SURGERY])
    ranked = scorer.rank(KNEE, vectors[0], [KNEE_AGAIN, KNEE_SURGERY], vectors[1:])
    assert ranked == pytest.approx(score_pairs([(KNEE, KNEE_AGAIN), (KNEE, KNEE_SURGERY)]), abs=1e-5)
    assert ranked[0] > ranked[1]
    pairs = [(KNEE, KNEE_AGAIN), (KNEE, KNEE_SURGERY)]
    given = scorer.score(pairs, [(vectors[0], vectors[1]), (vectors[0], vectors[2])])
    assert given == pytest.approx(ranked, abs=1e-6)
    with pytest.raises(ValueError):
        scorer.score([(KNEE, KNEE_AGAIN)], [(vectors[0], vectors[1]), (vectors[0], vectors[2])])


def run_command(path, *args):
    out, err = StringIO(), StringIO()
    call_command("score_pairs", str(path), *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_the_command_prints_one_line_per_pair_in_order(tmp_path):
    pairs = [(KNEE, KNEE_AGAIN), (ALCOHOL, AMOXICILLIN_SIDE_EFFECTS), (ALCOHOL, ALCOHOL_AGAIN), (KNEE, KNEE_SURGERY)]
    lines = [json.dumps({"question_1": a, "question_2": b}) for a, b in pairs]
    lines[2:2] = ["", "{not json", json.dumps({"question_1": KNEE})]  # a blank line is skipped, bad lines score 0
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    output, warnings = run_command(path, "--batch-size", "2")

    expected = score_pairs(pairs)
    scores = [row["score"] for row in output]
    assert len(scores) == 6
    assert scores[:2] == pytest.approx(expected[:2], abs=1e-5)
    assert scores[2:4] == [0.0, 0.0]
    assert scores[4:] == pytest.approx(expected[2:], abs=1e-5)
    assert "line 4" in warnings and "line 5" in warnings


def test_the_command_refuses_faq_pairs_and_missing_files(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps({"question_1": KNEE, "question_2": KNEE_AGAIN}) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not available yet"):
        run_command(path, "--kind", "faq")
    with pytest.raises(CommandError, match="cannot read"):
        run_command(tmp_path / "missing.jsonl")


def test_features_do_not_depend_on_the_batch():
    scorer = get_scorer()
    vectors = embed([ALCOHOL, ALCOHOL_AGAIN, KNEE])
    alone = scorer.features([(ALCOHOL, ALCOHOL_AGAIN)], vectors[:1], vectors[1:2])
    batched = scorer.features([(KNEE, ALCOHOL), (ALCOHOL, ALCOHOL_AGAIN)], vectors[[2, 0]], vectors[[0, 1]])
    np.testing.assert_allclose(alone[0], batched[1], rtol=1e-6)
