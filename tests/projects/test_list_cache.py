"""The project list from cached cards: each card changes when its project does.

Cards are fragments cached by the project's version (nanxi.fragments); the services
that write are the only writers and bump it. A card that did not change is served
from the cache; one whose project changed is rendered again, at once.
"""

from datetime import date

import pytest
from django.core.cache import cache

from nanxi import fragments, roles
from projects import selectors, services
from projects.models import Project, StepCode, Topic
from tests.factories import make_user
from tests.projects.helpers import make_project


def _card_version(project) -> str | None:
    return cache.get(f"v:{selectors.project_version(project.pk)}")


def _cached_card(project, language="zh-hans") -> str:
    """The one card fragment in the cache for this project (fails if there is none)."""
    keys = cache.get_many(
        [f"v:{selectors.project_version(project.pk)}"]
        + [
            key
            for key in _fragment_keys(project, language)
            if key.startswith(f"frag:project:{project.pk}:")
        ]
    )
    token = keys.pop(f"v:{selectors.project_version(project.pk)}")
    current = [html for version, html in keys.values() if version == token]
    assert len(current) == 1, keys
    return current[0]


def _fragment_keys(project, language):
    labels = selectors.step_labels()
    names = fragments.current([fragments.NAMES])[fragments.NAMES]
    variant = fragments.digest(sorted(labels.items()), names)
    return [f"frag:project:{project.pk}:{language}:{variant}"]


@pytest.fixture
def voting(area, resident, area_staff):
    return make_project(
        area=area,
        proposer=resident,
        staff=area_staff,
        step=StepCode.VOTE,
        title="投票中",
    )


@pytest.fixture
def crowdfunding(area, area_staff):
    return make_project(
        area=area, staff=area_staff, step=StepCode.CROWDFUND, title="众筹中"
    )


def _vote(project, people):
    voter = make_user(roles.RESIDENT, area=project.area, verified=True)
    services.vote_cast(project=project, voter=voter, choice="oppose")
    return "1 oppose"


def _paper_vote(project, people):
    services.vote_enter_paper(
        project=project, by=people["staff"], choice="abstain", ballot_number="P-9"
    )
    return "1 abstain"


def _contribution(project, people):
    services.contribution_record(
        project=project,
        by=people["staff"],
        contributor="王阿姨",
        amount="88",
        contributed_on=date(2020, 6, 1),
    )
    return "¥88"


def _move(project, people):
    services.project_move(
        project=project, to_step=StepCode.CARRY_OUT, by=people["staff"]
    )
    return "Step 9"


def _correct(project, people):
    services.project_correct_texts(
        project=project,
        by=people["staff"],
        title="改过的标题",
        summary=project.summary,
        description=project.description,
        topics=[Topic.objects.first()],
    )
    return "改过的标题"


def _reject(project, people):
    services.project_reject(project=project, by=people["staff"], reason="不合适")
    return "Rejected"


# Each service that changes what a card shows, on a project where it may run.
WRITERS = [
    ("voting", _vote),
    ("voting", _paper_vote),
    ("voting", _correct),
    ("voting", _reject),
    ("crowdfunding", _contribution),
    ("crowdfunding", _move),
]


@pytest.mark.parametrize(
    ("which", "write"), WRITERS, ids=lambda w: getattr(w, "__name__", w)
)
def test_each_cached_card_changes_when_its_service_runs(
    client, request, area_staff, which, write
):
    project = request.getfixturevalue(which)
    client.get("/en/projects/")
    before_version = _card_version(project)
    before = _cached_card(project, "en")
    shows = write(Project.objects.get(pk=project.pk), {"staff": area_staff})
    assert _card_version(project) != before_version
    body = client.get("/en/projects/").content.decode()
    after = _cached_card(project, "en")
    assert after != before
    assert shows in after and after in body


def test_an_unchanged_card_is_served_from_the_cache(client, voting, crowdfunding):
    client.get("/projects/")
    # A card in the cache, deliberately different: served as it is while current.
    key = _fragment_keys(crowdfunding, "zh-hans")[0]
    token, html = cache.get(key)
    cache.set(key, (token, html.replace("众筹中", "缓存里的卡片")))
    body = client.get("/projects/").content.decode()
    assert "缓存里的卡片" in body and "投票中" in body


def test_the_card_has_the_persons_own_vote_around_it(client, voting, area):
    voter = make_user(roles.RESIDENT, area=area, verified=True)
    services.vote_cast(project=voting, voter=voter, choice="support")
    client.get("/en/projects/")  # the card in the cache, as a visitor sees it
    client.force_login(voter)
    body = client.get("/en/projects/").content.decode()
    assert "You voted: Support" in body
    client.force_login(make_user(roles.RESIDENT, area=area, verified=True))
    assert "You voted" not in client.get("/en/projects/").content.decode()


def test_visitors_see_a_new_vote_at_once(client, voting, area, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    assert "0 support" in client.get("/en/projects/").content.decode()
    assert client.get("/en/projects/").context is None  # from the visitors' cache
    voter = make_user(roles.RESIDENT, area=area, verified=True)
    services.vote_cast(project=voting, voter=voter, choice="support")
    response = client.get("/en/projects/")
    assert response.context is not None  # rendered again: a card's version moved
    assert "1 support" in response.content.decode()


def test_visitors_see_a_new_project_at_once(client, voting, area, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    client.get("/projects/")
    make_project(area=area, title="刚提交的")
    assert "刚提交的" in client.get("/projects/").content.decode()


def test_the_count_is_cached_and_follows_new_projects(
    client, voting, area, django_assert_max_num_queries
):
    client.get("/projects/?stage=2")
    with django_assert_max_num_queries(3):  # ids, my votes: no count, no options
        response = client.get("/projects/?stage=2")
    assert response.context["page"].paginator.count == 1
    make_project(area=area, step=StepCode.CONSULT)
    assert client.get("/projects/?stage=2").context["page"].paginator.count == 2


def test_the_count_is_per_person_who_sees_drafts(client, voting, area, resident):
    make_project(area=area, proposer=resident, step=StepCode.DRAFT, title="草稿")
    assert client.get("/projects/").context["page"].paginator.count == 1
    client.force_login(resident)
    assert client.get("/projects/").context["page"].paginator.count == 2


def test_year_is_a_choice_of_the_years_that_have_projects(client, crowdfunding):
    year = Project.objects.get(pk=crowdfunding.pk).year
    response = client.get("/en/projects/")
    body = response.content.decode()
    assert '<select name="year"' in body
    assert f'<option value="{year}">{year}</option>' in body
    assert response.context["filter"].form.fields["year"].choices[1:] == [
        (str(year), str(year))
    ]


@pytest.mark.parametrize("year", ["1999", "abc", "2020' OR 1=1", "9" * 30])
def test_a_year_not_offered_is_refused_with_a_message(client, crowdfunding, year):
    response = client.get("/en/projects/", {"year": year, "category": "doorstep"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    # the other filters still apply; nothing is lost
    assert response.context["page"].paginator.count == 1


def test_an_unknown_topic_or_area_is_refused_not_a_500(client, crowdfunding):
    response = client.get("/en/projects/", {"topic": "99999", "area": "-1"})
    assert response.status_code == 200
    assert response.content.decode().count("Select a valid choice") == 2


def test_filter_options_follow_a_new_year(client, voting, area, area_staff):
    assert (
        client.get("/projects/").context["filter"].form.fields["year"].choices[1:] == []
    )
    announced = make_project(area=area, staff=area_staff, step=StepCode.ANNOUNCE)
    year = Project.objects.get(pk=announced.pk).year
    choices = client.get("/projects/").context["filter"].form.fields["year"].choices
    assert choices[1:] == [(str(year), str(year))]


def test_list_queries_stay_few_with_many_projects(
    client, area, area_staff, resident, django_assert_max_num_queries
):
    for n in range(25):
        make_project(area=area, staff=area_staff, step=StepCode.CONSULT, title=f"项{n}")
    client.force_login(resident)
    client.get("/projects/")  # cards and count in the cache
    # session, user, roles, page ids, my votes
    with django_assert_max_num_queries(5):
        response = client.get("/projects/")
    assert len(response.context["cards"]) == 20
    cache.clear()  # cold: + count, options (3), cards (3), step labels
    with django_assert_max_num_queries(13):
        assert len(client.get("/projects/").context["cards"]) == 20


def test_the_list_renders_when_the_cache_is_down(client, voting, monkeypatch):
    monkeypatch.setattr(fragments, "available", lambda: False)
    body = client.get("/projects/").content.decode()
    assert "投票中" in body
