"""Login throttling that cannot be turned against users (nanxi.throttle).

Behind the proxy every request comes from the proxy's address; the client's is
in X-Forwarded-For. These tests post through the proxy (REMOTE_ADDR = PROXY)
as different clients. With REDIS_URL set (CI's PostgreSQL run) the counters
live in the shared Redis cache; otherwise in-process.
"""

import pytest
from allauth.account.adapter import get_adapter
from django.core import mail
from django.test import RequestFactory

from nanxi import throttle
from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.LOGIN_ACCOUNT_ATTEMPTS = 5
    settings.LOGIN_LOCK_SECONDS = [60, 300, 900]
    settings.LOGIN_ADDRESS_ATTEMPTS = 20


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand: ``clock.now += 61``."""

    class Clock:
        now = 1_800_000_000.0

    monkeypatch.setattr(throttle, "_now", lambda: Clock.now)
    return Clock


def via_proxy(client_address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def site_login(client, email, password, address):
    return client.post(
        "/en/accounts/login/",
        {"login": email, "password": password},
        **via_proxy(address),
    )


def admin_login(client, username, password, address):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        **via_proxy(address),
    )


def logged_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


# --- the client's address ------------------------------------------------------------


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_from_an_untrusted_peer():
    assert throttle.client_ip(request("192.0.2.5", "1.2.3.4")) == "192.0.2.5"


def test_forwarded_for_is_ignored_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXIES = []
    assert throttle.client_ip(request(PROXY, "1.2.3.4")) == PROXY


def test_trusted_proxy_gives_the_address_it_added_not_what_the_client_wrote():
    # The client wrote "6.6.6.6" itself; our proxy appended the address it saw.
    assert throttle.client_ip(request(PROXY, "6.6.6.6, 198.51.100.7")) == OWNER


def test_our_own_proxies_in_the_chain_are_skipped():
    assert throttle.client_ip(request(PROXY, f"{OWNER}, 10.0.0.3")) == OWNER


def test_garbage_in_the_header_falls_back_to_the_peer():
    assert throttle.client_ip(request(PROXY, "not-an-ip")) == PROXY
    assert throttle.client_ip(request(PROXY, "")) == PROXY


def test_allauth_rate_limits_count_by_the_same_address():
    assert get_adapter().get_client_ip(request(PROXY, OWNER)) == OWNER
    assert get_adapter().get_client_ip(request("192.0.2.5", OWNER)) == "192.0.2.5"


# --- the attack scenarios of issue 10 ---------------------------------------------------


def test_five_wrong_admin_passwords_through_the_proxy_do_not_lock_out_other_staff(
    db, client, clock
):
    target = UserFactory(is_staff=True)
    colleague = UserFactory(is_staff=True)
    for _ in range(5):
        assert (
            admin_login(client, target.username, "guess", ATTACKER).status_code == 200
        )

    response = admin_login(client, colleague.username, PASSWORD, OWNER)

    assert response.status_code == 302
    assert logged_in(client, colleague)


def test_eleven_failures_across_accounts_do_not_lock_out_unrelated_residents(
    db, client, clock
):
    victims = [UserFactory() for _ in range(11)]
    for victim in victims:
        site_login(client, victim.email, "guess", ATTACKER)
    resident = UserFactory()

    response = site_login(client, resident.email, PASSWORD, OWNER)

    assert response.status_code == 302
    assert logged_in(client, resident)
    # Nor is any of the eleven accounts locked by one failure each.
    client.post("/accounts/logout/")
    site_login(client, victims[0].email, PASSWORD, OWNER)
    assert logged_in(client, victims[0])


def test_a_locked_account_refuses_even_the_right_password_during_the_lock(
    db, client, clock
):
    user = UserFactory()
    for _ in range(5):
        site_login(client, user.email, "guess", ATTACKER)

    response = site_login(client, user.email, PASSWORD, OWNER)

    assert "Too many failed login attempts" in response.content.decode()
    assert not logged_in(client, user)


def test_a_locked_account_gets_in_from_another_address_after_the_delay(
    db, client, clock
):
    user = UserFactory()
    for _ in range(5):
        site_login(client, user.email, "guess", ATTACKER)
    clock.now += 61

    response = site_login(client, user.email, PASSWORD, OWNER)

    assert response.status_code == 302
    assert logged_in(client, user)


def test_repeated_bursts_lock_for_longer_each_time_up_to_the_longest(db, clock):
    user = UserFactory()
    req = request(PROXY, ATTACKER)
    locks = []
    for _ in range(4):
        for _ in range(4):
            assert throttle.failed(req, user.email) is None
        locks.append(throttle.failed(req, user.email).seconds)
        assert throttle.check(req, user.email).reason == "account"
        clock.now += locks[-1] + 1
        assert throttle.check(req, user.email) is None
    assert locks == [60, 300, 900, 900]


def test_the_owner_is_mailed_once_per_lock(
    db, client, clock, django_capture_on_commit_callbacks
):
    user = UserFactory(email="owner@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):  # five to lock, three refused while locked
            site_login(client, user.email, "guess", ATTACKER)

    assert [message.to for message in mail.outbox] == [["owner@example.com"]]
    assert "1" in mail.outbox[0].body and ATTACKER not in mail.outbox[0].subject
    assert mail.outbox[0].subject  # a subject, not an empty line


def test_unknown_accounts_are_counted_but_mail_no_one(
    db, client, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            response = site_login(client, "nobody@example.com", "guess", ATTACKER)
    assert "Too many failed login attempts" in response.content.decode()
    assert mail.outbox == []


def test_admin_and_site_logins_share_one_count_per_account(db, client, clock):
    staff = UserFactory(is_staff=True)
    for _ in range(3):
        admin_login(client, staff.username, "guess", ATTACKER)
    for _ in range(2):
        site_login(client, staff.email.upper(), "guess", ATTACKER)

    response = admin_login(client, staff.username, PASSWORD, OWNER)

    assert response.status_code == 429
    assert "这个账号登录失败次数过多" in response.content.decode()
    assert not logged_in(client, staff)


def test_a_right_password_clears_the_accounts_failures(db, client, clock):
    user = UserFactory()
    for _ in range(4):
        site_login(client, user.email, "guess", OWNER)
    site_login(client, user.email, PASSWORD, OWNER)
    client.post("/accounts/logout/")
    for _ in range(4):
        site_login(client, user.email, "guess", OWNER)

    site_login(client, user.email, PASSWORD, OWNER)

    assert logged_in(client, user)


def test_many_failures_from_one_address_block_that_address_only(
    db, client, clock, settings
):
    settings.LOGIN_ADDRESS_ATTEMPTS = 3
    users = [UserFactory() for _ in range(4)]
    for user in users[:3]:
        site_login(client, user.email, "guess", ATTACKER)

    blocked = site_login(client, users[3].email, PASSWORD, ATTACKER)
    assert not logged_in(client, users[3])
    assert "Too many failed login attempts" in blocked.content.decode()

    site_login(client, users[3].email, PASSWORD, OWNER)
    assert logged_in(client, users[3])


def test_rotating_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(
    db, client, clock, settings
):
    settings.LOGIN_ADDRESS_ATTEMPTS = 3
    users = [UserFactory() for _ in range(4)]
    for number, user in enumerate(users[:3]):
        client.post(
            "/en/accounts/login/",
            {"login": user.email, "password": "guess"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )

    response = client.post(
        "/en/accounts/login/",
        {"login": users[3].email, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )

    assert "Too many failed login attempts" in response.content.decode()
    assert not logged_in(client, users[3])
