"""Writes of the search index: documents, embeddings and stored Similar Q&A links."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from questions.models import Question, Reply
from questions.pagecache import pages_changed

from . import ranking
from .embeddings import MODEL_NAME, MODEL_VERSION, embed
from .models import IndexState, QuestionEmbedding, SearchDocument, SimilarQuestion
from .pair_encoder import embed_for_pairs, pair_version
from .text import question_text, split_cjk

SIMILAR_LIMIT = 5


def questions_index(*, question_ids: Sequence[int]) -> list[int]:
    """Bring the index up to date for these questions: public ones are (re)indexed, others removed.

    Words are stored (and committed) before the embeddings are computed, so a question whose
    embedding fails stays findable by its words until a retry succeeds. Returns the ids of the
    public questions that were indexed.
    """
    questions = list(Question.objects.filter(pk__in=question_ids).order_by("pk"))
    public = [q for q in questions if q.is_public]
    gone = set(question_ids) - {q.pk for q in public}
    replies = {
        r.question_id: r.body
        for r in Reply.objects.filter(question__in=public, hidden_at__isnull=True).only("question_id", "body")
    }
    with transaction.atomic():
        if gone:
            SearchDocument.objects.filter(question_id__in=gone).delete()
            QuestionEmbedding.objects.filter(question_id__in=gone).delete()
            SimilarQuestion.objects.filter(question_id__in=gone).delete()
            SimilarQuestion.objects.filter(similar_id__in=gone).delete()
            IndexState.bump()
        # One statement for the batch; the FTS5 triggers (SQLite) and the tsvector (PostgreSQL) follow.
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    question_id=question.pk,
                    department_id=question.department_id,
                    title=split_cjk(question.display_title),
                    body=split_cjk(question.public_body),
                    reply=split_cjk(replies.get(question.pk, "")),
                )
                for question in public
            ],
            update_conflicts=True,
            unique_fields=["question"],
            update_fields=["department_id", "title", "body", "reply"],
        )
    if not public:
        return []
    texts = [question_text(q) for q in public]
    vectors, pair_vectors = embed(texts), embed_for_pairs(texts)
    with transaction.atomic():
        QuestionEmbedding.objects.bulk_create(
            [
                QuestionEmbedding(
                    question_id=question.pk,
                    model_name=MODEL_NAME,
                    model_version=MODEL_VERSION,
                    vector=vector.tobytes(),
                    pair_version=pair_version(),
                    pair_vector=pair_vector.tobytes(),
                )
                for question, vector, pair_vector in zip(public, vectors, pair_vectors, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["question"],
            update_fields=["model_name", "model_version", "vector", "pair_version", "pair_vector", "updated_at"],
        )
        IndexState.bump()
    return [q.pk for q in public]


def similar_refresh(*, question: Question) -> list[SimilarQuestion]:
    """Recompute and store the Similar Q&A links of one public question."""
    embedding = QuestionEmbedding.objects.filter(question=question).first()
    if embedding is None or not question.is_public:
        SimilarQuestion.objects.filter(question=question).delete()
        return []
    hits = ranking.similar_questions(
        question_text(question),
        vector=embedding.as_array(),
        pair_vector=embedding.pair_array(pair_version()),
        exclude=[question.pk],
        limit=SIMILAR_LIMIT,
    )
    links = [
        SimilarQuestion(question=question, similar_id=hit.question_id, score=hit.score, rank=rank)
        for rank, hit in enumerate(hits)
    ]
    with transaction.atomic():
        SimilarQuestion.objects.filter(question=question).delete()
        SimilarQuestion.objects.bulk_create(links)
    pages_changed(question_ids=[question.pk])
    return links
