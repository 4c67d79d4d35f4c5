"""The portal's settings, plus one bare view behind the same middleware (benchmark only).

``/healthz`` is answered by ``nanxi.middleware.HealthCheckMiddleware`` before any other
middleware runs (a probe asks by IP, over plain HTTP). The issue's yardstick is "a bare
view, same middleware": ``/bench/bare/`` is that, so the table can show both.
"""

from nanxi.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
