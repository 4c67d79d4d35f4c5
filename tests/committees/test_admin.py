import datetime

import pytest

from committees import services
from committees.models import (
    Assessment,
    AssessmentStandard,
    Election,
    OwnersCommittee,
    Step,
)
from nanxi import roles
from nanxi.models import Estate
from tests.committees.conftest import (
    DAY,
    add_candidates,
    at,
    election_at,
    full_marks,
)
from tests.factories import make_user

ASSESS = "/admin/committees/assessment/add/"


def assessment_post(committee, standard, scores, year=2020):
    data = {"committee": committee.pk, "standard": standard.pk, "year": year}
    data.update({f"score_{pk}": value for pk, value in scores.items()})
    return data


@pytest.mark.parametrize(
    "model",
    [
        "ownerscommittee",
        "term",
        "election",
        "assessment",
        "assessmentstandard",
        "committeerules",
    ],
)
def test_changelists_open_for_both_kinds_of_staff(
    client, committee, street_staff, area_staff, model
):
    election_at(committee, street_staff, Step.FILED)
    for user in (street_staff, area_staff):
        client.force_login(user)
        assert client.get(f"/admin/committees/{model}/").status_code == 200


def test_street_staff_manage_estates_area_staff_only_see_them(
    client, street_staff, area_staff, area
):
    client.force_login(street_staff)
    response = client.post(
        "/admin/nanxi/estate/add/",
        {
            "name": "新建小区",
            "area": area.pk,
            "address": "",
            "households": 100,
            "floor_area": "8000.00",
        },
    )
    assert (
        response.status_code == 302 and Estate.objects.filter(name="新建小区").exists()
    )
    client.force_login(area_staff)
    assert client.get("/admin/nanxi/estate/").status_code == 200
    assert client.get("/admin/nanxi/estate/add/").status_code == 403


def test_area_staff_add_a_committee_of_their_area_only(
    client, area_staff, estate, other_estate
):
    client.force_login(area_staff)
    url = "/admin/committees/ownerscommittee/add/"
    response = client.post(url, {"estate": estate.pk})
    assert response.status_code == 302, response.content.decode()[-4000:]
    assert OwnersCommittee.objects.get().estate == estate
    response = client.post(url, {"estate": other_estate.pk})
    assert response.status_code == 200  # not a choice for them
    assert OwnersCommittee.objects.count() == 1


def test_area_staff_do_not_see_other_areas_committees(
    client, committee, other_committee, area_staff
):
    client.force_login(area_staff)
    page = client.get("/admin/committees/ownerscommittee/").content.decode()
    assert "华业大楼" in page and "威海公寓" not in page
    url = f"/admin/committees/ownerscommittee/{other_committee.pk}/change/"
    assert client.get(url).status_code in (302, 403, 404)


def test_assessment_in_the_admin_uses_the_service(
    client, committee, street_staff, standard
):
    client.force_login(street_staff)
    response = client.post(
        ASSESS, assessment_post(committee, standard, full_marks(standard, 30))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment = Assessment.objects.get()
    assert (assessment.total, assessment.passed) == (70, False)
    assert assessment.scores.count() == standard.items.count()


def test_score_above_maximum_is_refused_in_the_admin(
    client, committee, street_staff, standard
):
    client.force_login(street_staff)
    item = standard.items.first()
    scores = full_marks(standard)
    scores[item.pk] = item.max_points + 1
    response = client.post(ASSESS, assessment_post(committee, standard, scores))
    assert response.status_code == 200
    assert item.title in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_score_that_is_not_a_number_gets_one_message(
    client, committee, street_staff, standard
):
    client.force_login(street_staff)
    item = standard.items.first()
    scores = full_marks(standard)
    scores[item.pk] = "abc"
    response = client.post("/en" + ASSESS, assessment_post(committee, standard, scores))
    form = response.context["adminform"].form
    assert form.errors[f"score_{item.pk}"] == ["Enter a whole number."]
    assert form.non_field_errors() == []  # not also "has no score"
    assert "has no score" not in response.content.decode()
    assert not Assessment.objects.exists()


def test_second_assessment_is_refused_in_the_admin(
    client, committee, street_staff, standard
):
    services.assessment_save(
        committee=committee,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    client.force_login(street_staff)
    response = client.post(
        ASSESS,
        assessment_post(committee, standard, full_marks(standard, 40)),
        follow=True,
    )
    assert "2020" in response.content.decode()
    assert Assessment.objects.count() == 1 and Assessment.objects.get().total == 100


def test_election_started_and_moved_in_the_admin(client, committee, area_staff):
    client.force_login(area_staff)
    response = client.post(
        "/admin/committees/election/add/",
        {"committee": committee.pk, "kind": "formation"},
    )
    assert response.status_code == 302
    election = Election.objects.get()
    assert election.changes.count() == 1
    # Without candidates the move is refused with the service's message.
    response = client.post(
        "/admin/committees/election/",
        {"action": "move_on", "_selected_action": [election.pk]},
        follow=True,
    )
    election.refresh_from_db()
    assert election.step == Step.PREPARATION
    add_candidates(election, area_staff)
    # The announcement needs the seats and the assembly's day: the staff page.
    response = client.post(
        "/en/admin/committees/election/",
        {"action": "move_on", "_selected_action": [election.pk]},
        follow=True,
    )
    election.refresh_from_db()
    assert election.step == Step.PREPARATION
    assert "announce the candidates on the staff page" in response.content.decode()
    services.election_announce(
        election=election,
        by=area_staff,
        seats=5,
        assembly_on=DAY,
        at=at(DAY - datetime.timedelta(days=15)),
    )
    client.post(
        "/admin/committees/election/",
        {"action": "move_on", "_selected_action": [election.pk]},
    )
    election.refresh_from_db()
    assert election.step == Step.VOTE


def test_used_standard_cannot_be_edited_in_the_admin(
    client, committee, street_staff, standard
):
    services.assessment_save(
        committee=committee,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    client.force_login(street_staff)
    page = client.get(
        f"/admin/committees/assessmentstandard/{standard.pk}/change/"
    ).content.decode()
    assert 'name="pass_mark"' not in page
    assert 'name="items-0-max_points"' not in page


def test_example_standard_is_labelled(client, street_staff, standard):
    client.force_login(street_staff)
    page = client.get("/admin/committees/assessmentstandard/").content.decode()
    assert AssessmentStandard.objects.get(active=True).version in page
    assert "example" in page or "示例" in page


def test_residents_do_not_reach_the_admin(client, db, area):
    client.force_login(make_user(roles.RESIDENT, area=area, verified=True))
    response = client.get("/admin/committees/ownerscommittee/")
    assert response.status_code == 302
