import datetime
import re

import pytest
from django.test import Client, RequestFactory

from nanxi import roles
from nanxi.notifications import ACCOUNT_VERIFIED, notify
from projects import services
from projects.models import StepCode
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


def test_logged_in_people_see_a_new_project_at_once(client, area, caching):
    make_project(area=area, title="旧的")
    client.get("/projects/")
    client.force_login(make_user(roles.RESIDENT, area=area))
    client.get("/projects/")
    make_project(area=area, title="新的")
    assert "新的" in client.get("/projects/").content.decode()


# --- pages shared by logged-in people, with their own parts as holes ---------------


def _logged_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _token(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]


def test_residents_share_one_page_each_with_their_own_token_and_badge(
    area, caching, django_assert_max_num_queries
):
    voting = make_project(area=area, title="楼道灯", step=StepCode.VOTE)
    first = make_user(roles.RESIDENT, area=area, verified=True)
    second = make_user(roles.RESIDENT, area=area, verified=True)
    services.vote_cast(project=voting, voter=first, choice="support")
    notify(
        recipients=[second], kind=ACCOUNT_VERIFIED, text=lambda: "有新消息", key="t1"
    )
    notify(recipients=[second], kind=ACCOUNT_VERIFIED, text=lambda: "又一条", key="t2")
    one, two = _logged_in(first), _logged_in(second)
    rendered = one.get("/projects/")
    assert rendered.context is not None
    two.get("/privacy/")  # the second person loaded (and cached with their roles)
    # Whether they have drafts (once a list version), their votes on the cards.
    with django_assert_max_num_queries(2):
        shared = two.get("/projects/")
    assert shared.context is None  # the first resident's page, not rendered again
    mine, theirs = rendered.content.decode(), shared.content.decode()
    assert "您的表决：赞成" in mine and "您的表决" not in theirs
    assert 'class="badge"' not in mine and ">2</span>" in theirs
    assert _token(mine) != _token(theirs)
    assert "\x1e" not in mine + theirs  # every hole filled
    # Each token is the reader's own: the log-out form works for each.
    assert two.post("/accounts/logout/", {"csrfmiddlewaretoken": _token(theirs)})
    assert two.get("/accounts/profile/").status_code == 302


def test_the_shared_page_is_current_for_logged_in_people(area, caching):
    voting = make_project(area=area, step=StepCode.VOTE)
    reader = _logged_in(make_user(roles.RESIDENT, area=area, verified=True))
    assert "0 support" in reader.get("/en/projects/").content.decode()
    voter = make_user(roles.RESIDENT, area=area, verified=True)
    services.vote_cast(project=voting, voter=voter, choice="support")
    assert "1 support" in reader.get("/en/projects/").content.decode()


def test_staff_and_residents_and_visitors_never_share_a_page(client, area, caching):
    make_project(area=area)
    staff = _logged_in(make_user(roles.STREET_STAFF))
    resident = _logged_in(make_user(roles.RESIDENT, area=area))
    client.get("/projects/")
    resident_page = resident.get("/projects/").content.decode()
    staff_page = staff.get("/projects/").content.decode()
    visitor_page = client.get("/projects/").content.decode()
    assert (
        "/projects/manage/" in staff_page and "/projects/manage/" not in resident_page
    )
    assert "/accounts/logout/" in resident_page
    assert "/accounts/logout/" not in visitor_page


def test_a_resident_with_a_draft_gets_a_list_of_their_own(area, caching):
    drafter = make_user(roles.RESIDENT, area=area, verified=True)
    make_project(area=area, proposer=drafter, step=StepCode.DRAFT, title="我的草稿")
    make_project(area=area, title="公开的")
    other = _logged_in(make_user(roles.RESIDENT, area=area))
    assert "我的草稿" not in other.get("/projects/").content.decode()
    assert "我的草稿" in _logged_in(drafter).get("/projects/").content.decode()
    assert "我的草稿" not in other.get("/projects/").content.decode()


def test_a_hole_typed_by_a_resident_is_shown_as_text_not_filled(area, caching):
    from nanxi import caching as page_cache

    typed = "\x1e0123456789abcsrf:\x1e"  # the shape, without the secret key
    make_project(area=area, title=f"标题{typed}")
    reader = _logged_in(make_user(roles.RESIDENT, area=area))
    body = reader.get("/projects/").content.decode()
    assert f"标题{typed}" in body
    assert page_cache.fill(RequestFactory().get("/"), typed) == typed


def test_a_person_with_a_message_waiting_gets_it_on_a_fresh_page(area, caching):
    resident = make_user(roles.RESIDENT, area=area)
    reader = _logged_in(resident)
    reader.get("/projects/")
    response = reader.post(
        "/text-size/", {"size": "large", "next": "/projects/"}, follow=True
    )
    assert response.status_code == 200


def test_an_error_page_of_a_cached_view_has_no_holes_left(area, caching):
    reader = _logged_in(make_user(roles.RESIDENT, area=area))
    response = reader.get("/buildings/999999/")
    assert response.status_code == 404
    assert "\x1e" not in response.content.decode()
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_committee_pages_follow_each_write_for_residents(area, caching):
    from committees import services as committee_services
    from nanxi.models import Estate

    street = make_user(roles.STREET_STAFF)
    estate = Estate.objects.create(
        area=area, name="静安别墅", households=120, floor_area=9000
    )
    committee = committee_services.committee_create(estate=estate, by=street)
    reader = _logged_in(make_user(roles.RESIDENT, area=area))
    url = f"/committees/{committee.pk}/"
    assert reader.get(url).status_code == 200
    assert reader.get(url).context is None  # shared, from the cache
    committee_services.committee_dissolve(
        committee=committee, by=street, on=datetime.date(2026, 1, 5)
    )
    assert reader.get(url).context is not None  # its version moved: rendered again


class RecordingCache:
    """The real cache, remembering which keys were stored."""

    def __init__(self, real):
        self.real = real
        self.stored = set()

    def get(self, key, default=None):
        return self.real.get(key, default)

    def get_many(self, keys):
        return self.real.get_many(keys)

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
