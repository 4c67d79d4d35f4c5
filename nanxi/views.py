from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nanxi import permissions, selectors, services
from nanxi.forms import ProfileForm
from nanxi.models import Profile


def healthz(request):
    """Liveness for the load balancer, and the bare baseline of the benchmark."""
    return HttpResponse("ok", content_type="text/plain")


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


# --- residents' committees verify their residents -----------------------------------------


@login_required
def residents(request):
    """Residents of the staff member's areas who wait to be verified."""
    if not permissions.is_staff_member(request.user):
        raise PermissionDenied(
            _("This page is for residents' committee and street staff.")
        )
    return render(
        request,
        "nanxi/residents.html",
        {"unverified": selectors.unverified_residents(request.user)},
    )


@require_POST
@login_required
def resident_verify(request, profile_pk: int):
    profile = get_object_or_404(Profile.objects.select_related("user"), pk=profile_pk)
    try:
        services.profile_verify(profile=profile, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s is verified and can now vote.") % {"name": profile}
        )
    return redirect("residents")
