import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from nanxi.models import ResidentialArea
from nanxi.settings import database_from_url
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_home_page_is_chinese_by_default(db, client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "南京西路街道" in body and "自治项目" in body


def test_home_page_in_english_under_en(db, client):
    body = client.get("/en/").content.decode()
    assert '<html lang="en">' in body
    assert "Nanjing West Road Street" in body


def test_language_switch_is_a_link_to_the_same_page(db, client):
    body = client.get("/projects/?area=1").content.decode()
    assert 'href="/en/projects/?area=1"' in body
    body = client.get("/en/projects/?area=1").content.decode()
    assert 'href="/projects/?area=1"' in body


def test_security_headers(db, client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts(db, client):
    for url in ["/", "/accounts/login/", "/accounts/signup/"]:
        assert "<script>" not in client.get(url).content.decode()


def test_admin_login_is_throttled_after_repeated_failures(db, client, settings):
    staff = UserFactory(is_staff=True)
    for _ in range(settings.LOGIN_ACCOUNT_ATTEMPTS):
        response = client.post(
            "/admin/login/", {"username": staff.username, "password": "guess"}
        )
        assert response.status_code == 200
    # Now even the right password is turned away until the window passes.
    response = client.post(
        "/admin/login/", {"username": staff.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_works_for_staff(db, client):
    staff = UserFactory(is_staff=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_demo_is_idempotent(db):
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from django.contrib.auth import get_user_model

    counts = (ResidentialArea.objects.count(), get_user_model().objects.count())
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (ResidentialArea.objects.count(), get_user_model().objects.count()) == counts
    assert {"华业", "威海", "重华"} <= set(
        ResidentialArea.objects.values_list("name", flat=True)
    )


def test_database_url_is_parsed():
    db = database_from_url(
        "postgres://nanxi:p%40ss@db.local:5433/nanxi?sslmode=require"
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "nanxi",
        "p@ss",
        "db.local",
        "5433",
        "nanxi",
    )
    # connect_timeout: PostgreSQL down means the maintenance page in seconds.
    assert db["OPTIONS"] == {"sslmode": "require", "connect_timeout": "5"}


def test_database_url_of_another_kind_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://root@localhost/nanxi")


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "nanxi.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_refuse_to_start_without_a_secret_when_debug_is_off():
    result = _manage("check", env={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": "x7#kq2!v9Lm$Rt4pZ8wN3sYb6Hc1Jd5Fg0Ae-uTiOoPlKjMnBvCxZaQwErTy",
            "ALLOWED_HOSTS": "nanxi.example",
            "SECURE_SSL_REDIRECT": "1",
            "SESSION_COOKIE_SECURE": "1",
            "CSRF_COOKIE_SECURE": "1",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
            "SECURE_HSTS_PRELOAD": "1",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_each_language_is_named_in_its_own_words(db, client):
    body = client.get("/").content.decode()
    assert ">English</a>" in body and ">简体中文</strong>" in body
