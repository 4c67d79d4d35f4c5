"""Caching of public pages for visitors who are not logged in.

A page is stored with the versions it was made from (``nanxi.fragments``: the view
records them while it renders) and served only while they all are current: a new
vote or rating shows to visitors at once, not when a timer runs out. Pages that
record no version keep the timer alone.
"""

import hashlib
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from nanxi import fragments

# A value longer than this is not a filter a page offers: render it, do not store it.
MAX_VALUE_LENGTH = 40


def _cache_key(request, params: frozenset[str]) -> str | None:
    """The page's key, or None when the address is not one the page would store.

    Only the query parameters the page declares make the key (sorted, so their order
    does not matter). An address with any other parameter (a tracking tag, junk) is
    rendered fresh and not stored: its links would carry the junk, and storing every
    such address would let anyone fill the cache.
    """
    query = []
    for name, values in request.GET.lists():
        if name not in params:
            return None
        for value in values:
            if len(value) > MAX_VALUE_LENGTH:
                return None
            query.append((name, value))
    address = request.path + "?" + urlencode(sorted(query))
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"page2:{get_language()}:{digest}"


def cache_for_visitors(view=None, *, params: tuple[str, ...] = ()):
    """Serve anonymous GETs of this page from the cache while it is current.

    Current: its versions (those its view recorded, ``nanxi.fragments``) have not
    changed, and it is younger than ``PUBLIC_PAGE_CACHE_SECONDS``.

    `params` are the query parameters the page reads (its filters and `page`); the
    key is the language, the path and those parameters only, so a visitor's cookies
    and other query strings do not split the cache. Logged-in people (their page
    shows their own buttons) and visitors with a message waiting always get a
    freshly rendered page. Use bare (``@cache_for_visitors``) for a page without
    parameters, or ``@cache_for_visitors(params=("category", "page"))``.
    """
    if view is None:
        return lambda view: cache_for_visitors(view, params=params)
    known = frozenset(params)

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
        key = _cache_key(request, known)
        if key is None:
            return view(request, *args, **kwargs)
        hit = cache.get(key)
        if isinstance(hit, tuple) and len(hit) == 3:
            content, content_type, versions = hit
            if not versions or fragments.current(versions) == versions:
                return HttpResponse(content, content_type=content_type)
        setattr(request, fragments.RECORDED, {})
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.cookies
            and fragments.available()
        ):
            versions = getattr(request, fragments.RECORDED)
            cache.set(
                key, (response.content, response["Content-Type"], versions), seconds
            )
        return response

    return wrapper
