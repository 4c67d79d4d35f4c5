from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nanxi.validators import PROGRAMME_FIRST_YEAR, validate_programme_year


def report_path(instance, filename: str) -> str:
    # The name is made by reports.services, never by a person.
    return f"reports/{instance.year}/{filename}"


class AnnualReport(models.Model):
    """年度基层民主自治建设报告: one year's printed report, built by a Celery task.

    Only `reports.services` changes `status`. A finished PDF stays downloadable while
    a newer build of the same year is queued or running.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[validate_programme_year]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    pdf = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    figures = models.JSONField(_("printed figures"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the yearly schedule or a command asked for it."),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=PROGRAMME_FIRST_YEAR),
                name="annual_report_year_in_programme",
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(year)s annual report") % {"year": self.year})

    def get_absolute_url(self) -> str:
        return reverse("reports:pdf", args=[self.year])

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def downloadable(self) -> bool:
        return bool(self.pdf)
