"""The two More Info generators: the extractive default, and the chat-completions one against a real local server."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from moreinfo.generators import (
    ChatCompletionsGenerator,
    ExtractiveGenerator,
    Source,
    get_generator,
    split_units,
    unit_section,
)
from moreinfo.tests.factories import LIBRARY

SOURCES = [
    Source(
        article_id=100 + n,
        title=a["focus"],
        question=a["question"],
        question_type=a["question_type"],
        answer=a["answer"],
    )
    for n, a in enumerate(LIBRARY[:4])
]
# Given besides SOURCES for what it says about getting care urgently, which is at the end of a long article.
URGENT_ONLY = Source(
    article_id=110,
    title="Essential Tremor",
    question="What is the outlook for Essential Tremor ?",
    question_type="outlook",
    answer="Essential tremor usually gets slowly worse over many years. "
    + " ".join(f"In year {n} of the study the shaking of the hands was measured again." for n in range(1, 41))
    + " Go to the emergency room at once if shaking hands come with a sudden severe headache.",
    urgent_only=True,
)
QUESTION = "My hands and head shake all the time\nFor a year my hands shake when I hold a cup. What could it be?"
REPLY = "This may be essential tremor. Please see a neurologist for an examination."


def test_split_units_keeps_sentences_and_joins_a_list_to_its_lead_in() -> None:
    answer = (
        "Key Points - Gout is a painful swelling of a joint caused by crystals. "
        "Check with your doctor if you have any of the following: - Sudden pain in the big toe. - Red, hot skin. "
        "These symptoms may also come from other conditions."
    )
    assert split_units(answer) == [
        "Gout is a painful swelling of a joint caused by crystals.",
        "Check with your doctor if you have any of the following: Sudden pain in the big toe; Red, hot skin.",
        "These symptoms may also come from other conditions.",
    ]


def test_split_units_drops_headings_fragments_and_talk_about_the_document() -> None:
    answer = (
        "Common Symptoms The most common symptoms are cloudy vision and glare at night. "
        "See the following PDQ summary for more information about this topic. Short one."
    )
    assert split_units(answer) == ["The most common symptoms are cloudy vision and glare at night."]


def test_split_units_never_runs_a_heading_or_a_list_item_into_a_sentence() -> None:
    # MedQuAD's answers lost their line breaks: headings and list items without a full stop run into the
    # sentence after them. Written for this test in that shape.
    answer = (
        "Summary : Knee surgery replaces a worn joint with new parts. Knee surgery can - Ease pain - Help you walk "
        "farther - Improve bending and other movements The most common problem after surgery is a stiff knee. "
        "Wound Care Keep the wound clean and dry until the stitches come out. "
        "Signs of a clot include - Swelling of the calf - Pain when you stand Call your doctor right away if you "
        "have these signs. Get Help for a Clot Right Away People with a clot in the leg need treatment at once. "
        "Joint Infection Sudden, severe pain with fever can mean that the new joint is infected. "
        "A sudden fever needs a visit too. How is a joint infection treated? "
        "Exercises and Activity A physical therapist will show you exercises that make the knee stronger. "
        "Risks are higher in people who have: - diabetes - hepatitis C - a weak immune system Recovery Time "
        "Most people walk with a cane for a few weeks after surgery. Help at Home"
    )
    units = split_units(answer)
    assert units == [
        "Knee surgery replaces a worn joint with new parts.",
        "The most common problem after surgery is a stiff knee.",
        "Keep the wound clean and dry until the stitches come out.",
        "Call your doctor right away if you have these signs.",
        "People with a clot in the leg need treatment at once.",
        "Sudden, severe pain with fever can mean that the new joint is infected.",
        "A sudden fever needs a visit too.",
        "A physical therapist will show you exercises that make the knee stronger.",
        "Risks are higher in people who have: diabetes; hepatitis C; a weak immune system.",
        "Most people walk with a cane for a few weeks after surgery.",
    ]
    for heading in ("Improve bending", "Wound Care", "Get Help", "Joint Infection", "Recovery Time", "Help at Home"):
        assert not any(heading in unit for unit in units)


def test_split_units_leaves_names_at_the_start_of_a_sentence_whole() -> None:
    answer = (
        "Osgood-Schlatter Disease is a cause of knee pain in growing children. Doctors see Osgood-Schlatter "
        "Disease most often in boys who play sports. The National Institute of Arthritis and Skin Diseases supports "
        "research on knee pain. Vitamin A deficiency can make the eyes dry and sore. Children with Down syndrome "
        "have loose joints more often than other children."
    )
    assert split_units(answer) == [
        "Osgood-Schlatter Disease is a cause of knee pain in growing children.",
        "Doctors see Osgood-Schlatter Disease most often in boys who play sports.",
        "The National Institute of Arthritis and Skin Diseases supports research on knee pain.",
        "Vitamin A deficiency can make the eyes dry and sore.",
        "Children with Down syndrome have loose joints more often than other children.",
    ]


@pytest.mark.parametrize(
    ("unit", "question_type", "section"),
    [
        ("Call your doctor right away if the shaking starts suddenly.", "symptoms", "urgent"),
        ("The main symptom is shaking that you cannot control.", "symptoms", "symptoms"),
        ("It often runs in families and is thought to be inherited.", "causes", "causes"),
        ("Medicines such as beta blockers can reduce the tremor.", "treatment", "self_care"),
        ("Changes in the brain are thought to cause the shaking.", "information", "causes"),
        ("Essential tremor is a nerve disorder of the hands.", "information", "symptoms"),
        ("Essential tremor is a nerve disorder that causes shaking of the hands.", "information", "symptoms"),
        ("If you have trouble breathing, call your doctor right away.", "information", "urgent"),
        ("A person with these symptoms should seek medical attention immediately.", "symptoms", "urgent"),
        ("Talk with your doctor about when to take the pill.", "treatment", "self_care"),
        ("People with severe tremor often go to the hospital for tests.", "symptoms", "symptoms"),
        ("About 1 in 25 adults over 40 have it.", "frequency", None),
    ],
)
def test_unit_section_follows_the_kind_of_article_and_the_sentence_cues(
    unit: str, question_type: str, section: str | None
) -> None:
    assert unit_section(unit, question_type) == section


def test_extractive_draft_only_uses_source_sentences_and_cites_each() -> None:
    draft = ExtractiveGenerator().generate(question=QUESTION, reply=REPLY, sources=SOURCES)
    assert draft.generator == "extractive"
    assert len(draft.sentences) >= 4
    by_id = {s.article_id: s for s in SOURCES}
    for sentence in draft.sentences:
        assert len(sentence.sources) == 1
        assert sentence.text in by_id[sentence.sources[0]].answer  # copied, never written
    sections = [s.section for s in draft.sentences]
    assert sections == sorted(sections, key=["symptoms", "causes", "self_care", "urgent"].index)
    assert {"symptoms", "causes", "self_care", "urgent"} <= set(sections)
    urgent = [s.text for s in draft.sentences if s.section == "urgent"]
    assert urgent == [
        "Call your doctor right away if the shaking starts suddenly or comes with weakness on one side of the body."
    ]


def test_urgent_sentences_are_found_anywhere_in_a_source_and_an_urgent_only_source_feeds_nothing_else() -> None:
    late = Source(
        article_id=200,
        title="Essential Tremor",
        question="What are the symptoms of Essential Tremor ?",
        question_type="symptoms",
        # Past the first sentences the other sections take from an article.
        answer=" ".join(f"The shaking of the hands can look different in case number {n}." for n in range(20))
        + " Call your doctor right away if the shaking comes with weakness or numbness in one arm.",
    )
    extra = Source(
        article_id=201,
        title="Essential Tremor",
        question="What is the outlook for Essential Tremor ?",
        question_type="information",
        answer="Essential tremor is a nerve disorder that makes the hands and the head shake. "
        "It usually gets slowly worse over many years. "
        "Go to the emergency room at once if shaking hands come with a sudden severe headache.",
        urgent_only=True,
    )
    draft = ExtractiveGenerator().generate(question=QUESTION, reply=REPLY, sources=[late, extra])
    assert {(s.section, s.text, s.sources) for s in draft.sentences if s.sources == (201,)} == {
        ("urgent", "Go to the emergency room at once if shaking hands come with a sudden severe headache.", (201,))
    }
    assert [s.text for s in draft.sentences if s.section == "urgent"] == [
        "Call your doctor right away if the shaking comes with weakness or numbness in one arm.",
        "Go to the emergency room at once if shaking hands come with a sudden severe headache.",
    ]


def test_a_draft_without_a_source_saying_when_to_get_care_has_no_urgent_section() -> None:
    sources = [replace(s, answer=s.answer.replace("Call your doctor right away", "Doctors say")) for s in SOURCES]
    draft = ExtractiveGenerator().generate(question=QUESTION, reply=REPLY, sources=sources)
    assert draft.sentences and "urgent" not in {s.section for s in draft.sentences}


def test_extractive_draft_of_nothing_is_empty() -> None:
    assert ExtractiveGenerator().generate(question=QUESTION, reply=REPLY, sources=[]).sentences == ()


# --- The chat-completions generator against a real HTTP server on 127.0.0.1 -------------------------


class ChatServer:
    """A tiny chat-completions server: answers each POST with the content the test set, and records requests."""

    def __init__(self) -> None:
        self.content: str = ""
        self.respond: Callable[[dict[str, Any]], str] | None = None  # content made from the request's body
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
                )
                time.sleep(server.delay)
                content = server.respond(server.requests[-1]["body"]) if server.respond else server.content
                reply = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
                }
                data = json.dumps(reply).encode()
                try:
                    self.send_response(server.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, sentences: Any) -> None:
        self.content = json.dumps({"sentences": sentences})


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _generator(server: ChatServer, timeout: float = 5.0) -> ChatCompletionsGenerator:
    return ChatCompletionsGenerator(base_url=server.url, model="test-model", api_key="secret-key", timeout=timeout)


def test_chat_draft_with_cited_sentences_is_accepted(chat_server: ChatServer) -> None:
    chat_server.answer(
        [
            {"section": "urgent", "text": "Call a doctor at once if the shaking starts suddenly.", "sources": [2]},
            {"section": "symptoms", "text": "Essential tremor makes the hands or head shake.", "sources": [1, 2]},
            {"section": "self_care", "text": "Less caffeine and more sleep can help.", "sources": [4]},
        ]
    )
    draft = _generator(chat_server).generate(question=QUESTION, reply=REPLY, sources=SOURCES)
    assert draft.generator == "llm"
    assert draft.note == ""
    assert [(s.section, s.sources) for s in draft.sentences] == [
        ("symptoms", (100, 101)),
        ("self_care", (103,)),
        ("urgent", (101,)),
    ]
    [request] = chat_server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer secret-key"
    assert request["body"]["model"] == "test-model"
    prompt = request["body"]["messages"][-1]["content"]
    assert "[1] Essential Tremor: What is (are) Essential Tremor ?" in prompt
    assert "[4] Essential Tremor: What are the treatments for Essential Tremor ?" in prompt
    assert "My hands and head shake all the time" in prompt and REPLY in prompt


def test_chat_draft_in_a_code_fence_is_accepted(chat_server: ChatServer) -> None:
    body = {"sentences": [{"section": "causes", "text": "It often runs in families.", "sources": [3]}]}
    chat_server.content = "```json\n" + json.dumps(body) + "\n```"
    draft = _generator(chat_server).generate(question=QUESTION, reply=REPLY, sources=SOURCES)
    assert draft.generator == "llm"
    assert [s.text for s in draft.sentences] == ["It often runs in families."]


def _assert_fell_back(
    draft: Any, caplog: pytest.LogCaptureFixture, reason: str, sources: Sequence[Source] = SOURCES
) -> None:
    extractive = ExtractiveGenerator().generate(question=QUESTION, reply=REPLY, sources=sources)
    assert draft.generator == "extractive"
    assert draft.sentences == extractive.sentences
    assert draft.note.startswith("fallback from llm:")
    assert reason in draft.note
    assert any("chat-completions draft was not used" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("sentences", "reason"),
    [
        ([{"section": "symptoms", "text": "Shaking hands are common.", "sources": []}], "cites no source"),
        ([{"section": "symptoms", "text": "Shaking hands are common."}], "cites no source"),
        ([{"section": "symptoms", "text": "Shaking hands are common.", "sources": [5]}], "not given"),
        ([{"section": "symptoms", "text": "Shaking hands are common.", "sources": [0]}], "not given"),
        ([{"section": "symptoms", "text": "Shaking hands are common.", "sources": ["1"]}], "not given"),
        ([{"section": "diagnosis", "text": "Shaking hands are common.", "sources": [1]}], "unknown section"),
        ([{"section": "symptoms", "text": "  ", "sources": [1]}], "no usable text"),
        ([], "no sentences"),
    ],
    ids=["empty-sources", "no-sources", "unknown-source", "source-zero", "source-as-text", "section", "blank", "none"],
)
def test_chat_draft_that_breaks_a_rule_is_rejected_for_the_extractive_one(
    chat_server: ChatServer, caplog: pytest.LogCaptureFixture, sentences: Any, reason: str
) -> None:
    # One good sentence does not save a draft with a bad one.
    chat_server.answer([{"section": "causes", "text": "It often runs in families.", "sources": [3]}, *sentences])
    with caplog.at_level(logging.WARNING, logger="moreinfo.generators"):
        draft = _generator(chat_server).generate(question=QUESTION, reply=REPLY, sources=SOURCES)
    if sentences:
        _assert_fell_back(draft, caplog, reason)
    else:
        assert draft.generator == "llm"  # the good sentence alone is a valid draft


def test_chat_prompt_marks_an_urgent_only_source_and_gives_only_what_it_says_about_getting_care(
    chat_server: ChatServer,
) -> None:
    chat_server.answer(
        [
            {"section": "symptoms", "text": "Essential tremor makes the hands or head shake.", "sources": [1]},
            {"section": "urgent", "text": "Go to an emergency room at once with a bad headache.", "sources": [5]},
            {"section": "urgent", "text": "Get care right away if the shaking starts suddenly.", "sources": [2, 5]},
        ]
    )
    draft = _generator(chat_server).generate(question=QUESTION, reply=REPLY, sources=[*SOURCES, URGENT_ONLY])
    assert draft.generator == "llm" and draft.note == ""
    assert [(s.section, s.sources) for s in draft.sentences] == [
        ("symptoms", (100,)),
        ("urgent", (110,)),
        ("urgent", (101, 110)),
    ]
    [request] = chat_server.requests
    system, user = (m["content"] for m in request["body"]["messages"])
    assert '"(urgent section only)"' in system and 'only in\nsentences of the "urgent" section' in system
    assert "[5] (urgent section only) Essential Tremor: What is the outlook for Essential Tremor ?" in user
    # Its urgent sentence stands past the part of a long source the server is given; the rest is left out.
    assert "Go to the emergency room at once if shaking hands come with a sudden severe headache." in user
    assert "slowly worse" not in user and "measured again" not in user
    assert user.count("(urgent section only)") == 1  # the other sources feed any section


@pytest.mark.parametrize(
    ("section", "cited"), [("symptoms", [5]), ("self_care", [4, 5]), ("causes", [5, 3])], ids=["alone", "with", "first"]
)
def test_chat_draft_citing_an_urgent_only_source_outside_the_urgent_section_is_rejected(
    chat_server: ChatServer, caplog: pytest.LogCaptureFixture, section: str, cited: list[int]
) -> None:
    sources = [*SOURCES, URGENT_ONLY]
    chat_server.answer(
        [
            {"section": "urgent", "text": "Go to an emergency room at once with a bad headache.", "sources": [5]},
            {"section": section, "text": "The shaking slowly gets worse over the years.", "sources": cited},
        ]
    )
    with caplog.at_level(logging.WARNING, logger="moreinfo.generators"):
        draft = _generator(chat_server).generate(question=QUESTION, reply=REPLY, sources=sources)
    reason = f"sentence 2 ({section}) cites a source given for the urgent section only"
    _assert_fell_back(draft, caplog, reason, sources)
    # The fallback keeps the same rule: the urgent-only article feeds the urgent section alone.
    assert {s.section for s in draft.sentences if 110 in s.sources} == {"urgent"}


@pytest.mark.parametrize("content", ["I am sorry, I cannot help with that.", '{"sentences": "none"}', "[1, 2]"])
def test_chat_answer_that_is_not_a_draft_falls_back(
    chat_server: ChatServer, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    chat_server.content = content
    with caplog.at_level(logging.WARNING, logger="moreinfo.generators"):
        draft = _generator(chat_server).generate(question=QUESTION, reply=REPLY, sources=SOURCES)
    _assert_fell_back(draft, caplog, "DraftRejected")


def test_chat_server_error_falls_back(chat_server: ChatServer, caplog: pytest.LogCaptureFixture) -> None:
    chat_server.status = 500
    with caplog.at_level(logging.WARNING, logger="moreinfo.generators"):
        draft = _generator(chat_server).generate(question=QUESTION, reply=REPLY, sources=SOURCES)
    _assert_fell_back(draft, caplog, "HTTP Error 500")


def test_chat_server_too_slow_falls_back(chat_server: ChatServer, caplog: pytest.LogCaptureFixture) -> None:
    chat_server.answer([{"section": "causes", "text": "It often runs in families.", "sources": [3]}])
    chat_server.delay = 2.0
    with caplog.at_level(logging.WARNING, logger="moreinfo.generators"):
        draft = _generator(chat_server, timeout=0.3).generate(question=QUESTION, reply=REPLY, sources=SOURCES)
    _assert_fell_back(draft, caplog, "timed out")


def test_chat_server_not_listening_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    server = ChatServer()  # bound but never serving, then closed: nothing listens on the port
    server.httpd.server_close()
    with caplog.at_level(logging.WARNING, logger="moreinfo.generators"):
        draft = _generator(server, timeout=1).generate(question=QUESTION, reply=REPLY, sources=SOURCES)
    _assert_fell_back(draft, caplog, "")


def test_settings_choose_the_generator(settings) -> None:
    assert isinstance(get_generator(), ExtractiveGenerator)
    settings.MOREINFO_GENERATOR = "llm"
    settings.MOREINFO_LLM_BASE_URL = "http://127.0.0.1:9/v1/"
    settings.MOREINFO_LLM_MODEL = "local"
    settings.MOREINFO_LLM_TIMEOUT = 7
    generator = get_generator()
    assert isinstance(generator, ChatCompletionsGenerator)
    assert (generator.url, generator.model, generator.timeout) == ("http://127.0.0.1:9/v1/chat/completions", "local", 7)


def test_split_units_leaves_out_fragments_and_pointers() -> None:
    answer = (
        "Summary : Hip replacement is surgery for people with severe hip damage. Hip replacement can "
        "- Relieve pain - Help your hip joint work better for years - Improve walking "
        "Read more under How is hip pain treated? NIH: National Institute of Arthritis and Skin Diseases"
    )
    assert split_units(answer) == ["Hip replacement is surgery for people with severe hip damage."]
