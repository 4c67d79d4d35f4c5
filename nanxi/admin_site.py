from django.contrib import admin
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nanxi import throttle
from nanxi.account_forms import AdminLoginForm
from nanxi.adapters import throttle_login


class NanxiAdminSite(admin.AdminSite):
    """The Django admin, its login throttled by the same rules as the residents' login.

    allauth's login form goes through our account adapter, the admin's through
    here; both ask nanxi.throttle, so one address or one account is counted once,
    and both authenticate with the same backends (nanxi.account_forms.AdminLoginForm).
    """

    site_header = gettext_lazy("Nanjing West Road Street · self-governance admin")
    # E-mail or mobile number and password, through the portal's backends.
    login_form = AdminLoginForm
    site_title = gettext_lazy("Nanxi admin")
    index_title = gettext_lazy("Street office work")

    def login(self, request, extra_context=None):
        if request.method != "POST":
            return super().login(request, extra_context)
        # Counted under the account's name however it was typed (e-mail, +86 …).
        login = throttle_login(request.POST.get("username", ""))
        blocked = throttle.check(request, login)
        if blocked is not None:
            return self._too_many_attempts(request, blocked)
        response = super().login(request, extra_context)
        if request.user.is_authenticated and request.user.is_staff:
            throttle.succeeded(request, login, request.user)
        else:
            throttle.failed(request, login)
        return response

    def _too_many_attempts(self, request, blocked: throttle.Blocked) -> HttpResponse:
        return TemplateResponse(
            request,
            "nanxi/too_many_attempts.html",
            {
                "minutes": blocked.minutes,
                "reason": blocked.reason,
                "title": _("Too many failed attempts"),
            },
            status=429,
        )
