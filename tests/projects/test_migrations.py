"""0005 keeps the satisfaction staff typed before residents rated (renamed, unused)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import reload_migration_data


@pytest.mark.django_db(transaction=True)
def test_typed_satisfaction_survives_as_legacy_history():
    before, after = [("projects", "0004_pledges")], [("projects", "0005_evaluations")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        area = old.get_model("nanxi", "ResidentialArea").objects.create(
            name="测试", slug="migration-test"
        )
        user = old.get_model("auth", "User").objects.create(username="m-test")
        old.get_model("projects", "Project").objects.create(
            title="旧项目",
            summary="s",
            description="d",
            category="event",
            area_id=area.pk,
            proposer_id=user.pk,
            step=12,
            outcome="done",
            satisfaction=93,
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        project = new.get_model("projects", "Project").objects.get(title="旧项目")
        assert project.legacy_satisfaction == 93
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        reload_migration_data()
