"""Writes with a rule for yearly reports: request one, build it, store or fail it.

Only this module assigns `AnnualReport.status`. The build is three pieces: a
selector gathers the figures, a pure function renders the PDF, `_store` saves the
result; the Celery task and `manage.py annual_report` both call `report_build`.
"""

import logging
import secrets

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nanxi.permissions import is_street_staff
from nanxi.validators import validate_programme_year
from reports.content import report_content
from reports.models import AnnualReport
from reports.pdf import render_report
from reports.selectors import year_figures

logger = logging.getLogger(__name__)
Status = AnnualReport.Status


def _queue(*, year: int, by) -> tuple[AnnualReport, bool]:
    """Mark `year`'s report queued unless a build is queued or running already."""
    validate_programme_year(year)
    try:
        with transaction.atomic():
            report, created = AnnualReport.objects.get_or_create(
                year=year, defaults={"requested_by": by}
            )
    except IntegrityError:  # someone created it a moment ago
        created = False
    report = AnnualReport.objects.select_for_update().get(year=year)
    if not created and report.in_progress:
        return report, False
    report.status = Status.QUEUED
    report.requested_by = by
    report.requested_at = timezone.now()
    report.started_at = report.finished_at = None
    report.error = ""
    report.full_clean()
    report.save()
    return report, True


@transaction.atomic
def report_request(*, year: int, by) -> tuple[AnnualReport, bool]:
    """Ask for `year`'s report to be built by the worker.

    `by` is a street staff member, or None for the yearly schedule. Returns the
    report and whether a build was started: a year already queued or being built
    is not built twice. The task is sent once the transaction has committed.
    """
    if by is not None and not is_street_staff(by):
        raise PermissionDenied(_("Only the street office may request a report."))
    report, started = _queue(year=year, by=by)
    if started:
        from nanxi.queue import enqueue_on_commit
        from reports.tasks import build_annual_report

        enqueue_on_commit(build_annual_report, report_id=report.pk)
    return report, started


def report_build_now(*, year: int, by=None) -> AnnualReport:
    """Build `year`'s report in this process (`manage.py annual_report`, the demo)."""
    with transaction.atomic():
        report, _started = _queue(year=year, by=by)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


def _start(report_id: int) -> AnnualReport | None:
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report_id)
        if report.status == Status.DONE:
            return None  # built already: a redelivered task does nothing
        # QUEUED, FAILED (a retry) or RUNNING (its worker died): build it now.
        report.status = Status.RUNNING
        report.started_at = timezone.now()
        report.error = ""
        report.save(update_fields=["status", "started_at", "error"])
    return report


def report_build(*, report_id: int) -> None:
    """Gather, render and store one report; mark it failed and re-raise on error.

    Safe to run twice: a finished report is left as it is, and a rebuild replaces
    the previous PDF, so a year never has two.
    """
    report = _start(report_id)
    if report is None:
        return
    try:
        figures = year_figures(report.year)
        pdf = render_report(report_content(figures))
        _store(report_id, pdf, figures.as_json())
    except Exception as exc:
        report_fail(report_id=report_id, error=f"{type(exc).__name__}: {exc}")
        raise


def _store(report_id: int, pdf: bytes, figures: dict) -> None:
    """Save the PDF and mark the report done, all or nothing."""
    report = AnnualReport.objects.get(pk=report_id)
    name = f"nanxi-report-{report.year}-{secrets.token_hex(4)}.pdf"
    report.pdf.save(name, ContentFile(pdf), save=False)  # a new file, nothing replaced
    new_name = report.pdf.name
    try:
        with transaction.atomic():
            locked = AnnualReport.objects.select_for_update().get(pk=report_id)
            old_name = locked.pdf.name
            locked.pdf.name = new_name
            locked.figures = figures
            locked.status = Status.DONE
            locked.error = ""
            locked.finished_at = timezone.now()
            locked.save()
            if old_name and old_name != new_name:
                storage = locked.pdf.storage
                transaction.on_commit(lambda: storage.delete(old_name))
    except BaseException:
        report.pdf.storage.delete(new_name)
        raise


def report_fail(*, report_id: int, error: str) -> None:
    """Mark a build failed with its error; a PDF finished earlier stays."""
    logger.error("annual report %s failed: %s", report_id, error)
    AnnualReport.objects.filter(pk=report_id).exclude(status=Status.DONE).update(
        status=Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
