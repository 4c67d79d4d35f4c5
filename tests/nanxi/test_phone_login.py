"""Signing up and logging in by mainland mobile number (手机号), through allauth's phone
support: numbers, codes by text message, limits, the admin's log-in, privacy."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from nanxi import personal_data, roles, services, sms
from nanxi.models import Profile
from projects.models import Comment
from tests.factories import PASSWORD, UserFactory, make_user
from tests.projects.helpers import make_project

User = get_user_model()
STRONG = "Nanxi-garden-2020!"
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def outbox(settings):
    """Text messages go to a list the tests read, like Django's mail.outbox."""
    settings.SMS_SENDER = "nanxi.sms.MemorySender"
    sms.MemorySender.outbox.clear()
    yield sms.MemorySender.outbox
    sms.MemorySender.outbox.clear()


def code_in(message: sms.Message) -> str:
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def signup_by_phone(client, phone=PHONE, **extra):
    data = {
        "phone": phone,
        "password1": STRONG,
        "password2": STRONG,
        "privacy_consent": "on",
        **extra,
    }
    return client.post("/en/accounts/signup/", data)


def phone_user(phone=PHONE, *, confirmed=True, role=roles.RESIDENT, area=None, **kw):
    """An account whose profile holds `phone`, confirmed by a code or not."""
    user = make_user(role, area=area, **kw)
    services.phone_set(user=user, phone=phone, verified=confirmed)
    return user


def logged_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


# --- the number rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-138-1234-5678",
        "86 13812345678",
        "１３８１２３４５６７８",  # full-width digits from a Chinese input method
        " 138 1234 5678 ",
    ],
)
def test_a_mainland_mobile_number_is_stored_as_its_eleven_digits(typed):
    assert sms.normalise_mobile(typed) == PHONE


@pytest.mark.parametrize(
    "typed",
    [
        "021-62171234",  # a Shanghai landline
        "02162171234",
        "138123456789",  # 12 digits
        "1381234567",  # 10 digits
        "1381234abcd",  # letters
        "+1 202 555 0123",  # another country
        "+12025550123",
        "12812345678",  # no such mobile prefix
        "+85 13812345678",
        "",
    ],
)
def test_other_numbers_are_refused(typed):
    with pytest.raises(ValidationError) as error:
        sms.normalise_mobile(typed)
    assert error.value.code == "invalid_mobile"


# --- signing up by phone --------------------------------------------------------------------


def test_sign_up_by_phone_texts_a_code_and_the_code_logs_in(db, client, outbox):
    response = signup_by_phone(client, phone="+86 138-1234-5678")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/phone/verify/"
    profile = Profile.objects.get(phone=PHONE)
    user = profile.user
    assert profile.phone_verified_at is None
    assert user.email == "" and not EmailAddress.objects.filter(user=user).exists()
    assert PHONE not in user.username
    assert list(user.groups.values_list("name", flat=True)) == [roles.RESIDENT]
    assert profile.privacy_consent_at is not None
    assert [m.phone for m in outbox] == [PHONE]
    assert "Nanxi self-governance" in outbox[0].text
    assert not logged_in(client, user)

    response = client.post("/en/accounts/phone/verify/", {"code": code_in(outbox[0])})

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"
    assert logged_in(client, user)
    profile.refresh_from_db()
    assert profile.phone_verified_at is not None


def test_a_wrong_sign_up_code_confirms_nothing(db, client, outbox):
    signup_by_phone(client)
    right = code_in(outbox[0])
    wrong = "000000" if right != "000000" else "111111"
    response = client.post("/en/accounts/phone/verify/", {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert Profile.objects.get(phone=PHONE).phone_verified_at is None
    assert "_auth_user_id" not in client.session


def test_sign_up_without_e_mail_or_phone_is_refused_and_creates_nothing(db, client):
    response = client.post(
        "/en/accounts/signup/",
        {"password1": STRONG, "password2": STRONG, "privacy_consent": "on"},
    )
    assert response.status_code == 200
    assert "Give an e-mail address or a mobile number" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "bad",
    ["021-62171234", "138123456789", "1381234abcd", "+1 202 555 0123"],
)
def test_sign_up_with_a_bad_number_says_why_and_keeps_the_form(db, client, outbox, bad):
    response = signup_by_phone(client, phone=bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a mainland mobile number" in page
    assert f'value="{bad}"' in page  # what was typed stays in the box
    assert not User.objects.exists()
    assert outbox == []


def test_a_number_already_used_makes_no_second_account_and_tells_its_owner(
    db, client, outbox
):
    owner = phone_user()
    response = signup_by_phone(client, phone="+8613812345678")

    # The page is the same as for a new number: nobody learns whose number it is.
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/phone/verify/"
    assert User.objects.count() == 1
    assert [m.phone for m in outbox] == [PHONE]
    assert "already has an account" in outbox[0].text
    assert not re.search(r"\b\d{6}\b", outbox[0].text)
    assert Profile.objects.get(user=owner).phone_verified_at is not None


def test_an_unconfirmed_number_does_not_block_its_real_owner(db, client, outbox):
    # Someone typed a number that is not theirs and never confirmed it.
    squatter = phone_user(confirmed=False)
    signup_by_phone(client)
    newcomer = User.objects.exclude(pk=squatter.pk).get()
    client.post("/en/accounts/phone/verify/", {"code": code_in(outbox[-1])})
    assert logged_in(client, newcomer)
    assert Profile.objects.get(user=newcomer).phone_verified_at is not None
    assert Profile.objects.get(user=squatter).phone_verified_at is None


def test_e_mail_sign_up_stays_and_asks_for_no_phone(
    db, client, outbox, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/accounts/signup/",
            {
                "email": "wang@example.com",
                "password1": STRONG,
                "password2": STRONG,
                "privacy_consent": "on",
            },
        )
    assert response["Location"] == "/en/accounts/confirm-email/"
    assert outbox == []
    assert len(mailoutbox) == 1
    assert User.objects.get(email="wang@example.com").profile.phone == ""


# --- logging in ---------------------------------------------------------------------------------


def test_log_in_by_code_sent_to_the_number(db, client, outbox):
    user = phone_user()
    response = client.post("/en/accounts/login/code/", {"phone": "138 1234 5678"})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/code/confirm/"
    assert [m.phone for m in outbox] == [PHONE]

    response = client.post(
        "/en/accounts/login/code/confirm/", {"code": code_in(outbox[0])}
    )
    assert response.status_code == 302
    assert logged_in(client, user)


def test_log_in_by_number_and_password(db, client):
    user = phone_user()
    response = client.post(
        "/en/accounts/login/", {"login": "+86 138 1234 5678", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert logged_in(client, user)


def test_an_unconfirmed_number_logs_in_to_nothing(db, client, outbox):
    phone_user(confirmed=False)
    response = client.post(
        "/en/accounts/login/", {"login": PHONE, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    client.post("/en/accounts/login/code/", {"phone": PHONE})
    assert outbox == []  # no code for a number nobody confirmed


def test_an_e_mail_user_with_a_typed_mobile_is_not_stopped_for_a_code(
    db, client, outbox
):
    user = make_user(roles.RESIDENT)
    profile = user.profile
    services.profile_update(
        profile=profile, by=user, area=None, phone="+86 139 0000 1111"
    )
    profile.refresh_from_db()
    assert profile.phone == "13900001111" and profile.phone_verified_at is None
    response = client.post(
        "/en/accounts/login/", {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert logged_in(client, user)
    assert outbox == []


def test_the_code_cannot_be_guessed(db, client, outbox):
    user = phone_user()
    client.post("/en/accounts/login/code/", {"phone": PHONE})
    right = code_in(outbox[0])
    wrong = [c for c in ("000000", "111111", "222222", "333333") if c != right][:3]
    for guess in wrong:
        client.post("/en/accounts/login/code/confirm/", {"code": guess})
    # Three wrong codes end the code: the right one no longer opens the account.
    response = client.post("/en/accounts/login/code/confirm/", {"code": right})
    assert not logged_in(client, user)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_codes_to_one_number_are_limited_whoever_asks(db, outbox):
    phone_user()
    for n in range(3):
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(
            "/en/accounts/login/code/", {"phone": PHONE}
        )
    response = Client(REMOTE_ADDR="192.0.2.99").post(
        "/en/accounts/login/code/", {"phone": "+86" + PHONE}
    )
    assert response.status_code == 200
    assert "Too many" in response.content.decode()
    assert len(outbox) == 3


def test_failed_password_logins_count_once_per_account_however_the_number_is_typed(
    db, settings
):
    user = phone_user()
    spellings = ["13812345678", "+8613812345678", "138 1234 5678", "0086 138 1234 5678"]
    for n in range(settings.LOGIN_ACCOUNT_ATTEMPTS):
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(
            "/en/accounts/login/",
            {"login": spellings[n % len(spellings)], "password": "wrong-guess"},
        )
    # Locked: even the right password, from a fresh address, waits.
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert not logged_in(client, user)


# --- the admin ---------------------------------------------------------------------------------


def admin_login(client, login, password=PASSWORD):
    return client.post(
        "/admin/login/?next=/admin/", {"username": login, "password": password}
    )


def test_the_admin_login_asks_for_e_mail_or_mobile_number(db, client):
    page = client.get("/en/admin/login/").content.decode()
    assert "E-mail or mobile number" in page


@pytest.mark.parametrize("how", ["email", "phone", "phone_with_prefix"])
def test_staff_log_in_to_the_admin_by_e_mail_or_phone(db, how):
    staff = phone_user(role=roles.STREET_STAFF)
    login = {
        "email": staff.email,
        "phone": PHONE,
        "phone_with_prefix": "+86 138 1234 5678",
    }[how]
    client = Client()
    response = admin_login(client, login)
    assert response.status_code == 302
    assert logged_in(client, staff)


def test_the_admin_refuses_wrong_passwords_residents_and_unconfirmed_numbers(db):
    staff = phone_user(role=roles.STREET_STAFF)
    phone_user("13900001111")
    phone_user("13700001111", confirmed=False, role=roles.STREET_STAFF)
    for name, secret in [
        (staff.email, "wrong-guess"),
        (PHONE, "wrong-guess"),
        ("13900001111", PASSWORD),  # a resident: no admin
        ("13700001111", PASSWORD),  # a number never confirmed
        ("021-62171234", PASSWORD),
    ]:
        client = Client()
        response = admin_login(client, name, secret)
        assert response.status_code == 200, name
        assert "_auth_user_id" not in client.session, name


def test_the_admin_counts_e_mail_and_phone_failures_for_one_account(db, settings):
    staff = phone_user(role=roles.STREET_STAFF)
    names = [staff.email, PHONE, "+86 138 1234 5678"]
    for n in range(settings.LOGIN_ACCOUNT_ATTEMPTS):
        admin_login(Client(REMOTE_ADDR=f"192.0.2.{n}"), names[n % 3], "wrong-guess")
    client = Client(REMOTE_ADDR="198.51.100.7")
    response = admin_login(client, PHONE)
    assert response.status_code == 429
    assert not logged_in(client, staff)


# --- never public, exported, erased -------------------------------------------------------


def test_a_phone_sign_up_never_shows_the_number_on_a_public_page(
    db, client, area, outbox
):
    signup_by_phone(client)
    client.post("/en/accounts/phone/verify/", {"code": code_in(outbox[0])})
    user = Profile.objects.get(phone=PHONE).user
    services.profile_update(profile=user.profile, by=user, area=area, phone=PHONE)
    # Residents propose once verified (projects.permissions.proposal_refusal).
    Profile.objects.filter(user=user).update(verified_at=timezone.now())
    user.profile.refresh_from_db()
    project = make_project(area=area, proposer=user)
    Comment.objects.create(project=project, author=user, body="我同意。")
    # The person's own notices ("a code was sent to 138…") are shown to them once.
    client.get("/en/accounts/profile/")

    for url in [
        f"/projects/{project.pk}/",
        f"/en/projects/{project.pk}/",
        "/projects/",
        "/en/projects/",
        "/",
    ]:
        for viewer in (Client(), client):
            page = viewer.get(url).content.decode()
            assert PHONE not in page and "1234 5678" not in page, url
    assert (
        "Resident of 华业"
        in Client().get(f"/en/projects/{project.pk}/").content.decode()
    )


def test_the_export_shows_the_number_and_when_it_was_confirmed(db):
    user = phone_user()
    [(_part, sections)] = [
        (part, sections)
        for part, sections in personal_data.gather(user)
        if part.app_label == "nanxi"
    ]
    profile = next(s for s in sections if s.key == "profile")
    assert profile.rows[0]["phone"] == PHONE
    assert profile.rows[0]["phone_verified_at"] is not None


def test_deleting_the_account_frees_the_number(db, client, outbox):
    user = phone_user()
    services.account_erase(user=user, by=user)
    profile = Profile.objects.get(user=user)
    assert (profile.phone, profile.phone_verified_at) == ("", None)
    # Nobody logs in with it any more, and it can be used for a new account.
    response = client.post(
        "/en/accounts/login/", {"login": PHONE, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session and response.status_code == 200
    signup_by_phone(client)
    assert "already has an account" not in outbox[-1].text


def test_changing_the_number_on_the_profile_unconfirms_it(db):
    user = phone_user()
    profile = user.profile
    services.profile_update(profile=profile, by=user, area=None, phone="13900001111")
    profile.refresh_from_db()
    assert profile.phone == "13900001111" and profile.phone_verified_at is None
    # Typing someone else's confirmed number is no claim on it.
    other = phone_user("13700001111")
    services.profile_update(profile=profile, by=user, area=None, phone="13700001111")
    assert Profile.objects.get(user=other).phone_verified_at is not None
    from nanxi.adapters import user_by_phone

    assert user_by_phone("13700001111") == other


def test_confirming_a_number_takes_it_from_an_older_account(db):
    old = phone_user()
    new = phone_user(confirmed=False)
    services.phone_confirm(user=new, phone="+86" + PHONE)
    assert Profile.objects.get(user=old).phone_verified_at is None
    assert Profile.objects.get(user=new).phone_verified_at <= timezone.now()


def test_confirming_a_number_that_is_not_the_accounts_is_refused(db):
    user = phone_user(confirmed=False)
    with pytest.raises(ValidationError):
        services.phone_confirm(user=user, phone="13900001111")
    assert Profile.objects.get(user=user).phone_verified_at is None


def test_a_staff_member_without_profile_gets_no_phone_from_the_adapter(db):
    from nanxi.adapters import AccountAdapter

    assert AccountAdapter().get_phone(UserFactory()) is None


def test_a_lost_code_can_be_sent_again_but_not_endlessly(db, client, outbox):
    signup_by_phone(client)
    for _ in range(4):
        cache.clear()  # past allauth's 30-second pause between two codes
        client.post("/en/accounts/phone/verify/", {"action": "resend"})
    # The first code and two more; the third "again" is refused.
    assert len(outbox) == 3 and {m.phone for m in outbox} == {PHONE}
    client.post("/en/accounts/phone/verify/", {"code": code_in(outbox[-1])})
    assert Profile.objects.get(phone=PHONE).phone_verified_at is not None


def test_the_account_pages_ask_the_database_little(
    db, client, django_assert_max_num_queries
):
    phone_user()
    for url in [
        "/en/accounts/signup/",
        "/en/accounts/login/",
        "/en/accounts/login/code/",
    ]:
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200
    # A log-in writes the session and last_login and checks the throttle: a fixed
    # number of queries, whatever is stored.
    with django_assert_max_num_queries(20):
        client.post("/en/accounts/login/", {"login": PHONE, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    with django_assert_max_num_queries(6):
        assert client.get("/en/admin/login/").status_code in (200, 302)


def test_the_profile_of_a_phone_only_resident_shows_the_login_number(db, client):
    user = phone_user(email="")
    client.force_login(user)
    page = client.get("/en/accounts/profile/").content.decode()
    assert "None: you log in with your mobile number." in page
    assert PHONE in page and "confirmed by a code" in page
    assert 'href="/en/accounts/phone/change/"' in page


def test_an_e_mail_resident_is_offered_to_add_a_login_number(db, client):
    user = phone_user(confirmed=False)
    client.force_login(user)
    page = client.get("/en/accounts/profile/").content.decode()
    assert "Add and confirm by a code" in page
