from django.shortcuts import render
from django.utils import timezone

from nanxi.caching import cache_for_visitors
from nanxi.selectors import street_overview
from reports import selectors


@cache_for_visitors
def home(request):
    years = selectors.reporting_years()
    default = years[0] if years else timezone.localdate().year
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        year = default
    return render(
        request,
        "reports/home.html",
        {
            "year": year,
            "years": years,
            "overview": street_overview(),
            "figures": selectors.year_figures(year),
        },
    )
