"""Sessions read from the cache, written through to the database (SESSION_ENGINE).

Django's ``cached_db``: a logged-in request reads its session from Redis in one
round trip instead of a query; every write goes to the database first, so the
database stays the record. While Redis is down, sessions are read from the
database only: each process's fallback memory (``nanxi.cache_backends``) would
keep its own copy, and a logout or a change made in one process would not be
seen by another. The keys written meanwhile are dropped from Redis when it is
back, so no stale copy is read after the outage either.
"""

from django.contrib.sessions.backends import cached_db, db

from nanxi import fragments


class SessionStore(cached_db.SessionStore):
    def load(self):
        if not fragments.available():
            return db.SessionStore.load(self)
        return super().load()
