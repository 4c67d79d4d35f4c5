from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nanxi import images, roles
from projects import services
from projects.models import (
    Comment,
    Contribution,
    Project,
    ProjectPhoto,
    StepCode,
    Topic,
    Vote,
)
from tests.factories import make_user, photo
from tests.projects.helpers import make_project, proposal


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_data(place, **overrides):
    data = {**proposal(), "area": place.pk}
    data.update(overrides)
    return data


# --- proposing ------------------------------------------------------------------------------


def test_new_proposal_needs_login(db, client):
    response = client.get("/projects/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_resident_submits_a_proposal_with_photos(client, resident, area):
    client.force_login(resident)
    topic = Topic.objects.get(name="楼道整治")
    response = client.post(
        "/projects/new/",
        {
            **form_data(area, topics=[topic.pk]),
            "photos": [photo(), photo(fmt="PNG")],
            "submit": "1",
        },
    )
    project = Project.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/projects/{project.pk}/"
    )
    assert project.step == StepCode.SUBMIT and project.proposer == resident
    assert list(project.topics.all()) == [topic]
    assert project.photos.count() == 2
    assert all(p.image.name.endswith(".jpg") for p in project.photos.all())


def test_area_defaults_to_the_residents_own(client, resident, area, other_area):
    client.force_login(resident)
    body = client.get("/projects/new/").content.decode()
    assert f'<option value="{area.pk}" selected>' in body


def test_bad_photo_saves_nothing_and_says_why(client, resident, area):
    client.force_login(resident)
    fake = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
    response = client.post(
        "/projects/new/", {**form_data(area), "photos": [photo(), fake]}
    )
    assert response.status_code == 200
    assert "无法作为照片读取" in response.content.decode()
    assert not Project.objects.exists() and not ProjectPhoto.objects.exists()


def test_seven_photos_are_refused(client, resident, area):
    client.force_login(resident)
    response = client.post(
        "/projects/new/", {**form_data(area), "photos": [photo() for _ in range(7)]}
    )
    assert response.status_code == 200
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "长" * 61},
        {"title": ""},
        {"budget_requested": "-5"},
        {"budget_requested": "abc"},
        {"category": "party"},
        {"area": 999999},
    ],
)
def test_bad_proposal_fields_are_refused(client, resident, area, overrides):
    client.force_login(resident)
    response = client.post("/projects/new/", form_data(area, **overrides))
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"budget_requested": "1e3"},
        {"crowdfunding_goal": "1E3"},
        {"budget_requested": "12.345"},
        {"crowdfunding_goal": " 5e2 "},
    ],
)
def test_an_amount_written_as_an_exponent_is_refused(client, resident, area, overrides):
    client.force_login(resident)
    response = client.post("/en/projects/new/", form_data(area, **overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the amount in yuan as a number, e.g. 200 or 35.50." in body or (
        "decimal places" in body
    )
    assert not Project.objects.exists()


def test_amounts_as_digits_are_kept(client, resident, area):
    client.force_login(resident)
    client.post(
        "/projects/new/",
        form_data(area, budget_requested="１０００.5", crowdfunding_goal="0"),
    )
    project = Project.objects.get()
    assert (project.budget_requested, project.crowdfunding_goal) == (
        Decimal("1000.50"),
        Decimal("0"),
    )


def test_script_in_texts_is_escaped(client, resident, area):
    client.force_login(resident)
    evil = "<script>alert(1)</script>"
    client.post(
        "/projects/new/",
        {**form_data(area, title=evil, summary=evil, description=evil), "submit": "1"},
    )
    project = Project.objects.get()
    for url in [f"/projects/{project.pk}/", "/projects/"]:
        body = client.get(url).content.decode()
        assert evil not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_proposer_edits_until_accepted(client, resident, area, area_staff):
    project = make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.SUBMIT
    )
    client.force_login(resident)
    response = client.post(
        f"/projects/{project.pk}/edit/", form_data(area, title="楼道整治二期")
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).title == "楼道整治二期"
    services.project_move(project=project, to_step=4, by=area_staff)
    response = client.post(
        f"/projects/{project.pk}/edit/", form_data(area, title="改不了")
    )
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).title == "楼道整治二期"


def test_other_resident_cannot_edit(client, area, resident):
    project = make_project(area=area, proposer=resident, step=StepCode.SUBMIT)
    client.force_login(make_user(roles.RESIDENT, area=area))
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 403


# --- visibility and the list --------------------------------------------------------------------


def test_drafts_and_withdrawn_are_private(client, area, resident, street_staff):
    draft = services.project_create(by=resident, area=area, **proposal(title="草稿"))
    gone = make_project(
        area=area, proposer=resident, step=StepCode.SUBMIT, title="已撤回"
    )
    services.project_withdraw(project=gone, by=resident)
    make_project(area=area, step=StepCode.SUBMIT, title="公开项目")

    def titles(user=None):
        client.logout()
        if user:
            client.force_login(user)
        return set(_titles(client.get("/projects/").context["page"]))

    assert titles() == {"公开项目"}
    assert titles(make_user(roles.RESIDENT, area=area)) == {"公开项目"}
    assert titles(resident) == {"草稿", "已撤回", "公开项目"}
    assert titles(street_staff) == {"草稿", "已撤回", "公开项目"}
    client.logout()
    assert client.get(f"/projects/{draft.pk}/").status_code == 404


def _titles(page) -> list[str]:
    """The titles of a list page's cards, in order (the page holds their ids)."""
    titles = dict(Project.objects.values_list("pk", "title"))
    return [titles[pk] for pk in page]


def test_list_filters_live_in_the_url(client, area, other_area):
    make_project(area=area, step=StepCode.SUBMIT, title="华业活动", category="event")
    make_project(
        area=other_area, step=StepCode.SUBMIT, title="威海实事", category="doorstep"
    )
    page = client.get("/projects/", {"area": other_area.pk}).context["page"]
    assert _titles(page) == ["威海实事"]
    page = client.get("/projects/", {"category": "event"}).context["page"]
    assert _titles(page) == ["华业活动"]
    page = client.get("/projects/", {"q": "实事"}).context["page"]
    assert _titles(page) == ["威海实事"]
    page = client.get("/projects/", {"stage": "1"}).context["page"]
    assert len(page) == 2
    page = client.get("/projects/", {"stage": "2"}).context["page"]
    assert len(page) == 0


def test_bad_filter_values_do_not_break_the_list(client, area):
    make_project(area=area, step=StepCode.SUBMIT)
    response = client.get(
        "/projects/", {"year": "abc", "stage": "9", "area": "x", "page": "999"}
    )
    assert response.status_code == 200


def test_list_paginates_by_twenty_and_keeps_filters(client, area, resident, area_staff):
    for n in range(21):
        make_project(
            area=area,
            proposer=resident,
            staff=area_staff,
            step=StepCode.SUBMIT,
            title=f"项目{n}",
        )
    first = client.get("/projects/", {"area": area.pk})
    assert len(first.context["page"]) == 20
    assert f"area={area.pk}&amp;page=2" in first.content.decode()
    assert (
        len(client.get("/projects/", {"area": area.pk, "page": 2}).context["page"]) == 1
    )


def test_card_shows_stage_and_step_in_chinese(client, area):
    make_project(area=area, step=StepCode.CONSULT)
    body = client.get("/projects/").content.decode()
    assert "第二阶段 议事 · 第5步 民主协商" in body


# --- votes, comments, staff moves through the pages ------------------------------------------------


def test_vote_through_the_page_and_change_it(client, area, area_staff, resident):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    client.force_login(resident)
    client.post(f"/projects/{project.pk}/vote/", {"choice": "support"})
    response = client.post(
        f"/projects/{project.pk}/vote/", {"choice": "oppose"}, follow=True
    )
    assert Vote.objects.filter(project=project).count() == 1
    assert Vote.objects.get(project=project).choice == "oppose"
    assert "您的投票已计入" in response.content.decode()


def test_unverified_vote_through_the_page_is_refused_with_a_message(
    client, area, area_staff
):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    client.force_login(make_user(roles.RESIDENT, area=area))
    response = client.post(
        f"/projects/{project.pk}/vote/", {"choice": "support"}, follow=True
    )
    assert "核实" in response.content.decode()
    assert not Vote.objects.exists()


def test_staff_of_another_area_gets_403_and_nothing_moves(client, area, other_area):
    project = make_project(area=area, step=StepCode.SUBMIT)
    client.force_login(make_user(roles.AREA_STAFF, area=other_area))
    response = client.post(f"/projects/{project.pk}/move/", {"to_step": 4})
    assert response.status_code == 403
    assert "只有本居民区" in response.content.decode()
    assert Project.objects.get(pk=project.pk).step == 3


def test_resident_cannot_move_someone_elses_project(client, area, resident):
    project = make_project(area=area, step=StepCode.SUBMIT)
    client.force_login(resident)
    assert (
        client.post(f"/projects/{project.pk}/move/", {"to_step": 4}).status_code == 403
    )
    assert Project.objects.get(pk=project.pk).step == 3


def test_skipping_through_the_page_says_why(client, area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.SUBMIT)
    client.force_login(area_staff)
    response = client.post(
        f"/projects/{project.pk}/move/", {"to_step": "7"}, follow=True
    )
    assert "第 3 步" in response.content.decode()
    assert Project.objects.get(pk=project.pk).step == 3


@pytest.mark.parametrize("amount", ["-5", "abc", "0", "1000000.01", "12.345"])
def test_bad_amounts_through_the_page_record_nothing(client, area, area_staff, amount):
    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    client.force_login(area_staff)
    response = client.post(
        f"/projects/{project.pk}/contribution/",
        {"contributor": "王阿姨", "amount": amount, "contributed_on": "2020-06-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    assert not Contribution.objects.exists()


def test_contribution_in_the_future_is_refused(client, area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    client.force_login(area_staff)
    client.post(
        f"/projects/{project.pk}/contribution/",
        {"contributor": "王阿姨", "amount": "50", "contributed_on": "2999-01-01"},
    )
    assert not Contribution.objects.exists()


def test_hidden_comment_shows_the_reason_not_the_text(
    client, area, area_staff, resident
):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    client.force_login(resident)
    client.post(f"/projects/{project.pk}/comment/", {"body": "买我的保健品"})
    comment = Comment.objects.get()
    client.force_login(area_staff)
    client.post(f"/projects/comments/{comment.pk}/hide/", {"reason": "广告"})
    client.logout()
    body = client.get(f"/projects/{project.pk}/").content.decode()
    assert "买我的保健品" not in body and "广告" in body


def test_get_on_an_action_is_refused(client, area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.SUBMIT)
    client.force_login(area_staff)
    assert client.get(f"/projects/{project.pk}/move/").status_code == 405


# --- staff work list and verification ---------------------------------------------------------------


def test_work_list_shows_only_own_area(client, area, other_area, area_staff):
    make_project(area=area, staff=area_staff, step=StepCode.SUBMIT, title="本区")
    make_project(area=other_area, step=StepCode.SUBMIT, title="外区")
    client.force_login(area_staff)
    body = client.get("/projects/manage/").content.decode()
    assert "本区" in body and "外区" not in body


def test_work_list_is_for_staff_only(client, resident):
    client.force_login(resident)
    assert client.get("/projects/manage/").status_code == 403


# --- query budgets -------------------------------------------------------------------------------------


@pytest.fixture
def crowded(area, area_staff, resident):
    """Many projects with votes, comments, contributions and photos."""
    topics = list(Topic.objects.all()[:3])
    projects = []
    for n in range(25):
        project = make_project(
            area=area, staff=area_staff, step=StepCode.CARRY_OUT, title=f"项目{n}"
        )
        project.topics.set(topics)
        projects.append(project)
    busy = projects[0]
    for n in range(8):
        voter = make_user(roles.RESIDENT, area=area, verified=True)
        Vote.objects.create(project=busy, voter=voter, choice="support")
        Comment.objects.create(project=busy, author=voter, body=f"意见{n}")
        services.contribution_record(
            project=busy,
            by=area_staff,
            contributor=f"居民{n}",
            amount="10",
            contributed_on=date(2020, 5, 1),
        )
        services.progress_post(project=busy, by=area_staff, body=f"进展{n}")
        services.pledge_make(project=busy, by=voter, amount="5", anonymous=n % 2 == 0)
    for _ in range(4):
        item = ProjectPhoto(project=busy, uploaded_by=area_staff)
        images.attach(item, images.process_upload(photo()))
        item.save()
    return busy


# Each budget test makes one request first: the step labels are cached between requests,
# and what is measured is the page as residents get it, not the first after a restart.


@pytest.mark.parametrize("who", ["anonymous", "resident", "area_staff", "street_staff"])
def test_list_query_count_is_constant(
    client, crowded, django_assert_max_num_queries, who, request
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    client.get("/projects/")
    with django_assert_max_num_queries(10):
        response = client.get("/projects/")
    assert len(response.context["page"]) == 20


@pytest.mark.parametrize("who", ["anonymous", "resident", "area_staff", "street_staff"])
def test_detail_query_count_is_constant(
    client, crowded, django_assert_max_num_queries, who, request
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    client.get(f"/projects/{crowded.pk}/")
    with django_assert_max_num_queries(10):
        response = client.get(f"/projects/{crowded.pk}/")
    body = response.content.decode()
    assert body.count('class="card comment"') == 8


def test_work_list_query_count_is_constant(
    client, crowded, area_staff, django_assert_max_num_queries
):
    client.force_login(area_staff)
    client.get("/projects/manage/")
    with django_assert_max_num_queries(10):
        client.get("/projects/manage/")


@pytest.mark.parametrize(
    "overrides",
    [
        {"area": 10**30},
        {"topics": [10**30]},
        {"building_groups": [10**30, "abc"]},
        {"topics": ["-1"]},
    ],
)
def test_proposal_with_impossible_ids_is_refused_not_a_500(
    client, area, resident, overrides
):
    client.force_login(resident)
    response = client.post("/projects/new/", form_data(area, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "query", [f"area={10**30}", f"topic={10**30}", f"year={10**30}", "page=-1"]
)
def test_lists_survive_impossible_filters(client, db, query):
    assert client.get(f"/projects/?{query}").status_code == 200
    assert client.get(f"/buildings/?{query}").status_code == 200


# --- the work list: paginated, filtered by step and waiting time ---------------------------------


def test_work_list_filters_by_step_and_waiting_time(client, area, area_staff):
    from django.utils import timezone as tz

    from projects.models import StepChange

    stale = make_project(area=area, staff=area_staff, title="放了很久")
    fresh = make_project(
        area=area, staff=area_staff, step=StepCode.CONSULT, title="刚推进"
    )
    # Its last move was 40 days ago: the change row, and the project's moved_at
    # (written with it by the services; the work list reads this column).
    long_ago = tz.now() - timedelta(days=40)
    StepChange.objects.filter(project=stale).update(created_at=long_ago)
    Project.objects.filter(pk=stale.pk).update(moved_at=long_ago)
    client.force_login(area_staff)
    body = client.get("/projects/manage/?waiting=30").content.decode()
    assert stale.title in body and fresh.title not in body
    body = client.get("/projects/manage/?step=5").content.decode()
    assert fresh.title in body and stale.title not in body
    body = client.get("/projects/manage/").content.decode()
    assert body.index(stale.title) < body.index(fresh.title)  # longest waiting first
    assert client.get("/projects/manage/?step=x&waiting=9").status_code == 200


def test_work_list_paginates_by_twenty(client, crowded, area_staff):
    client.force_login(area_staff)
    response = client.get("/projects/manage/")
    assert len(response.context["page"]) == 20
    assert len(client.get("/projects/manage/?page=2").context["page"]) == 5
