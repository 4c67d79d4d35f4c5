"""Who takes part: residents propose where they are verified, verified residents
of the area deliberate and their "I need it too" counts; staff see staff wording."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from nanxi import roles
from nanxi import services as street_services
from projects import permissions, services
from projects.models import Comment, Need, NeedSupport, Project, StepCode
from tests.factories import make_user
from tests.projects.helpers import make_project, proposal

UNVERIFIED_PROPOSAL = (
    "Your residents' committee has not yet verified that you live in the area. "
    "Until then you cannot propose a project; you can post a need on the needs board."
)
UNVERIFIED_COMMENT = (
    "Your residents' committee has not yet verified that you live in the area. "
    "Until then you can read the consultation but not take part."
)


def english(call) -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value.messages


@pytest.fixture
def who(area, other_area, area_staff, street_staff):
    return {
        "unverified": make_user(roles.RESIDENT, area=area),
        "resident": make_user(roles.RESIDENT, area=area, verified=True),
        "outsider": make_user(roles.RESIDENT, area=other_area, verified=True),
        "area_staff": area_staff,
        "other_staff": make_user(roles.AREA_STAFF, area=other_area),
        "street_staff": street_staff,
    }


# --- proposing -----------------------------------------------------------------------------------


def test_a_resident_cannot_propose_for_another_area(who, other_area):
    assert english(
        lambda: services.project_create(
            by=who["resident"], area=other_area, **proposal()
        )
    ) == [
        "Residents propose projects in the residential area where their residents' "
        "committee verified them: choose your own area."
    ]
    assert not Project.objects.exists()


def test_a_resident_proposes_in_their_own_area(who, area):
    project = services.project_create(by=who["resident"], area=area, **proposal())
    assert (project.area, project.step) == (area, StepCode.DRAFT)


def test_an_unverified_resident_cannot_propose(who, area):
    assert english(
        lambda: services.project_create(by=who["unverified"], area=area, **proposal())
    ) == [UNVERIFIED_PROPOSAL]
    assert not Project.objects.exists()


def test_staff_propose_in_the_areas_they_act_for(who, area, other_area):
    assert english(
        lambda: services.project_create(
            by=who["area_staff"], area=other_area, **proposal()
        )
    ) == ["As staff, you propose projects in the residential areas you act for."]
    assert not Project.objects.exists()
    services.project_create(by=who["area_staff"], area=area, **proposal())
    services.project_create(by=who["street_staff"], area=other_area, **proposal())
    assert Project.objects.count() == 2


def test_a_draft_cannot_move_to_another_area(who, area, other_area):
    project = services.project_create(by=who["resident"], area=area, **proposal())
    messages = english(
        lambda: services.project_update(
            project=project, by=who["resident"], area=other_area, **proposal()
        )
    )
    assert messages[0].startswith("Residents propose projects in the residential area")
    assert Project.objects.get(pk=project.pk).area == area
    # Control: staying in the area, it is changed.
    services.project_update(
        project=project, by=who["resident"], area=area, **proposal(title="新标题")
    )
    assert Project.objects.get(pk=project.pk).title == "新标题"


def test_the_form_offers_only_the_areas_one_may_propose_in(client, who, area):
    client.force_login(who["resident"])
    body = client.get("/en/projects/new/").content.decode()
    assert "华业" in body and "威海" not in body
    response = client.post(
        "/en/projects/new/",
        {**proposal(), "area": who["outsider"].profile.area_id},
    )
    assert "Choose one of the residential areas in the list." in (
        response.content.decode()
    )
    assert not Project.objects.exists()
    client.force_login(who["street_staff"])
    body = client.get("/en/projects/new/").content.decode()
    assert "华业" in body and "威海" in body


def test_the_form_tells_the_unverified_how_to_get_verified(client, who):
    client.force_login(who["unverified"])
    response = client.get("/en/projects/new/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/accounts/profile/")
    assert UNVERIFIED_PROPOSAL.replace("'", "&#x27;") in response.content.decode()


def test_staff_draft_from_an_unverified_neighbours_need_once_verified(who, area):
    need = services.need_post(
        by=who["unverified"], title="路灯", body="弄堂口太暗。", area=area
    )
    assert english(
        lambda: services.need_to_proposal(
            need=need, by=who["area_staff"], category="doorstep"
        )
    ) == [
        "The resident who posted this need is not verified as a resident of 华业 "
        "yet: verify them first (Verify residents), then make the draft."
    ]
    assert (Need.objects.get(pk=need.pk).status, Project.objects.count()) == (
        "open",
        0,
    )
    street_services.profile_verify(
        profile=who["unverified"].profile, by=who["area_staff"]
    )
    who["unverified"].profile.refresh_from_db()
    project = services.need_to_proposal(
        need=need, by=who["area_staff"], category="doorstep"
    )
    assert project.proposer == who["unverified"]


# --- deliberation --------------------------------------------------------------------------------


@pytest.fixture
def consulting(area, area_staff, who):
    return make_project(
        area=area, proposer=who["resident"], staff=area_staff, step=StepCode.CONSULT
    )


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ("unverified", UNVERIFIED_COMMENT),
        (
            "outsider",
            "Only verified residents of this project's residential area take part "
            "in its consultation; you can read it.",
        ),
        (
            "other_staff",
            "You are staff of another residential area: you can read this "
            "consultation; the area's verified residents and its residents' "
            "committee take part in it.",
        ),
    ],
)
def test_only_the_areas_verified_residents_and_staff_comment(
    consulting, who, person, message
):
    assert english(
        lambda: services.comment_add(project=consulting, author=who[person], body="好")
    ) == [message]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("person", ["resident", "area_staff", "street_staff"])
def test_verified_residents_and_the_areas_staff_comment(consulting, who, person):
    services.comment_add(project=consulting, author=who[person], body="同意")
    assert Comment.objects.get().author == who[person]


def test_the_unverified_read_and_are_told_how_to_be_verified(client, consulting, who):
    services.comment_add(project=consulting, author=who["resident"], body="支持装灯")
    client.force_login(who["unverified"])
    body = client.get(f"/en/projects/{consulting.pk}/").content.decode()
    assert "支持装灯" in body
    assert UNVERIFIED_COMMENT.replace("'", "&#x27;") in body
    assert 'href="/en/accounts/verification/"' in body
    assert f'action="/en/projects/{consulting.pk}/comment/"' not in body
    # Once verified, they take part.
    street_services.profile_verify(
        profile=who["unverified"].profile, by=who["area_staff"]
    )
    body = client.get(f"/en/projects/{consulting.pk}/").content.decode()
    assert f'action="/en/projects/{consulting.pk}/comment/"' in body


@pytest.mark.parametrize("person", ["area_staff", "street_staff"])
def test_staff_see_staff_wording_on_a_project_page(
    client, area, area_staff, who, person
):
    project = make_project(
        area=area, proposer=who["resident"], staff=area_staff, step=StepCode.CONSULT
    )
    services.project_move(
        project=project,
        to_step=StepCode.VOTE,
        by=area_staff,
        vote_closes_on=timezone.localdate(),
    )
    client.force_login(who[person])
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert "not verified" not in body
    assert (
        "Residents vote here. As staff of this area, you enter paper ballots in the "
        "residents&#x27; committee actions." in body
    )
    assert f'action="/en/projects/{project.pk}/comment/"' in body


def test_staff_of_another_area_are_told_so(client, area, area_staff, who):
    project = make_project(
        area=area, proposer=who["resident"], staff=area_staff, step=StepCode.VOTE
    )
    client.force_login(who["other_staff"])
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert "not verified" not in body
    assert "You are staff of another residential area" in body


# --- the needs board -----------------------------------------------------------------------------


def test_an_unverified_resident_posts_a_need_marked_not_yet_verified(client, who, area):
    client.force_login(who["unverified"])
    response = client.post(
        "/en/needs/new/", {"title": "路灯", "body": "弄堂口太暗。"}, follow=True
    )
    need = Need.objects.get()
    assert need.author == who["unverified"] and not need.by_verified_resident
    assert "until your residents&#x27; committee verifies" in response.content.decode()
    board = client.get("/en/needs/").content.decode()
    assert "Not yet verified" in board
    services.need_post(by=who["resident"], title="扶手", body="楼梯陡。", area=area)
    board = client.get("/en/needs/").content.decode()
    assert board.count("Not yet verified") == 1


def test_support_counts_only_once_verified(who, area, area_staff):
    need = services.need_post(
        by=who["resident"], title="扶手", body="楼梯陡。", area=area
    )
    services.need_support(need=need, by=who["unverified"])  # kept, not counted
    assert NeedSupport.objects.filter(need=need).count() == 1
    assert Need.objects.with_support().get(pk=need.pk).supporters == 0
    street_services.profile_verify(profile=who["unverified"].profile, by=area_staff)
    assert Need.objects.with_support().get(pk=need.pk).supporters == 1


def test_an_unverified_supporter_is_told_when_it_counts(client, who, area):
    need = services.need_post(
        by=who["resident"], title="扶手", body="楼梯陡。", area=area
    )
    client.force_login(who["unverified"])
    body = client.get(f"/en/needs/{need.pk}/").content.decode()
    assert 'id="support-uncounted"' in body
    client.post(f"/en/needs/{need.pk}/support/")
    body = client.get(f"/en/needs/{need.pk}/").content.decode()
    assert "0 neighbours need it too." in body
    assert "It is counted once your residents' committee verifies" in body


def test_staff_are_not_asked_to_support_a_need(who, area):
    need = services.need_post(
        by=who["resident"], title="扶手", body="楼梯陡。", area=area
    )
    assert english(lambda: services.need_support(need=need, by=who["area_staff"])) == [
        "Neighbours say they need it too. As staff, you reply to the need, merge it, "
        "or turn it into a proposal."
    ]
    assert not NeedSupport.objects.exists()


def _board_queries(client, django_assert_max_num_queries) -> int:
    client.get("/needs/")
    with django_assert_max_num_queries(10) as counted:
        client.get("/needs/")
    return len(counted)


def test_needs_board_query_count_is_unchanged_by_rows_and_verification(
    client, who, area, django_assert_max_num_queries
):
    services.need_post(by=who["resident"], title="需求", body="x", area=area)
    client.force_login(who["resident"])
    few = _board_queries(client, django_assert_max_num_queries)
    supporters = [make_user(roles.RESIDENT, area=area) for _ in range(3)]
    for n in range(25):
        author = who["unverified"] if n % 2 else who["outsider"]
        need = services.need_post(
            by=author,
            title=f"需求{n}",
            body="x",
            area=author.profile.area,
        )
        for supporter in supporters if author == who["unverified"] else []:
            services.need_support(need=need, by=supporter)
    assert _board_queries(client, django_assert_max_num_queries) == few


def test_a_declined_resident_is_told_the_committee_declined_not_that_it_waits(
    area, area_staff
):
    person = make_user(roles.RESIDENT, area=area)
    street_services.profile_decline(
        profile=person.profile, by=area_staff, reason="登记中没有这个室号"
    )
    person.refresh_from_db()
    with translation.override("en"):
        refusal = permissions.proposal_refusal(person, area.pk)
    assert refusal.startswith(
        "Your residents' committee could not verify that you live in the area: "
        "the reason is on your profile"
    )
    assert "has not yet verified" not in refusal
