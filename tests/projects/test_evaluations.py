"""Step 11: residents rate a finished project; satisfaction is derived, never typed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from nanxi import roles
from projects import services
from projects.models import Evaluation, Project, StepCode
from tests.factories import make_user
from tests.projects.helpers import make_project


@pytest.fixture
def evaluating(area, area_staff):
    return make_project(area=area, staff=area_staff, step=StepCode.EVALUATE)


def english(call):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value.messages


def satisfaction(project):
    row = Project.objects.with_satisfaction().get(pk=project.pk)
    return row.evaluations_count, row.satisfaction


def test_resident_rates_once(evaluating, resident):
    services.evaluation_add(project=evaluating, by=resident, stars=4, comment=" 好 ")
    rating = Evaluation.objects.get()
    assert (rating.stars, rating.comment, rating.paper, rating.entered_by) == (
        4,
        "好",
        False,
        resident,
    )
    assert english(
        lambda: services.evaluation_add(project=evaluating, by=resident, stars=5)
    ) == ["You have already rated this project: each resident rates it once."]
    assert Evaluation.objects.get().stars == 4


def test_database_refuses_a_second_rating_row(evaluating, resident):
    Evaluation.objects.create(
        project=evaluating, resident=resident, stars=3, entered_by=resident
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(
            project=evaluating, resident=resident, stars=5, entered_by=resident
        )


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_out_of_range_are_refused(evaluating, resident, stars):
    with pytest.raises(ValidationError):
        services.evaluation_add(project=evaluating, by=resident, stars=stars)
    assert not Evaluation.objects.exists()


def test_overlong_comment_is_refused(evaluating, resident):
    with pytest.raises(ValidationError):
        services.evaluation_add(
            project=evaluating, by=resident, stars=5, comment="好" * 201
        )
    assert not Evaluation.objects.exists()


def test_unverified_and_outsiders_cannot_rate(evaluating, area, other_area):
    assert english(
        lambda: services.evaluation_add(
            project=evaluating, by=make_user(roles.RESIDENT, area=area), stars=5
        )
    ) == [
        "Your residents' committee has not yet verified that you live in the area. "
        "Until then you cannot rate the project."
    ]
    outsider = make_user(roles.RESIDENT, area=other_area, verified=True)
    assert english(
        lambda: services.evaluation_add(project=evaluating, by=outsider, stars=5)
    ) == ["Only residents of this project's residential area can rate it."]


def test_rating_before_step_eleven_is_refused(area, area_staff, resident):
    project = make_project(area=area, staff=area_staff, step=StepCode.ACCEPT_RESULTS)
    assert english(
        lambda: services.evaluation_add(project=project, by=resident, stars=5)
    ) == [
        "Residents rate a project at step 11 (residents evaluate), once its "
        "results are accepted."
    ]


def test_staff_enter_paper_forms_once_each(evaluating, area_staff):
    services.evaluation_enter_paper(
        project=evaluating, by=area_staff, stars=5, form_number=" 17 "
    )
    paper = Evaluation.objects.get()
    assert (paper.paper, paper.form_number, paper.entered_by, paper.resident) == (
        True,
        "17",
        area_staff,
        None,
    )
    assert english(
        lambda: services.evaluation_enter_paper(
            project=evaluating, by=area_staff, stars=3, form_number="17"
        )
    ) == ["Paper form 17 has already been entered for this project."]
    assert english(
        lambda: services.evaluation_enter_paper(
            project=evaluating, by=area_staff, stars=3, form_number="  "
        )
    ) == ["Enter the number written on the paper form."]
    assert Evaluation.objects.count() == 1


def test_residents_cannot_enter_paper_forms(evaluating, resident):
    with pytest.raises(PermissionDenied):
        services.evaluation_enter_paper(
            project=evaluating, by=resident, stars=5, form_number="1"
        )


def test_satisfaction_is_the_average_of_the_stars(evaluating, area, area_staff):
    assert satisfaction(evaluating) == (0, None)
    for stars in (5, 4):
        services.evaluation_add(
            project=evaluating,
            by=make_user(roles.RESIDENT, area=area, verified=True),
            stars=stars,
        )
    services.evaluation_enter_paper(
        project=evaluating, by=area_staff, stars=3, form_number="1"
    )
    assert satisfaction(evaluating) == (3, 80)  # 4.0 ★ of 5


def test_sharing_needs_beneficiaries_and_a_rating(evaluating, area_staff, resident):
    message = [
        "Record the beneficiaries, and let residents rate the project (at "
        "least one rating, online or on paper), first."
    ]
    move = lambda: services.project_move(  # noqa: E731
        project=evaluating, to_step=12, by=area_staff
    )
    assert english(move) == message
    services.evaluation_record(project=evaluating, by=area_staff, beneficiaries=40)
    assert english(move) == message
    services.evaluation_add(project=evaluating, by=resident, stars=5)
    move()
    assert Project.objects.get(pk=evaluating.pk).step == 12


# --- pages ---------------------------------------------------------------------------------------


def test_resident_rates_on_the_page(client, evaluating, resident):
    client.force_login(resident)
    body = client.get(f"/projects/{evaluating.pk}/").content.decode()
    assert 'id="rate"' in body
    client.post(f"/projects/{evaluating.pk}/rate/", {"stars": "4", "comment": "不错"})
    assert Evaluation.objects.get().stars == 4
    body = client.get(f"/projects/{evaluating.pk}/").content.decode()
    assert 'id="my-rating"' in body and 'id="rate"' not in body
    assert '<dd id="satisfaction">80%</dd>' in body


def test_bad_rating_on_the_page_records_nothing(client, evaluating, resident):
    client.force_login(resident)
    client.post(f"/projects/{evaluating.pk}/rate/", {"stars": "9"})
    client.post(f"/projects/{evaluating.pk}/rate/", {"stars": "abc"})
    assert not Evaluation.objects.exists()


def test_staff_cannot_type_satisfaction(client, evaluating, area_staff):
    client.force_login(area_staff)
    body = client.get(f"/projects/{evaluating.pk}/").content.decode()
    assert 'name="satisfaction"' not in body
    client.post(
        f"/projects/{evaluating.pk}/evaluation/",
        {"beneficiaries": "150", "satisfaction": "100"},
    )
    project = Project.objects.with_satisfaction().get(pk=evaluating.pk)
    assert (project.beneficiaries, project.satisfaction) == (150, None)


def test_staff_enter_a_paper_form_on_the_page(client, evaluating, area_staff):
    client.force_login(area_staff)
    client.post(
        f"/projects/{evaluating.pk}/paper_evaluation/",
        {"form_number": "华业-003", "stars": "5", "comment": "老人很满意"},
    )
    paper = Evaluation.objects.get()
    assert (paper.form_number, paper.entered_by, paper.paper) == (
        "华业-003",
        area_staff,
        True,
    )


def test_evaluations_page_lists_every_rating(
    client, evaluating, area, area_staff, django_assert_max_num_queries
):
    for n in range(12):
        services.evaluation_add(
            project=evaluating,
            by=make_user(roles.RESIDENT, area=area, verified=True),
            stars=1 + n % 5,
            comment=f"意见{n}",
        )
        services.evaluation_enter_paper(
            project=evaluating, by=area_staff, stars=5, form_number=f"P{n}"
        )
    for who in (None, area_staff):
        if who:
            client.force_login(who)
        client.get(f"/projects/{evaluating.pk}/evaluations/")
        with django_assert_max_num_queries(10):
            response = client.get(f"/projects/{evaluating.pk}/evaluations/")
        body = response.content.decode()
        assert body.count('<li class="card">') == 24
        assert "意见11" in body and "P11" in body


def test_demo_projects_are_rated_by_residents(db):
    import io

    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())
    rated = Project.objects.with_satisfaction().filter(step__gte=StepCode.EVALUATE)
    assert rated.exists()
    assert all(p.evaluations_count >= 4 and p.satisfaction >= 80 for p in rated)
    assert Evaluation.objects.filter(paper=True).exists()
    assert Evaluation.objects.filter(paper=False).exists()


def test_staff_read_ratings_and_pledges_in_the_admin_without_changing_them(
    client, evaluating, area_staff, resident
):
    services.evaluation_add(project=evaluating, by=resident, stars=4)
    client.force_login(area_staff)
    assert client.get("/admin/projects/evaluation/").status_code == 200
    assert client.get("/admin/projects/pledge/").status_code == 200
    assert client.get("/admin/projects/evaluation/add/").status_code == 403
