from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from nanxi import views

handler500 = "nanxi.middleware.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # One address in every language: the icon, the text size, a page's QR code.
    path("favicon.ico", views.favicon, name="favicon"),
    path("text-size/", views.text_size, name="text_size"),
    path("text-size.css", views.text_size_css, name="text_size_css"),
    path("qr.svg", views.page_qr, name="page_qr"),
]

# Chinese pages have no prefix (/projects/), English ones have /en/ (/en/projects/).
# The language is in the address: a page can be shared or cached as it is, and the
# language switch is a plain link, not a form.
urlpatterns += i18n_patterns(
    path("", include("reports.urls")),
    path("accounts/profile/", views.profile, name="profile"),
    path(
        "accounts/profile/ask-again/",
        views.profile_ask_again,
        name="profile_ask_again",
    ),
    path("accounts/verification/", views.verification_help, name="verification_help"),
    path("accounts/residents/", views.residents, name="residents"),
    path(
        "accounts/residents/<int:profile_pk>/",
        views.resident_review,
        name="resident_review",
    ),
    path(
        "accounts/residents/<int:profile_pk>/verify/",
        views.resident_verify,
        name="resident_verify",
    ),
    path(
        "accounts/residents/<int:profile_pk>/decline/",
        views.resident_decline,
        name="resident_decline",
    ),
    path("privacy/", views.privacy, name="privacy"),
    path("accounts/data/", views.my_data, name="my_data"),
    path("accounts/data/delete/", views.account_delete, name="account_delete"),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("nanxi.notification_urls")),
    path("needs/", include("projects.need_urls")),
    path("projects/", include("projects.urls")),
    path("buildings/", include("buildings.urls")),
    path("committees/", include("committees.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
