"""Account and notice e-mails name the portal (SITE_NAME) and link to it absolutely
(SITE_URL), not to the host a request happened to come in on."""

import re

import pytest
from django.test import Client
from django.utils import translation

from nanxi import roles, services
from tests.factories import make_user

STRONG = "Nanxi-garden-2020!"
SITE = "https://nanxi.example"


def signup(client, prefix="/en", email="new@example.com"):
    return client.post(
        f"{prefix}/accounts/signup/",
        {
            "email": email,
            "password1": STRONG,
            "password2": STRONG,
            "privacy_consent": "on",
        },
    )


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE
    return SITE


def test_the_confirmation_mail_names_the_portal_and_links_to_it(
    db, site_url, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        signup(client)
    [message] = mailoutbox
    assert (
        message.subject == "[Nanxi self-governance] Please Confirm Your Email Address"
    )
    assert "Nanxi self-governance" in message.body
    assert re.search(
        rf"{re.escape(SITE)}/en/accounts/confirm-email/[^\s/]+/", message.body
    )
    assert "testserver" not in message.body and "testserver" not in message.body
    # The person is named as the portal names them, never by username or e-mail.
    assert "Resident" in message.body
    assert re.search(r"\br[0-9a-f]{10}\b", message.body) is None


def test_the_confirmation_mail_is_in_chinese_on_chinese_pages(
    db, site_url, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(Client(), prefix="")
    [message] = mailoutbox
    assert message.subject.startswith("[南西社区自治] ")
    assert f"{SITE}/accounts/confirm-email/" in message.body


def test_without_site_url_links_are_still_absolute_and_the_greeting_names_the_portal(
    db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        signup(Client())
    [message] = mailoutbox
    assert "http://testserver/en/accounts/confirm-email/" in message.body
    assert "Hello from Nanxi self-governance" in message.body


def test_the_password_reset_mail_links_to_the_portal(
    db, site_url, mailoutbox, django_capture_on_commit_callbacks
):
    user = make_user(roles.RESIDENT)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/en/accounts/password/reset/", {"email": user.email})
    [message] = mailoutbox
    assert message.subject.startswith("[Nanxi self-governance] ")
    assert f"{SITE}/en/accounts/password/reset/key/" in message.body
    assert "testserver" not in message.body


def test_a_notice_mail_names_the_portal_and_links_absolutely(
    db, site_url, area, area_staff, mailoutbox, django_capture_on_commit_callbacks
):
    person = make_user(roles.RESIDENT, area=area)
    # A notice is written and mailed outside any page: in the portal's language.
    with (
        translation.override("zh-hans"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.profile_verify(profile=person.profile, by=area_staff)
    [message] = mailoutbox
    assert message.subject.startswith("[南西社区自治] ")
    assert "\n" not in message.subject
    assert f"{SITE}/accounts/profile/" in message.body
    assert message.to == [person.email]
