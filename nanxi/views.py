from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from nanxi import selectors, services
from nanxi.caching import cache_for_visitors
from nanxi.forms import ProfileForm


def healthz(request):
    """Liveness for the load balancer, and the bare baseline of the benchmark."""
    return HttpResponse("ok", content_type="text/plain")


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
        "nanxi/home.html",
        {
            "year": year,
            "years": years,
            "overview": selectors.street_overview(),
            "figures": selectors.year_figures(year),
        },
    )


@login_required
def profile(request):
    profile = services.profile_for(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=profile)
        if form.is_valid():
            try:
                services.profile_update(
                    profile=profile,
                    by=request.user,
                    area=form.cleaned_data["area"],
                    building_group=form.cleaned_data["building_group"],
                    display_name=form.cleaned_data["display_name"],
                    phone=form.cleaned_data["phone"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("profile")
        # The form left its rejected values on the instance: show the stored ones.
        profile.refresh_from_db()
    else:
        form = ProfileForm(instance=profile)
    return render(request, "nanxi/profile.html", {"form": form, "profile": profile})
