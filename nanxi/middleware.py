"""Middleware that keeps the portal answering when what it stands on does not."""

import json
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

from nanxi.health import readiness

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)


class HealthCheckMiddleware:
    """Answer ``/healthz`` and ``/readyz`` before anything else looks at the request.

    First in MIDDLEWARE: a probe asks by IP address and over plain HTTP, so neither
    ALLOWED_HOSTS (CommonMiddleware) nor the HTTPS redirect (SecurityMiddleware) may
    stand in its way, and no session or user is loaded.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return HttpResponse("ok", content_type="text/plain")
        if request.path == "/readyz":
            checks = readiness()
            down = sorted(name for name, state in checks.items() if state != "ok")
            body = {"status": "down" if down else "ok", "down": down, **checks}
            return HttpResponse(
                json.dumps(body),
                status=503 if down else 200,
                content_type="application/json",
            )
        return self.get_response(request)


def maintenance_response() -> HttpResponse:
    """The bilingual "under maintenance" page. Renders without the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "60"
    return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach PostgreSQL answers 503 "under maintenance", not 500.

    Errors raised outside a view (e.g. saving the session) reach
    ``server_error`` below, which gives the same page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.error("database unavailable: %s", exception)
            return maintenance_response()
        return None


def server_error(request):
    """handler500: the maintenance page (503) when the database is down, else 500.html.

    Django calls it inside its exception handling, so the error is at hand. Neither
    page touches the database nor runs context processors.
    """
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return maintenance_response()
    return HttpResponseServerError(render_to_string("500.html"))
