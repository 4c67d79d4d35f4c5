"""Migration 0006 gives the elections already voted their vote's day from what is
known (the result day, else the move to the vote), and keeps one chair per term
before the database refuses a second."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.conftest import reload_migration_data

BEFORE = [("committees", "0005_election_rules")]
AFTER = [("committees", "0006_election_voted_on")]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.mark.django_db(transaction=True)
def test_voted_elections_get_their_day_and_a_term_keeps_one_chair():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        area = old.get_model("nanxi", "ResidentialArea").objects.create(
            name="迁移", slug="migration-0006"
        )
        user = old.get_model("auth", "User").objects.create(username="m-0006")
        Election = old.get_model("committees", "Election")
        change = old.get_model("committees", "ElectionChange")
        committees = []
        for n in range(3):
            estate = old.get_model("nanxi", "Estate").objects.create(
                name=f"迁移小区{n}", area_id=area.pk, households=100, floor_area=9000
            )
            committees.append(
                old.get_model("committees", "OwnersCommittee").objects.create(
                    estate_id=estate.pk
                )
            )
        vote = {
            "owners_total": 100,
            "area_total": 9000,
            "participating_owners": 80,
            "participating_area": 8000,
        }
        result = datetime.date(2026, 4, 1)
        announced = Election.objects.create(
            committee_id=committees[0].pk,
            kind="formation",
            step=4,
            started_by_id=user.pk,
            results_on=result,
            **vote,
        )
        voting = Election.objects.create(
            committee_id=committees[1].pk,
            kind="formation",
            step=3,
            started_by_id=user.pk,
            **vote,
        )
        to_vote = datetime.date(2026, 3, 20)
        change.objects.create(
            election_id=voting.pk,
            from_step=2,
            to_step=3,
            actor_id=user.pk,
            created_at=_at(to_vote),
        )
        not_voted = Election.objects.create(
            committee_id=committees[2].pk,
            kind="formation",
            step=3,
            started_by_id=user.pk,
        )
        term = old.get_model("committees", "Term").objects.create(
            committee_id=committees[0].pk,
            number=1,
            start=datetime.date(2020, 1, 1),
            end=datetime.date(2024, 12, 31),
        )
        Member = old.get_model("committees", "Member")
        for position, name in enumerate(["王建国", "李秀英"], start=1):
            Member.objects.create(
                term_id=term.pk, name=name, role="chair", position=position
            )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps

        Election = new.get_model("committees", "Election")
        assert Election.objects.get(pk=announced.pk).voted_on == result
        assert Election.objects.get(pk=voting.pk).voted_on == to_vote
        assert Election.objects.get(pk=not_voted.pk).voted_on is None
        moved = Election.objects.get(pk=announced.pk)
        assert moved.results_on == result  # the periods are unchanged
        roles = dict(
            new.get_model("committees", "Member").objects.values_list("name", "role")
        )
        assert roles == {"王建国": "chair", "李秀英": "vice_chair"}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        reload_migration_data()
