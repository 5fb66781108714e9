"""More Info generators: turn a question, the doctor's reply and numbered source articles into cited sentences.

Two generators share one interface (`Generator.generate`):

- `ExtractiveGenerator` (the default) only selects and orders sentences of the sources themselves,
  so it cannot state anything the sources do not say;
- `ChatCompletionsGenerator` asks any OpenAI-compatible chat-completions server to write the text
  from the numbered sources, and accepts its answer only when every sentence cites sources it was
  given. On a timeout, an error or a rejected answer it logs why and returns the extractive draft.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
from django.conf import settings

from search.embeddings import embed

from .models import Section

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    article_id: int
    title: str
    question: str
    question_type: str
    answer: str


@dataclass(frozen=True)
class Sentence:
    section: str
    text: str
    sources: tuple[int, ...]  # article ids, never empty


@dataclass(frozen=True)
class Draft:
    generator: str
    sentences: tuple[Sentence, ...]
    note: str = ""


class Generator(Protocol):
    name: str

    def generate(self, *, question: str, reply: str, sources: Sequence[Source]) -> Draft: ...


# What kind of MedQuAD article feeds which section; kinds not listed (frequency, research...) feed none.
TYPE_SECTIONS = {
    "information": Section.SYMPTOMS,
    "symptoms": Section.SYMPTOMS,
    "exams and tests": Section.SYMPTOMS,
    "causes": Section.CAUSES,
    "genetic changes": Section.CAUSES,
    "inheritance": Section.CAUSES,
    "susceptibility": Section.CAUSES,
    "treatment": Section.SELF_CARE,
    "prevention": Section.SELF_CARE,
    "considerations": Section.SELF_CARE,
    "when to contact a medical professional": Section.URGENT,
}
# A sentence that says when to get help belongs to the urgent section, whatever article it is in.
URGENT_CUE = re.compile(
    r"\b(emergenc\w*|911|call (your|a|the) (doctor|health care provider|provider)|seek (medical|immediate|emergency)"
    r"|get (medical|immediate) (help|care|attention)|right away|immediately|urgent\w*|go to the (hospital|emergency)"
    r"|(see|contact|check with) (your|a) (doctor|health care provider|provider)|medical attention)\b",
    re.IGNORECASE,
)
# In a general article ("What is gout?"), words of the sentence pick the section.
CUES = (
    (Section.CAUSES, re.compile(r"\b(caus\w*|risk factors?|due to|trigger\w*|mutations?|inherit\w*)\b", re.I)),
    (
        Section.SELF_CARE,
        re.compile(r"\b(treat\w*|therap\w*|medicines?|medication\w*|surgery|prevent\w*|avoid\w*|lifestyle)\b", re.I),
    ),
)
PER_SECTION = {Section.SYMPTOMS: 4, Section.CAUSES: 3, Section.SELF_CARE: 4, Section.URGENT: 3}
MIN_WORDS, MAX_WORDS = 6, 70
MAX_UNITS_PER_SOURCE = 15  # the first sentences of an article carry its gist; each one costs an embedding
MIN_RELEVANCE = 0.2  # cosine to the question and reply below which a sentence is off the point
NEAR_DUPLICATE = 0.9  # cosine above which two sentences say the same thing
# Words that show a sentence talks about the document rather than the condition.
NOT_CONTENT = re.compile(
    r"\b(this summary|pdq|see the following|click|this (page|fact sheet|section)|https?:|read more|learn more"
    r"|for more information)",
    re.I,
)
_BULLET = re.compile(r"(?<!-)\s+-\s+(?!-)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"])")
# Headings run into the text in MedQuAD ("Common Symptoms The most common symptoms are...").
_HEADING = re.compile(
    r"^(?:Key Points\s*|Summary\s*:\s*|(?:[A-Z][\w'-]*\s){1,5}"
    r"(?=(?:The|A|An|Most|Many|Some|If|In|When|People|Your|You|This|These|It)\s))"
)


def split_units(answer: str) -> list[str]:
    """The answer's sentences, each usable on its own; a list keeps its lead-in ("Symptoms include: a; b; c.")."""
    text = " ".join(answer.split())
    pieces = _BULLET.split(text)
    units: list[str] = []
    lead: str | None = None
    items: list[str] = []

    def close_list() -> None:
        nonlocal lead
        if lead is not None and 0 < len(items) <= 12:
            units.append(lead + " " + "; ".join(item.rstrip(".;") for item in items) + ".")
        lead = None
        items.clear()

    for number, piece in enumerate(pieces):
        sentences = [s.strip() for s in _SENTENCE_END.split(piece) if s.strip()]
        if number > 0 and sentences:
            # The first sentence after a bullet marker is the list item; the rest is ordinary text.
            item = sentences.pop(0)
            if lead is not None:
                items.append(item)
            elif len(item.split()) >= MIN_WORDS and item[0].isupper() and item.endswith((".", "!", "?")):
                units.append(item)
        if sentences:
            close_list()
            for sentence in sentences:
                if sentence.endswith(":"):
                    close_list()
                    lead = sentence
                else:
                    units.append(sentence)
    close_list()
    cleaned = []
    for unit in units:
        unit = _HEADING.sub("", unit).strip()
        words = len(unit.split())
        complete = unit[:1].isupper() and unit.endswith((".", "!", "?"))  # not a heading or a cut-off lead-in
        if MIN_WORDS <= words <= MAX_WORDS and complete and not NOT_CONTENT.search(unit):
            cleaned.append(unit)
    return cleaned


def unit_section(unit: str, question_type: str) -> str | None:
    if URGENT_CUE.search(unit):
        return Section.URGENT
    if question_type == "information":
        for cue_section, pattern in CUES:
            if pattern.search(unit):
                return cue_section
    return TYPE_SECTIONS.get(question_type)


class ExtractiveGenerator:
    """Picks, per section, the source sentences closest in meaning to the question and the reply."""

    name = "extractive"

    def generate(self, *, question: str, reply: str, sources: Sequence[Source]) -> Draft:
        candidates: list[tuple[int, int, str, str]] = []  # (source rank, position, section, text)
        for rank, source in enumerate(sources):
            for position, unit in enumerate(split_units(source.answer)[:MAX_UNITS_PER_SOURCE]):
                section = unit_section(unit, source.question_type)
                if section is not None:
                    candidates.append((rank, position, section, unit))
        if not candidates:
            return Draft(generator=self.name, sentences=())
        vectors = embed([f"{question}\n{reply}"[:4000], *(c[3] for c in candidates)])
        relevance = vectors[1:] @ vectors[0]
        chosen: list[int] = []
        for section, quota in PER_SECTION.items():
            ranked = sorted(
                (i for i, c in enumerate(candidates) if c[2] == section and relevance[i] >= MIN_RELEVANCE),
                key=lambda i: (-relevance[i], i),
            )
            picked: list[int] = []
            for i in ranked:
                if len(picked) == quota:
                    break
                if all(float(np.dot(vectors[i + 1], vectors[j + 1])) < NEAR_DUPLICATE for j in chosen + picked):
                    picked.append(i)
            # In the order the sources tell it: best source first, then as the article runs.
            chosen.extend(sorted(picked, key=lambda i: candidates[i][:2]))
        sentences = []
        for i in chosen:
            rank, _position, section, text = candidates[i]
            sentences.append(Sentence(section=section, text=text, sources=(sources[rank].article_id,)))
        return Draft(generator=self.name, sentences=tuple(sentences))


class DraftRejected(ValueError):
    """The server answered, but not with a draft we may use."""


SYSTEM_PROMPT = """You write patient-education text for a medical question-and-answer website.
Use only facts stated in the numbered sources. Write short, plain sentences for a patient.
Sections: "symptoms" (understanding the symptoms), "causes" (possible causes), "self_care" (what you can do),
"urgent" (when to seek care urgently). Leave out a section the sources say nothing about.
Answer with JSON only, no other text, in this shape:
{"sentences": [{"section": "symptoms", "text": "One sentence.", "sources": [1]}]}
Every sentence must list the numbers of the sources that state it."""

MAX_SOURCE_CHARS = 2500


def chat_messages(*, question: str, reply: str, sources: Sequence[Source]) -> list[dict[str, str]]:
    numbered = "\n\n".join(
        f"[{number}] {s.title}: {s.question}\n{s.answer[:MAX_SOURCE_CHARS]}" for number, s in enumerate(sources, 1)
    )
    user = f"Patient's question:\n{question}\n\nDoctor's reply:\n{reply}\n\nSources:\n{numbered}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def parse_chat_draft(content: str, sources: Sequence[Source]) -> tuple[Sentence, ...]:
    """The sentences of a server's answer, or DraftRejected saying why it cannot be used."""
    text = content.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise DraftRejected(f"the answer is not JSON ({error.msg})") from error
    items = data.get("sentences") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise DraftRejected("the answer has no sentences")
    sentences = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise DraftRejected(f"sentence {number} is not an object")
        section, body, cited = item.get("section"), item.get("text"), item.get("sources")
        if section not in Section.values:
            raise DraftRejected(f"sentence {number} has an unknown section {section!r}")
        if not isinstance(body, str) or not body.strip() or len(body) > 1000:
            raise DraftRejected(f"sentence {number} has no usable text")
        if not isinstance(cited, list) or not cited:
            raise DraftRejected(f"sentence {number} cites no source")
        if not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= len(sources) for n in cited):
            raise DraftRejected(f"sentence {number} cites a source it was not given: {cited!r}")
        ids = tuple(dict.fromkeys(sources[n - 1].article_id for n in cited))
        sentences.append(Sentence(section=section, text=" ".join(body.split()), sources=ids))
    order = {key: position for position, key in enumerate(Section.values)}
    return tuple(sorted(sentences, key=lambda s: order[s.section]))


class ChatCompletionsGenerator:
    """Drafts with an OpenAI-compatible server (llama.cpp, vLLM, Ollama...), checked and with a fallback."""

    name = "llm"

    def __init__(
        self, *, base_url: str, model: str, api_key: str = "", timeout: float = 60.0, fallback: Generator | None = None
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.fallback = fallback or ExtractiveGenerator()

    def _ask(self, messages: list[dict[str, str]]) -> str:
        body = json.dumps({"model": self.model, "messages": messages, "temperature": 0}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            payload = json.loads(response.read().decode("utf-8"))
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as error:
            raise DraftRejected("the server's answer is not a chat completion") from error
        if not isinstance(content, str):
            raise DraftRejected("the chat completion has no text")
        return content

    def generate(self, *, question: str, reply: str, sources: Sequence[Source]) -> Draft:
        if not sources:
            return Draft(generator=self.name, sentences=())
        try:
            content = self._ask(chat_messages(question=question, reply=reply, sources=sources))
            return Draft(generator=self.name, sentences=parse_chat_draft(content, sources))
        except (DraftRejected, OSError, ValueError) as error:
            # OSError covers refused connections, HTTP errors and timeouts; ValueError a body that is not JSON.
            reason = f"{type(error).__name__}: {error}"[:250]
            logger.warning("More Info: the chat-completions draft was not used (%s); using the extractive one", reason)
            draft = self.fallback.generate(question=question, reply=reply, sources=sources)
            return replace(draft, note=f"fallback from {self.name}: {reason}")


def get_generator() -> Generator:
    """The generator MOREINFO_GENERATOR names ("extractive" or "llm")."""
    if settings.MOREINFO_GENERATOR == "llm":
        return ChatCompletionsGenerator(
            base_url=settings.MOREINFO_LLM_BASE_URL,
            model=settings.MOREINFO_LLM_MODEL,
            api_key=settings.MOREINFO_LLM_API_KEY,
            timeout=settings.MOREINFO_LLM_TIMEOUT,
        )
    return ExtractiveGenerator()
