from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from nanxi import permissions, personal_data, selectors, services, throttle
from nanxi.account_forms import AccountDeleteForm
from nanxi.forms import ProfileForm
from nanxi.models import Profile


def healthz(request):
    """Liveness for the load balancer, and the bare baseline of the benchmark.

    nanxi.middleware.HealthCheckMiddleware answers /healthz before any other
    middleware; this view stays for the URL's name.
    """
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
    unverified = list(selectors.unverified_residents(request.user))
    # The page shows their phones (to call before verifying): every view is logged.
    services.phone_views_record(
        viewer=request.user, profiles=unverified, where=request.path[:200]
    )
    return render(request, "nanxi/residents.html", {"unverified": unverified})


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


# --- personal data (PIPL) ------------------------------------------------------------


def privacy(request):
    """The privacy notice a sign-up agrees to (its version: PRIVACY_NOTICE_VERSION)."""
    return render(
        request,
        "nanxi/privacy.html",
        {"version": settings.PRIVACY_NOTICE_VERSION},
    )


@never_cache
@login_required
def my_data(request):
    """Everything the portal holds about the person logged in: a page, or a JSON file."""
    gathered = personal_data.gather(request.user)
    if request.GET.get("format") == "json":
        response = JsonResponse(
            personal_data.as_json(gathered),
            encoder=DjangoJSONEncoder,
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="nanxi-my-data-{stamp}.json"'
        )
        return response
    return render(request, "nanxi/my_data.html", {"gathered": gathered})


@never_cache
@login_required
def account_delete(request):
    """Confirm with one's password, then erase the account (nanxi.services.account_erase)."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login = request.user.email or request.user.get_username()
        blocked = throttle.check(request, login)
        if blocked is not None:
            form.add_error(
                "password",
                _("Too many wrong passwords. Please wait %(minutes)s minutes.")
                % {"minutes": blocked.minutes},
            )
        elif not request.user.check_password(form.cleaned_data["password"]):
            throttle.failed(request, login)
            form.add_error("password", _("This is not your password."))
        else:
            services.account_erase(user=request.user, by=request.user)
            logout(request)
            messages.success(
                request,
                _(
                    "Your account has been deleted. Your proposals, comments and "
                    "votes stay, without your name."
                ),
            )
            return redirect("reports:home")
    return render(request, "nanxi/account_delete.html", {"form": form})
