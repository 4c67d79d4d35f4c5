"""Offline residents (线下): members of the area without an account, and the paper
proposals, ballots and evaluation forms staff enter for them.

Every entry records the staff member who made it; a refused entry writes nothing.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from buildings.models import BuildingGroup
from nanxi import roles
from nanxi.models import Notification
from projects import permissions, services
from projects.models import AreaMember, Evaluation, Project, StepChange, StepCode, Vote
from projects.personal_data import export, export_member
from tests.factories import make_user
from tests.projects.helpers import (
    ACTORS,
    STAFF,
    make_member,
    make_paper_project,
    make_project,
    proposal,
)


@pytest.fixture(autouse=True)
def _english():
    # The messages asserted here are new: matched in their English source text.
    with translation.override("en"):
        yield


@pytest.fixture
def group(area):
    return BuildingGroup.objects.create(name="升平街65号", area=area)


@pytest.fixture
def other_group(other_area):
    return BuildingGroup.objects.create(name="陕西北路30弄", area=other_area)


@pytest.fixture
def member(area, area_staff, group):
    return services.member_record(
        by=area_staff,
        name="李阿婆",
        area=area,
        building_group=group,
        phone="13800000001",
    )


def written() -> tuple:
    """Everything an offline entry could write, read fresh from the database."""
    return (
        list(AreaMember.objects.values_list("pk", "name", "phone", "erased_at")),
        list(Project.objects.values_list("pk", "title", "step", "outcome")),
        StepChange.objects.count(),
        list(Vote.objects.values_list("pk", "member")),
        list(Evaluation.objects.values_list("pk", "member")),
    )


# --- members of the area ----------------------------------------------------------------


def test_staff_record_a_member_without_an_account(area, area_staff, group):
    member = services.member_record(
        by=area_staff, name=" 李阿婆 ", area=area, building_group=group, phone=""
    )
    member.refresh_from_db()
    assert (member.name, member.area, member.building_group) == ("李阿婆", area, group)
    assert member.recorded_by == area_staff
    # In public a member is never named.
    assert member.public_name == "Resident of 华业"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "王" * 41}, "name"),
        ({"phone": "call me"}, "phone"),
        ({"building_group": None}, "building_group"),
    ],
)
def test_a_member_with_bad_values_is_refused(area, area_staff, group, values, field):
    data = {"name": "李阿婆", "building_group": group, "phone": "13800000001"} | values
    with pytest.raises(ValidationError) as refused:
        services.member_record(by=area_staff, area=area, **data)
    assert field in refused.value.message_dict
    assert not AreaMember.objects.exists()


def test_a_member_in_a_building_group_of_another_area_is_refused(
    area, area_staff, other_group
):
    with pytest.raises(ValidationError, match="陕西北路30弄"):
        services.member_record(
            by=area_staff, name="李阿婆", area=area, building_group=other_group
        )
    assert not AreaMember.objects.exists()


# who → may record, change and erase a member of 华业
MEMBER_ACTIONS = {
    "record": lambda people, member, group: services.member_record(
        by=people, name="张老伯", area=group.area, building_group=group
    ),
    "update": lambda people, member, group: services.member_update(
        member=member, by=people, name="李阿婆（改）", building_group=group
    ),
    "erase": lambda people, member, group: services.member_erase(
        member=member, by=people
    ),
    "paper_proposal_for_member": lambda people, member, group: (
        services.project_enter_paper(
            by=people, area=group.area, member=member, **proposal()
        )
    ),
}


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("action", list(MEMBER_ACTIONS))
def test_role_by_member_action(people, member, group, action, who):
    before = written()
    if who in STAFF:
        MEMBER_ACTIONS[action](people[who], member, group)
        assert written() != before
    else:
        with pytest.raises(PermissionDenied):
            MEMBER_ACTIONS[action](people[who], member, group)
        assert written() == before


@pytest.mark.parametrize("who", ACTORS)
def test_role_by_paper_proposal_for_a_resident(people, area, who):
    before = written()
    enter = lambda: services.project_enter_paper(  # noqa: E731
        by=people[who], area=area, resident=people["neighbour"], **proposal()
    )
    if who in STAFF:
        project = enter()
        assert project.proposer == people["neighbour"]
        assert project.entered_by == people[who]
    else:
        with pytest.raises(PermissionDenied):
            enter()
        assert written() == before


def test_an_erased_member_is_blanked_and_their_entries_still_count(
    area, area_staff, member
):
    project = make_paper_project(
        area=area, member=member, staff=area_staff, step=StepCode.VOTE
    )
    services.vote_enter_paper(
        project=project,
        by=area_staff,
        choice="support",
        ballot_number="9",
        member=member,
    )
    services.member_erase(member=member, by=area_staff)
    member.refresh_from_db()
    assert (member.name, member.phone, member.building_group) == ("", "", None)
    assert member.erased_by == area_staff and member.is_erased
    assert str(member) == "Deleted resident"
    assert Vote.objects.filter(member=member).count() == 1
    assert Project.objects.get(proposer_member=member) == project
    # Nothing more can be done with the record, and erasing twice is refused.
    for again in (
        lambda: services.member_erase(member=member, by=area_staff),
        lambda: services.member_update(
            member=member, by=area_staff, name="李阿婆", building_group=None
        ),
        lambda: services.project_enter_paper(
            by=area_staff, area=area, member=member, **proposal()
        ),
    ):
        before = written()
        with pytest.raises(ValidationError, match="erased"):
            again()
        assert written() == before


# --- paper proposals ----------------------------------------------------------------------


def test_a_paper_proposal_for_a_member_is_submitted_and_records_who_entered_it(
    area, area_staff, member
):
    project = services.project_enter_paper(
        by=area_staff, area=area, member=member, **proposal()
    )
    project.refresh_from_db()
    assert project.step == StepCode.SUBMIT
    assert project.proposer is None and project.proposer_member == member
    assert project.entered_by == area_staff and project.on_paper
    changes = list(project.step_changes.values_list("to_step", "actor"))
    assert changes == [
        (StepCode.DRAFT, area_staff.pk),
        (StepCode.SUBMIT, area_staff.pk),
    ]
    assert project.proposer_public_name == "Resident of 华业"


def test_a_paper_proposal_for_a_resident_is_theirs_and_tells_them(
    area, area_staff, resident
):
    project = services.project_enter_paper(
        by=area_staff, area=area, resident=resident, **proposal()
    )
    assert project.proposer == resident and project.proposer_member is None
    assert project.entered_by == area_staff
    # The resident follows it online like their own proposal.
    assert Notification.objects.filter(recipient=resident).count() == 1
    assert permissions.can_withdraw(resident, project)
    assert list(
        Project.objects.filter(proposer=resident).values_list("pk", flat=True)
    ) == [project.pk]


@pytest.mark.parametrize("whose", ["both", "neither"])
def test_a_paper_proposal_names_exactly_one_proposer(
    area, area_staff, member, resident, whose
):
    given = {"member": member, "resident": resident} if whose == "both" else {}
    before = written()
    with pytest.raises(ValidationError, match="not both"):
        services.project_enter_paper(by=area_staff, area=area, **given, **proposal())
    assert written() == before


def test_a_paper_proposal_for_someone_of_another_area_is_refused(
    area, other_area, area_staff, street_staff, people, other_group
):
    stranger = services.member_record(
        by=street_staff, name="赵先生", area=other_area, building_group=other_group
    )
    before = written()
    with pytest.raises(ValidationError, match="not a member of this residential area"):
        services.project_enter_paper(
            by=area_staff, area=area, member=stranger, **proposal()
        )
    with pytest.raises(ValidationError, match="does not live"):
        services.project_enter_paper(
            by=area_staff, area=area, resident=people["outsider"], **proposal()
        )
    # Nor may staff enter one in an area that is not theirs.
    with pytest.raises(PermissionDenied):
        services.project_enter_paper(
            by=area_staff, area=other_area, member=stranger, **proposal()
        )
    assert written() == before


def test_a_paper_proposal_stays_in_its_area(
    client, area, other_area, street_staff, area_staff, member
):
    project = make_paper_project(area=area, member=member, staff=area_staff)
    before = written()
    for by in (area_staff, street_staff):
        with pytest.raises(ValidationError, match="stays in the residential area"):
            services.project_update(
                project=project, by=by, area=other_area, **proposal(title="改区")
            )
    assert written() == before
    # Its words can be corrected on the edit page, in its area.
    client.force_login(area_staff)
    response = client.post(
        f"/en/projects/{project.pk}/edit/",
        {**proposal(title="照纸质提案更正"), "area": area.pk},
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).title == "照纸质提案更正"


def test_staff_act_for_a_members_proposal_and_residents_do_not(area, people, member):
    project = make_paper_project(
        area=area, member=member, staff=people["area_staff"], step=StepCode.CONSULT
    )
    for who in ACTORS:
        expected = who in STAFF
        assert permissions.can_withdraw(people[who], project) == expected, who
    services.project_withdraw(project=project, by=people["area_staff"])
    assert Project.objects.get(pk=project.pk).outcome == Project.Outcome.WITHDRAWN


def test_a_resident_is_found_by_email_or_phone_only_in_the_staffs_area(
    area, other_area, area_staff, people
):
    neighbour = people["neighbour"]
    neighbour.profile.phone = "13911112222"
    neighbour.profile.save()
    find = services.resident_by_contact
    assert find(by=area_staff, area=area, contact=neighbour.email.upper()) == neighbour
    assert find(by=area_staff, area=area, contact=" 13911112222 ") == neighbour
    with pytest.raises(ValidationError, match="No resident"):
        find(by=area_staff, area=area, contact=people["outsider"].email)
    with pytest.raises(ValidationError, match="e-mail address or phone"):
        find(by=area_staff, area=area, contact="  ")
    people["proposer"].profile.phone = "13911112222"
    people["proposer"].profile.save()
    with pytest.raises(ValidationError, match="Several residents"):
        find(by=area_staff, area=area, contact="13911112222")
    # Staff of another area cannot probe who lives here.
    with pytest.raises(PermissionDenied):
        find(by=people["other_staff"], area=area, contact=neighbour.email)


def test_the_database_refuses_a_project_without_a_proposer(area, area_staff, member):
    project = make_paper_project(area=area, member=member, staff=area_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(proposer_member=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(entered_by=None)


# --- paper ballots and forms naming a member ---------------------------------------------------


def test_a_members_ballot_counts_once(area, area_staff, member):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    services.vote_enter_paper(
        project=project,
        by=area_staff,
        choice="oppose",
        ballot_number="11",
        member=member,
    )
    before = written()
    with pytest.raises(ValidationError, match="already been entered"):
        services.vote_enter_paper(
            project=project,
            by=area_staff,
            choice="support",
            ballot_number="12",
            member=member,
        )
    with pytest.raises(ValidationError, match="Ballot 11 has already"):
        services.vote_enter_paper(
            project=project, by=area_staff, choice="support", ballot_number="11"
        )
    assert written() == before
    vote = Vote.objects.get(member=member)
    assert (vote.paper, vote.voter, vote.entered_by) == (True, None, area_staff)


def test_a_ballot_cannot_name_a_member_of_another_area(
    area, other_area, area_staff, street_staff, other_group
):
    stranger = services.member_record(
        by=street_staff, name="赵先生", area=other_area, building_group=other_group
    )
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    before = written()
    with pytest.raises(ValidationError, match="赵先生 is not a member"):
        services.vote_enter_paper(
            project=project,
            by=street_staff,
            choice="support",
            ballot_number="13",
            member=stranger,
        )
    assert written() == before


def test_one_evaluation_per_member_and_it_counts_in_satisfaction(
    area, area_staff, member
):
    project = make_project(area=area, staff=area_staff, step=StepCode.EVALUATE)
    services.evaluation_enter_paper(
        project=project, by=area_staff, stars=3, form_number="F-2", member=member
    )
    before = written()
    with pytest.raises(ValidationError, match="each member rates it once"):
        services.evaluation_enter_paper(
            project=project, by=area_staff, stars=5, form_number="F-3", member=member
        )
    assert written() == before
    rated = Project.objects.with_satisfaction().get(pk=project.pk)
    assert rated.evaluations_count == 1 and rated.satisfaction == 60


def test_the_database_keeps_members_on_paper_entries_only(area, area_staff, member):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            project=project, voter=area_staff, choice="support", member=member
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        for number in ("1", "2"):
            Vote.objects.create(
                project=project,
                choice="support",
                paper=True,
                ballot_number=number,
                entered_by=area_staff,
                member=member,
            )


# --- personal data (PIPL) -------------------------------------------------------------------


def test_a_members_data_is_exported_in_a_fixed_number_of_queries(
    area, area_staff, member, django_assert_num_queries
):
    make_paper_project(area=area, member=member, staff=area_staff)
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    services.vote_enter_paper(
        project=project,
        by=area_staff,
        choice="support",
        ballot_number="7",
        member=member,
    )
    member = AreaMember.objects.select_related("area", "building_group").get(
        pk=member.pk
    )
    with django_assert_num_queries(3):
        sections = {s.key: s for s in export_member(member)}
    assert sections["member"].rows[0]["phone"] == "13800000001"
    assert len(sections["paper_proposals"].rows) == 1
    assert sections["paper_votes"].rows[0]["ballot_number"] == "7"
    assert sections["paper_evaluations"].rows == []


def test_a_residents_export_says_which_proposals_were_entered_on_paper(
    area, area_staff, resident
):
    make_project(area=area, proposer=resident, staff=area_staff)
    services.project_enter_paper(
        by=area_staff, area=area, resident=resident, **proposal(title="纸质提案")
    )
    rows = next(s for s in export(resident) if s.key == "projects").rows
    assert [(r["title"], r["on_paper"]) for r in rows] == [
        ("楼道整治", False),
        ("纸质提案", True),
    ]


# --- pages ------------------------------------------------------------------------------------


def test_the_public_never_sees_a_members_name_and_staff_see_who_entered_it(
    client, area, area_staff, people, member
):
    area_staff.profile.display_name = "居委会小陈"
    area_staff.profile.save()
    project = make_paper_project(area=area, member=member, staff=area_staff)
    url = f"/en/projects/{project.pk}/"
    for who in ("anonymous", "neighbour", "other_staff"):
        visitor = Client()
        if who != "anonymous":
            visitor.force_login(people[who])
        page = visitor.get(url).content.decode()
        assert "Resident of 华业" in page
        assert "李阿婆" not in page and 'id="paper-entry"' not in page, who
    client.force_login(area_staff)
    page = client.get(url).content.decode()
    assert (
        "Entered on paper by 居委会小陈 for 李阿婆, a member of the area without an "
        "account." in page
    )


def test_staff_see_the_resident_a_paper_proposal_was_entered_for(
    client, area, area_staff, resident
):
    project = services.project_enter_paper(
        by=area_staff, area=area, resident=resident, **proposal()
    )
    client.force_login(area_staff)
    page = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert f"({resident.email})" in page
    client.force_login(resident)
    assert (
        resident.email not in client.get(f"/en/projects/{project.pk}/").content.decode()
    )


def test_the_detail_page_of_a_paper_proposal_has_a_fixed_query_count(
    client, area, area_staff, member, django_assert_max_num_queries
):
    project = make_paper_project(area=area, member=member, staff=area_staff)
    client.force_login(area_staff)
    plain = make_project(area=area, staff=area_staff)
    client.get(f"/projects/{plain.pk}/")  # warm the per-user caches alike
    with django_assert_max_num_queries(25) as counted:
        client.get(f"/projects/{plain.pk}/")
    plain_count = len(counted.captured_queries)
    # The paper entry costs one query more, for staff only.
    with django_assert_max_num_queries(plain_count + 1):
        page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="paper-entry"' in page


@pytest.mark.parametrize("who", ["anonymous", "neighbour", "outsider"])
def test_residents_cannot_open_the_staff_pages(client, people, member, who):
    if who != "anonymous":
        client.force_login(people[who])
    for url in (
        "/en/projects/members/",
        "/en/projects/paper/new/",
        f"/en/projects/members/{member.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        if who == "anonymous":
            assert "/accounts/login/" in response["Location"]


def test_staff_record_a_member_on_the_page(client, area, area_staff, group):
    client.force_login(area_staff)
    response = client.post(
        "/en/projects/members/",
        {"name": "张老伯", "area": area.pk, "building_group": group.pk, "phone": ""},
    )
    assert response.status_code == 302
    member = AreaMember.objects.get()
    assert (member.name, member.recorded_by) == ("张老伯", area_staff)
    page = client.get("/en/projects/members/").content.decode()
    assert "张老伯" in page and "升平街65号" in page


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"phone": "no phone"}, "Enter a phone number with digits only"),
        (
            {"building_group": "999999"},
            "Choose one of the building groups in the list.",
        ),
        ({"building_group": "other"}, "Choose one of the building groups in the list."),
        ({"area": "other"}, "Choose one of the residential areas in the list."),
        ({"area": "1e9"}, "Choose one of the residential areas in the list."),
    ],
)
def test_bad_member_forms_say_why_and_save_nothing(
    client, area, area_staff, group, other_group, values, error
):
    data = {"name": "张老伯", "area": area.pk, "building_group": group.pk, "phone": ""}
    data |= values
    if data["building_group"] == "other":
        data["building_group"] = other_group.pk
    if data["area"] == "other":
        data["area"] = other_group.area_id
    client.force_login(area_staff)
    response = client.post("/en/projects/members/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    # What was typed is still there.
    assert "张老伯" in response.content.decode() or not data["name"]
    assert not AreaMember.objects.exists()


def test_staff_of_another_area_do_not_find_a_member(client, people, member):
    client.force_login(people["other_staff"])
    assert client.get(f"/en/projects/members/{member.pk}/").status_code == 404
    assert client.post(f"/en/projects/members/{member.pk}/erase/").status_code == 404
    assert "李阿婆" not in client.get("/en/projects/members/").content.decode()
    assert not AreaMember.objects.get(pk=member.pk).is_erased


def test_staff_correct_and_erase_a_member_on_the_page(client, area_staff, member):
    client.force_login(area_staff)
    url = f"/en/projects/members/{member.pk}/"
    page = client.get(url).content.decode()
    assert "13800000001" in page and "Everything the portal holds" in page
    client.post(
        url,
        {
            "name": "李阿婆",
            "building_group": member.building_group_id,
            "phone": "021-1",
        },
    )
    assert AreaMember.objects.get(pk=member.pk).phone == "13800000001"  # refused
    response = client.post(
        url,
        {
            "name": "李阿婆",
            "building_group": member.building_group_id,
            "phone": "021-62171234",
        },
    )
    assert response.status_code == 302
    assert AreaMember.objects.get(pk=member.pk).phone == "021-62171234"
    response = client.post(f"{url}erase/")
    assert response.status_code == 302
    erased = AreaMember.objects.get(pk=member.pk)
    assert erased.is_erased and erased.name == ""
    page = client.get(url).content.decode()
    assert "021-62171234" not in page and 'id="member-form"' not in page
    # A second erase says why it is refused.
    response = client.post(f"{url}erase/", follow=True)
    assert "has been erased" in response.content.decode()


def test_the_member_list_has_a_fixed_query_count(
    client, area, area_staff, group, django_assert_max_num_queries
):
    client.force_login(area_staff)
    make_member(area=area, by=area_staff, group=group)
    with django_assert_max_num_queries(12) as few:
        client.get("/projects/members/")
    first = len(few.captured_queries)
    for n in range(30):
        make_member(area=area, by=area_staff, group=group, name=f"居民{n}")
    with django_assert_max_num_queries(first):
        response = client.get("/projects/members/")
    assert response.content.decode().count("/projects/members/") >= 20


def test_staff_enter_a_paper_proposal_on_the_page(client, area, area_staff, member):
    client.force_login(area_staff)
    response = client.get("/en/projects/paper/new/")
    assert "李阿婆" in response.content.decode()
    response = client.post(
        "/en/projects/paper/new/",
        {**proposal(), "area": area.pk, "member": member.pk, "resident": ""},
    )
    assert response.status_code == 302
    project = Project.objects.get(proposer_member=member)
    assert response["Location"] == f"/en/projects/{project.pk}/"
    assert project.step == StepCode.SUBMIT and project.entered_by == area_staff


def test_staff_enter_a_paper_proposal_for_a_resident_by_email(
    client, area, area_staff, resident
):
    client.force_login(area_staff)
    response = client.post(
        "/en/projects/paper/new/",
        {**proposal(), "area": area.pk, "member": "", "resident": resident.email},
    )
    assert response.status_code == 302
    assert Project.objects.get().proposer == resident


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"member": "", "resident": ""}, "Say whose proposal it is"),
        ({"resident": "someone@example.com"}, "Say whose proposal it is"),
        ({"member": "", "resident": "nobody@example.com"}, "No resident of 华业"),
        ({"member": "999999"}, "Choose one of the members in the list."),
        ({"area": "other"}, "Choose one of the residential areas in the list."),
        ({"title": ""}, "This field is required."),
        ({"budget_requested": "-5"}, "greater than or equal to 0"),
    ],
)
def test_bad_paper_proposals_say_why_and_save_nothing(
    client, area, other_area, area_staff, member, values, error
):
    data = {**proposal(), "area": area.pk, "member": member.pk, "resident": ""}
    data |= values
    if data["area"] == "other":
        data["area"] = other_area.pk
    client.force_login(area_staff)
    before = written()
    response = client.post("/en/projects/paper/new/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert written() == before


def test_a_paper_ballot_page_post_naming_another_areas_member_is_refused(
    client, area, other_area, area_staff, street_staff, other_group
):
    stranger = services.member_record(
        by=street_staff, name="赵先生", area=other_area, building_group=other_group
    )
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    client.force_login(area_staff)
    page = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert "赵先生" not in page  # only the project's area is offered
    response = client.post(
        f"/en/projects/{project.pk}/paper_vote/",
        {"ballot_number": "21", "choice": "support", "member": stranger.pk},
        follow=True,
    )
    assert (
        "赵先生 is not a member of this residential area" in response.content.decode()
    )
    assert not Vote.objects.filter(ballot_number="21").exists()


def test_a_paper_form_page_post_names_a_member(client, area, area_staff, member):
    project = make_project(area=area, staff=area_staff, step=StepCode.EVALUATE)
    client.force_login(area_staff)
    assert "李阿婆" in client.get(f"/en/projects/{project.pk}/").content.decode()
    data = {"form_number": "F-9", "stars": "4", "comment": "", "member": member.pk}
    client.post(f"/en/projects/{project.pk}/paper_evaluation/", data)
    response = client.post(
        f"/en/projects/{project.pk}/paper_evaluation/",
        data | {"form_number": "F-10"},
        follow=True,
    )
    assert "each member rates it once" in response.content.decode()
    assert Evaluation.objects.filter(member=member).count() == 1


def test_a_resident_cannot_post_a_paper_ballot_for_a_member(
    client, area, area_staff, member, resident
):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    client.force_login(resident)
    response = client.post(
        f"/en/projects/{project.pk}/paper_vote/",
        {"ballot_number": "31", "choice": "support", "member": member.pk},
    )
    assert response.status_code == 403
    assert not Vote.objects.filter(member=member).exists()


# --- the admin ------------------------------------------------------------------------------


def test_admin_members_follow_the_staff_scope_and_the_services(
    client, area, other_area, area_staff, street_staff, member, group, other_group
):
    services.member_record(
        by=street_staff, name="赵先生", area=other_area, building_group=other_group
    )
    client.force_login(area_staff)
    page = client.get("/admin/projects/areamember/").content.decode()
    assert "李阿婆" in page and "赵先生" not in page
    response = client.post(
        "/admin/projects/areamember/add/",
        {"name": "张老伯", "area": area.pk, "building_group": group.pk, "phone": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = AreaMember.objects.get(name="张老伯")
    assert added.recorded_by == area_staff
    # A group of another area is not offered; posting it is refused.
    response = client.post(
        "/admin/projects/areamember/add/",
        {"name": "钱阿姨", "area": area.pk, "building_group": other_group.pk},
    )
    assert not AreaMember.objects.filter(name="钱阿姨").exists()
    # Members are erased, never deleted.
    assert (
        client.get(f"/admin/projects/areamember/{member.pk}/delete/").status_code == 403
    )
    client.post(
        "/admin/projects/areamember/",
        {"action": "erase", "_selected_action": [member.pk]},
    )
    assert AreaMember.objects.get(pk=member.pk).is_erased


def test_other_staff_cannot_enter_for_a_member_of_an_area_not_theirs(
    area, other_area, member
):
    other = make_user(roles.AREA_STAFF, area=other_area)
    project = make_project(area=area, step=StepCode.VOTE)
    before = written()
    with pytest.raises(PermissionDenied):
        services.vote_enter_paper(
            project=project,
            by=other,
            choice="support",
            ballot_number="1",
            member=member,
        )
    assert written() == before
