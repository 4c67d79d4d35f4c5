from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nanxi import fragments, people
from nanxi.caching import cache_page, everyone
from nanxi.permissions import is_street_staff
from nanxi.selectors import street_overview
from reports import selectors, services
from reports.forms import ReportRequestForm
from reports.models import AnnualReport

# How often a page with a report being built reloads itself (no JavaScript).
REFRESH_SECONDS = 5


# Residential areas are made in the admin, without a version: their count on the
# home page follows within this time. The residents' counts follow each change.
OVERVIEW_SECONDS = 300


@cache_page(params=("year",), audience=everyone)
def home(request):
    all_years = selectors.cached_headlines(request=request)
    complete, to_date, years = selectors.home_years(all_years)
    chosen = None
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is not None and year in years:
        chosen = all_years[year]
    return render(
        request,
        "reports/home.html",
        {
            "main": chosen or complete or to_date,
            "to_date": None if chosen else (to_date if complete else None),
            "years": years,
            "this_year": timezone.localdate().year,
            "published": set(
                AnnualReport.objects.exclude(pdf="").values_list("year", flat=True)
            ),
            "overview": fragments.by_version(
                "reports:overview",
                people.EVERYONE,
                street_overview,
                request=request,
                timeout=OVERVIEW_SECONDS,
            ),
        },
    )


def report_list(request):
    """Every year with figures and its report; street staff may ask for one."""
    reports = {r.year: r for r in AnnualReport.objects.select_related("requested_by")}
    years = sorted(set(selectors.reporting_years()) | set(reports), reverse=True)
    can_request = is_street_staff(request.user)
    return render(
        request,
        "reports/annualreport_list.html",
        {
            "rows": [(year, reports.get(year)) for year in years],
            "can_request": can_request,
            "form": ReportRequestForm() if can_request else None,
            "refresh": REFRESH_SECONDS
            if any(r.in_progress for r in reports.values())
            else None,
        },
    )


@login_required
@require_POST
def report_request(request):
    if not is_street_staff(request.user):
        raise PermissionDenied
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year from the list."))
        return redirect("reports:list")
    year = form.cleaned_data["year"]
    _report, started = services.report_request(year=year, by=request.user)
    if started:
        messages.success(
            request,
            _("The %(year)s report is being built. This page shows when it is ready.")
            % {"year": year},
        )
    else:
        messages.warning(
            request,
            _("The %(year)s report is already being built; it was not started twice.")
            % {"year": year},
        )
    return redirect("reports:list")


def report_pdf(request, year: int):
    """A finished report: a public document, for everyone to download."""
    report = get_object_or_404(AnnualReport, year=year)
    if not report.pdf:
        raise Http404(_("This report has not been finished yet."))
    try:
        handle = report.pdf.open("rb")
    except OSError as exc:
        raise Http404(_("This report's file is missing.")) from exc
    return FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=False,
        filename=f"nanxi-report-{year}.pdf",
    )
