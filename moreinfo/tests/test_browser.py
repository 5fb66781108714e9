"""The doctor's review of a More Info draft in a real browser (Debian's Chromium driven by Playwright): a
verified doctor of the department opens the drafts list from the queue, opens a draft, edits a sentence,
removes another and approves; the public question page then shows the approved text, signed and with its
sources. Screenshots are saved as test-artifacts/more-info-review.png and more-info-approved.png."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import DoctorProfile
from conftest import ARTIFACTS, BROWSER_TESTS, PASSWORD
from departments.models import Department
from moreinfo.models import MoreInfo
from moreinfo.tests.factories import import_library
from questions.services import reply_publish
from questions.tests.factories import asked_question

pytestmark = BROWSER_TESTS

EDITED = "Essential tremor makes the hands, the head or the voice shake in a steady rhythm."


@pytest.fixture
def page(browser_context):
    return browser_context(viewport={"width": 1100, "height": 900}).new_page()


@pytest.mark.django_db(transaction=True)
def test_doctor_edits_and_approves_a_draft_and_the_page_shows_it(
    page, live_server, doctor: DoctorProfile, neurology: Department
) -> None:
    import_library()
    question = asked_question(
        department=neurology,
        title="Is my shaking essential tremor?",
        body="My hands and head shake when I hold a cup, and my father had essential tremor. "
        "What causes essential tremor and what are the treatments?",
    )
    # Publishing the reply queues the draft; the tests' task backend runs it when the reply commits.
    reply_publish(
        question=question,
        doctor=doctor,
        body="This sounds like essential tremor. Cut down on coffee and see a neurologist for an examination.",
        public_title="Shaking Hands and Head - Essential Tremor?",
    )
    question.refresh_from_db()
    more_info = MoreInfo.objects.get(question=question)
    assert more_info.status == MoreInfo.Status.REVIEW
    first, second, *_rest = more_info.sentences.all()

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", doctor.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.goto(f"{base}/doctor/queue/")
    page.click("text=More Info drafts waiting for your review")
    page.wait_for_url("**/doctor/more-info/")
    page.click("text=Shaking Hands and Head - Essential Tremor?")
    page.wait_for_url(f"**/doctor/more-info/{question.pk}/")

    assert page.input_value(f"#id_text-{first.pk}") == first.text
    assert page.locator(".draft-sentence").count() == more_info.sentences.count()
    assert page.locator("ul.sources li").count() >= 1
    # The Sources card's heading sits at the card's padding, with no extra gap above it.
    card = page.locator(".draft-sources")
    inset = card.evaluate("e => parseFloat(getComputedStyle(e).paddingTop) + e.clientTop")  # padding and border
    card_box, heading_box = card.bounding_box(), card.locator("h2").bounding_box()
    assert card_box and heading_box and heading_box["y"] - card_box["y"] <= inset + 1

    page.fill(f"#id_text-{first.pk}", EDITED)
    page.check(f"#id_remove-{second.pk}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "more-info-review.png"), full_page=True)
    page.click("button:has-text('Approve and publish')")
    page.wait_for_url(f"**{question.get_absolute_url()}#more-info")

    section = page.locator("#more-info")
    text = section.inner_text()
    assert EDITED in text
    assert second.text not in text
    reviewed = timezone.localtime(MoreInfo.objects.get(pk=more_info.pk).reviewed_at)
    assert f"Reviewed by Dr {doctor.name} on {reviewed:%Y/%m/%d}" in text
    sources = section.locator("ol.sources li")
    assert sources.count() >= 1
    assert "MedQuAD" in sources.first.inner_text() and "CC BY 4.0" in sources.first.inner_text()
    # Every sentence cites a source listed under it.
    for link in section.locator("sup.cite a").all():
        assert section.locator(link.get_attribute("href") or "#none").count() == 1
    page.screenshot(path=str(ARTIFACTS / "more-info-approved.png"), full_page=True)
