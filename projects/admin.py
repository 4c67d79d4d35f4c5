from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import services
from projects.models import (
    Comment,
    Contribution,
    ProgressUpdate,
    Project,
    ProjectPhoto,
    Step,
    StepChange,
    Topic,
)
from projects.selectors import STEP_LABELS_CACHE_KEY


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StepChangeInline(ReadOnlyInline):
    model = StepChange
    fields = ["created_at", "from_step", "to_step", "outcome", "actor", "note"]
    readonly_fields = fields


class ContributionInline(ReadOnlyInline):
    model = Contribution
    fields = ["contributor", "amount", "contributed_on", "recorded_by"]
    readonly_fields = fields


class PhotoInline(ReadOnlyInline):
    model = ProjectPhoto
    fields = ["image", "uploaded_by", "created_at"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read and correct texts here; every workflow move goes through the same service."""

    list_display = ["title", "area", "category", "step", "outcome", "year", "proposer"]
    list_filter = ["outcome", "category", "area", "year", "step"]
    list_select_related = ["area", "proposer"]
    search_fields = ["title", "summary"]
    readonly_fields = [
        "step",
        "outcome",
        "year",
        "proposer",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["topics"]
    inlines = [StepChangeInline, ContributionInline, PhotoInline]
    actions = ["move_to_next_step"]

    @admin.action(description=gettext_lazy("Move the selected projects on one step"))
    def move_to_next_step(self, request, queryset):
        moved = 0
        for project in queryset:
            try:
                services.project_move(
                    project=project, to_step=project.step + 1, by=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request,
                    f"{project}: {' '.join(getattr(exc, 'messages', [str(exc)]))}",
                    messages.ERROR,
                )
            else:
                moved += 1
        if moved:
            self.message_user(
                request, _("%(n)d projects moved on.") % {"n": moved}, messages.SUCCESS
            )


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["code", "label"]
    list_editable = ["label"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from django.core.cache import cache

        cache.delete(STEP_LABELS_CACHE_KEY)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "author", "created_at", "hidden_at"]
    list_select_related = ["project", "author"]
    readonly_fields = [
        "project",
        "author",
        "body",
        "created_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "author", "created_at"]
    list_select_related = ["project", "author"]
