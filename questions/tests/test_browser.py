"""End to end in a real browser (Debian's Chromium driven by Playwright): ask, claim, answer, read.

The screenshot of the published page is saved under test-artifacts/ for a person to look at.
"""

import pytest

from accounts.models import DoctorProfile
from conftest import ARTIFACTS, BROWSER_TESTS, PASSWORD

pytestmark = BROWSER_TESTS


@pytest.fixture
def page(browser_context):
    return browser_context().new_page()


@pytest.mark.django_db(transaction=True)
def test_ask_claim_answer_and_read(page, live_server, doctor: DoctorProfile) -> None:
    base = live_server.url
    page.goto(f"{base}/ask/")
    assert page.input_value("#id_pseudonym")  # prefilled with a generated pseudonym
    page.fill("#id_title", "Twitching around my ears for eight years")
    page.fill(
        "#id_body",
        "For eight years my head, neck and the skin around my ears tense up and twitch by themselves.\n\n"
        "It is worse when I am tired. I cannot fall asleep without sleeping pills. What could it be?",
    )
    page.select_option("#id_age_band", "40-49")
    page.select_option("#id_sex", "female")
    page.fill("#id_pseudonym", "Xiao Rong")
    page.select_option("#id_department", label="Neurology")
    page.click("text=Send my question")
    page.wait_for_url("**/q/**")
    assert "Waiting for a doctor of Neurology" in page.content()
    follow_url = page.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", doctor.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.goto(f"{base}/doctor/queue/")
    page.click("text=Twitching around my ears for eight years")
    page.click("text=Claim this question")
    assert "You are answering this question" in page.content()
    page.fill(
        "#id_body",
        "Tension and twitching of this kind is often a tremor or a focal dystonia, and stress and poor sleep "
        "make both worse.\n\nPlease see a neurologist for an examination; thyroid and electrolyte blood tests "
        "are a sensible start. Do not stop your sleeping pills suddenly.",
    )
    page.fill("#id_public_title", "Involuntary Muscle Tension and Tremors in the Head")
    page.check("text=Muscle Tremors")
    page.click("text=Publish reply")
    page.wait_for_url("**/questions/**")

    heading = page.text_content("h1") or ""
    assert heading.strip() == "Involuntary Muscle Tension and Tremors in the Head - Neurology"
    body = page.content()
    assert "Xiao Rong, 40~49 year old female" in body
    assert f"Dr {doctor.name}" in body
    assert "Muscle Tremors (Neurology)" in body
    assert "Share to" in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "question-page.png"), full_page=True)

    page.goto(follow_url)
    assert "A doctor has answered." in page.content()
