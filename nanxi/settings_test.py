"""Test settings: the real settings with a throwaway secret and a fast hasher."""

import os

os.environ.setdefault(
    "SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789"
)
os.environ.setdefault("STATIC_MANIFEST", "0")

from nanxi.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests check mail in Django's outbox; the Celery path itself is exercised eagerly,
# and against the real worker and broker in tests marked `worker`.
CELERY_TASK_ALWAYS_EAGER = True
# Pages are rendered fresh in tests; the cache itself has tests of its own.
PUBLIC_PAGE_CACHE_SECONDS = 0
