"""Short-lived caching of public pages for visitors who are not logged in."""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language


def cache_for_visitors(view):
    """Serve anonymous GETs of this page from the cache for a few seconds.

    The key is the language and the full address only: a visitor's cookies do not
    split the cache. Logged-in people (their page shows their own buttons) and
    visitors with a message waiting always get a freshly rendered page.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if (
            not seconds
            or request.method != "GET"
            or request.user.is_authenticated
            or len(get_messages(request))
        ):
            return view(request, *args, **kwargs)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"page:{get_language()}:{digest}"
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapper
