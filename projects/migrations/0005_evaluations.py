"""Residents rate finished projects (Evaluation); satisfaction is derived from them.

The satisfaction staff typed so far is kept, renamed `legacy_satisfaction`: history,
no longer shown or counted (its name now belongs to the derived figure).
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_pledges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="project", name="project_satisfaction_percent"
        ),
        migrations.RenameField(
            model_name="project",
            old_name="satisfaction",
            new_name="legacy_satisfaction",
        ),
        migrations.AlterField(
            model_name="project",
            name="legacy_satisfaction",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(100)],
                verbose_name="satisfaction typed by staff (before residents' ratings)",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(("legacy_satisfaction__isnull", True))
                | models.Q(("legacy_satisfaction__lte", 100)),
                name="project_satisfaction_percent",
            ),
        ),
        migrations.CreateModel(
            name="Evaluation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "stars",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="stars",
                    ),
                ),
                (
                    "comment",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="comment"
                    ),
                ),
                (
                    "paper",
                    models.BooleanField(default=False, verbose_name="paper form"),
                ),
                (
                    "form_number",
                    models.CharField(
                        blank=True, max_length=20, verbose_name="paper form number"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="time"
                    ),
                ),
                (
                    "entered_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evaluations",
                        to="projects.project",
                    ),
                ),
                (
                    "resident",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="project_evaluations",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="resident",
                    ),
                ),
            ],
            options={
                "verbose_name": "evaluation",
                "verbose_name_plural": "evaluations",
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("stars__gte", 1), ("stars__lte", 5)),
                        name="evaluation_stars_1_to_5",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("resident__isnull", False)),
                        fields=("project", "resident"),
                        name="one_evaluation_per_resident",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("paper", True)),
                        fields=("project", "form_number"),
                        name="one_entry_per_paper_form",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("form_number", ""),
                                ("paper", False),
                                ("resident__isnull", False),
                            ),
                            models.Q(
                                ("paper", True),
                                models.Q(("form_number", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="evaluation_online_or_numbered_paper",
                    ),
                ],
            },
        ),
    ]
