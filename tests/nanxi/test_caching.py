import pytest

from nanxi import roles
from tests.factories import make_user
from tests.projects.helpers import make_project


@pytest.fixture
def caching(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30


def test_visitors_get_the_list_from_the_cache(
    client, area, caching, django_assert_num_queries
):
    make_project(area=area, title="第一个")
    first = client.get("/projects/")
    assert "第一个" in first.content.decode()
    with django_assert_num_queries(0):
        again = client.get("/projects/")
    assert again.content == first.content
    assert again["Content-Security-Policy"]  # headers still come from the middleware


def test_each_language_and_address_has_its_own_entry(client, area, caching):
    make_project(area=area)
    assert '<html lang="zh-hans">' in client.get("/projects/").content.decode()
    assert '<html lang="en">' in client.get("/en/projects/").content.decode()
    assert (
        client.get("/projects/?category=team").context is not None
    )  # rendered, not cached


def test_logged_in_people_always_get_a_fresh_page(client, area, caching):
    make_project(area=area, title="旧的")
    client.get("/projects/")
    client.force_login(make_user(roles.RESIDENT, area=area))
    make_project(area=area, title="新的")
    assert "新的" in client.get("/projects/").content.decode()


class RecordingCache:
    """The real cache, remembering which keys were stored."""

    def __init__(self, real):
        self.real = real
        self.stored = set()

    def get(self, key, default=None):
        return self.real.get(key, default)

    def set(self, key, value, timeout):
        self.stored.add(key)
        return self.real.set(key, value, timeout)


def test_junk_query_strings_make_no_entries_of_their_own(
    client, area, caching, monkeypatch
):
    from nanxi import caching as page_cache

    recording = RecordingCache(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", recording)
    make_project(area=area)
    for n in range(300):
        assert client.get(f"/projects/?utm_source=wx{n}&junk={n}").status_code == 200
    for n in range(20):
        client.get(f"/buildings/?x{n}=1")
        client.get(f"/?fbclid={n}")
    assert recording.stored == set()
    # the declared filters, in any order, share one entry per distinct filter
    client.get("/projects/?category=team&page=1")
    client.get("/projects/?page=1&category=team")
    client.get("/projects/")
    client.get("/projects/")
    assert len(recording.stored) == 2


def test_a_search_or_an_overlong_value_is_rendered_not_stored(
    client, area, caching, monkeypatch
):
    from nanxi import caching as page_cache

    recording = RecordingCache(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", recording)
    client.get("/projects/?q=楼道")
    client.get("/projects/?category=" + "x" * 200)
    assert recording.stored == set()
