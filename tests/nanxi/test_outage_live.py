"""Redis stopped for real in the middle of CI's PostgreSQL + Redis run, then restarted.

The fixture stops the Redis that REDIS_URL names (`redis-cli shutdown nosave`), the
tests check that people can still do everything, then it starts Redis again with
the flags .ci/run uses and the tests check the portal is back on it: cache, broker
and /readyz. No restart of anything on the portal's side.
"""

import json
import logging
import os
import shutil
import subprocess
import time
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from nanxi import cache_backends, queue, tasks
from nanxi.celery import app as celery_app
from tests.nanxi.outage_checks import everything_works

pytestmark = pytest.mark.outage


def _redis_server() -> tuple[str, int]:
    """Host and port of CI's Redis, or skip/fail with the reason."""

    def unavailable(reason: str):
        # CI's PostgreSQL run has REDIS_URL and must run these; the SQLite run has none.
        if os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL"):
            pytest.fail(reason)
        pytest.skip(reason)

    if not settings.REDIS_URL:
        unavailable("needs REDIS_URL: a local Redis this test may stop and restart")
    parts = urlsplit(settings.REDIS_URL)
    if parts.hostname not in {"127.0.0.1", "localhost"}:
        unavailable(f"Redis at {parts.hostname} is not local: it cannot be restarted")
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        unavailable(
            "redis-server and redis-cli are needed: apt-get install redis-server"
        )
    return parts.hostname, parts.port or 6379


def _ping(port: int) -> bool:
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def redis_stopped(tmp_path_factory):
    """Stop Redis for the module's first tests; `restart` brings it back."""
    _host, port = _redis_server()
    log = tmp_path_factory.mktemp("redis") / "redis.log"

    def restart():
        if _ping(port):
            return
        subprocess.run(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--daemonize", "yes"]
            + ["--logfile", str(log)],
            check=True,
        )
        deadline = time.monotonic() + 10
        while not _ping(port):
            assert time.monotonic() < deadline, "Redis did not come back"
            time.sleep(0.1)

    subprocess.run(
        ["redis-cli", "-p", str(port), "shutdown", "nosave"],
        capture_output=True,
        check=False,
    )
    deadline = time.monotonic() + 10
    while _ping(port):
        assert time.monotonic() < deadline, "Redis did not stop"
        time.sleep(0.1)
    try:
        yield restart
    finally:
        restart()  # whatever happened, the rest of the suite gets its Redis back


@pytest.fixture
def queued():
    """Send tasks to the (stopped) broker instead of running them in-process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


def test_with_redis_stopped_everything_still_works(
    client,
    area,
    redis_stopped,
    queued,
    settings,
    caplog,
    django_capture_on_commit_callbacks,
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    with caplog.at_level(logging.WARNING):
        everything_works(client, area, django_capture_on_commit_callbacks)
    assert "Broker unreachable" in caplog.text  # the reset mail was sent inline


def test_with_redis_stopped_readyz_names_it(db, client, redis_stopped):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert "redis" in body["down"]
    assert client.get("/healthz").status_code == 200


def test_after_redis_restarts_cache_broker_and_readyz_recover(
    db, client, redis_stopped, queued
):
    redis_stopped()
    _host, port = _redis_server()
    assert client.get("/readyz").status_code == 200

    # The cache goes back to Redis once the breaker's interval has passed.
    deadline = time.monotonic() + cache_backends.ResilientRedisCache.RETRY_SECONDS + 5
    db_index = int(urlsplit(settings.CACHES["default"]["LOCATION"]).path.strip("/"))
    direct = redis.Redis(port=port, db=db_index)
    while True:
        cache.set("outage-recovered", "yes", 30)
        if direct.exists(cache.make_and_validate_key("outage-recovered")):
            break
        assert time.monotonic() < deadline, "the cache did not return to Redis"
        time.sleep(0.5)

    # The broker takes tasks again (purged at once: no worker runs in this test).
    try:
        assert queue.enqueue(
            tasks.send_email,
            subject="after the outage",
            body="b",
            from_email="a@example.com",
            to=["b@example.com"],
        )
    finally:
        celery_app.control.purge()
