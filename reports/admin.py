from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nanxi.admin_mixins import ServiceErrorsMixin
from nanxi.permissions import is_street_staff
from reports import services
from reports.forms import year_choices
from reports.models import AnnualReport


class AnnualReportRequestForm(forms.ModelForm):
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"), coerce=int, choices=year_choices
    )

    class Meta:
        model = AnnualReport
        fields = ["year"]

    def validate_unique(self):
        # A year that has a report is built again (the service decides), not refused.
        pass


@admin.register(AnnualReport)
class AnnualReportAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """Street staff ask for a year's report; the list shows how each build went."""

    list_display = [
        "year",
        "status",
        "download",
        "requested_by",
        "requested_at",
        "finished_at",
    ]
    list_filter = ["status"]
    list_select_related = ["requested_by"]
    readonly_fields = [
        "year",
        "status",
        "download",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
        "error",
        "figures",
    ]
    actions = ["build_again"]

    @admin.display(description=gettext_lazy("PDF"))
    def download(self, obj):
        if not obj.pdf:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Download"))

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AnnualReportRequestForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else ["year"]

    def has_module_permission(self, request):
        return is_street_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_street_staff(request.user)

    def has_add_permission(self, request):
        return is_street_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # a report changes only by being built again

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        report, started = services.report_request(year=obj.year, by=request.user)
        obj.pk = report.pk  # the admin's redirect and message name this report
        if not started:
            self.message_user(
                request,
                _("The %(year)s report is already being built.") % {"year": obj.year},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Build the selected reports again"))
    def build_again(self, request, queryset):
        started = 0
        for year in queryset.values_list("year", flat=True):
            started += services.report_request(year=year, by=request.user)[1]
        self.message_user(
            request,
            _("%(count)s report(s) queued; any already being built were left alone.")
            % {"count": started},
        )
