"""nanxi.fragments: versions, fragments cached by them, remembered widgets."""

import pytest
from django import forms
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from nanxi import fragments


def _renderer(calls):
    def render(ids):
        calls.append(list(ids))
        return {pk: f"<p>{pk} {len(calls)}</p>" for pk in ids}

    return render


def test_fragments_are_rendered_once_then_served_until_bumped(db):
    calls = []
    first = fragments.fragments("thing", [1, 2], _renderer(calls))
    again = fragments.fragments("thing", [1, 2], _renderer(calls))
    assert first == again == {1: "<p>1 1</p>", 2: "<p>2 1</p>"}
    fragments.bump("thing:2")
    third = fragments.fragments("thing", [1, 2], _renderer(calls))
    assert calls == [[1, 2], [2]]
    assert third == {1: "<p>1 1</p>", 2: "<p>2 2</p>"}


def test_a_lost_version_means_a_render_never_an_old_fragment(db):
    calls = []
    fragments.fragments("thing", [7], _renderer(calls))
    cache.delete("v:thing:7")  # evicted, or Redis restarted
    assert fragments.fragments("thing", [7], _renderer(calls)) == {7: "<p>7 2</p>"}


def test_each_language_and_variant_has_its_own_fragment(db):
    calls = []
    with translation.override("en"):
        fragments.fragments("thing", [3], _renderer(calls))
    with translation.override("zh-hans"):
        fragments.fragments("thing", [3], _renderer(calls))
        fragments.fragments("thing", [3], _renderer(calls), variant="renamed")
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_a_bump_is_repeated_when_the_transaction_commits():
    with transaction.atomic():
        fragments.bump("thing:9")
        during = cache.get("v:thing:9")
        assert during is not None
    assert cache.get("v:thing:9") not in (None, during)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_still_leaves_no_stale_fragment():
    calls = []
    fragments.fragments("thing", [4], _renderer(calls))
    with pytest.raises(RuntimeError), transaction.atomic():
        fragments.bump("thing:4")
        raise RuntimeError
    fragments.fragments("thing", [4], _renderer(calls))
    assert calls == [[4], [4]]  # rendered again: a miss, never wrong


def test_by_version_computes_once_per_version(db):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert fragments.by_version("k", "list", compute) == 1
    assert fragments.by_version("k", "list", compute) == 1
    fragments.bump("list")
    assert fragments.by_version("k", "list", compute) == 2


def test_by_version_can_follow_several_versions(db):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert fragments.by_version("k2", ("a", "b"), compute) == 1
    assert fragments.by_version("k2", ("a", "b"), compute) == 1
    fragments.bump("b")
    assert fragments.by_version("k2", ("a", "b"), compute) == 2


def test_nothing_is_cached_while_the_cache_has_fallen_back(db, monkeypatch):
    monkeypatch.setattr(fragments, "available", lambda: False)
    calls = []
    fragments.fragments("thing", [5], _renderer(calls))
    fragments.fragments("thing", [5], _renderer(calls))
    assert fragments.by_version("k", "list", lambda: 1) == 1
    assert calls == [[5], [5]]
    assert cache.get("k") is None


def test_available_follows_the_resilient_caches_breaker(monkeypatch):
    class Breaker:
        down_until = 10**12

    class Backend:
        _breaker = Breaker()

    monkeypatch.setattr(fragments, "cache", Backend())
    assert not fragments.available()
    Breaker.down_until = 0
    assert fragments.available()


def test_a_remembered_select_renders_like_a_select_and_per_value():
    choices = [("", "All"), ("1", "华业"), ("2", "<威海>")]
    plain = forms.Select(choices=choices)
    remembered = fragments.RememberedSelect(choices=choices)
    for value in ["", "1", "2", "<script>"]:
        attrs = {"id": "id_area"}
        html = remembered.render("area", value, attrs)
        assert html == plain.render("area", value, attrs)
        assert remembered.render("area", value, attrs) == html
    assert "&lt;威海&gt;" in remembered.render("area", "2", {"id": "id_area"})
    assert 'value="2" selected' in remembered.render("area", "2", {"id": "x"})


def test_remembered_widgets_keep_a_bounded_memory(monkeypatch):
    monkeypatch.setattr(fragments.RememberedWidget, "MAX_REMEMBERED", 5)
    monkeypatch.setattr(fragments.RememberedWidget, "_remembered", {})
    widget = fragments.RememberedTextInput()
    for n in range(50):
        assert f'value="{n}"' in widget.render("q", str(n))
    assert len(fragments.RememberedWidget._remembered) <= 5


def test_an_old_style_page_entry_is_rendered_not_a_500(client, db, settings):
    from django.test import RequestFactory

    from nanxi import caching

    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    with translation.override("zh-hans"):
        key = caching._cache_key(RequestFactory().get("/"), frozenset({"year"}))
    cache.set(key, (b"old", "text/html"), 30)  # the entry's shape before versions
    response = client.get("/")
    assert response.status_code == 200 and response.content != b"old"
    assert cache.get(key)[0] == response.content  # stored anew, in today's shape


def test_templates_are_compiled_once_per_process():
    """The cached template loader is on (Django's default when no loaders are set)."""
    from django.conf import settings as live
    from django.template import engines
    from django.template.loaders.cached import Loader

    assert "loaders" not in live.TEMPLATES[0]["OPTIONS"]
    assert isinstance(engines["django"].engine.template_loaders[0], Loader)
