"""Reading reference libraries: JSON lines shaped like MedQuAD (focus, question_type, question, answer, url)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from questions.importer import BadLine

MEDQUAD_SOURCE = "MedQuAD"
MEDQUAD_LICENCE = "CC BY 4.0"
MEDQUAD_ATTRIBUTION = "Ben Abacha and Demner-Fushman, 2019"


@dataclass(frozen=True)
class ArticleEntry:
    external_id: str
    title: str
    question: str
    question_type: str
    answer: str
    url: str
    publisher: str

    def content_hash(self, *, licence: str, attribution: str) -> str:
        """A digest of everything a page shows of the article; the credit too, since it must stay right."""
        fields = [self.title, self.question, self.question_type, self.answer, self.url, self.publisher]
        return hashlib.sha256(json.dumps([*fields, licence, attribution], ensure_ascii=False).encode()).hexdigest()


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return " ".join(value.split()) if isinstance(value, str) else ""


def parse_article(line: str) -> ArticleEntry:
    """One line to an article, or BadLine with what is wrong."""
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON ({error.msg})") from error
    if not isinstance(data, dict):
        raise BadLine("not a JSON object")
    question = _text(data, "question")
    answer = _text(data, "answer")
    title = _text(data, "focus") or _text(data, "title") or question
    url = _text(data, "url")
    if not question:
        raise BadLine("no question")
    if not answer:
        raise BadLine("no answer")
    if url and not url.startswith(("https://", "http://")):
        raise BadLine("the url is not a web address")
    # MedQuAD's own ids repeat across the pages of a collection, so an article is known by its id
    # together with its page, focus and question; the hash keeps the key short and stable.
    identity = json.dumps([_text(data, "id"), url, title, question], ensure_ascii=False)
    digest = hashlib.sha1(identity.encode()).hexdigest()[:20]
    native = _text(data, "id")[:120]
    return ArticleEntry(
        external_id=f"{native}~{digest}" if native else digest,
        title=title[:300],
        question=question[:2000],
        question_type=_text(data, "question_type").lower()[:60],
        answer=answer,
        url=url[:500],
        publisher=_text(data, "source")[:120],
    )
