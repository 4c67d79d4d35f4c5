"""Every area has a vote rule: the street's default is a row (no area), made here.

30 % turnout and more support than opposition. The demo's 2020 votes that passed
had 30 % to 56 % turnout (华业: 3 of the 10 residents who may vote) and at least
2 of 3 support: all still pass, and the 2020 figures stay exact.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

DEFAULT_NAME = "街道默认表决规则"
DEFAULT_TURNOUT = 30
DEFAULT_SUPPORT = 50


def make_street_default(apps, schema_editor):
    """Idempotent: the tests run it again after a flush."""
    VoteRule = apps.get_model("projects", "VoteRule")
    if not VoteRule.objects.filter(area=None).exists():
        VoteRule.objects.create(
            area=None,
            name=DEFAULT_NAME,
            min_turnout_percent=DEFAULT_TURNOUT,
            min_support_percent=DEFAULT_SUPPORT,
        )


def remove_street_default(apps, schema_editor):
    apps.get_model("projects", "VoteRule").objects.filter(area=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("nanxi", "0003_profile_building_group"),
        ("projects", "0008_project_stop"),
    ]

    operations = [
        migrations.AddField(
            model_name="voterule",
            name="name",
            field=models.CharField(
                blank=True,
                help_text="How staff know the rule, e.g. 街道默认表决规则.",
                max_length=60,
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="voterule",
            name="area",
            field=models.OneToOneField(
                blank=True,
                help_text=(
                    "Leave empty for the street's default rule, used by every area "
                    "without a rule of its own."
                ),
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="vote_rule",
                to="nanxi.residentialarea",
                verbose_name="residential area",
            ),
        ),
        migrations.AddConstraint(
            model_name="voterule",
            constraint=models.UniqueConstraint(
                django.db.models.functions.comparison.Coalesce(
                    "area", models.Value(0)
                ),
                name="one_street_default_vote_rule",
                violation_error_message=(
                    "The street already has a default vote rule: change that one."
                ),
            ),
        ),
        migrations.RunPython(make_street_default, remove_street_default),
    ]
