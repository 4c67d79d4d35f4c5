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
