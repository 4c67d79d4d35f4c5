import io
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from reports import services, tasks
from reports.models import AnnualReport
from tests.pdf_helpers import pdf_text

Status = AnnualReport.Status


def pdf_files(settings) -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).glob("reports/**/*.pdf"))


def test_request_builds_the_report_after_commit(
    build, street_staff, settings, django_capture_on_commit_callbacks
):
    build.project(year=2020, beneficiaries=120)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report, started = services.report_request(year=2020, by=street_staff)
    assert started
    assert report.status == Status.QUEUED  # nothing sent inside the transaction
    assert len(callbacks) == 1

    callbacks[0]()  # the commit: the (eager) task runs

    report.refresh_from_db()
    assert report.status == Status.DONE
    assert report.started_at <= report.finished_at
    assert report.requested_by == street_staff
    assert report.figures["projects"]["total"] == 1
    with report.pdf.open("rb") as f:
        assert "120" in pdf_text(f.read())
    assert len(pdf_files(settings)) == 1


def test_a_year_queued_or_running_is_not_built_twice(
    build, street_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.report_request(year=2020, by=street_staff)
        AnnualReport.objects.filter(year=2020).update(status=Status.RUNNING)
        report, started = services.report_request(year=2020, by=street_staff)
    assert not started
    assert report.status == Status.RUNNING
    assert len(callbacks) == 1
    assert AnnualReport.objects.count() == 1


def test_running_the_task_twice_leaves_one_pdf(
    build, street_staff, settings, django_capture_on_commit_callbacks
):
    build.project(year=2020)
    report = services.report_build_now(year=2020)
    first = report.pdf.name

    tasks.build_annual_report.apply(args=[report.pk])  # a redelivered message
    report.refresh_from_db()
    assert report.pdf.name == first  # done already: nothing rebuilt

    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(year=2020, by=street_staff)  # asked again: rebuilt
    report.refresh_from_db()
    assert report.status == Status.DONE
    assert report.pdf.name != first
    assert [p.name for p in pdf_files(settings)] == [Path(report.pdf.name).name]


def test_a_killed_workers_running_report_is_finished_by_the_next(build, settings):
    report = AnnualReport.objects.create(year=2020, status=Status.RUNNING)
    tasks.build_annual_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == Status.DONE
    assert len(pdf_files(settings)) == 1


def test_a_failing_build_marks_failed_and_leaves_no_file(build, settings, monkeypatch):
    def broken(content):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(services, "render_report", broken)
    report = AnnualReport.objects.create(year=2020)

    # Eagerly, Celery raises the retry it would schedule (with backoff).
    with pytest.raises((RuntimeError, Retry)):
        tasks.build_annual_report.apply(args=[report.pk], throw=True)

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert "printer on fire" in report.error
    assert not report.pdf
    assert pdf_files(settings) == []


def test_a_failure_while_storing_removes_the_new_file(build, settings, monkeypatch):
    report = AnnualReport.objects.create(year=2020)
    original = AnnualReport.save

    def failing_save(self, *args, **kwargs):
        if self.status == Status.DONE:
            raise RuntimeError("database went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AnnualReport, "save", failing_save)
    with pytest.raises(RuntimeError):
        services.report_build(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert pdf_files(settings) == []


def test_a_failed_rebuild_keeps_the_earlier_pdf(build, settings, monkeypatch):
    report = services.report_build_now(year=2020)
    monkeypatch.setattr(services, "render_report", lambda c: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.report_build_now(year=2020)
    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert report.pdf and len(pdf_files(settings)) == 1


def test_only_street_staff_or_the_schedule_may_request(build, resident):
    with pytest.raises(PermissionDenied):
        services.report_request(year=2020, by=resident)
    assert not AnnualReport.objects.exists()


def test_the_yearly_schedule_builds_last_years_report(settings, db):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-build-last-year"]
    assert entry["task"] == tasks.build_last_years_report.name
    schedule = entry["schedule"]
    assert schedule.day_of_month == {5} and schedule.month_of_year == {1}


def test_command_writes_the_pdf_and_prints_the_figures(build, tmp_path):
    build.project(year=2020, category="team", beneficiaries=42, money="18.50")
    out = io.StringIO()
    call_command("annual_report", "2020", "--out", str(tmp_path / "r.pdf"), stdout=out)
    assert "1 projects (0 / 1 / 0), 42 beneficiaries, 18.50 yuan;" in out.getvalue()
    assert "42" in pdf_text((tmp_path / "r.pdf").read_bytes())
    assert AnnualReport.objects.get(year=2020).status == Status.DONE
