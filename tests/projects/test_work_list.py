"""The staff work list sorts by `Project.moved_at`, written with every step change."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from projects import services
from projects.models import Project, StepChange, StepCode
from tests.conftest import reload_migration_data
from tests.projects.helpers import make_project


def newest_change(project) -> StepChange:
    """The change row written last (a move may be entered with an earlier time)."""
    return StepChange.objects.filter(project=project).latest("pk")


def test_moved_at_is_the_newest_step_change_after_create_move_and_reject(
    db, area, area_staff
):
    project = make_project(area=area, staff=area_staff, step=StepCode.SUBMIT)
    project.refresh_from_db()
    assert project.moved_at == newest_change(project).created_at

    at = timezone.now() - timedelta(hours=1)  # a move entered afterwards
    services.project_move(
        project=project, to_step=StepCode.ACCEPT, by=area_staff, at=at
    )
    assert project.moved_at == at  # the caller's object too
    project.refresh_from_db()
    assert project.moved_at == at == newest_change(project).created_at

    services.project_reject(project=project, by=area_staff, reason="重复提案")
    project.refresh_from_db()
    assert project.moved_at == newest_change(project).created_at > at


def test_a_move_leaves_updated_at_to_the_save_that_moved_it(db, area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.SUBMIT)
    before = Project.objects.get(pk=project.pk).updated_at
    services.project_move(project=project, to_step=StepCode.ACCEPT, by=area_staff)
    project.refresh_from_db()
    assert project.updated_at >= before and project.moved_at is not None


def test_the_work_list_orders_by_moved_at_longest_waiting_first(
    client, area, area_staff, django_assert_max_num_queries
):
    first = make_project(area=area, staff=area_staff, title="先动")
    second = make_project(area=area, staff=area_staff, title="后动")
    Project.objects.filter(pk=second.pk).update(
        moved_at=timezone.now() - timedelta(days=3)
    )
    client.force_login(area_staff)
    client.get("/projects/manage/")
    # Session, person, the count and the residents waiting come from the cache.
    with django_assert_max_num_queries(1):
        body = client.get("/projects/manage/").content.decode()
    assert body.index(second.title) < body.index(first.title)


def test_the_work_lists_count_follows_a_move(client, area, area_staff):
    project = make_project(area=area, staff=area_staff)
    client.force_login(area_staff)
    assert client.get("/projects/manage/").context["page"].paginator.count == 1
    services.project_reject(project=project, by=area_staff, reason="不在本区")
    assert client.get("/projects/manage/").context["page"].paginator.count == 0


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_moved_at_from_the_newest_step_change():
    before = [("projects", "0005_english_names")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        area = old.get_model("nanxi", "ResidentialArea").objects.create(
            name="迁移", slug="moved-at-test"
        )
        user = old.get_model("auth", "User").objects.create(username="moved-at")
        Project = old.get_model("projects", "Project")
        Change = old.get_model("projects", "StepChange")
        moved, never = (
            Project.objects.create(
                title=title,
                summary="s",
                description="d",
                category="event",
                area_id=area.pk,
                proposer_id=user.pk,
                step=4,
            )
            for title in ("动过", "没动过")
        )
        now = timezone.now()
        for days, to_step in ((9, 3), (2, 4), (5, 2)):  # the newest is 2 days ago
            Change.objects.create(
                project_id=moved.pk,
                from_step=to_step - 1,
                to_step=to_step,
                outcome="open",
                actor_id=user.pk,
                created_at=now - timedelta(days=days),
            )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        leaves = executor.loader.graph.leaf_nodes()
        executor.migrate(leaves)
        new = executor.loader.project_state(leaves).apps.get_model(
            "projects", "Project"
        )
        assert new.objects.get(pk=moved.pk).moved_at == now - timedelta(days=2)
        assert new.objects.get(pk=never.pk).moved_at is None
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        reload_migration_data()


def test_the_work_list_counts_open_needs_without_a_reply(
    settings, area, other_area, area_staff, resident
):
    """Staff see the needs board's work next to the projects', and it follows at
    once when a need is posted, answered or closed (the page is shared, cached)."""
    from django.test import Client

    from nanxi import roles
    from tests.factories import make_user

    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    staff = Client()
    staff.force_login(area_staff)

    def waiting() -> str:
        body = staff.get("/en/projects/manage/").content.decode()
        start = body.index('id="needs-waiting"')
        return body[start : body.index("</p>", start)]

    assert "0 open needs in your areas have no reply yet." in waiting()
    first = services.need_post(by=resident, title="楼道灯坏了", body="三楼", area=area)
    services.need_post(by=resident, title="想要晾衣架", body="院子里", area=area)
    elsewhere = make_user(roles.RESIDENT, area=other_area)
    services.need_post(by=elsewhere, title="别的小区", body="不算", area=other_area)
    assert "2 open needs in your areas have no reply yet." in waiting()
    services.need_reply(need=first, by=area_staff, reply="已报修")
    assert "1 open need in your areas has no reply yet." in waiting()
    assert 'href="/en/needs/?status=open"' in waiting()
