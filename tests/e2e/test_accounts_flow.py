import re

import pytest
from django.core import mail

from nanxi.models import Profile
from tests.factories import AreaFactory

# Transactional: the live server's thread reads what the test writes.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Nanxi-garden-2020!"


def test_sign_up_verify_log_in_and_choose_area(page, live_server):
    AreaFactory(name="华业", slug="huaye")
    AreaFactory(name="威海", slug="weihai")

    page.goto(f"{live_server.url}/accounts/signup/")
    assert page.locator("h1").inner_text().strip() == "注册"
    page.fill("#id_email", "grandma@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_privacy_consent")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")

    assert len(mail.outbox) == 1
    path = re.search(r"(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body).group(1)
    page.goto(f"{live_server.url}{path}")
    page.click("main button[type=submit]")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", "grandma@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/profile/")

    assert page.locator("#current-area").inner_text() == "尚未选择"
    page.select_option("#id_area", label="威海")
    page.click("main form.card button[type=submit]")
    page.wait_for_url("**/accounts/profile/")
    assert page.locator("#current-area").inner_text() == "威海"
    assert "您的资料已保存。" in page.content()
    assert Profile.objects.get(user__email="grandma@example.com").area.name == "威海"
