"""English and Traditional Chinese: the catalogue is complete, the browser's language is the default, the
language menu switches, and dates, age bands, departments and topics follow the language."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import DoctorProfile
from departments.models import Department, Topic
from questions.models import Question
from questions.templatetags.question_tags import asker_description, asker_signature
from questions.tests.factories import answered_question

CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
ZH = {"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _unquote(text: str) -> str:
    """A .po string literal without its quotes, with its C escapes resolved."""
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a gettext catalogue, header excluded (just enough of the format for these checks)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, current = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                value = _unquote(line)
                if current == "msgstr":
                    entry.msgstrs[-1] += value
                else:
                    setattr(entry, current, (getattr(entry, current) or "") + value)
            else:
                keyword, literal = line.split(" ", 1)
                current = "msgstr" if keyword.startswith("msgstr") else keyword
                if current == "msgstr":
                    entry.msgstrs.append(_unquote(literal))
                else:
                    setattr(entry, current, _unquote(literal))
        if entry.msgid and not entry.obsolete:
            entries.append(entry)
    return entries


def test_every_string_of_the_catalogue_is_translated() -> None:
    entries = parse_po(CATALOGUE)
    assert len(entries) > 300
    untranslated = [entry.msgid for entry in entries if not entry.msgstrs or not all(entry.msgstrs)]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []
    for entry in entries:
        # A translation keeps every placeholder, or formatting raises (or drops a value) at run time.
        for msgstr in entry.msgstrs:
            assert set(PLACEHOLDER.findall(msgstr)) == set(PLACEHOLDER.findall(entry.msgid)), entry.msgid


def test_compiled_catalogue_is_up_to_date_with_the_po_file() -> None:
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in parse_po(CATALOGUE):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstrs[0], entry.msgid
        else:
            assert compiled._catalog.get(key) == entry.msgstrs[0], entry.msgid  # type: ignore[attr-defined]


# Sources that makemessages reads: everything but the virtualenv, benchmarks and generated files.
_SKIPPED = {".venv", "bench", ".git", "staticfiles", "test-artifacts", "node_modules", "locale", "__pycache__"}


def _copy_sources(target: Path) -> None:
    for path in settings.BASE_DIR.iterdir():
        if path.name in _SKIPPED or path.name.startswith("."):
            continue
        if path.is_dir():
            shutil.copytree(
                path,
                target / path.name,
                ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3*", "*.json", "*.onnx", "*.npy", "*.gz"),
            )
        elif path.suffix in {".py", ".html", ".txt"}:
            shutil.copy2(path, target / path.name)
    shutil.copytree(CATALOGUE.parent.parent.parent, target / "locale")


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_catalogue_has_every_string_of_the_code(tmp_path: Path) -> None:
    """makemessages on a copy of the sources finds no string that the committed catalogue lacks."""
    _copy_sources(tmp_path)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hant", "--no-obsolete", "--verbosity", "0"],
        cwd=tmp_path,
        env=environment,
        check=True,
        capture_output=True,
    )
    fresh = parse_po(tmp_path / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po")
    missing = sorted(entry.msgid for entry in fresh if not all(entry.msgstrs) or "fuzzy" in entry.flags)
    assert missing == [], "strings in the code without a translation: run makemessages and translate them"
    print(f"\ninterface strings: {len(fresh)}, translated: {len(fresh) - len(missing)}")


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes shown or read out, outside scripts."""

    ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        self.texts += [value.strip() for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def _english_left_over(page: str) -> list[str]:
    """Pieces of the page that are still an English string of our catalogue."""
    english = {" ".join(entry.msgid.split()) for entry in parse_po(CATALOGUE) if entry.msgstrs[0] != entry.msgid}
    # The language menu names each language in itself, so "English" stays English on a Chinese page.
    english.discard("English")
    parser = _VisibleText()
    parser.feed(page)
    return [text for text in parser.texts if text in english or text.rstrip(".:") in english]


@pytest.fixture
def zh_pages(published_question: Question, doctor: DoctorProfile) -> list[str]:
    return [
        reverse("home"),
        published_question.get_absolute_url(),
        reverse("departments:list"),
        reverse("departments:detail", args=["neurology"]),
        reverse("departments:topic", args=["neurology", "headache"]),
        reverse("questions:ask"),
        reverse("search:search") + "?q=tremor",
        reverse("search:search") + "?q=nothing-matches-this",
        reverse("accounts:login"),
        reverse("accounts:signup"),
        doctor.get_absolute_url(),
        published_question.get_follow_url(),
        "/no-such-page/",
    ]


def test_browser_language_chinese_gives_chinese_pages_without_english_interface_text(zh_pages: list[str]) -> None:
    client = Client(headers=ZH)
    for path in zh_pages:
        response = client.get(path)
        page = response.content.decode()
        assert '<html lang="zh-hant">' in page, path
        assert "搜尋已回覆的問題" in page, path
        assert _english_left_over(page) == [], path


def test_the_left_over_check_finds_english_interface_text(published_question: Question) -> None:
    left_over = _english_left_over(Client().get(published_question.get_absolute_url()).content.decode())
    assert {"Ask a doctor", "Share to", "Copy link", "Search answered questions"} <= set(left_over)


def test_signed_in_pages_in_chinese(published_question: Question, doctor: DoctorProfile, moderator) -> None:
    from conftest import client_for

    for user, paths in [
        (doctor.user, [reverse("questions:doctor_queue")]),
        (
            moderator,
            [reverse("questions:moderate"), reverse("questions:moderate_question", args=[published_question.pk])],
        ),
        (published_question.asker, [reverse("questions:my_questions")]),
    ]:
        client = client_for(user)
        for path in paths:
            page = client.get(path, headers=ZH).content.decode()
            assert '<html lang="zh-hant">' in page, path
            assert _english_left_over(page) == [], path


def test_english_is_the_default_and_the_menu_switches_language(published_question: Question) -> None:
    client = Client()
    url = published_question.get_absolute_url()
    assert '<html lang="en">' in client.get(url).content.decode()

    response = client.post(reverse("set_language"), {"language": "zh-hant", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The choice in the menu wins over the browser's language.
    assert '<html lang="zh-hant">' in page
    assert "分享到" in page
    assert '<option value="zh-hant" selected>繁體中文</option>' in page

    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Share to" in client.get(url, headers=ZH).content.decode()


def test_question_page_signatures_per_language(published_question: Question) -> None:
    url = published_question.get_absolute_url()
    asked = timezone.localtime(published_question.created_at)
    english = Client().get(url).content.decode()
    assert f"Xiao Rong, 40~49 year old female. Ask Date: {asked:%Y/%m/%d}" in english
    chinese = Client(headers=ZH).get(url).content.decode()
    assert f"Xiao Rong，40~49歲女性。提問日期：{asked.year}年{asked.month}月{asked.day}日" in chinese
    assert f"，神經內科。回覆日期：{asked.year}年" in chinese
    assert "<h1>Involuntary Muscle Tension and Tremors in the Head - 神經內科</h1>" in chinese


@pytest.mark.parametrize(
    ("age_band", "sex", "english", "chinese"),
    [
        ("40-49", "female", "40~49 year old female", "40~49歲女性"),
        ("0-9", "male", "0~9 year old male", "0~9歲男性"),
        ("80+", "female", "female aged 80 or over", "80歲以上女性"),
        ("80+", "undisclosed", "aged 80 or over", "80歲以上"),
        ("30-39", "undisclosed", "30~39 years old", "30~39歲"),
        ("", "male", "male", "男性"),
        ("", "undisclosed", "", ""),
    ],
)
def test_age_band_and_sex_per_language(age_band: str, sex: str, english: str, chinese: str) -> None:
    question = Question(age_band=age_band, sex=sex, pseudonym="Calm Heron")
    with translation.override("en"):
        assert asker_description(question) == english
    with translation.override("zh-hant"):
        assert asker_description(question) == chinese


def test_signature_without_a_description_has_only_the_pseudonym_and_date() -> None:
    question = Question(age_band="", sex="undisclosed", pseudonym="Calm Heron", created_at=timezone.now())
    today = timezone.localtime(question.created_at)
    with translation.override("en"):
        assert asker_signature(question) == f"Calm Heron. Ask Date: {today:%Y/%m/%d}"
    with translation.override("zh-hant"):
        assert asker_signature(question) == f"Calm Heron。提問日期：{today.year}年{today.month}月{today.day}日"


def test_department_and_topic_names_follow_the_language(doctor: DoctorProfile, neurology: Department) -> None:
    headache = Topic.objects.get(department=neurology, slug="headache")
    answered_question(department=neurology, doctor=doctor, title="Headache every morning", topics=[headache])
    english = Client().get(headache.get_absolute_url()).content.decode()
    chinese = Client(headers=ZH).get(headache.get_absolute_url()).content.decode()
    assert f"<h1>{headache.name_en} (Neurology)</h1>" in english
    assert f"<h1>{headache.name_zh_hant}（神經內科）</h1>" in chinese
    listing = Client(headers=ZH).get(reverse("departments:list")).content.decode()
    for department in Department.objects.all():
        assert f">{department.name_zh_hant}</a>" in listing
