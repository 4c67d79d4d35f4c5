from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone


def fill_voted_on(apps, schema_editor):
    """The vote's day of the elections already voted, from what is known: the
    result day (step 4, until now the day staff moved 3→4), else the day the
    election moved to the vote (2→3), else the assembly's day, else the day it
    started. The result's periods already count from the result day: unchanged."""
    Election = apps.get_model("committees", "Election")
    ElectionChange = apps.get_model("committees", "ElectionChange")
    voted = Election.objects.filter(
        participating_owners__isnull=False, voted_on__isnull=True
    )
    for election in voted:
        day = election.results_on
        if day is None:
            change = (
                ElectionChange.objects.filter(
                    election=election, to_step=3, ended_without_result=False
                )
                .order_by("-created_at", "-pk")
                .first()
            )
            if change is not None:
                day = timezone.localtime(change.created_at).date()
        day = day or election.assembly_on or election.vote_from
        if day is None:
            day = timezone.localtime(election.created_at).date()
        election.voted_on = day
        election.save(update_fields=["voted_on"])


def one_chair_per_term(apps, schema_editor):
    """Before the constraint: a term that has two chairs (only possible through
    two concurrent saves) keeps the first listed as chair; the others become
    vice-chairs, named here so that staff can correct them in the admin."""
    Member = apps.get_model("committees", "Member")
    terms = (
        Member.objects.filter(role="chair")
        .values("term")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("term", flat=True)
    )
    for term_id in list(terms):
        chairs = list(
            Member.objects.filter(term_id=term_id, role="chair").order_by(
                "position", "pk"
            )
        )
        for member in chairs[1:]:
            member.role = "vice_chair"
            member.save(update_fields=["role"])
            print(  # noqa: T201 - the operator must see what changed
                f"\n  term {term_id}: {member.name} had a second chair's role; "
                "now vice-chair (check in the admin)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0005_election_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="election",
            name="voted_on",
            field=models.DateField(blank=True, null=True, verbose_name="voted on"),
        ),
        migrations.AlterField(
            model_name="election",
            name="results_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="elected on (the vote's day)"
            ),
        ),
        migrations.RunPython(fill_voted_on, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="election",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("participating_owners__isnull", True),
                    ("voted_on__isnull", False),
                    _connector="OR",
                ),
                name="election_vote_has_its_day",
            ),
        ),
        migrations.RunPython(one_chair_per_term, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role", "chair")),
                fields=("term",),
                name="member_one_chair_per_term",
            ),
        ),
    ]
