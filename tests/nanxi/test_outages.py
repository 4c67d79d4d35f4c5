"""Outages at unit level: a Redis cache on a closed port, a broker and a database
that raise (test doubles for an outage; CI's live run stops the real Redis in
tests/nanxi/test_outage_live.py)."""

import json
import logging
import re
import socket
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from kombu.exceptions import OperationalError as BrokerDown

from nanxi import cache_backends, queue, tasks
from nanxi.celery import app as celery_app
from nanxi.middleware import server_error
from tests.nanxi.outage_checks import everything_works

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """The default cache is Redis on a port where nothing listens."""
    cache_backends._breakers.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "nanxi.cache_backends.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/1",
            "KEY_PREFIX": "nanxi",
        }
    }
    yield
    cache_backends._breakers.clear()


@pytest.fixture
def broker_down(monkeypatch):
    """Every task's apply_async fails the way kombu does when Redis is gone."""
    from celery import Task

    def refuse(self, *args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(Task, "apply_async", refuse)
    yield
    celery_app.conf.task_always_eager = eager


# --- Redis as a cache ------------------------------------------------------------------


def test_cache_on_a_dead_redis_keeps_working_in_memory(redis_down, caplog):
    with caplog.at_level(logging.ERROR, logger="nanxi.cache_backends"):
        cache.set("answer", 42, 30)
        assert cache.get("answer") == 42
        assert cache.add("counter", 1)
        assert cache.incr("counter") == 2
        cache.delete("answer")
        assert cache.get("answer", "gone") == "gone"
    errors = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(errors) == 1  # logged once per outage, not once per call


def test_a_dead_redis_is_tried_once_per_interval(redis_down):
    from django.core.cache.backends.redis import RedisCache

    with mock.patch.object(RedisCache, "get", side_effect=ConnectionError) as tried:
        tried.side_effect = cache_backends.REDIS_DOWN[0]("refused")
        for _ in range(50):
            cache.get("x")
    assert tried.call_count == 1


def test_pages_votes_comments_and_mail_work_with_redis_down(
    client, area, redis_down, broker_down, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    everything_works(client, area, django_capture_on_commit_callbacks)


# --- Redis as a broker ----------------------------------------------------------------


def test_enqueue_with_the_broker_down_sends_the_mail_inline(broker_down, caplog):
    from django.core import mail

    with caplog.at_level(logging.WARNING, logger="nanxi.queue"):
        taken = queue.enqueue(
            tasks.send_email,
            subject="主题",
            body="正文",
            from_email="a@example.com",
            to=["b@example.com"],
        )
    assert taken is False
    assert [m.subject for m in mail.outbox] == ["主题"]
    assert "Broker unreachable" in caplog.text


def test_a_task_failing_inline_is_logged_not_raised(broker_down, caplog, monkeypatch):
    monkeypatch.setattr(
        "django.core.mail.EmailMultiAlternatives.send",
        mock.Mock(side_effect=ValueError("bad address")),
    )
    with caplog.at_level(logging.ERROR, logger="nanxi.queue"):
        queue.enqueue(
            tasks.send_email, subject="s", body="b", from_email="a@x", to=["b@x"]
        )
    assert "failed while running inline" in caplog.text


def test_every_task_is_enqueued_through_nanxi_queue():
    """`.delay(`/`.apply_async(` outside nanxi/queue.py would bypass the outage rule."""
    offenders = []
    for app in ["nanxi", "projects", "buildings", "committees", "reports"]:
        for path in (ROOT / app).rglob("*.py"):
            if path.name == "queue.py" and path.parent.name == "nanxi":
                continue
            text = path.read_text()
            if re.search(r"\.(delay|apply_async|send_task)\(", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --- PostgreSQL down -----------------------------------------------------------------------

DB_DOWN = mock.patch(
    "django.db.backends.utils.CursorWrapper.execute",
    side_effect=OperationalError("could not connect to server: Connection refused"),
)


@pytest.mark.parametrize("url", ["/", "/projects/", "/en/buildings/"])
def test_database_down_gives_the_bilingual_maintenance_page(db, url):
    client = Client(raise_request_exception=False)
    with DB_DOWN:
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    body = response.content.decode()
    assert "系统维护中" in body
    assert "Under maintenance" in body
    # and it recovers by itself, without a restart
    assert client.get(url).status_code == 200


def test_database_down_outside_a_view_gives_the_maintenance_page_too(rf):
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert "系统维护中" in response.content.decode()


def test_other_errors_get_the_bilingual_500_page(db, monkeypatch):
    monkeypatch.setattr(
        "reports.views.selectors.headlines", mock.Mock(side_effect=RuntimeError)
    )
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "出错了" in body
    assert "Something went wrong" in body


# --- /healthz and /readyz ----------------------------------------------------------------


@pytest.mark.parametrize("host", ["10.1.2.3", "web:8000", "evil.example"])
def test_healthz_answers_any_host_over_http_without_the_database(settings, host):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["nanxi.example"]
    with DB_DOWN as execute:
        response = Client().get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.content == b"ok"
    assert execute.call_count == 0


def test_readyz_is_ok_when_everything_answers(db, settings):
    settings.ALLOWED_HOSTS = ["nanxi.example"]
    settings.REDIS_URL = ""
    response = Client().get("/readyz", HTTP_HOST="172.18.0.5")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "down": [],
        "database": "ok",
    }


def test_readyz_names_the_database_when_it_is_down(db, settings):
    settings.REDIS_URL = ""
    with DB_DOWN:
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["down"] == ["database"]


def test_readyz_names_redis_when_it_is_down(db, redis_down, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert body["down"] == ["redis", "redis_cache"]
