"""结项 needs the case summary: step 12 is 总结推广, and a completed project without
one would never reach the showcase."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from projects import permissions, services
from projects.models import Project, StepChange, StepCode
from tests.projects.helpers import make_project

SUMMARY = "居民出钱出力，三周完成楼道整治。经验：先问需，再表决。"


@pytest.fixture
def sharing(area, area_staff, resident):
    return make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.SHARE
    )


def state(project) -> tuple:
    row = Project.objects.get(pk=project.pk)
    return (
        row.outcome,
        row.case_summary,
        StepChange.objects.filter(project=project).count(),
    )


def test_finishing_without_the_summary_is_refused_and_says_why(sharing, area_staff):
    assert not permissions.can_finish(area_staff, sharing)
    before = state(sharing)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.project_finish(project=sharing, by=area_staff)
    assert "Write the case summary first" in refused.value.messages[0]
    assert state(sharing) == before


def test_finishing_after_the_summary_completes_and_shows_it(
    client, sharing, area_staff
):
    services.project_write_summary(project=sharing, by=area_staff, text=SUMMARY)
    assert permissions.can_finish(area_staff, sharing)
    services.project_finish(project=sharing, by=area_staff)
    assert Project.objects.get(pk=sharing.pk).outcome == Project.Outcome.DONE
    assert Project.objects.showcase().filter(pk=sharing.pk).exists()
    assert sharing.title in client.get("/projects/showcase/").content.decode()


def test_staff_page_asks_for_the_summary_before_offering_to_finish(
    client, sharing, area_staff
):
    client.force_login(area_staff)
    page = client.get(f"/en/projects/{sharing.pk}/").content.decode()
    assert 'id="summary-form"' in page
    assert 'id="finish-refused"' in page and "Write the case summary first" in page
    assert 'name="finish"' not in page

    services.project_write_summary(project=sharing, by=area_staff, text=SUMMARY)
    page = client.get(f"/en/projects/{sharing.pk}/").content.decode()
    assert 'id="finish-refused"' not in page
    # The summary form comes first, then the button that completes the project.
    assert page.index('id="summary-form"') < page.index('name="finish"')


def test_finish_posted_without_a_summary_keeps_the_project_open(
    client, sharing, area_staff
):
    client.force_login(area_staff)
    before = state(sharing)
    response = client.post(f"/en/projects/{sharing.pk}/finish/", follow=True)
    assert "Write the case summary first" in response.content.decode()
    assert state(sharing) == before


def test_the_summary_cannot_be_emptied_once_written(sharing, area_staff):
    services.project_write_summary(project=sharing, by=area_staff, text=SUMMARY)
    with pytest.raises(ValidationError):
        services.project_write_summary(project=sharing, by=area_staff, text="  ")
    assert permissions.can_finish(area_staff, sharing)
