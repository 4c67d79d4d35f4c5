"""Liveness and readiness: what the load balancer and `docker compose` ask.

``/healthz`` (liveness) says only that this process answers: it touches neither
PostgreSQL nor Redis, so an outage of either does not get the web server killed.
``/readyz`` (readiness) says whether PostgreSQL and Redis (the broker and the cache)
answer, each within a second or two.
"""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readiness: database down: %s", exc)
        connection.close_if_unusable_or_obsolete()
        return False
    return True


def _redis(url: str) -> bool:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    except redis.RedisError as exc:
        logger.warning("readiness: redis down at %s: %s", url.split("@")[-1], exc)
        return False
    finally:
        client.close()


def readiness() -> dict[str, str]:
    """Each dependency this deployment uses, "ok" or "down"."""
    checks = {"database": "ok" if _database() else "down"}
    if settings.REDIS_URL:
        urls = {"redis": settings.REDIS_URL}
        cache_url = settings.CACHES["default"].get("LOCATION")
        if isinstance(cache_url, str) and cache_url.startswith("redis"):
            urls["redis_cache"] = cache_url
        for name, url in urls.items():
            checks[name] = "ok" if _redis(url) else "down"
    return checks
