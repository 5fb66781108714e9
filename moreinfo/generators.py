"""More Info generators: turn a question, the doctor's reply and numbered source articles into cited sentences.

Two generators share one interface (`Generator.generate`):

- `ExtractiveGenerator` (the default) only selects and orders sentences of the sources themselves,
  so it cannot state anything the sources do not say;
- `ChatCompletionsGenerator` asks any OpenAI-compatible chat-completions server to write the text
  from the numbered sources, and accepts its answer only when every sentence cites sources it was
  given, and cites a source given for the urgent section only in that section. On a timeout, an error
  or a rejected answer it logs why and returns the extractive draft.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
from django.conf import settings

from search.embeddings import DIMENSIONS, embed
from search.pairs import content_terms

from .models import Section

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    article_id: int
    title: str
    question: str
    question_type: str
    answer: str
    urgent_only: bool = False  # given only for what it says about getting care urgently


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
# "When to seek care urgently" takes a sentence that tells the reader to get care (call 911, see a doctor, get
# medical help, go to the hospital) and says when: now (right away, an emergency...) or on a condition (if you
# have these signs...). A sentence that only says to talk something over ("talk to your doctor about...")
# is not about urgency unless it says "now".
_PROFESSIONAL = (
    r"(doctor|health care (provider|professional|team)|provider|physician|dentist|pediatrician|nurse|midwife"
    r"|eye care professional)s?"
)
CARE = re.compile(
    r"\b((call|dial)(ing)? (911|9-1-1|an ambulance)"
    r"|(call|see|contact|visit|tell|talk (to|with)|check with|consult)(ing)? (your|a|the|their|his or her|an) "
    + _PROFESSIONAL
    + r"(?P<about> about)?"
    r"|(seek|get|getting|need|needs|require|requires|receive|go for)( \w+){0,2} (medical|emergency|immediate|urgent"
    r"|prompt) (help|care|attention|treatment)|(get|seek|call for) (medical )?help"
    r"|(go|get|going|getting|taken?|drive \w+) (right )?to (the|a|an) (nearest )?(hospital|emergency room"
    r"|emergency department|er)\b)",
    re.IGNORECASE,
)
NOW = re.compile(
    r"\b(right away|immediately|immediate|at once|promptly|as soon as possible|without delay|urgent\w*|emergenc\w*"
    r"|911|9-1-1|life[- ]threatening|quickly)\b",
    re.IGNORECASE,
)
CONDITION = re.compile(r"\b(if|when|whenever|as soon as|any of (these|the following)|these (signs|symptoms))\b", re.I)


def urgency(unit: str) -> int:
    """How strongly a sentence says to get care now: 0 (it does not), 1 (on a condition), 2 (now), 3 (both)."""
    care = CARE.search(unit)
    if care is None:
        return 0
    now = NOW.search(unit) is not None
    if care.group("about") and not now:
        return 0
    return 2 * now + (CONDITION.search(unit) is not None)


# In a general article ("What is gout?"), words of the sentence pick the section. "A disorder that causes
# shaking" says what the condition does, not what causes it.
CUES = (
    (
        Section.CAUSES,
        re.compile(r"\b((?<!that )(?<!which )caus\w*|risk factors?|due to|trigger\w*|mutations?|inherit\w*)\b", re.I),
    ),
    (
        Section.SELF_CARE,
        re.compile(r"\b(treat\w*|therap\w*|medicines?|medication\w*|surgery|prevent\w*|avoid\w*|lifestyle)\b", re.I),
    ),
)
PER_SECTION = {Section.SYMPTOMS: 4, Section.CAUSES: 3, Section.SELF_CARE: 4, Section.URGENT: 3}
MIN_WORDS, MAX_WORDS = 6, 70
MAX_UNITS_PER_SOURCE = 15  # the first sentences of an article carry its gist; each one costs an embedding
MIN_RELEVANCE = 0.2  # cosine to the question and reply below which a sentence is off the point
URGENCY_WEIGHT = 0.05  # what each point of `urgency` adds to the cosine when ranking the urgent section
# Candidates of a section embedded, as a multiple of its quota: the rest share fewer words with the question.
PREFILTER = 4
SENTENCE_CACHE_SIZE = 20_000  # sentence vectors kept per process (1.5 kB each)
NEAR_DUPLICATE = 0.9  # cosine above which two sentences say the same thing
# Words that show a sentence talks about the document rather than the condition.
NOT_CONTENT = re.compile(
    r"\b(this summary|pdq|see the following|click|this (page|fact sheet|section)|https?:|read more|learn more"
    r"|more information|approximate number of patients|these resources|medlineplus|genetic testing registry"
    r"|gene review|section (for|that follows)|keyboard|web ?site)",
    re.I,
)
_BULLET = re.compile(r"(?<!-)\s+-\s+(?!-)")
# A full stop (maybe inside quotes or brackets) and a capital, but not after a title ("Dr. Addison").
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"')]))(?<!Dr\.)(?<!Mr\.)(?<!Mrs\.)(?<!Ms\.)(?<!St\.)\s+(?=[A-Z(\"])"
)
_FOOTNOTE = re.compile(r"(?<=[a-z][.!?])\d{1,2}(?=\s+[A-Z])")  # "...the adrenal glands.2 Primary..."
_LABEL = re.compile(r"^(?:Key Points|Summary)\s*:?\s*")
_WORD = re.compile(r"[A-Za-z][\w'-]*")
_EDGE = "\"'()[],;:.!?"
# MedQuAD's text lost its line breaks: a heading runs into the sentence after it ("Adrenal Crisis Sudden,
# severe worsening...") and a list item without a full stop into whatever follows ("- Improve walking The
# most common problem..."). A capitalised word there marks where a sentence begins when it is one of these
# words, which start sentences and seldom names ("A" is not one: vitamin A, hepatitis A)...
STARTERS = frozenset(
    """An The If In For Many Most Some Other Others Another These This Those Your You It Its There People Patients
    Children Adults Women Men Doctors Researchers Symptoms Treatment Treatments Each Both All When While Although
    Because After Before During Once Since Also However Sometimes Usually Often On More Talk Ask Call Get See Seek
    Keep Take Avoid Eat Drink Use Try Tell Stop Wear""".split()
)
# ...or, after a list item or at the start of a heading, when the article writes the word in lower case
# elsewhere (a common word, not a name). Small words that headings keep in lower case and that end no item:
_MINOR = frozenset("a an and as at by for from in of on or the to with your vs".split())
# Words a name begins with: "The Human Phenotype Ontology provides..." is one sentence, not a heading.
_FUNCTION = _MINOR | frozenset(
    "if these this those its when while although because after before during once since many most some each both "
    "all other another there it".split()
)
# Words followed by a letter that is not the article "A" (vitamin A, hepatitis A, type A).
_TAKES_LETTER = frozenset("vitamin hepatitis type group protein class grade stage factor influenza kinase".split())


def _bare(word: str) -> str:
    return word.strip(_EDGE)


def _capital(word: str) -> bool:
    """A word spelt with a capital and small letters ("Crisis", "Sudden,"), not "DNA", "B12" or "(Note)"."""
    bare = _bare(word)
    return word[:1].isupper() and any(c.islower() for c in bare) and not any(c.isdigit() for c in bare)


def _article(words: list[str], i: int) -> bool:
    """Whether the "A" at words[i] is the article ("...procedure A catheter is..."), not a letter (vitamin A)."""
    return _bare(words[i - 1]).lower() not in _TAKES_LETTER


def _cut(words: list[str], opens: Callable[[str], bool], first_only: bool = False) -> list[list[str]]:
    """The words split where a sentence starts right after a lower-case word with no punctuation, or after a
    heading that itself follows one ("...immune system Recovery Time Most people...": "Recovery" starts)."""

    def glue(word: str) -> bool:
        return word[:1].islower() and word[-1].isalnum() and word not in _MINOR

    parts: list[list[str]] = []
    start = 0
    for j in range(1, len(words)):
        word, previous = words[j], words[j - 1]
        strong = _article(words, j) if word == "A" else _capital(word) and _bare(word) in STARTERS
        if j <= start or not (strong or (_capital(word) and opens(_bare(word)))) or not previous[-1].isalnum():
            continue
        k = j  # back over a heading in title case between the two
        while k - 1 > start and _bare(words[k - 1])[:1].isupper() and words[k - 1][-1].isalnum():
            k -= 1
        if glue(words[k - 1]):
            cut = k
        elif strong and k < j:
            cut = j  # "...children with Down Syndrome The risk...": the name stays with the item
        else:
            continue
        parts.append(words[start:cut])
        start = cut
        if first_only:
            break
    return [*parts, words[start:]]


def _without_heading(words: list[str], lower: set[str], lowered_text: str) -> list[str]:
    """The sentence without a heading in title case run into its start; [] when it is all heading."""
    capitals = []  # the capitalised words before the sentence goes on in lower case
    for i, word in enumerate(words):
        bare = _bare(word)
        if bare[:1].isupper():
            capitals.append(i)
        elif bare and bare.lower() not in _MINOR and not bare.isdigit():
            break
        if word[-1] in ",;:":
            break
    else:
        return []  # nothing but capitalised and small words: a heading alone

    def once(i: int) -> bool:
        # "Adrenal Crisis Sudden," is said once; "Addison's Disease", a name, again elsewhere.
        return lowered_text.count(f"{_bare(words[i - 1])} {_bare(words[i])}".lower()) == 1

    def starts(i: int) -> bool:
        if words[i] == "A":
            return _article(words, i)
        # A sentence goes on in lower case: "See the Treatment Options section" does not start at "Treatment".
        return _bare(words[i]) in STARTERS and not _bare(words[i + 1])[:1].isupper()

    opening = [i for i in capitals if 0 < i < len(words) - 1 and starts(i)]
    if opening:
        return words[opening[-1] :]  # "Seek Help for Emergency Symptoms A complete obstruction..."
    last = capitals[-1] if capitals else 0
    if last == 0 or _bare(words[0]).lower() in _FUNCTION:
        return words  # "The Human Phenotype Ontology provides...": a name after a sentence's first word
    if _capital(words[last]) and _bare(words[last]).lower() in lower and once(last):
        return words[last:]
    return words


def split_units(answer: str) -> list[str]:
    """The answer's sentences, each usable on its own; a list keeps its lead-in ("Symptoms include: a; b; c.").

    Headings and list items are never part of a sentence: where one runs into the text after it, the text
    is cut where the sentence starts, and a heading alone is no sentence.
    """
    text = _FOOTNOTE.sub("", " ".join(answer.split()))
    lower = {w.lower() for w in _WORD.findall(text) if w[0].islower()}
    lowered_text = text.lower()
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
            # The text after a bullet marker is the list item, up to the first full stop or the first word
            # that starts something else; the rest is ordinary text.
            item, *rest = _cut(sentences[0].split(), lambda w: w in STARTERS or w.lower() in lower, first_only=True)
            sentences = [" ".join(rest[0]), *sentences[1:]] if rest else sentences[1:]
            if lead is not None:
                items.append(" ".join(item))
            elif item[-1].rstrip("\"')").endswith((".", "!")):
                units.append(" ".join(item))
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
        for part in _cut(_LABEL.sub("", unit).split(), STARTERS.__contains__):
            words = _without_heading(part, lower, lowered_text)
            sentence = " ".join(words)
            # A whole statement: a capital first, a full stop last (not a question or a cut-off lead-in),
            # and words in lower case (not a heading in title case).
            complete = (
                sentence[:1].isupper()
                and sentence.rstrip("\"')").endswith((".", "!"))
                and any(w[:1].islower() for w in words)
            )
            if MIN_WORDS <= len(words) <= MAX_WORDS and complete and not NOT_CONTENT.search(sentence):
                cleaned.append(sentence)
    return cleaned


def unit_section(unit: str, question_type: str) -> str | None:
    if urgency(unit):
        return Section.URGENT
    if question_type == "information":
        for cue_section, pattern in CUES:
            if pattern.search(unit):
                return cue_section
    return TYPE_SECTIONS.get(question_type)


@dataclass(frozen=True)
class Candidate:
    rank: int  # of its source among the sources given
    position: int  # in the source's answer
    section: str
    text: str
    urgency: int


def candidates_of(sources: Sequence[Source]) -> list[Candidate]:
    """The sentences of the sources that may go into a draft, each with the section it would feed: the first
    ones of each article (they carry its gist), and wherever they stand, those that say to get care urgently."""
    found = []
    for rank, source in enumerate(sources):
        for position, unit in enumerate(split_units(source.answer)):
            points = urgency(unit)
            if points:
                found.append(Candidate(rank, position, Section.URGENT, unit, points))
            elif position < MAX_UNITS_PER_SOURCE and not source.urgent_only:
                section = unit_section(unit, source.question_type)
                if section is not None:
                    found.append(Candidate(rank, position, section, unit, 0))
    return found


def prefilter(candidates: Sequence[Candidate], asked: set[str]) -> list[Candidate]:
    """At most PREFILTER times its quota of each section's candidates, those sharing the most words with the
    question and reply (then the best source's, then the article's first), so that few need an embedding."""
    kept = []
    for section, quota in PER_SECTION.items():
        mine = [c for c in candidates if c.section == section]
        mine.sort(key=lambda c: (-len(content_terms(c.text) & asked), c.rank, c.position))
        kept += mine[: PREFILTER * quota]
    return kept


class _VectorCache:
    """Sentence vectors by text, the most recently used kept: the articles of a common condition come back in
    draft after draft, and each of their sentences then needs embedding only once per process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = dict(zip(missing, embed(missing), strict=True))
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, DIMENSIONS), dtype=np.float32)


sentence_vectors = _VectorCache(SENTENCE_CACHE_SIZE)


class ExtractiveGenerator:
    """Picks, per section, the source sentences closest in meaning to the question and the reply."""

    name = "extractive"

    def generate(self, *, question: str, reply: str, sources: Sequence[Source]) -> Draft:
        asked = f"{question}\n{reply}"[:4000]
        candidates = prefilter(candidates_of(sources), content_terms(asked))
        if not candidates:
            return Draft(generator=self.name, sentences=())
        # The long question is embedded on its own: in one batch with the short sentences it would pad every
        # one of them to its length.
        query = embed([asked])[0]
        vectors = sentence_vectors.embed([c.text for c in candidates])
        relevance = vectors @ query
        chosen: list[int] = []
        for section, quota in PER_SECTION.items():
            # A clearer call to get care now wins over a slightly closer sentence.
            score = {
                i: float(relevance[i]) + URGENCY_WEIGHT * c.urgency
                for i, c in enumerate(candidates)
                if c.section == section and relevance[i] >= MIN_RELEVANCE
            }
            picked: list[int] = []
            for i in sorted(score, key=lambda i: (-score[i], i)):
                if len(picked) == quota:
                    break
                if all(float(np.dot(vectors[i], vectors[j])) < NEAR_DUPLICATE for j in chosen + picked):
                    picked.append(i)
            # In the order the sources tell it: best source first, then as the article runs.
            chosen.extend(sorted(picked, key=lambda i: (candidates[i].rank, candidates[i].position)))
        sentences = []
        for i in chosen:
            c = candidates[i]
            sentences.append(Sentence(section=c.section, text=c.text, sources=(sources[c.rank].article_id,)))
        return Draft(generator=self.name, sentences=tuple(sentences))


class DraftRejected(ValueError):
    """The server answered, but not with a draft we may use."""


SYSTEM_PROMPT = """You write patient-education text for a medical question-and-answer website.
Use only facts stated in the numbered sources. Write short, plain sentences for a patient.
Sections: "symptoms" (understanding the symptoms), "causes" (possible causes), "self_care" (what you can do),
"urgent" (when to seek care urgently). Leave out a section the sources say nothing about.
A source marked "(urgent section only)" is given only for when to seek care urgently: cite it only in
sentences of the "urgent" section, never in another section.
Answer with JSON only, no other text, in this shape:
{"sentences": [{"section": "symptoms", "text": "One sentence.", "sources": [1]}]}
Every sentence must list the numbers of the sources that state it."""

MAX_SOURCE_CHARS = 2500


URGENT_ONLY_MARK = "(urgent section only)"


def _source_text(source: Source) -> str:
    """What the server reads of a source: its beginning, or of an urgent-only source the sentences that say to
    get care (the ones it was chosen for, wherever they stand in a long article)."""
    if source.urgent_only:
        urgent = " ".join(unit for unit in split_units(source.answer) if urgency(unit))
        if urgent:
            return urgent[:MAX_SOURCE_CHARS]
    return source.answer[:MAX_SOURCE_CHARS]


def chat_messages(*, question: str, reply: str, sources: Sequence[Source]) -> list[dict[str, str]]:
    numbered = "\n\n".join(
        f"[{number}] {URGENT_ONLY_MARK + ' ' if s.urgent_only else ''}{s.title}: {s.question}\n{_source_text(s)}"
        for number, s in enumerate(sources, 1)
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
        misused = [n for n in cited if sources[n - 1].urgent_only]
        if misused and section != Section.URGENT:
            raise DraftRejected(
                f"sentence {number} ({section}) cites a source given for the urgent section only: {misused!r}"
            )
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
