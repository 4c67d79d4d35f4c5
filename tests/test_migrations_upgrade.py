"""A database of the first landed schema upgrades to today's and keeps its data.

The first schema that landed on main is nanxi 0003, buildings 0003 and projects 0002;
everything after it is added by later migrations, never by editing those. Among
them `projects.0003_residents_loop` renames the satisfaction staff typed to
`legacy_satisfaction` (history, unused) instead of dropping the column.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import reload_migration_data

LANDED = [
    ("nanxi", "0003_profile_building_group"),
    ("buildings", "0003_verbose_names"),
    ("projects", "0002_steps_and_topics"),
]


@pytest.mark.django_db(transaction=True)
def test_landed_database_upgrades_with_its_data():
    executor = MigrationExecutor(connection)
    executor.migrate(LANDED)
    try:
        old = executor.loader.project_state(LANDED).apps
        area = old.get_model("nanxi", "ResidentialArea").objects.create(
            name="测试", slug="migration-test"
        )
        user = old.get_model("auth", "User").objects.create(username="m-test")
        old.get_model("nanxi", "Profile").objects.create(
            user_id=user.pk, area_id=area.pk
        )
        group = old.get_model("buildings", "BuildingGroup").objects.create(
            name="测试楼组", area_id=area.pk, households=30
        )
        standard = old.get_model("buildings", "RatingStandard").objects.create(
            version="升级测试版",
            one_star=60,
            two_stars=70,
            three_stars=80,
            four_stars=85,
            five_stars=90,
        )
        old.get_model("buildings", "Rating").objects.create(
            group_id=group.pk,
            standard_id=standard.pk,
            year=2020,
            total=88,
            stars=4,
            rated_by_id=user.pk,
        )
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
        executor.loader.build_graph()
        leaves = executor.loader.graph.leaf_nodes()
        executor.migrate(leaves)
        new = executor.loader.project_state(leaves).apps

        project = new.get_model("projects", "Project").objects.get(title="旧项目")
        assert project.legacy_satisfaction == 93
        rating = new.get_model("buildings", "Rating").objects.get(
            group__name="测试楼组"
        )
        assert (rating.year, rating.total, rating.stars) == (2020, 88, 4)
        profile = new.get_model("nanxi", "Profile").objects.get(user__username="m-test")
        assert profile.area_id == area.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        reload_migration_data()
