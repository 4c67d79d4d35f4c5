from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Autonomy projects")

    def ready(self) -> None:
        from nanxi import personal_data
        from projects import personal_data as mine

        personal_data.register("projects", title=self.verbose_name, export=mine.export)

        from projects import notices

        notices.register()
