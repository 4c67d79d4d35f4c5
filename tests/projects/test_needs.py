"""/needs/ (step 1, 征集需求): post, "I need it too", reply, merge, close, propose."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from buildings.models import BuildingGroup
from nanxi import roles
from nanxi.models import Notification
from projects import services
from projects.models import Need, NeedSupport, Project, StepCode
from tests.factories import make_user, photo

ACTORS = [
    "anonymous",
    "unverified",
    "author",
    "neighbour",
    "outsider",
    "area_staff",
    "other_staff",
    "street_staff",
]
STAFF = {"area_staff", "street_staff"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(area, other_area, area_staff, street_staff):
    return {
        "anonymous": AnonymousUser(),
        "unverified": make_user(roles.RESIDENT, area=area),
        "author": make_user(roles.RESIDENT, area=area, verified=True),
        "neighbour": make_user(roles.RESIDENT, area=area, verified=True),
        "outsider": make_user(roles.RESIDENT, area=other_area, verified=True),
        "area_staff": area_staff,
        "other_staff": make_user(roles.AREA_STAFF, area=other_area),
        "street_staff": street_staff,
    }


def post(people, area, **overrides) -> Need:
    data = {
        "title": "楼道需要扶手",
        "body": "老人上楼不方便。\n三楼最陡。",
        "area": area,
    }
    data.update(overrides)
    return services.need_post(by=people["author"], **data)


def english(call):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value.messages


def state(need) -> tuple:
    row = Need.objects.filter(pk=need.pk).values().get()
    return (
        row,
        list(NeedSupport.objects.values_list("need", "user")),
        list(Project.objects.values_list("pk", flat=True)),
    )


ACTIONS = {
    "support": (
        # Neighbours of the area, not the author; an unverified one's counts once
        # verified (test_participation). Staff reply instead (staff who are
        # verified residents of the area are neighbours too).
        {"unverified", "neighbour"},
        lambda n, by, p: services.need_support(need=n, by=by),
    ),
    "reply": (
        STAFF,
        lambda n, by, p: services.need_reply(need=n, by=by, reply="会安排"),
    ),
    "close": (
        STAFF,
        lambda n, by, p: services.need_close(need=n, by=by, reason="已解决"),
    ),
    "merge": (
        STAFF,
        lambda n, by, p: services.need_merge(
            need=n, into=post(p, n.area, title="扶手"), by=by
        ),
    ),
    "propose": (
        STAFF,
        lambda n, by, p: services.need_to_proposal(need=n, by=by, category="doorstep"),
    ),
}


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_by_need_action(area, people, action, who):
    allowed, act = ACTIONS[action]
    need = post(people, area)
    before = None if action == "merge" else state(need)
    if who in allowed:
        act(need, people[who], people)
        assert before is None or state(need) != before
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            act(need, people[who], people)
        assert Need.objects.get(pk=need.pk).status == "open"
        if before is not None:
            assert state(need) == before


@pytest.mark.parametrize("action", ["support", "reply", "close", "propose"])
def test_nothing_happens_to_a_closed_need(area, people, area_staff, action):
    _, act = ACTIONS[action]
    need = post(people, area)
    services.need_close(need=need, by=area_staff, reason="重复")
    before = state(need)
    with pytest.raises(ValidationError):
        act(need, area_staff if action != "support" else people["neighbour"], people)
    assert state(need) == before


def test_posting_needs_an_area_and_a_login(area, db):
    with pytest.raises(PermissionDenied):
        services.need_post(by=AnonymousUser(), title="x", body="y", area=area)
    nowhere = make_user(roles.RESIDENT)
    with pytest.raises(PermissionDenied):
        services.need_post(by=nowhere, title="x", body="y", area=area)


def test_needs_are_posted_in_ones_own_area(people, area, other_area):
    with pytest.raises(ValidationError):
        post(people, other_area)
    group = BuildingGroup.objects.create(name="陕西北路30弄", area=other_area)
    with pytest.raises(ValidationError):
        post(people, area, building_group=group)
    assert not Need.objects.exists()


def test_need_with_a_photo_and_a_bad_photo(people, area):
    need = post(people, area, photo=photo())
    assert need.image.name.endswith(".jpg") and need.thumbnail
    fake = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
    with pytest.raises(ValidationError):
        post(people, area, title="第二个", photo=fake)
    assert Need.objects.count() == 1


def test_a_need_is_supported_once_per_person(people, area):
    need = post(people, area)
    services.need_support(need=need, by=people["neighbour"])
    assert english(
        lambda: services.need_support(need=need, by=people["neighbour"])
    ) == ["You have already said you need this too."]
    assert Need.objects.with_support().get(pk=need.pk).supporters == 1


def test_merging_counts_the_duplicates_neighbours_there(people, area, area_staff):
    first = post(people, area, title="装扶手")
    dup = services.need_post(
        by=people["neighbour"], title="扶手", body="同上", area=area
    )
    services.need_support(need=dup, by=people["unverified"])
    services.need_merge(need=dup, into=first, by=area_staff)
    dup.refresh_from_db()
    assert (dup.status, dup.merged_into) == ("merged", first)
    # The duplicate's author counts there; the unverified supporter once verified.
    assert Need.objects.with_support().get(pk=first.pk).supporters == 1


def test_merge_into_another_area_or_itself_is_refused(
    people, area, other_area, street_staff
):
    need = post(people, area)
    theirs = services.need_post(
        by=people["outsider"], title="别处", body="x", area=other_area
    )
    message = ["A need can only be merged into another need of the same area."]
    assert (
        english(lambda: services.need_merge(need=need, into=theirs, by=street_staff))
        == message
    )
    assert (
        english(lambda: services.need_merge(need=need, into=need, by=street_staff))
        == message
    )


def test_closing_needs_a_reason(people, area, area_staff):
    need = post(people, area)
    assert english(
        lambda: services.need_close(need=need, by=area_staff, reason=" ")
    ) == ["Give the reason for closing: the resident will read it."]


def test_a_need_becomes_the_authors_draft_and_everyone_is_told(
    people, area, area_staff
):
    need = post(people, area)
    services.need_support(need=need, by=people["neighbour"])
    project = services.need_to_proposal(need=need, by=area_staff, category="doorstep")
    assert (project.step, project.proposer, project.need) == (
        StepCode.DRAFT,
        people["author"],
        need,
    )
    assert project.step_changes.get().actor == area_staff  # who drafted it
    assert Need.objects.get(pk=need.pk).status == "proposed"
    told = set(Notification.objects.values_list("recipient", "link"))
    assert told == {
        (people["author"].pk, f"/projects/{project.pk}/"),
        (people["neighbour"].pk, f"/needs/{need.pk}/"),
    }
    # The author finishes and submits it like any draft.
    services.project_move(project=project, to_step=3, by=people["author"])


# --- pages ---------------------------------------------------------------------------------------


def test_post_a_need_through_the_page(client, people, area):
    client.force_login(people["author"])
    assert client.get("/needs/new/").status_code == 200
    response = client.post(
        "/needs/new/",
        {"title": "晾衣架", "body": "楼下没有地方晾被子。", "photo": photo()},
    )
    need = Need.objects.get()
    assert response["Location"] == f"/needs/{need.pk}/"
    assert need.area == area and need.image


def test_bad_photo_through_the_page_posts_nothing(client, people):
    client.force_login(people["author"])
    fake = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
    response = client.post("/needs/new/", {"title": "x", "body": "y", "photo": fake})
    assert response.status_code == 200 and not Need.objects.exists()


def test_support_twice_through_the_page(client, people, area):
    need = post(people, area)
    client.force_login(people["neighbour"])
    client.post(f"/needs/{need.pk}/support/", follow=True)
    response = client.post(f"/needs/{need.pk}/support/", follow=True)
    assert NeedSupport.objects.count() == 1
    assert len(list(response.context["messages"])) == 1
    assert 'id="supported"' in response.content.decode()


def test_staff_of_another_area_get_403(client, people, area):
    need = post(people, area)
    client.force_login(people["other_staff"])
    for route, data in [
        ("reply", {"reply": "x"}),
        ("close", {"reason": "x"}),
        ("propose", {"category": "doorstep"}),
    ]:
        assert client.post(f"/needs/{need.pk}/{route}/", data).status_code == 403
    assert Need.objects.get().status == "open"


def test_list_filters_and_sorts_by_support(client, people, area, other_area):
    quiet = post(people, area, title="安静的需求")
    popular = post(people, area, title="热门需求")
    services.need_support(need=popular, by=people["neighbour"])
    services.need_post(
        by=people["outsider"], title="威海的需求", body="x", area=other_area
    )
    body = client.get(f"/needs/?area={area.pk}&order=-supporters").content.decode()
    assert "威海的需求" not in body
    assert body.index("热门需求") < body.index("安静的需求")
    assert quiet.title in client.get("/needs/?status=open").content.decode()
    assert client.get("/needs/?status=nope&area=abc&order=x").status_code == 200


def test_need_pages_query_count_is_constant(
    client, people, area, django_assert_max_num_queries
):
    for n in range(25):
        need = post(people, area, title=f"需求{n}")
        services.need_support(need=need, by=people["neighbour"])
    client.force_login(people["neighbour"])
    client.get("/needs/")
    with django_assert_max_num_queries(10):
        response = client.get("/needs/")
    assert response.content.decode().count('class="card-title"') == 20
    with django_assert_max_num_queries(10):
        client.get(f"/needs/{need.pk}/")
