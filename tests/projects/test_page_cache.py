"""A project's page is shared by everyone who may do the same things on it
(nanxi.caching, projects.views._detail_audience): what is a person's own never
reaches another person, and every write shows at once."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from nanxi import roles
from projects import services
from projects.models import StepCode
from tests.factories import make_user
from tests.projects.helpers import make_project


@pytest.fixture(autouse=True)
def caching(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def verified(area):
    return make_user(roles.RESIDENT, area=area, verified=True)


def test_two_residents_who_may_do_the_same_share_one_page(area):
    project = make_project(area=area, step=StepCode.VOTE)
    url = f"/en/projects/{project.pk}/"
    one, two = browser(verified(area)), browser(verified(area))
    first = one.get(url)
    assert first.context is not None
    two.get(url)  # the second person's audience worked out
    shared = two.get(url)
    assert shared.context is None  # served from the cache
    assert 'name="choice"' in shared.content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert (
        token.search(first.content.decode())[1]
        != token.search(shared.content.decode())[1]
    )


def test_my_vote_is_mine_alone(area):
    project = make_project(area=area, step=StepCode.VOTE)
    url = f"/en/projects/{project.pk}/"
    voter, other = verified(area), verified(area)
    one, two = browser(voter), browser(other)
    one.get(url)
    two.get(url)
    services.vote_cast(project=project, voter=voter, choice="oppose")
    mine = one.get(url).content.decode()
    theirs = two.get(url).content.decode()
    assert "You have voted" in mine and "You have voted" not in theirs
    assert 'value="oppose" checked' in mine or "checked" in mine
    assert "1 oppose" in theirs  # the tally moved for everyone at once


def test_my_pledge_is_shown_to_me_only(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    url = f"/en/projects/{project.pk}/"
    pledger, other = verified(area), verified(area)
    one, two = browser(pledger), browser(other)
    two.get(url)
    services.pledge_make(project=project, by=pledger, amount=Decimal("88"))
    assert "You pledged ¥88.00" in one.get(url).content.decode()
    body = two.get(url).content.decode()
    assert "You pledged" not in body and "Cancel my pledge" not in body
    assert two.get(url).context is None  # and the other's page is still shared


def test_staff_who_manage_it_always_get_their_own_page(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    staff = browser(area_staff)
    for _ in range(2):
        response = staff.get(f"/projects/{project.pk}/")
        assert response.context is not None
        assert response.context["can"].manage


def test_a_draft_stays_hidden_after_its_proposer_saw_it(area):
    proposer = verified(area)
    draft = make_project(area=area, proposer=proposer, step=StepCode.DRAFT)
    url = f"/projects/{draft.pk}/"
    own = browser(proposer)
    assert own.get(url).status_code == 200
    assert own.get(url).status_code == 200
    assert browser(verified(area)).get(url).status_code == 404
    assert browser().get(url).status_code == 404


def test_visitors_share_the_page_and_see_a_new_comment_at_once(area):
    project = make_project(area=area, step=StepCode.CONSULT)
    url = f"/en/projects/{project.pk}/"
    visitor = browser()
    visitor.get(url)
    assert visitor.get(url).context is None
    services.comment_add(project=project, author=verified(area), body="楼下也要装灯")
    assert "楼下也要装灯" in visitor.get(url).content.decode()


def test_a_vote_that_closed_at_midnight_shows_closed_the_next_morning(
    area, monkeypatch
):
    project = make_project(area=area, step=StepCode.VOTE)
    today = timezone.localdate()
    project.vote_closes_on = today
    project.save(update_fields=["vote_closes_on"])
    url = f"/en/projects/{project.pk}/"
    reader = browser(verified(area))
    assert "Voting is open until the end of" in reader.get(url).content.decode()
    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert "Voting closed at the end of" in reader.get(url).content.decode()


# --- every service that changes what the page shows moves its version ----------------


def _comment(project, staff, area):
    services.comment_add(project=project, author=verified(area), body="门口要装扶手")
    return "门口要装扶手"


def _hide(project, staff, area):
    comment = services.comment_add(project=project, author=verified(area), body="广告")
    return comment, "This comment was hidden"


def _pledge(project, staff, area):
    services.pledge_make(project=project, by=verified(area), amount=Decimal("66"))
    return "1 pledge is waiting"


def _confirm(project, staff, area):
    pledge = services.pledge_make(project=project, by=verified(area), amount="77")
    return pledge, "77.00"


def _cancel(project, staff, area):
    pledge = services.pledge_make(project=project, by=verified(area), amount="55")
    return pledge, "0 contributors so far."


def _progress(project, staff, area):
    services.project_move(project=project, to_step=StepCode.CARRY_OUT, by=staff)
    services.progress_post(project=project, by=staff, body="脚手架已经搭好")
    return "脚手架已经搭好"


def _vote(project, staff, area):
    services.vote_cast(project=project, voter=verified(area), choice="abstain")
    return "1 abstain"


def _rate(project, staff, area):
    services.evaluation_add(project=project, by=verified(area), stars=4)
    return "80"


# (the step the project is at, the write, whether a second step is needed)
PAGE_WRITERS = [
    (StepCode.CONSULT, _comment),
    (StepCode.VOTE, _vote),
    (StepCode.CROWDFUND, _pledge),
    (StepCode.CROWDFUND, _progress),
    (StepCode.EVALUATE, _rate),
]


@pytest.mark.parametrize(
    ("step", "write"), PAGE_WRITERS, ids=lambda w: getattr(w, "__name__", w)
)
def test_the_shared_page_changes_when_each_service_runs(area, area_staff, step, write):
    project = make_project(area=area, staff=area_staff, step=step)
    url = f"/en/projects/{project.pk}/"
    reader = browser(verified(area))
    reader.get(url)
    assert reader.get(url).context is None  # shared, from the cache
    shows = write(project, area_staff, area)
    response = reader.get(url)
    assert response.context is not None  # its version moved: made again
    assert shows in response.content.decode()


def test_hiding_a_comment_hides_it_from_the_shared_page(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    comment, _ = _hide(project, area_staff, area)
    url = f"/en/projects/{project.pk}/"
    reader = browser(verified(area))
    assert "广告" in reader.get(url).content.decode()
    services.comment_hide(comment=comment, by=area_staff, reason="与项目无关")
    body = reader.get(url).content.decode()
    assert "广告" not in body and "与项目无关" in body


@pytest.mark.parametrize("decision", ["confirm", "cancel", "expire"])
def test_a_decided_pledge_shows_on_the_shared_page_at_once(area, area_staff, decision):
    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    pledge = services.pledge_make(project=project, by=verified(area), amount="77")
    url = f"/en/projects/{project.pk}/"
    reader = browser(verified(area))
    assert "1 pledge is waiting" in reader.get(url).content.decode()
    if decision == "confirm":
        services.pledge_confirm(
            pledge=pledge, by=area_staff, received_on=timezone.localdate()
        )
    elif decision == "cancel":
        services.pledge_cancel(pledge=pledge, by=area_staff, reason="没收到")
    else:
        later = timezone.now() + services.PLEDGE_EXPIRES_AFTER * 2
        assert services.pledges_expire(now=later) == [pledge.pk]
    assert "pledge is waiting" not in reader.get(url).content.decode()


# --- the staff work list: shared by staff of the same areas ---------------------------


def test_staff_of_the_same_area_share_the_work_list_and_see_each_move(
    area, other_area, area_staff
):
    project = make_project(area=area, staff=area_staff, title="加装电梯")
    colleague = make_user(roles.AREA_STAFF, area=area)
    one, two = browser(area_staff), browser(colleague)
    two.get("/privacy/")  # the colleague's person loaded
    assert "加装电梯" in one.get("/en/projects/manage/").content.decode()
    assert two.get("/en/projects/manage/").context is None  # the first one's page
    services.project_move(project=project, to_step=StepCode.ACCEPT, by=area_staff)
    response = two.get("/en/projects/manage/")
    assert response.context is not None  # the list's version moved
    assert "Step 4" in response.content.decode()
    elsewhere = browser(make_user(roles.AREA_STAFF, area=other_area))
    assert "加装电梯" not in elsewhere.get("/en/projects/manage/").content.decode()
    assert browser(verified(area)).get("/en/projects/manage/").status_code == 403


def _admin():
    return browser(make_user(None, is_superuser=True))


def test_a_step_renamed_in_the_admin_shows_on_shared_pages_at_once(area):
    from projects.models import Step

    project = make_project(area=area, step=StepCode.CONSULT)
    reader = browser(verified(area))
    for url in ("/en/projects/", f"/en/projects/{project.pk}/"):
        reader.get(url)
        assert reader.get(url).context is None  # shared, from the cache
    Step.objects.get_or_create(code=StepCode.CONSULT)
    response = _admin().post(
        f"/en/admin/projects/step/{StepCode.CONSULT}/change/",
        {"label": "议事会", "label_en": "Council of neighbours"},
    )
    assert response.status_code == 302
    for url in ("/en/projects/", f"/en/projects/{project.pk}/"):
        assert "Council of neighbours" in reader.get(url).content.decode()


def test_a_topic_or_an_area_renamed_in_the_admin_shows_on_the_list_at_once(area):
    from projects.models import Topic

    topic = Topic.objects.create(name="邻里守望", name_en="Care for the old")
    project = make_project(area=area)
    project.topics.add(topic)
    visitor = browser()
    assert "Care for the old" in visitor.get("/en/projects/").content.decode()
    admin = _admin()
    response = admin.post(
        f"/en/admin/projects/topic/{topic.pk}/change/",
        {"name": "邻里守望", "name_en": "Services for older people"},
    )
    assert response.status_code == 302
    body = visitor.get("/en/projects/").content.decode()
    assert "Services for older people" in body and "Care for the old" not in body
    response = admin.post(
        f"/en/admin/nanxi/residentialarea/{area.pk}/change/",
        {"name": "新华业", "slug": area.slug},
    )
    assert response.status_code == 302
    assert "新华业" in visitor.get("/en/projects/").content.decode()
    assert "新华业" in visitor.get(f"/en/projects/{project.pk}/").content.decode()


# --- a write between working out the audience and reading the page's data -----------


def test_a_vote_cast_while_a_page_is_made_never_reaches_another_person(
    area, monkeypatch
):
    from nanxi import fragments as nanxi_fragments

    project = make_project(area=area, step=StepCode.VOTE)
    url = f"/en/projects/{project.pk}/"
    voter, other = verified(area), verified(area)
    one, two = browser(voter), browser(other)
    real = nanxi_fragments.depend

    def vote_first(request, *names):
        # The audience was worked out ("has not voted"); the vote lands before
        # the page reads its versions and its data.
        if not project.votes.exists():
            services.vote_cast(project=project, voter=voter, choice="support")
        return real(request, *names)

    monkeypatch.setattr(nanxi_fragments, "depend", vote_first)
    assert "You have voted" in one.get(url).content.decode()
    monkeypatch.setattr(nanxi_fragments, "depend", real)
    body = two.get(url).content.decode()
    assert "You have voted" not in body and "checked" not in body


def test_a_draft_made_while_the_list_is_made_never_reaches_another_resident(
    area, monkeypatch
):
    from nanxi import fragments as nanxi_fragments

    make_project(area=area, title="公开的")
    drafter = verified(area)
    real = nanxi_fragments.tokens
    made = []

    def draft_first(request, *names):
        # The list's scope was worked out ("public": no draft of their own); now
        # staff turn the drafter's need into a draft, before the list is read.
        if not made:
            made.append(
                make_project(
                    area=area, proposer=drafter, step=StepCode.DRAFT, title="新草稿"
                )
            )
        return real(request, *names)

    monkeypatch.setattr(nanxi_fragments, "tokens", draft_first)
    browser(drafter).get("/en/projects/")
    monkeypatch.setattr(nanxi_fragments, "tokens", real)
    assert "新草稿" not in browser(verified(area)).get("/en/projects/").content.decode()
    assert "新草稿" in browser(drafter).get("/en/projects/").content.decode()


def test_what_a_project_page_shows_of_its_reader_is_listed_in_one_place(area):
    from projects import selectors

    project = make_project(area=area, step=StepCode.VOTE)
    reader = verified(area)
    shown = selectors.project_detail(reader, project.pk)
    own = {name for name in vars(shown) if name.startswith("my_")}
    assert own == set(selectors.OWN_FIELDS)
    light = selectors.project_for_audience(reader, project.pk)
    assert {name for name in vars(light) if name.startswith("my_")} == own


def test_a_public_scope_means_the_person_sees_exactly_the_public_projects(
    area, other_area
):
    from projects import selectors
    from projects.models import Project

    drafter = verified(area)
    make_project(area=area, proposer=drafter, step=StepCode.DRAFT)
    make_project(area=other_area, step=StepCode.DRAFT)
    make_project(area=area)
    public = set(Project.objects.filter(Project.objects.public_q()))
    people = [
        verified(area),
        drafter,
        make_user(roles.AREA_STAFF, area=other_area),
        make_user(roles.STREET_STAFF),
    ]
    scopes = {}
    for person in people:
        scopes[person.pk] = scope = selectors.list_scope(person)
        sees = set(Project.objects.visible_to(person))
        assert (sees == public) is (scope == "public"), (person, scope)
    assert list(scopes.values()).count("public") == 1
