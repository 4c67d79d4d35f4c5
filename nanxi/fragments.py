"""Versions of what pages show, and what is cached by them.

A version is a random token in the cache under ``v:<name>`` — ``project:12`` for
one project's card and page, ``projects`` for which projects the lists hold, in
which order. The services that write bump the versions of what they changed (they
are the only writers), so:

- a cached fragment (a project card, a building-group card) is stored with the
  version it was rendered at and used only while that version is current;
- a value derived from a whole list (its count, its filter's options) likewise;
- the visitors' page cache (``nanxi.caching``) keeps the versions a page was made
  from and serves the page only while they all are current.

No timer decides when a change shows. A version that is lost (evicted, Redis
restarted) costs a render: a new token is made, an old one is never reused.

While Redis is down, the cache falls back to each process's memory
(``nanxi.cache_backends``), where one process's bump is not seen by another:
nothing is served from versions then, every page renders fresh.
"""

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable

from django import forms
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# The names the street office keeps in the admin and many pages show: residential
# areas, estates, topics, the steps' names, the areas' vote rules (few, rare writes).
NAMES = "names"

VERSION_TIMEOUT = 60 * 60 * 24 * 30
FRAGMENT_TIMEOUT = 60 * 60 * 24
# Attribute of the request where the versions a page was made from are recorded.
RECORDED = "_nanxi_versions"


def _key(name: str) -> str:
    return f"v:{name}"


def version_key(name: str) -> str:
    """The cache key holding the version `name` (to fetch it with other keys)."""
    return _key(name)


def _token() -> str:
    return secrets.token_hex(8)


def available() -> bool:
    """Whether the shared cache answers (not a process's fallback memory)."""
    breaker = getattr(cache, "_breaker", None)  # nanxi.cache_backends, when Redis
    return breaker is None or time.monotonic() >= breaker.down_until


def bump(*names: str) -> None:
    """New versions for `names`: what was cached by the old ones is not used again.

    Bumped now (this transaction's own later reads see it) and once more when the
    transaction commits: a page rendered in between from the data before the
    commit stored its fragment under a version that is then already gone.
    """
    if not names:
        return
    # "project:12" also moves "project:*", the version of all projects' fragments
    # together: a cached page of many cards checks that one, not each card's.
    names = {*names, *(f"{n.split(':')[0]}:*" for n in names if ":" in n)}
    _new_tokens(names)
    if transaction.get_connection().in_atomic_block:
        _at_commit(names)


def _new_tokens(names) -> None:
    cache.set_many({_key(n): _token() for n in names}, VERSION_TIMEOUT)


def _at_commit(names) -> None:
    """Bump `names` again when the transaction commits: one callback (one round
    trip) for all the names a transaction bumps, however many writes it makes."""
    connection = transaction.get_connection()
    pending = getattr(connection, "_nanxi_bump_at_commit", None)
    # Gone from the list: run at the last commit, or dropped by a rollback.
    if pending is None or not any(
        entry[1] is pending for entry in connection.run_on_commit
    ):

        def pending():
            _new_tokens(pending.names)

        pending.names = set()
        pending.nanxi_versions = True  # tests tell it from other callbacks
        connection._nanxi_bump_at_commit = pending
        transaction.on_commit(pending)
    pending.names.update(names)


# Recorded for a name seen at two versions while one page was made: never current.
CONFLICT = "!"


def record(request, tokens: dict[str, str]) -> None:
    """Note on the request that its page was made from these versions.

    A name already noted at another version (a write landed while the page was
    made, between its audience and its data, say) is noted as a conflict: the
    page is stored, but never served as current.
    """
    if request is not None and hasattr(request, RECORDED):
        recorded = getattr(request, RECORDED)
        for name, token in tokens.items():
            seen = recorded.get(name)
            recorded[name] = token if seen in (None, token) else CONFLICT


def depend(request, *names: str) -> None:
    """Record that the page being made for a visitor shows `names` (call it before
    reading the data). Costs nothing for a page that is not being cached."""
    if request is not None and hasattr(request, RECORDED):
        found = cache.get_many([_key(n) for n in names])
        record(request, _ensure(found, names))


def tokens(request, *names: str) -> dict[str, str]:
    """The current token of each name (made if unknown), recorded for the page
    being made: for what a fragment's key must also change with."""
    found = cache.get_many([_key(n) for n in names])
    made = _ensure(found, names)
    record(request, made)
    return made


def current(names: Iterable[str]) -> dict[str, str | None]:
    """The current token of each name (None: unknown), in one round trip."""
    names = list(names)
    found = cache.get_many([_key(n) for n in names])
    return {n: found.get(_key(n)) for n in names}


def _ensure(found: dict, names: Iterable[str]) -> dict[str, str]:
    """Tokens for `names` from `found`; unknown ones made and stored first.

    Stored before anything is rendered with them: a bump that lands later wins.
    """
    tokens, made = {}, {}
    for name in names:
        token = found.get(_key(name))
        if token is None:
            token = made[_key(name)] = _token()
        tokens[name] = token
    if made:
        cache.set_many(made, VERSION_TIMEOUT)
    return tokens


def by_version(
    key: str,
    version: str | tuple[str, ...],
    compute: Callable[[], object],
    *,
    request=None,
    timeout=None,
):
    """`compute()`, cached under `key` while `version` (a name, or several names)
    stays current; one round trip when it does."""
    if not available():
        return compute()
    names = (version,) if isinstance(version, str) else tuple(version)
    found = cache.get_many([*(_key(n) for n in names), key])
    tokens = _ensure(found, names)
    record(request, tokens)
    token = "|".join(tokens[n] for n in names)
    hit = found.get(key)
    if hit is not None and hit[0] == token:
        return hit[1]
    value = compute()
    cache.set(key, (token, value), timeout or FRAGMENT_TIMEOUT)
    return value


def fragments(
    kind: str,
    ids: list[int],
    render: Callable[[list[int]], dict[int, str]],
    *,
    variant: str = "",
    request=None,
) -> dict[int, SafeString]:
    """The HTML fragment of each object, cached per object version and language.

    One ``get_many`` fetches every object's version and fragment together (a
    fragment is stored with the version it was rendered at). `render(ids)` is
    called once, for the objects without a current fragment, and must read their
    data itself: after the versions were read, so a fragment is never newer-keyed
    than its data. `variant` is what else the fragment depends on (labels, …).
    """
    if not ids:
        return {}
    if not available():
        return {pk: mark_safe(html) for pk, html in render(ids).items()}  # noqa: S308
    language = get_language() or ""
    names = {pk: f"{kind}:{pk}" for pk in ids}
    keys = {pk: f"frag:{kind}:{pk}:{language}:{variant}" for pk in ids}
    every = f"{kind}:*"
    found = cache.get_many(
        [_key(every), *(_key(n) for n in names.values()), *keys.values()]
    )
    tokens = _ensure(found, [every, *names.values()])
    # A cached page is current while no object of this kind changed (one key).
    record(request, {every: tokens.pop(every)})
    out: dict[int, SafeString] = {}
    missing = []
    for pk in ids:
        hit = found.get(keys[pk])
        if hit is not None and hit[0] == tokens[names[pk]]:
            out[pk] = mark_safe(hit[1])  # noqa: S308 (our own rendered template)
        else:
            missing.append(pk)
    if missing:
        rendered = render(missing)
        cache.set_many(
            {keys[pk]: (tokens[names[pk]], str(html)) for pk, html in rendered.items()},
            FRAGMENT_TIMEOUT,
        )
        out.update((pk, mark_safe(html)) for pk, html in rendered.items())  # noqa: S308
    return out


def digest(*parts) -> str:
    """A short stable name for what a fragment also depends on (labels, filters)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


class CountedPaginator(Paginator):
    """A paginator told its count (cached) instead of counting the table again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def page_of_ids(queryset, number, per_page: int, *, count: int) -> Page:
    """The page `number` of `queryset` as a list of primary keys (one query)."""
    page = CountedPaginator(
        queryset.values_list("pk", flat=True), per_page, count=count
    ).get_page(number)
    page.object_list = list(page.object_list)
    return page


class RememberedWidget:
    """A widget that renders the same HTML once per process, then remembers it.

    A list's filter form shows the same few selects on every page; rendering their
    options through the form templates is most of a page's work. The HTML depends
    only on the name, value, attributes, options and language: that is the key.
    """

    MAX_REMEMBERED = 2000
    _remembered: dict = {}

    def render(self, name, value, attrs=None, renderer=None):
        options = tuple(
            (str(v), str(label)) for v, label in getattr(self, "choices", ())
        )
        key = (
            type(self).__name__,
            name,
            repr(value),
            repr(sorted({**self.attrs, **(attrs or {})}.items())),
            options,
            get_language(),
        )
        html = self._remembered.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self._remembered) >= self.MAX_REMEMBERED:
                self._remembered.clear()
            self._remembered[key] = html
        return html


class RememberedSelect(RememberedWidget, forms.Select):
    pass


class RememberedTextInput(RememberedWidget, forms.TextInput):
    pass
