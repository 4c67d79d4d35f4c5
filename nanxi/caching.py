"""Pages served from the cache: to visitors, and to logged-in people who would see
the same page.

A page is stored with the versions it was made from (``nanxi.fragments``: the view
records them while it renders) and served only while they all are current: a new
vote or rating shows at once, not when a timer runs out. Pages that record no
version keep the timer alone.

**Who sees the same page (the audience).** A stored page is shared by everyone with
the same audience: visitors; or logged-in people with the same navigation (staff or
not) and whatever else the view declares it depends on (``audience=``: e.g. the
project list's scope, the same for every resident without drafts of their own). A
view that declares no audience is never served from the cache to a logged-in person.

**Holes: what is each person's own.** The few parts of a shared page that belong to
the person reading it — the form token (CSRF), the unread count, "You voted: …" on
a card — are stored as markers and filled for each request (``hole``, ``fill``). A
marker carries a key derived from SECRET_KEY, so text a resident typed can never be
taken for one. Register the filler of a new hole with ``@filler("name")`` in the
module of the view that renders it.
"""

import hashlib
import logging
import re
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext

from nanxi import fragments, notifications

logger = logging.getLogger(__name__)

# A value longer than this is not a filter a page offers: render it, do not store it.
MAX_VALUE_LENGTH = 40
# Attribute of the request: its page is being made by `cache_page` (holes as markers).
HOLES = "_nanxi_holes"

# --- holes ----------------------------------------------------------------------------

_SEPARATOR = "\x1e"  # ASCII record separator: never escaped, never in a template
_mark = SimpleLazyObject(
    lambda: (
        _SEPARATOR
        + hashlib.sha256(f"{settings.SECRET_KEY}:nanxi-holes".encode()).hexdigest()[:12]
    )
)
_pattern = SimpleLazyObject(
    lambda: re.compile(
        re.escape(str(_mark)) + r"([a-z-]+):([^\x1e<>]{0,40})" + _SEPARATOR
    )
)
_fillers: dict[str, Callable] = {}


def filler(name: str):
    """Register `fill(request, args) -> {arg: html}` for the hole `name`: called once
    a page, with the args of every marker of that name on it."""

    def register(function):
        _fillers[name] = function
        return function

    return register


def holes_mode(request) -> bool:
    return request is not None and getattr(request, HOLES, False)


def hole(request, name: str, arg="") -> str:
    """A person's own part of a page: a marker when the page may be shared (filled
    per request by `fill`), else its HTML at once."""
    arg = str(arg)
    if holes_mode(request):
        return f"{_mark}{name}:{arg}{_SEPARATOR}"
    return _fillers[name](request, [arg]).get(arg, "")


def fill(request, content: str) -> str:
    """The page with every marker replaced by this person's part."""
    found: dict[str, set[str]] = {}
    for match in _pattern.finditer(content):
        found.setdefault(match[1], set()).add(match[2])
    if not found:
        return content
    parts = {}
    for name, args in found.items():
        function = _fillers.get(name)
        if function is None:
            logger.error("no filler for the hole %r", name)
        html = function(request, sorted(args)) if function else {}
        parts.update(((name, arg), str(html.get(arg, ""))) for arg in args)
    return _pattern.sub(lambda match: parts[(match[1], match[2])], content)


@filler("csrf")
def _csrf(request, args):
    return dict.fromkeys(args, get_token(request))


@filler("unread")
def _unread(request, args):
    """The header's badge: how many notices this person has not read."""
    n = notifications.unread_count(request.user)
    label = ngettext("%(n)s unread", "%(n)s unread", n) % {"n": n}
    badge = format_html(' <span class="badge" aria-label="{}">{}</span>', label, n)
    return dict.fromkeys(args, badge if n else "")


def _filled(request, response):
    if (
        not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
        and str(_mark).encode() in response.content
    ):
        response.content = fill(request, response.content.decode()).encode()
    return response


# --- the page cache ---------------------------------------------------------------


def _cache_key(request, params: frozenset[str], audience: str = "anon") -> str | None:
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
    # The host too: a page may print its own address (the QR caption).
    address = request.get_host() + request.path + "?" + urlencode(sorted(query))
    digest = hashlib.sha256(address.encode()).hexdigest()
    # The holes' mark in the key: a page is filled only by processes that know it.
    return f"page3:{str(_mark)[1:7]}:{get_language()}:{audience}:{digest}"


def _audience(request, audience, args, kwargs) -> str | None:
    """Who shares this page with the person asking (None: nobody, render it)."""
    user = request.user
    if not user.is_authenticated:
        base = "anon"
    elif audience is None:
        return None
    else:
        base = "staff" if user.is_staff else "in"  # the navigation differs
    extra = audience(request, *args, **kwargs) if audience is not None else ""
    if extra is None:
        return None
    return base if not extra else f"{base}:{extra}"


# Page key → the names of the versions it was made from, in this process: the page
# and its versions are then fetched in one round trip.
_names_of: dict[str, tuple[str, ...]] = {}
MAX_REMEMBERED = 10_000


def _remember_names(key: str, versions) -> None:
    names = tuple(versions)
    if _names_of.get(key) != names:
        if len(_names_of) >= MAX_REMEMBERED:
            _names_of.clear()
        _names_of[key] = names


def _current_page(key: str) -> tuple[bytes, str] | None:
    """The stored page (content, content type) if all its versions are current."""
    names = _names_of.get(key, ())
    found = cache.get_many([key, *(fragments.version_key(n) for n in names)])
    hit = found.get(key)
    if not (isinstance(hit, tuple) and len(hit) == 3):
        return None
    content, content_type, versions = hit
    if versions:
        now = {n: found.get(fragments.version_key(n)) for n in versions if n in names}
        unknown = [n for n in versions if n not in now]
        if unknown:
            now.update(fragments.current(unknown))
        if now != versions:
            return None
        _remember_names(key, versions)
    return content, content_type


def everyone(request, *args, **kwargs) -> str:
    """The audience of a page that shows nothing of the person reading it."""
    return ""


def cache_page(view=None, *, params: tuple[str, ...] = (), audience=None):
    """Serve GETs of this page from the cache while it is current.

    Current: its versions (those its view recorded, ``nanxi.fragments``) have not
    changed, and it is younger than ``PUBLIC_PAGE_CACHE_SECONDS``.

    `params` are the query parameters the page reads (its filters and `page`); the
    key is the language, the audience, the path and those parameters only, so
    cookies and other query strings do not split the cache.

    `audience(request, *args, **kwargs) -> str | None` (the view's arguments) says
    what else of the person the page depends on ("" for nothing, None for "render
    it for this person"); without it, only visitors are served from the cache. Everything of a person's own on the page
    must be a hole (``hole``; ``{% csrf_token %}`` is one on such a page). People
    with a message waiting get a freshly rendered page. Use bare
    (``@cache_page``) for a page without parameters, or
    ``@cache_page(params=("category", "page"), audience=…)``.
    """
    if view is None:
        return lambda view: cache_page(view, params=params, audience=audience)
    known = frozenset(params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        key = None
        if seconds and not len(get_messages(request)):
            # The audience records the versions it was worked out from: a write
            # between it and the page's data makes the page one never served.
            setattr(request, fragments.RECORDED, {})
            who = _audience(request, audience, args, kwargs)
            if who is not None:
                key = _cache_key(request, known, who)
        setattr(request, HOLES, True)
        if key is not None:
            hit = _current_page(key)
            if hit is not None:
                content, content_type = hit
                response = HttpResponse(content, content_type=content_type)
                return _filled(request, response)
        try:
            response = view(request, *args, **kwargs)
        finally:
            # An error page rendered after this (404, 500) fills nothing: no markers.
            setattr(request, HOLES, False)
        if (
            key is not None
            and response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
            and fragments.available()
            and fragments.CONFLICT not in getattr(request, fragments.RECORDED).values()
        ):
            versions = getattr(request, fragments.RECORDED)
            cache.set(
                key, (response.content, response["Content-Type"], versions), seconds
            )
            _remember_names(key, versions)
        return _filled(request, response)

    return wrapper
