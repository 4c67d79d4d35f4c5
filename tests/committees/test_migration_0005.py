"""Migration 0005 seeds the district's default rules and gives the elections under
way their periods from their change rows (the law's days: 15, 7, 30)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.conftest import reload_migration_data

BEFORE = [("committees", "0004_election_ended_without_result")]
AFTER = [("committees", "0005_election_rules")]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.mark.django_db(transaction=True)
def test_elections_under_way_get_their_periods_and_the_default_is_seeded():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        area = old.get_model("nanxi", "ResidentialArea").objects.create(
            name="迁移", slug="migration-0005"
        )
        estate = old.get_model("nanxi", "Estate").objects.create(
            name="迁移小区", area_id=area.pk, households=100, floor_area=9000
        )
        committee = old.get_model("committees", "OwnersCommittee").objects.create(
            estate_id=estate.pk
        )
        user = old.get_model("auth", "User").objects.create(username="m-0005")
        election = old.get_model("committees", "Election").objects.create(
            committee_id=committee.pk, kind="formation", step=4, started_by_id=user.pk
        )
        old.get_model("committees", "Candidate").objects.create(
            election_id=election.pk, name="王建国", role="chair"
        )
        change = old.get_model("committees", "ElectionChange")
        announced, result = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
        for from_step, to_step, day in [
            (None, 1, announced),
            (1, 2, announced),
            (2, 3, datetime.date(2026, 3, 20)),
            (3, 4, result),
        ]:
            change.objects.create(
                election_id=election.pk,
                from_step=from_step,
                to_step=to_step,
                actor_id=user.pk,
                created_at=_at(day),
            )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps

        moved = new.get_model("committees", "Election").objects.get(pk=election.pk)
        assert moved.vote_from == announced + datetime.timedelta(days=15)
        assert (moved.results_on, moved.first_meeting_due, moved.filing_due) == (
            result,
            result + datetime.timedelta(days=7),
            result + datetime.timedelta(days=30),
        )
        candidate = new.get_model("committees", "Candidate").objects.get()
        assert candidate.role == "chair"  # landed roles are kept
        default = new.get_model("committees", "CommitteeRules").objects.get(
            estate__isnull=True
        )
        assert (default.min_members, default.max_members, default.notice_days) == (
            5,
            11,
            15,
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        reload_migration_data()
