from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


class NanxiAdminSite(admin.AdminSite):
    """The Django admin, with a throttle on its login form.

    allauth limits its own login view, not the admin's; without this the admin
    login would be an open door for guessing staff passwords.
    """

    site_header = gettext_lazy("Nanjing West Road Street · self-governance admin")
    site_title = gettext_lazy("Nanxi admin")
    index_title = gettext_lazy("Street office work")

    def login(self, request, extra_context=None):
        if request.method != "POST":
            return super().login(request, extra_context)
        key = f"admin-login-failures:{_client_ip(request)}"
        failures = cache.get(key, 0)
        if failures >= settings.ADMIN_LOGIN_ATTEMPTS:
            return self._too_many_attempts(request)
        response = super().login(request, extra_context)
        if not request.user.is_authenticated or not request.user.is_staff:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.ADMIN_LOGIN_WINDOW_SECONDS)
        return response

    def _too_many_attempts(self, request) -> HttpResponse:
        minutes = max(1, settings.ADMIN_LOGIN_WINDOW_SECONDS // 60)
        return TemplateResponse(
            request,
            "nanxi/too_many_attempts.html",
            {"minutes": minutes, "title": _("Too many failed attempts")},
            status=429,
        )
