"""A resident without e-mail signs up with a mobile number and logs in by a code (Chromium)."""

import re

import pytest

from nanxi import sms
from nanxi.models import Profile

# Transactional: the live server's thread reads what the test writes.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Nanxi-garden-2020!"
PHONE = "13812345678"


@pytest.fixture
def outbox(settings):
    # The live server runs in this process: its text messages land in this list.
    settings.SMS_SENDER = "nanxi.sms.MemorySender"
    sms.MemorySender.outbox.clear()
    yield sms.MemorySender.outbox
    sms.MemorySender.outbox.clear()


def last_code(outbox) -> str:
    assert outbox, "no text message was sent"
    return re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)


def test_sign_up_by_phone_then_log_in_by_code(new_page, live_server, outbox):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_phone", "+86 138 1234 5678")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_privacy_consent")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/phone/verify/")
    assert [m.phone for m in outbox] == [PHONE]

    page.fill("#id_code", last_code(outbox))
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/profile/")
    profile = Profile.objects.get(phone=PHONE)
    assert profile.phone_verified_at is not None
    assert profile.user.email == ""

    # Another day, another browser: in with a code sent to the number, no password.
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("main a[href$='/accounts/login/code/']")
    page.wait_for_url("**/accounts/login/code/")
    page.fill("#id_phone", "138 1234 5678")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/login/code/confirm/")
    assert len(outbox) == 2
    page.fill("#id_code", last_code(outbox))
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/profile/")
    assert PHONE not in page.locator("header").inner_text()

    # And with the number and the password.
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", PHONE)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/profile/")
