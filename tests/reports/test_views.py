from datetime import date

import pytest
from django.urls import reverse

from reports import services, tasks
from reports.models import AnnualReport

Status = AnnualReport.Status


@pytest.fixture
def done_report(build):
    build.project(year=2020, beneficiaries=321)
    return services.report_build_now(year=2020)


def test_anyone_may_download_a_finished_report(client, done_report):
    response = client.get("/reports/2020.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert 'filename="nanxi-report-2020.pdf"' in response["Content-Disposition"]


def test_an_unfinished_report_is_not_found(client, db):
    AnnualReport.objects.create(year=2020, status=Status.RUNNING)
    assert client.get("/reports/2020.pdf").status_code == 404
    assert client.get("/reports/2019.pdf").status_code == 404


def test_visitors_see_the_years_but_no_request_form(client, done_report):
    response = client.get("/reports/")
    assert response.status_code == 200
    assert b"/reports/2020.pdf" in response.content
    assert reverse("reports:request").encode() not in response.content
    response = client.post(reverse("reports:request"), {"year": 2020})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_residents_may_not_request_a_report(client, resident, build):
    client.force_login(resident)
    assert reverse("reports:request").encode() not in client.get("/reports/").content
    response = client.post(reverse("reports:request"), {"year": 2020})
    assert response.status_code == 403
    assert not AnnualReport.objects.exists()


def test_street_staff_request_a_report_and_it_is_built(
    client, street_staff, build, django_capture_on_commit_callbacks
):
    build.project(year=2020)
    client.force_login(street_staff)
    assert reverse("reports:request").encode() in client.get("/reports/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request"), {"year": 2020}, follow=True)
    assert response.status_code == 200
    report = AnnualReport.objects.get(year=2020)
    assert report.status == Status.DONE
    assert report.requested_by == street_staff
    assert b"/reports/2020.pdf" in client.get("/reports/").content


def test_a_second_request_while_building_starts_nothing(
    client, street_staff, build, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        tasks.build_annual_report, "apply_async", lambda **kw: sent.append(kw)
    )
    client.force_login(street_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:request"), {"year": 2020})
        response = client.post(reverse("reports:request"), {"year": 2020}, follow=True)
    assert len(sent) == 1
    assert 'http-equiv="refresh"' in response.content.decode()


def test_list_refreshes_only_while_a_report_is_being_built(client, done_report):
    assert b'http-equiv="refresh"' not in client.get("/reports/").content
    AnnualReport.objects.filter(pk=done_report.pk).update(status=Status.QUEUED)
    response = client.get("/reports/")
    assert b'http-equiv="refresh"' in response.content
    assert b"/reports/2020.pdf" in response.content  # the earlier PDF stays


def test_a_year_out_of_range_is_refused(client, street_staff, db):
    client.force_login(street_staff)
    response = client.post(reverse("reports:request"), {"year": 1999}, follow=True)
    assert not AnnualReport.objects.exists()
    assert response.status_code == 200


def test_home_shows_the_last_complete_year_and_the_year_to_date_beside_it(
    client, build, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2021, 3, 1))
    build.project(year=2020)
    build.project(year=2020)
    build.project(year=2021)
    services.report_build_now(year=2020)

    content = client.get("/").content.decode()

    first, _, rest = content.partition("2021")
    assert "2020" in first  # the complete year leads
    assert 'id="to-date-heading"' in content
    assert "/reports/2020.pdf" in content


def test_home_page_query_count_is_small(client, build, django_assert_max_num_queries):
    for year in (2019, 2020):
        for _ in range(5):
            build.project(year=year, money="10")
            build.rating(build.group(), year, 3)
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_street_staff_request_a_report_in_the_admin(
    client, street_staff, build, django_capture_on_commit_callbacks
):
    client.force_login(street_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/reports/annualreport/add/", {"year": 2020})
    assert response.status_code == 302
    assert AnnualReport.objects.get(year=2020).status == Status.DONE
    listing = client.get("/admin/reports/annualreport/")
    assert listing.status_code == 200
    assert b"/reports/2020.pdf" in listing.content


def test_residents_do_not_see_reports_in_the_admin(client, area_staff, db):
    client.force_login(area_staff)
    assert client.get("/admin/reports/annualreport/add/").status_code == 403
