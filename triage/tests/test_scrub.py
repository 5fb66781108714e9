"""Personal-data scrubbing: one focused test per kind and rule, then a quality floor on the test set."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from triage.scrub import PLACEHOLDERS, Span, find, preview, scrub, valid_tw_id

DATA = Path(__file__).parent / "data" / "pii.jsonl"


def found(text: str) -> list[tuple[str, str]]:
    return [(span.kind, span.text) for span in find(text)]


# --------------------------------------------------------------------------------------------
# Each kind
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "0912-345-678",
        "0912 345 678",
        "0912345678",
        "+886 912 345 678",
        "+886-912-345-678",
        "(02)2345-6789",
        "02-2345-6789",
        "07-123-4567",
        "+886-2-2758-1234",
        "+1 (415) 555-0132",
        "+44 20 7946 0958",
    ],
)
def test_phone_formats(phone: str) -> None:
    assert found(f"Call me at {phone} after 6pm.") == [("phone", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "BP 120/80, pulse 72, platelets 150,000, WBC 11000.",
        "Symptoms since 2024-01-05, HbA1c 6.1%, LDL 170 mg/dL.",
        "Took 500 mg at 10:30 and 0.5 ml of syrup at 16:45.",
    ],
)
def test_medical_numbers_are_not_phones(text: str) -> None:
    assert find(text) == []


def test_email() -> None:
    assert found("Write to mary.chen1985@gmail.com please.") == [("email", "mary.chen1985@gmail.com")]


def test_links_lose_trailing_punctuation() -> None:
    text = "See https://example.org/a?b=1. Also www.cdc.gov, and youtube.com/watch?v=x1."
    assert found(text) == [
        ("link", "https://example.org/a?b=1"),
        ("link", "www.cdc.gov"),
        ("link", "youtube.com/watch?v=x1"),
    ]


def test_email_is_not_also_a_link() -> None:
    assert [kind for kind, _text in found("peter.huang@company.com.tw")] == ["email"]


def test_taiwan_id_checksum() -> None:
    assert valid_tw_id("A123456789")
    assert not valid_tw_id("A123456788")
    assert valid_tw_id("A800000014")  # resident certificate, 2021 format
    assert valid_tw_id("AC01234567")  # resident certificate, old format
    assert not valid_tw_id("A12345678")
    assert not valid_tw_id("1234567890")


@pytest.mark.parametrize("value", ["A123456789", "A123456788", "A800000014", "AC01234567", "F223456780"])
def test_id_numbers_are_masked_whatever_the_checksum(value: str) -> None:
    assert found(f"My ID is {value}.") == [("id", value)]


def test_loose_id_shapes_need_a_valid_checksum() -> None:
    assert found("lab slip shows a123456789") == [("id", "a123456789")]
    assert found("lot a123456788 of the vaccine") == []


def test_addresses() -> None:
    english = "No. 12, Lane 5, Section 2, Zhongshan N. Rd., Taipei"
    assert found(f"I live at {english} near the park.") == [("address", english)]
    assert found("我住在台北市大安區忠孝東路四段123號5樓，附近有診所嗎？") == [
        ("address", "台北市大安區忠孝東路四段123號5樓")
    ]
    assert found("The office at 88 Roosevelt Road has mold.") == [("address", "88 Roosevelt Road")]


def test_a_street_without_a_number_is_not_an_address() -> None:
    assert find("I live near Zhongshan Road in Taipei.") == []
    assert find("我住台北，在中山路附近。") == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("I was born on 1985/03/12 and have high blood pressure.", "1985/03/12"),
        ("DOB 12/03/1985, female.", "12/03/1985"),
        ("My son, born on March 3, 2019, limps.", "March 3, 2019"),
        ("我生日是1990年5月3日，月經不規則。", "1990年5月3日"),
        ("出生年月日：民國80年1月2日。", "民國80年1月2日"),
    ],
)
def test_birth_dates_after_a_cue(text: str, date: str) -> None:
    assert ("birth_date", date) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I've had a rash since 2024/02/15 and it itches.",
        "Since March 2023 I have tinnitus.",
        "我從2024年1月5日開始掉頭髮。",
        "預產期是2024年12月1日。",
    ],
)
def test_dates_of_symptoms_stay(text: str) -> None:
    assert find(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("MRN 00482913, TSH 7.8.", "00482913"),
        ("My chart no. 5529381 is at the other hospital.", "5529381"),
        ("Medical record no. A0098812.", "A0098812"),
        ("病歷號碼 1234567，上次抽血。", "1234567"),
        ("我的病歷號是 A1234567。", "A1234567"),
    ],
)
def test_record_numbers_after_a_cue(text: str, number: str) -> None:
    assert found(text) == [("record_number", number)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, my name is Jennifer Wu and I'm 34.", "Jennifer Wu"),
        ("I'm Kevin, 28 male.", "Kevin"),
        ("My daughter Emily has a fever.", "Emily"),
        ("Dr. Lin told me to wait.", "Lin"),
        ("Dr Tsai Yi-Ling at Mackay says so.", "Tsai Yi-Ling"),
        ("My knee is swollen.\nThanks in advance,\nMary Chen", "Mary Chen"),
        ("我叫王小明，今年35歲。", "王小明"),
        ("我是陳大文，手機壞了。", "陳大文"),
        ("林醫師說我的血糖有點高。", "林"),
        ("陳大文醫師說要開刀。", "陳大文"),
        ("我老公黃建國上個月裝了支架。", "黃建國"),
        ("我的尿酸很高。謝謝醫師！\n黃志明 敬上", "黃志明"),
    ],
)
def test_names_after_a_cue(text: str, name: str) -> None:
    assert ("name", name) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm Taiwanese but living in Canada.",
        "I have Hashimoto's thyroiditis and take Synthroid.",
        "I take Lipitor 20 mg and Plavix 75 mg.",
        "我是林口人，在林口長庚看過。",
        "我是高中生，最近常常失眠。",
        "我的主治醫師說要做核磁共振。",
        "謝謝醫師的回覆！",
        "我先生有高血壓。",
    ],
)
def test_words_that_look_like_names_stay(text: str) -> None:
    assert find(text) == []


# --------------------------------------------------------------------------------------------
# scrub / preview
# --------------------------------------------------------------------------------------------


def test_scrub_uses_english_placeholders() -> None:
    text = "我叫王小明，手機0912-345-678，email ming@gmail.com，病歷號碼 1234567。"
    assert scrub(text) == "我叫[name]，手機[phone]，email [email]，病歷號碼 [record number]。"


def test_scrub_every_placeholder() -> None:
    assert set(PLACEHOLDERS) == {"name", "phone", "email", "id", "address", "birth_date", "record_number", "link"}
    text = "DOB 1990/01/02, ID A123456789, https://x.org/p, No. 1, Sec. 2, Ren'ai Rd., Taipei."
    assert scrub(text) == "DOB [date of birth], ID [id], [link], [address]."


def test_scrub_keeps_text_without_personal_data() -> None:
    text = "Fever 38.5 since 2024/03/01, took 500 mg paracetamol at 10:30. Platelets 150,000."
    assert scrub(text) == text


def test_spans_are_sorted_non_overlapping_and_match_the_text() -> None:
    text = "I'm Sarah Lin, 0912-345-678, sarah@example.com, A123456789, born on 1985/03/12."
    spans = find(text)
    assert [span.kind for span in spans] == ["name", "phone", "email", "id", "birth_date"]
    for span in spans:
        assert isinstance(span, Span)
        assert text[span.start : span.end] == span.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_full_width_digits() -> None:
    text = "手機０９１２３４５６７８"
    assert found(text) == [("phone", "０９１２３４５６７８")]


def test_preview_is_what_scrub_masks() -> None:
    text = "Call 0912-345-678 or write to a@b.co"
    assert preview(text) == find(text)


def test_empty_text() -> None:
    assert find("") == []
    assert scrub("") == ""


# --------------------------------------------------------------------------------------------
# Quality floor on the test set (span level: a predicted span is right when it overlaps a gold
# span of the same kind).
# --------------------------------------------------------------------------------------------


def load_set() -> list[dict[str, Any]]:
    with DATA.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_set_is_well_formed() -> None:
    items = load_set()
    assert len(items) >= 120
    for item in items:
        text = str(item["text"])
        spans = item["spans"]
        assert isinstance(spans, list)
        previous_end = 0
        for span in spans:
            assert span["kind"] in PLACEHOLDERS
            assert previous_end <= span["start"] < span["end"] <= len(text)
            previous_end = span["end"]
    chinese = sum(1 for item in items if re.search(r"[\u4e00-\u9fff]", str(item["text"])))
    assert 0.35 <= chinese / len(items) <= 0.50
    assert sum(1 for item in items if not item["spans"]) >= 20


def test_set_recall_and_precision_stay_above_the_floor() -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for item in load_set():
        gold = [(s["kind"], s["start"], s["end"]) for s in item["spans"]]
        predicted = [(s.kind, s.start, s.end) for s in find(str(item["text"]))]
        for kind, start, end in predicted:
            hit = any(kind == k and start < e and s < end for k, s, e in gold)
            (tp if hit else fp)[kind] += 1
        for kind, start, end in gold:
            if not any(kind == k and s < end and start < e for k, s, e in predicted):
                fn[kind] += 1
    total_tp = sum(tp.values())
    assert total_tp / (total_tp + sum(fn.values())) >= 0.95
    assert total_tp / (total_tp + sum(fp.values())) >= 0.95
    for kind in PLACEHOLDERS:
        if tp[kind] + fn[kind]:
            assert tp[kind] / (tp[kind] + fn[kind]) >= 0.85, kind
