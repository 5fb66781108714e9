import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from search.embeddings import DIMENSIONS, embed
from search.mpnet import get_mpnet
from search.pair_encoder import embed_for_pairs
from search.pairs import (
    FAQ_FEATURE_NAMES,
    FEATURE_NAMES,
    PairScorer,
    faq_types,
    focus_terms,
    get_faq_scorer,
    get_scorer,
    mostly_chinese,
    score_pairs,
    sentences,
)

ALCOHOL = "How long after my last dose of amoxicillin can I drink alcohol?"
ALCOHOL_AGAIN = "I took my last amoxicillin tablet this morning. When is it safe to have a drink?"
AMOXICILLIN_SIDE_EFFECTS = "What are the common side effects of amoxicillin in children?"
KNEE = "What exercises can help my knee pain from runner's knee?"
KNEE_AGAIN = "My doctor says I have runner's knee. Which exercises should I do at home to ease the pain?"
KNEE_SURGERY = "Do I need surgery for runner's knee?"


def test_the_scorer_loads_and_has_one_weight_per_feature():
    scorer = get_scorer()
    assert isinstance(scorer, PairScorer)
    vectors, both = embed([KNEE, KNEE_AGAIN]), embed_for_pairs([KNEE, KNEE_AGAIN])
    features = scorer.features([(KNEE, KNEE_AGAIN)], vectors[None], both[None])
    assert features.shape == (1, len(FEATURE_NAMES))
    tuned, second = both[:, :DIMENSIONS], get_mpnet().encode([KNEE, KNEE_AGAIN])
    assert features[0, FEATURE_NAMES.index("tuned_cosine")] == pytest.approx(float(tuned[0] @ tuned[1]), abs=1e-5)
    assert features[0, FEATURE_NAMES.index("cosine")] == pytest.approx(float(vectors[0] @ vectors[1]), abs=1e-5)
    assert features[0, FEATURE_NAMES.index("mpnet_cosine")] == pytest.approx(float(second[0] @ second[1]), abs=1e-5)


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
    assert scores[2] == scores[4] == 0.0  # a side of no words asks nothing
    assert scores[3] > 0.9
    assert score_pairs([(b, a) for a, b in pairs]) == pytest.approx(scores, abs=1e-6)
    assert score_pairs([]) == []


HEADACHE_ZH = "最近三天頭痛得很厲害，吃了止痛藥也沒有用，請問頭痛一直不好要怎麼辦？"
HEADACHE_ZH_AGAIN = "頭痛已經三天了，止痛藥吃了還是痛，該怎麼辦？"
RASH_ZH = "全身起紅疹很癢，晚上特別嚴重，是過敏嗎？"
SORE_THROAT_ZH = "我三天前開始喉嚨痛，吞口水很痛，還有一點發燒，需要吃抗生素嗎？"
HEADACHE_EN = "I have had a headache for three days and painkillers do not help. What should I do?"


def test_chinese_pairs_are_scored_by_their_shared_characters():
    # MiniLM puts any two Chinese texts close together, so its cosine cannot tell these apart.
    same, rash, throat, english = score_pairs(
        [
            (HEADACHE_ZH, HEADACHE_ZH_AGAIN),
            (HEADACHE_ZH, RASH_ZH),
            (HEADACHE_ZH, SORE_THROAT_ZH),
            (HEADACHE_ZH, HEADACHE_EN),
        ]
    )
    assert same > 0.5
    assert rash < 0.2 and throat < 0.2  # below Similar Q&A's gate
    assert english < 0.01  # no shared characters: no evidence either way
    assert mostly_chinese(HEADACHE_ZH) and not mostly_chinese(HEADACHE_EN) and not mostly_chinese("")
    assert mostly_chinese("頭痛 MRI 報告正常嗎") and not mostly_chinese("Is my MRI of 頭 normal?")


def test_precomputed_vectors_give_the_same_scores():
    scorer = get_scorer()
    texts = [KNEE, KNEE_AGAIN, KNEE_SURGERY]
    vectors, tuned = embed(texts), embed_for_pairs(texts)
    pairs = [(KNEE, KNEE_AGAIN), (KNEE, KNEE_SURGERY)]
    given = scorer.score(pairs, vectors[[[0, 1], [0, 2]]], tuned[[[0, 1], [0, 2]]])
    assert given == pytest.approx(score_pairs(pairs), abs=1e-5)
    assert given[0] > given[1]
    with pytest.raises(ValueError):
        scorer.score([(KNEE, KNEE_AGAIN)], vectors[[[0, 1], [0, 2]]], tuned[[[0, 1], [0, 2]]])


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


def test_the_command_refuses_missing_files_and_bad_batch_sizes(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps({"question_1": KNEE, "question_2": KNEE_AGAIN}) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot read"):
        run_command(tmp_path / "missing.jsonl")
    with pytest.raises(CommandError, match="batch-size"):
        run_command(path, "--batch-size", "0")


def test_features_do_not_depend_on_the_batch():
    scorer = get_scorer()
    texts = [ALCOHOL, ALCOHOL_AGAIN, KNEE]
    vectors, tuned = embed(texts), embed_for_pairs(texts)
    alone = scorer.features([(ALCOHOL, ALCOHOL_AGAIN)], vectors[[[0, 1]]], tuned[[[0, 1]]])
    batched = scorer.features(
        [(KNEE, ALCOHOL), (ALCOHOL, ALCOHOL_AGAIN)], vectors[[[2, 0], [0, 1]]], tuned[[[2, 0], [0, 1]]]
    )
    np.testing.assert_allclose(alone[0], batched[1], rtol=1e-5, atol=1e-6)


# A consumer's question: a story, a misspelt name, the ask in the middle.
GOUT_STORY = (
    "Gout. Hello, I am 52 and work on my feet all day. My big toe swelled up last night and the doctor said it "
    "is gowt again. What medicine can I take to get rid of it faster? I already take pills for blood pressure."
)
GOUT_TREATED = "How is gout treated?"
GOUT_CAUSES = "What causes gout?"
ECZEMA_TREATED = "What are the treatments for eczema?"
SHINGLES_VACCINE = "Who should get the shingles vaccine?"


def test_faq_questions_are_read_for_their_focus_and_answer_type():
    assert faq_types(GOUT_TREATED) == {"treatment"}
    assert faq_types("What is (are) Marfan syndrome ?") == {"information"}
    assert faq_types("Is Marfan syndrome inherited ?") == {"genetics"}
    assert focus_terms("What are the symptoms of Marfan syndrome ?") == {"marfan", "syndrome"}
    assert focus_terms(GOUT_TREATED) == {"gout"}
    assert sentences("Gout. It hurts! What helps?") == ["Gout.", "It hurts!", "What helps?"]
    assert sentences("") == [""]


def test_the_faq_that_answers_a_messy_question_scores_highest():
    treated, causes, other_focus, unrelated = score_pairs(
        [
            (GOUT_STORY, GOUT_TREATED),
            (GOUT_STORY, GOUT_CAUSES),
            (GOUT_STORY, ECZEMA_TREATED),
            (GOUT_STORY, SHINGLES_VACCINE),
        ],
        kind="faq",
    )
    assert treated > 0.5
    assert treated > causes and treated > other_focus > unrelated
    assert unrelated < 0.5


def test_faq_scores_are_probabilities_with_one_feature_row_per_pair():
    pairs = [(GOUT_STORY, GOUT_TREATED), ("", ""), ("?", "What is it?"), (KNEE, KNEE), (GOUT_STORY, "?!")]
    scores = score_pairs(pairs, kind="faq")
    assert len(scores) == len(pairs)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[1] == scores[2] == scores[4] == 0.0  # nothing asked, or an FAQ of no words, answers nothing
    assert score_pairs([], kind="faq") == []
    texts = list(dict.fromkeys(t for c, f in pairs for t in (c, f, *sentences(c))))
    vectors = dict(zip(texts, embed(texts), strict=True))
    assert get_faq_scorer().features(pairs, vectors).shape == (len(pairs), len(FAQ_FEATURE_NAMES))
    with pytest.raises(ValueError, match="unknown kind"):
        score_pairs(pairs, kind="topic")


def test_the_command_scores_faq_pairs_and_names_bad_lines(tmp_path):
    lines = [
        json.dumps({"question_1": GOUT_STORY, "question_2": SHINGLES_VACCINE}),
        "[1, 2]",
        json.dumps({"question_1": GOUT_STORY, "question_2": GOUT_TREATED}),
    ]
    path = tmp_path / "faq.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    output, warnings = run_command(path, "--kind", "faq")

    scores = [row["score"] for row in output]
    assert len(scores) == 3
    assert scores[1] == 0.0 and "line 2" in warnings
    assert scores[2] > scores[0]
    expected = score_pairs([(GOUT_STORY, SHINGLES_VACCINE), (GOUT_STORY, GOUT_TREATED)], kind="faq")
    assert [scores[0], scores[2]] == pytest.approx(expected, abs=1e-5)
