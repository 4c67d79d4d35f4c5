import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from nanxi import roles
from tests.factories import PASSWORD, UserFactory

User = get_user_model()
STRONG = "Nanxi-garden-2020!"


def signup(
    client, email="new@example.com", password=STRONG, password2=None, consent=True
):
    data = {"email": email, "password1": password, "password2": password2 or password}
    if consent:
        data["privacy_consent"] = "on"
    return client.post("/accounts/signup/", data)


def confirmation_link(message) -> str:
    return re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body
    ).group(1)


def test_signup_makes_an_unverified_resident_and_mails_a_link(
    db, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client)

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert list(user.groups.values_list("name", flat=True)) == [roles.RESIDENT]
    assert user.profile.area is None and not user.profile.is_verified
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_mail_is_not_sent_when_the_signup_transaction_rolls_back(
    db, client, django_capture_on_commit_callbacks
):
    # Without executing the on-commit callbacks (a rolled-back transaction), nothing is sent.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signup(client)
    # The mail's task, besides the cache's new versions (nanxi.fragments.bump).
    assert len([c for c in callbacks if not getattr(c, "nanxi_versions", 0)]) == 1
    assert mail.outbox == []


def test_following_the_link_verifies_and_allows_login(
    db, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client)
    link = confirmation_link(mail.outbox[0])
    client.post(link)
    assert EmailAddress.objects.get(email="new@example.com").verified

    fresh = Client()
    response = fresh.post(
        "/accounts/login/", {"login": "new@example.com", "password": STRONG}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"


def test_unverified_account_cannot_log_in(
    db, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client)
    fresh = Client()
    response = fresh.post(
        "/accounts/login/",
        {"login": "new@example.com", "password": STRONG},
        follow=True,
    )
    assert "_auth_user_id" not in fresh.session
    assert "/accounts/confirm-email/" in response.redirect_chain[-1][0]


def test_wrong_password_is_refused_in_chinese(db, client):
    user = UserFactory()
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": "wrong-one"}
    )
    assert response.status_code == 200
    assert "您提供的电子邮件地址和/或密码不正确。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_refused_in_english(db, client):
    user = UserFactory()
    response = client.post(
        "/en/accounts/login/", {"login": user.email, "password": "wrong"}
    )
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )


def test_repeated_failed_logins_are_rate_limited(db, client):
    user = UserFactory()
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}
    )
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "密码长度太短"),
        ("password123", "这个密码太常见了"),
        ("38294710382", "密码只包含数字"),
    ],
)
def test_weak_password_is_refused_and_nothing_is_created(db, client, password, message):
    response = signup(client, password=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
    assert mail.outbox == []


def test_mismatched_passwords_are_refused(db, client):
    response = signup(client, password=STRONG, password2=STRONG + "x")
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.com").exists()


def test_duplicate_email_creates_nothing_and_tells_the_owner_by_mail(
    db, client, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="wang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, email="WANG@example.com")
    # allauth does not reveal on the page who has an account (enumeration);
    # the address's owner is told by mail instead, with a link to reset the password.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="wang@example.com").count() == 1
    assert existing.check_password(PASSWORD)
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_forged_csrf_token_is_refused_and_creates_nothing(db):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/signup/")
    response = client.post(
        "/accounts/signup/",
        {
            "email": "forger@example.com",
            "password1": STRONG,
            "password2": STRONG,
            "privacy_consent": "on",
            "csrfmiddlewaretoken": "forged" * 8,
        },
    )
    assert response.status_code == 403
    assert "CSRF验证失败" in response.content.decode()
    assert not User.objects.filter(email="forger@example.com").exists()


def test_password_reset_mails_a_link(db, client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_logout_needs_a_post(db, client):
    user = UserFactory()
    client.force_login(user)
    client.get("/accounts/logout/")
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
