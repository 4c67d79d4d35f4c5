from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

from nanxi.urls import handler500  # noqa: F401
from nanxi.urls import urlpatterns as portal


def bare(request):
    """No template, no query, no session: what every request costs at least."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    *i18n_patterns(path("bench/bare/", bare), prefix_default_language=False),
    *portal,
]
