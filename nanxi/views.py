from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_POST

from nanxi import (
    notifications,
    permissions,
    personal_data,
    selectors,
    services,
    throttle,
)
from nanxi.account_forms import AccountDeleteForm
from nanxi.caching import cache_page, everyone
from nanxi.forms import DeclineForm, ProfileForm, VerifyForm, parse_id
from nanxi.models import Profile
from nanxi.qr import qr_svg


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
                    room=form.cleaned_data["room"],
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


@require_POST
@login_required
def profile_ask_again(request):
    """After a decline, the resident asks their committee to verify them again."""
    try:
        services.profile_ask_again(
            profile=services.profile_for(request.user), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Your residents' committee has been asked again to verify you."),
        )
    return redirect("profile")


@cache_page(audience=everyone)
def verification_help(request):
    """How a resident gets verified, and what it opens: linked wherever it matters.

    Its button depends on being logged in (sign up, or one's profile): `everyone`
    still keeps visitors and logged-in people apart (nanxi.caching._audience).
    """
    return render(request, "nanxi/verification_help.html")


def _staff_only(user) -> None:
    if not permissions.is_staff_member(user):
        raise PermissionDenied(
            _("This page is for residents' committee and street staff.")
        )


@login_required
def residents(request):
    """Residents of the staff member's areas who wait to be verified, and those
    declined who have not answered yet."""
    _staff_only(request.user)
    unverified = list(selectors.unverified_residents(request.user))
    declined = list(selectors.declined_residents(request.user))
    # The page shows the phones of those waiting (to call before verifying): every
    # view is logged.
    services.phone_views_record(
        viewer=request.user, profiles=unverified, where=request.path[:200]
    )
    return render(
        request,
        "nanxi/residents.html",
        {"unverified": unverified, "declined": declined},
    )


def _resident(request, profile_pk) -> Profile:
    """The resident a staff member decides on: of their areas, or a refusal."""
    _staff_only(request.user)
    pk = parse_id(profile_pk)
    if pk is None:
        raise Http404
    profile = get_object_or_404(
        Profile.objects.select_related(
            "user", "area", "building_group", "verification_decline"
        ),
        pk=pk,
    )
    if profile.area_id is None:
        raise Http404  # no area chosen: nothing to verify, for street staff neither
    if not permissions.can_verify(request.user, profile):
        raise PermissionDenied(
            _("Only staff of this residential area can verify its residents.")
        )
    return profile


def _review(request, profile: Profile, *, verify_form=None, decline_form=None):
    """The page of one resident's details, with the confirmation and the decline.

    A verified resident's page says so, without their phone and e-mail: nothing is
    left to decide (the page stays, for a staff member sent back to it after the
    resident was verified by someone else)."""
    contact = permissions.can_see_contact(request.user, profile)
    if contact:
        # The page shows the phone (to call before deciding): logged as on the list.
        services.phone_views_record(
            viewer=request.user, profiles=[profile], where=request.path[:200]
        )
    place = [_("%(area)s residential area") % {"area": profile.area.name}]
    if profile.building_group_id:
        place.append(profile.building_group.name)
    if profile.room:
        place.append(profile.room)
    # The decline not answered yet is the page's state; before it, the others.
    earlier = profile.verification_declines.exclude(
        pk=profile.verification_decline_id
    ).select_related("declined_by__profile__area")
    return render(
        request,
        "nanxi/resident_review.html",
        {
            "profile": profile,
            "place": " ".join(place),
            "earlier": list(earlier),
            "verify_form": verify_form or VerifyForm(),
            "decline_form": decline_form or DeclineForm(),
            "can_decline": permissions.can_decline(request.user, profile),
            "contact": contact,
        },
    )


@never_cache
@login_required
def resident_review(request, profile_pk: int):
    return _review(request, _resident(request, profile_pk))


@never_cache
@login_required
def resident_verify(request, profile_pk: int):
    """Verify after confirming on the page of the details; anything else changes nothing."""
    profile = _resident(request, profile_pk)
    if request.method != "POST":
        return redirect("resident_review", profile.pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.profile_verify(
                profile=profile,
                by=request.user,
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            # Already verified, or details changed since the page was made: the
            # page again, with what is stored now and why nothing happened.
            messages.error(request, " ".join(exc.messages))
            return redirect("resident_review", profile.pk)
        messages.success(
            request,
            _("%(name)s is verified and can now vote.") % {"name": profile},
        )
        return redirect("residents")
    return _review(request, profile, verify_form=form)


@require_POST
@login_required
def resident_decline(request, profile_pk: int):
    profile = _resident(request, profile_pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.profile_decline(
                profile=profile, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Verified or declined already: nothing to decline on the page.
                messages.error(request, " ".join(exc.messages))
                return redirect("resident_review", profile.pk)
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s has been told why they cannot be verified yet.")
                % {"name": profile},
            )
            return redirect("residents")
    return _review(request, profile, decline_form=form)


# --- personal data (PIPL) ------------------------------------------------------------


@cache_page(audience=everyone)
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


# --- look: the icon, the larger-text switch, a page's QR code -----------------------

TEXT_SIZE_COOKIE = "text_size"
TEXT_SIZES = ("normal", "large")
TEXT_SIZE_MAX_AGE = 365 * 24 * 3600
# What the switch changes: the root size (rem) and which of its buttons is lit.
TEXT_SIZE_CSS = {
    "normal": ".text-size button[value=normal] { background: #fff; color: #7d1712; }\n",
    "large": (
        ":root { font-size: 137.5%; }\n"
        ".text-size button[value=large] { background: #fff; color: #7d1712; }\n"
    ),
}


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to ours."""
    return redirect(static("img/favicon.ico"), permanent=True)


def _text_size(request) -> str:
    size = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return size if size in TEXT_SIZES else "normal"


@require_POST
@csrf_exempt  # a display preference in a cookie of its own: nothing to forge
def text_size(request):
    """The header's larger-text switch: remember the choice, go back to the page.

    A form, so it works without JavaScript. The page itself never depends on the
    cookie (visitors' pages are cached as they are): ``text_size_css`` does.
    """
    size = request.POST.get("size", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    if size not in TEXT_SIZES:
        return render(
            request,
            "nanxi/text_size_error.html",
            {"way_back": back},
            status=400,
        )
    response = redirect(back)
    response.status_code = 303
    if size == "normal":
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            TEXT_SIZE_COOKIE,
            size,
            max_age=TEXT_SIZE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@condition(etag_func=lambda request: f"text-size-{_text_size(request)}")
def text_size_css(request):
    """The few CSS rules of the chosen text size; every page links it.

    Private to the browser and revalidated each time (a 304 without a body), so the
    switch shows at once on the page the person goes back to.
    """
    response = HttpResponse(
        TEXT_SIZE_CSS[_text_size(request)], content_type="text/css; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    return response


QR_PATH_MAX_LENGTH = 200


def page_qr(request):
    """The QR code of one of the portal's pages (``?path=/projects/33/``), printed
    on that page. Only addresses of the portal: not a QR generator for anything."""
    path = request.GET.get("path", "")
    if (
        not path.startswith("/")
        or path.startswith("//")
        or len(path) > QR_PATH_MAX_LENGTH
    ):
        raise Http404
    # /en/… resolves only with English active (i18n_patterns), and this address
    # itself has no language prefix.
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            resolve(path)
    except Resolver404:
        raise Http404 from None
    response = HttpResponse(
        qr_svg(notifications.absolute_url(path, request)), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
