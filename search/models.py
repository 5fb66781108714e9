from __future__ import annotations

import numpy as np
from django.db import models

from questions.models import Question


class QuestionEmbedding(models.Model):
    """The meaning vector of a published question's public text (float32 bytes)."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, primary_key=True, related_name="embedding")
    model_name = models.CharField(max_length=64)
    model_version = models.CharField(max_length=16)
    vector = models.BinaryField()
    # The same text by the pair encoder (search/pair_encoder.py), for the Similar Q&A pair scorer; empty
    # until indexed by a version with one, and recomputed when `pair_version` is not the encoder's.
    pair_version = models.CharField(max_length=32, blank=True)
    pair_vector = models.BinaryField(null=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.model_name}:{self.model_version} for question {self.question_id}"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)

    def pair_array(self, version: str) -> np.ndarray | None:
        """The pair-encoder vector, if there is one from encoder `version`."""
        if self.pair_vector is None or self.pair_version != version:
            return None
        return np.frombuffer(bytes(self.pair_vector), dtype=np.float32)


class SearchDocument(models.Model):
    """The public words of a published question, indexed for full-text search.

    SQLite keeps an FTS5 table in step with this one by triggers; PostgreSQL has a GIN index on
    its tsvector (both created in this app's migrations). The text is pre-split so that Chinese
    characters are separate words for both engines.
    """

    question = models.OneToOneField(Question, on_delete=models.CASCADE, primary_key=True, related_name="+")
    department_id = models.BigIntegerField(null=True, db_index=True)
    title = models.TextField()
    body = models.TextField()
    reply = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search document for question {self.question_id}"


class SimilarQuestion(models.Model):
    """A stored Similar Q&A link, computed by a background task when a question changes."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="similar_links")
    similar = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["question", "rank"]
        constraints = [models.UniqueConstraint(fields=["question", "similar"], name="similar_unique_pair")]

    def __str__(self) -> str:
        return f"{self.question_id} ~ {self.similar_id} ({self.score:.2f})"


class IndexState(models.Model):
    """One row whose version goes up whenever stored embeddings change.

    Web processes poll this single row to know when to reload their in-memory vector index,
    instead of counting the embeddings table on every check.
    """

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"search index version {self.version}"

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0
