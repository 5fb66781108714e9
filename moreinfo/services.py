"""Every write of the reference library and of More Info goes through these functions."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import DoctorProfile
from audit.models import Action
from audit.services import record
from questions.models import Question, Reply
from questions.pagecache import pages_changed
from search.embeddings import MODEL_NAME, MODEL_VERSION, embed
from search.text import question_text

from .generators import TYPE_SECTIONS, Generator, Source, get_generator, split_units, urgency
from .importer import ArticleEntry
from .matching import Match, article_text, match_articles
from .models import SECTION_ORDER, ArticleEmbedding, DraftSentence, MoreInfo, ReferenceArticle, StaleReason

logger = logging.getLogger(__name__)

RELATED_LIMIT = 5  # Related FAQ links on a question page
FOCUS_LIMIT = 2  # conditions (MedQuAD "focus") whose articles a draft may draw on
SOURCE_LIMIT = 6  # articles given to a generator
URGENT_SOURCE_LIMIT = 2  # more articles given to it for what they say about getting care urgently
MAX_SENTENCE_CHARS = 1000


class MoreInfoError(Exception):
    """A rule of the review refused the action; the message is shown to the doctor."""


# --- The reference library ------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    unchanged: int = 0


@transaction.atomic
def articles_import(*, entries: Sequence[ArticleEntry], source: str, licence: str, attribution: str) -> ImportResult:
    """Add new articles and update changed ones (by external id within `source`); same ones are left alone.

    A changed or re-appearing article makes the More Info that uses it stale (see `sources_changed`).
    """
    result = ImportResult()
    existing = {
        a.external_id: a
        for a in ReferenceArticle.objects.filter(source=source, external_id__in=[e.external_id for e in entries])
    }
    now = timezone.now()
    fresh: dict[str, ReferenceArticle] = {}
    changed: list[ReferenceArticle] = []
    for entry in entries:
        content_hash = entry.content_hash(licence=licence, attribution=attribution)
        values = {
            "publisher": entry.publisher,
            "title": entry.title,
            "question": entry.question,
            "question_type": entry.question_type,
            "answer": entry.answer,
            "url": entry.url,
            "licence": licence,
            "attribution": attribution,
            "content_hash": content_hash,
        }
        article = existing.get(entry.external_id)
        if article is None:
            if entry.external_id not in fresh:
                fresh[entry.external_id] = ReferenceArticle(
                    source=source, external_id=entry.external_id, imported_at=now, changed_at=now, **values
                )
        elif article.content_hash != content_hash or article.withdrawn_at is not None:
            for name, value in values.items():
                setattr(article, name, value)
            article.changed_at = now
            article.withdrawn_at = None
            changed.append(article)
        else:
            result.unchanged += 1
    result.created = [a.pk for a in ReferenceArticle.objects.bulk_create(fresh.values())]
    if changed:
        ReferenceArticle.objects.bulk_update(changed, [*values, "changed_at", "withdrawn_at"])
        result.changed = [a.pk for a in changed]
        sources_changed(article_ids=result.changed, reason=StaleReason.CHANGED)
    return result


@transaction.atomic
def articles_withdraw(*, article_ids: Collection[int]) -> int:
    """Take articles out of the library (the source no longer has them). Returns how many were withdrawn."""
    ids = list(ReferenceArticle.objects.current().filter(pk__in=article_ids).values_list("pk", flat=True))
    if not ids:
        return 0
    ReferenceArticle.objects.filter(pk__in=ids).update(withdrawn_at=timezone.now())
    ArticleEmbedding.objects.filter(article_id__in=ids).delete()
    sources_changed(article_ids=ids, reason=StaleReason.WITHDRAWN)
    return len(ids)


def articles_embed(*, article_ids: Sequence[int], batch_size: int = 256) -> int:
    """Compute and store the vectors of these articles (current ones only). Returns how many were stored."""
    articles = list(ReferenceArticle.objects.current().filter(pk__in=article_ids).order_by("pk"))
    for start in range(0, len(articles), batch_size):
        batch = articles[start : start + batch_size]
        vectors = embed([article_text(a) for a in batch])
        with transaction.atomic():
            ArticleEmbedding.objects.filter(article__in=batch).delete()
            ArticleEmbedding.objects.bulk_create(
                ArticleEmbedding(article=a, model_name=MODEL_NAME, model_version=MODEL_VERSION, vector=v.tobytes())
                for a, v in zip(batch, vectors, strict=True)
            )
    return len(articles)


def _related_entry(article: ReferenceArticle) -> dict[str, Any]:
    return {"id": article.pk, "title": article.title, "question": article.question}


def _source_entry(article: ReferenceArticle) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "question": article.question,
        "credit": article.credit,
        "url": article.url,
        "licence": article.licence,
        "attribution": article.attribution,
    }


def _shown_ids(more_info: MoreInfo) -> set[int]:
    return {r["id"] for r in more_info.related} | {s["id"] for s in more_info.public.get("sources", [])}


def _prune_public(public: dict[str, Any], gone: set[int]) -> dict[str, Any]:
    """The public text without the sentences citing a gone article, sources renumbered; {} if nothing is left."""
    sources = public.get("sources", [])
    number_of = {n: s["id"] for n, s in enumerate(sources, 1)}
    sections = []
    used: list[int] = []
    for section in public.get("sections", []):
        kept = [s for s in section["sentences"] if not any(number_of[n] in gone for n in s["sources"])]
        if kept:
            sections.append({"key": section["key"], "sentences": kept})
            used += [number_of[n] for s in kept for n in s["sources"] if number_of[n] not in used]
    if not sections:
        return {}
    renumber = {article_id: n for n, article_id in enumerate(dict.fromkeys(used), 1)}
    by_id = {s["id"]: s for s in sources}
    return {
        "sections": [
            {
                "key": section["key"],
                "sentences": [
                    {"text": s["text"], "sources": [renumber[number_of[n]] for n in s["sources"]]}
                    for s in section["sentences"]
                ],
            }
            for section in sections
        ],
        "sources": [by_id[article_id] for article_id in renumber],
    }


def sources_changed(*, article_ids: Collection[int], reason: str) -> list[int]:
    """Articles changed or were withdrawn: the public text drops every sentence citing them at once, their
    Related FAQ links are refreshed, and the drafts built on them go back to review with a new draft queued.

    Returns the ids of the questions whose More Info was affected.
    """
    ids = set(article_ids)
    affected_ids = set(
        MoreInfo.objects.filter(Q(shown_articles__in=ids) | Q(sentences__sources__in=ids)).values_list("pk", flat=True)
    )
    if not affected_ids:
        return []
    current = {a.pk: a for a in ReferenceArticle.objects.current().filter(pk__in=ids)}
    citing = set(
        DraftSentence.objects.filter(more_info__in=affected_ids, sources__in=ids).values_list("more_info_id", flat=True)
    )
    question_ids = []
    redraft = []
    for more_info in MoreInfo.objects.select_for_update().filter(pk__in=affected_ids).order_by("pk"):
        fields = ["related", "updated_at"]
        more_info.related = [
            _related_entry(current[r["id"]]) if r["id"] in current else r
            for r in more_info.related
            if r["id"] not in ids or r["id"] in current
        ]
        public_ids = {s["id"] for s in more_info.public.get("sources", [])}
        if public_ids & ids:
            more_info.public = _prune_public(more_info.public, ids)
            fields.append("public")
        if more_info.pk in citing or public_ids & ids:
            more_info.status = MoreInfo.Status.REVIEW
            more_info.stale_reason = reason
            fields += ["status", "stale_reason"]
            redraft.append(more_info.question_id)
        more_info.save(update_fields=fields)
        more_info.shown_articles.set(_shown_ids(more_info))
        question_ids.append(more_info.question_id)
    transaction.on_commit(lambda: pages_changed(question_ids=question_ids))
    _redraft_on_commit(redraft)
    return question_ids


def _redraft_on_commit(question_ids: Sequence[int]) -> None:
    # Imported here: the tasks module imports this one.
    from .tasks import draft_more_info

    for question_id in question_ids:
        transaction.on_commit(partial(draft_more_info.enqueue, question_id=question_id))


# --- Drafting -------------------------------------------------------------------------------------


def draft_sources(matches: Sequence[Match]) -> tuple[list[ReferenceArticle], list[ReferenceArticle]]:
    """The articles a draft is made from: the matched ones, then the other articles about the same
    conditions that feed a section (symptoms, causes, treatment...), one per kind, best condition first.

    Second, a few more articles about the same conditions that say when to get care urgently, which none of
    the first may say: they are for the urgent section only."""
    focuses = list(dict.fromkeys((m.article.source, m.article.title) for m in matches))[:FOCUS_LIMIT]
    chosen = {m.article.pk: m.article for m in matches if (m.article.source, m.article.title) in focuses}
    if not focuses:
        return list(chosen.values())[:SOURCE_LIMIT], []
    about = Q()
    for source, title in focuses:
        about |= Q(source=source, title=title)
    library = list(ReferenceArticle.objects.current().filter(about).order_by("pk"))
    seen_kinds = {(a.source, a.title, a.question_type) for a in chosen.values()}
    by_focus: dict[tuple[str, str], list[ReferenceArticle]] = {}
    for article in library:
        kind = (article.source, article.title, article.question_type)
        if article.question_type in TYPE_SECTIONS and kind not in seen_kinds:
            seen_kinds.add(kind)
            by_focus.setdefault((article.source, article.title), []).append(article)
    for focus in focuses:
        for article in by_focus.get(focus, []):
            chosen.setdefault(article.pk, article)
    articles = list(chosen.values())[:SOURCE_LIMIT]
    taken = {a.pk for a in articles}
    rank = {focus: n for n, focus in enumerate(focuses)}
    urgent = [
        a
        for a in sorted(library, key=lambda a: (rank[(a.source, a.title)], a.pk))
        if a.pk not in taken and any(urgency(unit) for unit in split_units(a.answer))
    ]
    return articles, urgent[:URGENT_SOURCE_LIMIT]


def _visible_reply(question: Question) -> Reply | None:
    return Reply.objects.filter(question=question, hidden_at__isnull=True).select_related("doctor").first()


def more_info_refresh(*, question: Question, generator: Generator | None = None) -> MoreInfo | None:
    """Match the question to the reference library, store its Related FAQ and draft its More Info.

    The draft replaces the one waiting for review; the approved text stays public until a doctor approves
    the new one (or until its reply is replaced, which the page checks). Public text is never written here.
    """
    reply = _visible_reply(question)
    if not question.is_public or reply is None:
        return None
    text = question_text(question)
    matches = match_articles(text, limit=RELATED_LIMIT)
    articles, urgent = draft_sources(matches)
    sources = [
        Source(
            article_id=a.pk,
            title=a.title,
            question=a.question,
            question_type=a.question_type,
            answer=a.answer,
            urgent_only=a in urgent,
        )
        for a in [*articles, *urgent]
    ]
    if not matches and not MoreInfo.objects.filter(question=question).exists():
        return None  # nothing in the library is about it (or the library is empty): nothing to store
    draft = (generator or get_generator()).generate(question=text, reply=reply.body, sources=sources)
    # Only sentences citing the articles given count; a generator cannot bring in anything else.
    given = {s.article_id for s in sources}
    sentences = [s for s in draft.sentences if s.sources and set(s.sources) <= given and s.text.strip()]
    with transaction.atomic():
        more_info, _created = MoreInfo.objects.select_for_update().get_or_create(question=question)
        more_info.related = [_related_entry(m.article) for m in matches]
        more_info.generator = draft.generator
        more_info.generator_note = draft.note[:300]
        more_info.drafted_at = timezone.now()
        more_info.draft_reply = reply
        more_info.stale_reason = ""
        more_info.status = MoreInfo.Status.REVIEW if sentences else MoreInfo.Status.NONE
        more_info.save()
        more_info.sentences.all().delete()
        ordered = sorted(enumerate(sentences), key=lambda pair: (SECTION_ORDER[pair[1].section], pair[0]))
        rows = DraftSentence.objects.bulk_create(
            DraftSentence(more_info=more_info, section=s.section, position=position, text=s.text[:MAX_SENTENCE_CHARS])
            for position, (_index, s) in enumerate(ordered)
        )
        DraftSentence.sources.through.objects.bulk_create(
            DraftSentence.sources.through(draftsentence_id=row.pk, referencearticle_id=article_id)
            for row, (_index, s) in zip(rows, ordered, strict=True)
            for article_id in s.sources
        )
        more_info.shown_articles.set(_shown_ids(more_info))
    question_id = question.pk
    transaction.on_commit(lambda: pages_changed(question_ids=[question_id]))
    return more_info


# --- Review ---------------------------------------------------------------------------------------


def _require_reviewer(doctor: DoctorProfile, question: Question) -> None:
    if not doctor.is_verified:
        raise MoreInfoError(_("Only verified doctors can review More Info."))
    if question.department_id is None or not doctor.departments.filter(pk=question.department_id).exists():
        raise MoreInfoError(_("This question is not in one of your departments."))


def _locked(more_info: MoreInfo, doctor: DoctorProfile) -> MoreInfo:
    locked = MoreInfo.objects.select_for_update().select_related("question").get(pk=more_info.pk)
    _require_reviewer(doctor, locked.question)
    if locked.status != MoreInfo.Status.REVIEW:
        raise MoreInfoError(_("This draft is not waiting for review."))
    return locked


@transaction.atomic
def more_info_edit(
    *, more_info: MoreInfo, doctor: DoctorProfile, texts: Mapping[int, str], removed: Collection[int] = ()
) -> MoreInfo:
    """Change the text of draft sentences and leave some out. A sentence keeps the sources it cites: the
    doctor edits what it says, not where it comes from, so no sentence can lose its citation."""
    locked = _locked(more_info, doctor)
    sentences = {s.pk: s for s in locked.sentences.all()}
    if set(texts) - sentences.keys() or set(removed) - sentences.keys():
        raise MoreInfoError(_("The draft has changed since you opened it; please review it again."))
    kept = [s for pk, s in sentences.items() if pk not in removed]
    if not kept:
        raise MoreInfoError(_("Keep at least one sentence, or reject the draft."))
    changed = []
    for sentence in kept:
        text = " ".join(texts.get(sentence.pk, sentence.text).split())
        if not text:
            raise MoreInfoError(_("A sentence cannot be empty; tick “Remove” to leave it out."))
        if len(text) > MAX_SENTENCE_CHARS:
            raise MoreInfoError(_("A sentence can have at most %(limit)d characters.") % {"limit": MAX_SENTENCE_CHARS})
        if text != sentence.text:
            sentence.text = text
            sentence.edited = True
            changed.append(sentence)
    DraftSentence.objects.bulk_update(changed, ["text", "edited"])
    DraftSentence.objects.filter(more_info=locked, pk__in=removed).delete()
    return locked


@transaction.atomic
def more_info_approve(
    *,
    more_info: MoreInfo,
    doctor: DoctorProfile,
    texts: Mapping[int, str] | None = None,
    removed: Collection[int] = (),
) -> MoreInfo:
    """Publish the draft as the question's More Info, signed by the reviewing doctor, after applying the
    edits sent with the approval (all or nothing)."""
    if texts or removed:
        more_info_edit(more_info=more_info, doctor=doctor, texts=texts or {}, removed=removed)
    locked = _locked(more_info, doctor)
    if locked.is_stale:
        raise MoreInfoError(_("A source of this draft has changed. A new draft is being made; review that one."))
    reply = _visible_reply(locked.question)
    if not locked.question.is_public or reply is None or reply.pk != locked.draft_reply_id:
        raise MoreInfoError(_("The reply has changed since this draft was made. Ask for a new draft."))
    sentences = list(locked.sentences.prefetch_related("sources"))
    if not sentences:
        raise MoreInfoError(_("The draft has no sentences."))
    numbers: dict[int, int] = {}
    articles: dict[int, ReferenceArticle] = {}
    sections: dict[str, list[dict[str, Any]]] = {}
    for sentence in sorted(sentences, key=lambda s: (SECTION_ORDER[s.section], s.position)):
        cited = sorted(sentence.sources.all(), key=lambda a: a.pk)
        if not cited or any(a.withdrawn_at is not None for a in cited):
            raise MoreInfoError(_("Every sentence must cite a source that is still in the library."))
        for article in cited:
            articles[article.pk] = article
            numbers.setdefault(article.pk, len(numbers) + 1)
        sections.setdefault(sentence.section, []).append(
            {"text": sentence.text, "sources": [numbers[a.pk] for a in cited]}
        )
    locked.public = {
        "sections": [{"key": key, "sentences": items} for key, items in sections.items()],
        "sources": [_source_entry(articles[article_id]) for article_id in numbers],
    }
    locked.public_reply = reply
    locked.reviewed_by = doctor
    locked.reviewed_at = timezone.now()
    locked.status = MoreInfo.Status.APPROVED
    locked.save(update_fields=["public", "public_reply", "reviewed_by", "reviewed_at", "status", "updated_at"])
    locked.shown_articles.set(_shown_ids(locked))
    record(actor=doctor.user, action=Action.MOREINFO_APPROVE, target=locked.question)
    question_id = locked.question_id
    transaction.on_commit(lambda: pages_changed(question_ids=[question_id]))
    return locked


@transaction.atomic
def more_info_reject(*, more_info: MoreInfo, doctor: DoctorProfile) -> MoreInfo:
    """Turn the draft down. What the public sees does not change."""
    locked = _locked(more_info, doctor)
    locked.status = MoreInfo.Status.REJECTED
    locked.save(update_fields=["status", "updated_at"])
    record(actor=doctor.user, action=Action.MOREINFO_REJECT, target=locked.question)
    return locked


def more_info_request_draft(*, question: Question, doctor: DoctorProfile) -> None:
    """Queue a new draft of the question's More Info (after a rejection, or when sources changed)."""
    _require_reviewer(doctor, question)
    if not question.is_public:
        raise MoreInfoError(_("Only answered, public questions get More Info."))
    _redraft_on_commit([question.pk])
