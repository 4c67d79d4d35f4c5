"""Step 12: the case summary (总结) and the project showcase (项目集锦, 总结推广)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects import permissions, services
from projects.models import Project, StepCode
from tests.projects.helpers import make_project

SUMMARY = "居民自筹加公益金，三周完成楼道整治；经验：先问需、再表决。"


@pytest.fixture
def sharing(area, area_staff, resident):
    return make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.SHARE
    )


def finished(area, area_staff, *, title="楼道整治", summary=SUMMARY) -> Project:
    project = make_project(
        area=area, staff=area_staff, step=StepCode.SHARE, title=title
    )
    if summary:
        services.project_write_summary(project=project, by=area_staff, text=summary)
    return services.project_finish(project=project, by=area_staff)


def test_staff_write_the_summary_at_step_12(sharing, area_staff):
    services.project_write_summary(
        project=sharing, by=area_staff, text=f"  {SUMMARY}\n"
    )
    assert Project.objects.get(pk=sharing.pk).case_summary == SUMMARY


def test_the_summary_can_be_rewritten_until_the_project_is_completed(
    sharing, area_staff
):
    services.project_write_summary(project=sharing, by=area_staff, text="初稿")
    services.project_write_summary(project=sharing, by=area_staff, text=SUMMARY)
    services.project_finish(project=sharing, by=area_staff)
    with pytest.raises(ValidationError):
        services.project_write_summary(project=sharing, by=area_staff, text="改稿")
    assert Project.objects.get(pk=sharing.pk).case_summary == SUMMARY


@pytest.mark.parametrize("text", ["", "   \n", "字" * 4001])
def test_an_empty_or_overlong_summary_is_refused(sharing, area_staff, text):
    with pytest.raises(ValidationError):
        services.project_write_summary(project=sharing, by=area_staff, text=text)
    assert Project.objects.get(pk=sharing.pk).case_summary == ""


def test_the_proposer_cannot_write_the_summary(sharing, resident):
    assert not permissions.can_write_summary(resident, sharing)
    with pytest.raises(PermissionDenied):
        services.project_write_summary(project=sharing, by=resident, text=SUMMARY)


def test_staff_see_the_summary_form_at_step_12_only(client, sharing, area_staff):
    client.force_login(area_staff)
    assert (
        'id="summary-form"' in client.get(sharing.get_absolute_url()).content.decode()
    )
    services.project_write_summary(project=sharing, by=area_staff, text=SUMMARY)
    services.project_finish(project=sharing, by=area_staff)
    assert (
        'id="summary-form"'
        not in client.get(sharing.get_absolute_url()).content.decode()
    )


def test_summary_posted_from_the_page_is_shown_on_it(client, sharing, area_staff):
    client.force_login(area_staff)
    response = client.post(f"/projects/{sharing.pk}/summary/", {"text": SUMMARY})
    assert response.status_code == 302
    page = client.get(sharing.get_absolute_url()).content.decode()
    assert 'id="case-summary"' in page
    assert SUMMARY in page


def test_showcase_lists_completed_projects_with_a_summary_only(
    client, area, area_staff, sharing
):
    shown = finished(area, area_staff, title="加装扶手")
    # Without a summary it cannot be completed (test_summary_required.py).
    make_project(
        area=area, staff=area_staff, step=StepCode.SHARE, title="没有总结的项目"
    )
    services.project_write_summary(project=sharing, by=area_staff, text="还未完成")
    response = client.get("/projects/showcase/")
    assert response.status_code == 200
    body = response.content.decode()
    assert shown.title in body and SUMMARY in body
    assert "没有总结的项目" not in body
    assert "还未完成" not in body  # at step 12, not completed yet


def test_showcase_is_linked_from_the_project_list_and_building_showcase(client, db):
    assert 'href="/projects/showcase/"' in client.get("/projects/").content.decode()
    assert (
        'href="/projects/showcase/"'
        in client.get("/buildings/showcase/").content.decode()
    )


def test_showcase_query_count_is_constant(
    client, area, area_staff, resident, django_assert_max_num_queries
):
    for n in range(12):
        finished(area, area_staff, title=f"项目{n}")
    client.force_login(resident)
    with django_assert_max_num_queries(10):
        response = client.get("/projects/showcase/")
    assert response.content.decode().count('class="card showcase-item"') == 10
    with django_assert_max_num_queries(10):
        response = client.get("/projects/showcase/?page=2")
    assert response.content.decode().count('class="card showcase-item"') == 2
