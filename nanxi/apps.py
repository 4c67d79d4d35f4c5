from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class NanxiConfig(AppConfig):
    name = "nanxi"
    verbose_name = _("Street and residents")

    def ready(self) -> None:
        from nanxi import people, personal_data

        people.connect()  # the logged-in person's cache follows every write
        personal_data.register(
            "nanxi", title=_("Account and profile"), export=personal_data.export_own
        )


class NanxiAdminConfig(AdminConfig):
    default_site = "nanxi.admin_site.NanxiAdminSite"
