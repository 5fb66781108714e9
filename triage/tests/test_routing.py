"""The department router trained on its seed descriptions alone (no shared data, no database)."""

import importlib
import json
from collections.abc import Sequence

import numpy as np
import pytest

from search.embeddings import embed
from triage.department_profiles import PROFILES
from triage.routing import RouterModel, seed_examples, train

DEPARTMENTS = [slug for slug, _, _ in importlib.import_module("departments.migrations.0002_departments").DEPARTMENTS]
_vectors: dict[str, np.ndarray] = {}


def cached_embed(texts: Sequence[str]) -> np.ndarray:
    """Embeds the seed phrases once for the whole module rather than once per training."""
    missing = [text for text in dict.fromkeys(texts) if text not in _vectors]
    if missing:
        _vectors.update(zip(missing, embed(missing), strict=True))
    return np.array([_vectors[text] for text in texts])


@pytest.fixture(scope="module")
def model() -> RouterModel:
    return train([], DEPARTMENTS, seeds=seed_examples([("urology", "Prostate", "攝護腺")]), embedder=cached_embed)


def slugs(suggestions: list[tuple[str, float]]) -> list[str]:
    return [slug for slug, _ in suggestions]


def test_every_department_has_a_profile():
    assert set(PROFILES) == set(DEPARTMENTS)
    assert all(10 <= len(phrases) <= 30 for phrases in PROFILES.values())


def test_seed_examples_include_topic_names_in_both_languages():
    examples = seed_examples([("urology", "Prostate", "攝護腺")])
    assert ("Prostate", "urology") in examples
    assert ("攝護腺", "urology") in examples


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("Burning when I pee and blood in urine", "urology"),
        ("Itchy red rash on my arms", "dermatology"),
        ("My period is two weeks late and the pregnancy test is negative", "obstetrics-gynecology"),
        ("I have a toothache and my gums bleed when I brush", "dentistry"),
        ("小便會痛，尿裡面有血", "urology"),
        ("牙齒痛，牙齦流血", "dentistry"),
    ],
)
def test_obvious_questions_route_right(model, text, department):
    assert model.predict(text)[0][0] == department


def test_chest_pain_on_stairs_suggests_cardiology(model):
    assert "cardiology" in slugs(model.predict("Chest pain when climbing stairs"))


def test_confidences_are_sorted_probabilities(model):
    for suggestions in model.predict_many(["knee pain after running", "I feel anxious all the time"], k=5):
        confidences = [confidence for _, confidence in suggestions]
        assert len(suggestions) == 5
        assert confidences == sorted(confidences, reverse=True)
        assert all(0.0 <= c <= 1.0 for c in confidences)
        assert sum(confidences) <= 1.0 + 1e-6


def test_blank_text_gets_no_suggestion(model):
    assert model.predict("   ") == []
    assert model.predict_many(["", "blurred vision"])[0] == []


def test_stored_model_predicts_the_same(model):
    texts = ["Burning when I pee", "頭痛、頭暈", "Itchy red rash on my arms and a cough"]
    restored = RouterModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert restored.predict_many(texts, k=5) == model.predict_many(texts, k=5)


def test_a_model_for_another_embedding_is_refused(model):
    stored = model.to_dict() | {"embedding": "some-other-model/1"}
    with pytest.raises(ValueError, match="retrain"):
        RouterModel.from_dict(stored)


def test_history_teaches_a_new_association():
    # Seeds put "jet lag" nowhere in particular; a history of answered questions decides.
    history = [(f"jet lag after a long flight, question {i}", "family-medicine") for i in range(20)]
    taught = train(history, DEPARTMENTS, seeds=seed_examples(), embedder=cached_embed)
    assert taught.predict("terrible jet lag after my flight")[0][0] == "family-medicine"
    assert taught.trained_on["history"] == 20


def test_unknown_labels_are_skipped():
    taught = train(
        [("blurred vision", "no-such-department")], DEPARTMENTS, seeds=seed_examples(), embedder=cached_embed
    )
    assert taught.trained_on["skipped"] == 1
    assert taught.trained_on["history"] == 0
