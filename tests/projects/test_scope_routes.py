"""华业's staff cannot act on or read anything of 威海, by any page or admin route.

The attack from the first round: the staff member first moves their own profile to
威海, then tries every route. Each is refused and nothing changes.
"""

import pytest

from buildings.models import BuildingGroup
from nanxi import roles
from projects import services
from projects.models import Comment, Pledge, StepCode
from tests.factories import make_user
from tests.projects.helpers import make_project
from tests.projects.test_permissions import snapshot


@pytest.fixture
def huaye_staff(client, area, other_area, area_staff):
    client.force_login(area_staff)
    # Move one's own profile to 威海: this must not widen anything.
    client.post(
        "/accounts/profile/",
        {"area": other_area.pk, "display_name": "华业居委会", "phone": ""},
    )
    return area_staff


def weihai_project(other_area, step):
    return make_project(
        area=other_area,
        staff=make_user(roles.AREA_STAFF, area=other_area),
        step=step,
        title="威海的提案",
    )


ROUTES = [
    ("move", StepCode.SUBMIT, {"to_step": 4, "note": ""}),
    ("reject", StepCode.CONSULT, {"reason": "越权"}),
    ("finish", StepCode.SHARE, {"note": ""}),
    (
        "contribution",
        StepCode.CROWDFUND,
        {
            "contributor": "某人",
            "kind": "resident",
            "amount": "100",
            "contributed_on": "2020-06-01",
        },
    ),
    ("payment", StepCode.ANNOUNCE, {"transfer_reference": "越权账户"}),
    ("paper_vote", StepCode.VOTE, {"ballot_number": "1", "choice": "support"}),
    ("evaluation", StepCode.EVALUATE, {"beneficiaries": 99}),
    ("paper_evaluation", StepCode.EVALUATE, {"stars": 5, "form_number": "越权-1"}),
    ("progress", StepCode.CARRY_OUT, {"body": "越权"}),
]


@pytest.mark.parametrize(("route", "step", "data"), ROUTES)
def test_staff_cannot_act_on_another_areas_project(
    client, huaye_staff, other_area, route, step, data
):
    project = weihai_project(other_area, step)
    before = snapshot(project)
    response = client.post(f"/projects/{project.pk}/{route}/", data)
    assert response.status_code == 403
    assert snapshot(project) == before


def test_staff_cannot_hide_a_comment_of_another_area(client, huaye_staff, other_area):
    project = weihai_project(other_area, StepCode.CONSULT)
    comment = Comment.objects.create(
        project=project, author=project.proposer, body="意见"
    )
    response = client.post(f"/projects/comments/{comment.pk}/hide/", {"reason": "x"})
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).hidden_at is None


def test_staff_cannot_read_another_areas_draft(client, huaye_staff, other_area):
    draft = weihai_project(other_area, StepCode.DRAFT)
    assert client.get(f"/projects/{draft.pk}/").status_code == 404
    assert draft.title not in client.get("/projects/").content.decode()


def test_staff_project_page_offers_no_actions_in_another_area(
    client, huaye_staff, other_area
):
    project = weihai_project(other_area, StepCode.SUBMIT)
    body = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="staff-heading"' not in body


def test_work_list_shows_only_the_granted_area(client, huaye_staff, area, other_area):
    mine = make_project(area=area, staff=huaye_staff, title="本区项目")
    theirs = weihai_project(other_area, StepCode.SUBMIT)
    body = client.get("/projects/manage/").content.decode()
    assert mine.title in body and theirs.title != mine.title
    assert f"/projects/{theirs.pk}/" not in body


def test_admin_shows_and_opens_only_the_granted_area(
    client, huaye_staff, area, other_area
):
    theirs = weihai_project(other_area, StepCode.SUBMIT)
    group = BuildingGroup.objects.create(name="陕西北路30弄", area=other_area)
    assert (
        f"/{theirs.pk}/change/"
        not in client.get("/admin/projects/project/").content.decode()
    )
    for url in (
        f"/admin/projects/project/{theirs.pk}/change/",
        f"/admin/buildings/buildinggroup/{group.pk}/change/",
    ):
        response = client.get(url)
        # The admin answers "no such object" and goes back to its index.
        assert response.status_code == 302 and "/admin/" in response["Location"]
    changelist = client.get("/admin/buildings/buildinggroup/").content.decode()
    assert "陕西北路30弄" not in changelist


def test_admin_text_correction_of_another_area_is_refused(
    client, huaye_staff, other_area
):
    theirs = weihai_project(other_area, StepCode.SUBMIT)
    before = snapshot(theirs)
    client.post(
        f"/admin/projects/project/{theirs.pk}/change/",
        {"title": "改", "summary": "改", "description": "改"},
    )
    assert snapshot(theirs) == before


def test_staff_cannot_see_or_confirm_another_areas_pledges(
    client, huaye_staff, other_area
):
    project = weihai_project(other_area, StepCode.CROWDFUND)
    neighbour = make_user(roles.RESIDENT, area=other_area, verified=True)
    pledge = services.pledge_make(project=project, by=neighbour, amount="50")
    before = snapshot(project)
    assert client.get(f"/projects/{project.pk}/pledges/").status_code == 403
    for action in ("confirm", "cancel"):
        response = client.post(
            f"/projects/pledges/{pledge.pk}/{action}/", {"received_on": "2020-06-01"}
        )
        assert response.status_code == 403
    assert snapshot(project) == before
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.PENDING
