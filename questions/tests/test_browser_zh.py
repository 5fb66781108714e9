"""The question page in a real browser whose language is Traditional Chinese (Debian's Chromium, Playwright).

The screenshot is saved as test-artifacts/question-page-zh.png for a person to look at.
"""

from __future__ import annotations

import json

import pytest

from accounts.models import DoctorProfile
from conftest import ARTIFACTS, BROWSER_TESTS
from departments.models import Department
from questions.services import question_create, reply_publish

pytestmark = BROWSER_TESTS


@pytest.fixture
def zh_page(browser_context, live_server):
    # A browser set to Taiwanese Chinese sends Accept-Language: zh-TW.
    context = browser_context(locale="zh-TW")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return context.new_page()


@pytest.mark.django_db(transaction=True)
def test_question_page_in_traditional_chinese(zh_page, live_server, doctor: DoctorProfile) -> None:
    from playwright.sync_api import expect

    neurology = Department.objects.get(slug="neurology")
    question = question_create(
        title="頭和脖子一直不自主抽動",
        body="這八年來，我的頭、脖子和耳朵附近常常自己緊繃、抽動，累的時候更明顯。\n\n晚上不吃安眠藥就睡不著，請問這可能是什麼問題？",
        age_band="40-49",
        sex="female",
        pseudonym="小蓉",
        department=neurology,
        asker=None,
    )
    reply_publish(
        question=question,
        doctor=doctor,
        body="這類緊繃和抽動常見於顫抖症或局部肌張力不全，壓力和睡眠不足都會讓症狀加重。\n\n"
        "建議到神經內科門診檢查，可先抽血檢查甲狀腺功能和電解質。安眠藥請不要自行突然停用。",
        public_title="頭部肌肉不自主緊繃與顫抖",
    )
    question.refresh_from_db()

    zh_page.goto(live_server.url + question.get_absolute_url())
    assert zh_page.get_attribute("html", "lang") == "zh-hant"
    assert zh_page.inner_text("h1") == "頭部肌肉不自主緊繃與顫抖 - 神經內科"
    signature = zh_page.inner_text(".question .signature")
    assert signature.startswith("小蓉，40~49歲女性。提問日期：")
    assert "年" in signature and "日" in signature
    assert "，神經內科。回覆日期：" in zh_page.inner_text(".reply .signature")
    assert zh_page.inner_text(".share h2") == "分享到"

    data = [json.loads(text) for text in zh_page.locator('script[type="application/ld+json"]').all_inner_texts()]
    assert [item["@type"] for item in data] == ["QAPage", "MedicalWebPage"]
    assert data[0]["mainEntity"]["name"] == "頭部肌肉不自主緊繃與顫抖"
    assert data[0]["inLanguage"] == "zh-hant"

    ARTIFACTS.mkdir(exist_ok=True)
    zh_page.screenshot(path=str(ARTIFACTS / "question-page-zh.png"), full_page=True)

    copy = zh_page.locator("button[data-copy]")
    assert copy.inner_text() == "複製連結"
    copy.click()
    expect(copy).to_have_text("已複製")
    assert zh_page.evaluate("navigator.clipboard.readText()") == copy.get_attribute("data-copy")
