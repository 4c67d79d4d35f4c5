from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Func, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from nanxi import permissions as street
from nanxi.admin_mixins import AreaScopedAdmin, NamesAdminMixin
from nanxi.models import ResidentialArea
from projects import permissions, services
from projects.models import (
    AreaMember,
    Comment,
    Contribution,
    Evaluation,
    Pledge,
    ProgressUpdate,
    Project,
    ProjectPhoto,
    Step,
    StepChange,
    Topic,
    VoteRule,
)
from projects.selectors import STEP_LABELS_CACHE_KEY

# What staff may correct in the admin: words, not figures.
TEXT_FIELDS = ["title", "summary", "description", "topics"]


class ReadOnlyInline(admin.TabularInline):
    """History shown on the project's page; its parent admin decides who sees it."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return True

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
    fields = ["contributor", "amount", "contributed_on", "recorded_by", "fate"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "recorded_by",
                "disposition__moved_to__project",
                "moved_from__contribution__project",
            )
        )

    @admin.display(description=gettext_lazy("What happened to the money"))
    def fate(self, obj) -> str:
        """Written by services.project_stop only; shown here, never changed here."""
        disposition = getattr(obj, "disposition", None)
        if disposition is not None:
            if disposition.kind == disposition.Kind.REFUNDED:
                return _("Refunded on %(day)s") % {
                    "day": disposition.refunded_on.isoformat()
                }
            return _("Moved to “%(title)s” (consent: %(consent)s, %(day)s)") % {
                "title": disposition.moved_to.project.title,
                "consent": disposition.consent,
                "day": disposition.consent_on.isoformat(),
            }
        moved_from = getattr(obj, "moved_from", None)
        if moved_from is not None:
            return _("Moved here from “%(title)s”") % {
                "title": moved_from.contribution.project.title
            }
        return _("Kept")


class PhotoInline(ReadOnlyInline):
    model = ProjectPhoto
    fields = ["image", "uploaded_by", "created_at"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(AreaScopedAdmin):
    """Staff correct a project's texts here; nothing that counts in the year's figures.

    Category, area, year, beneficiaries and the case summary change only through
    the workflow's services (a move, the evaluation, the summary), which keep the
    change rows and the step each is written at.
    """

    list_display = ["title", "area", "category", "step", "outcome", "year", "proposer"]
    list_filter = ["outcome", "category", "area", "year", "step"]
    list_select_related = ["area", "proposer"]
    search_fields = ["title", "summary"]
    fields = [
        "title",
        "summary",
        "description",
        "topics",
        "category",
        "area",
        "building_groups",
        "step",
        "outcome",
        "year",
        "budget_requested",
        "crowdfunding_goal",
        "beneficiaries",
        "case_summary",
        "legacy_satisfaction",
        "proposer",
        "proposer_member",
        "entered_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [f for f in fields if f not in TEXT_FIELDS]
    filter_horizontal = ["topics"]
    inlines = [StepChangeInline, ContributionInline, PhotoInline]
    actions = ["move_to_next_step"]

    def has_add_permission(self, request, *args):
        # A proposal is made by a resident, in the portal.
        return False

    def has_delete_permission(self, request, obj=None):
        # A project's history is kept: reject or withdraw it instead.
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or permissions.can_manage(request.user, obj)
        )

    def save_model(self, request, obj, form, change):
        services.project_correct_texts(
            project=obj,
            by=request.user,
            **{name: form.cleaned_data[name] for name in TEXT_FIELDS},
        )

    def save_related(self, request, form, formsets, change):
        """Topics were saved by the service; the inlines are read-only."""

    @admin.action(description=gettext_lazy("Move the selected projects on one step"))
    def move_to_next_step(self, request, queryset):
        moved = 0
        for project in queryset:
            moves = permissions.next_moves(request.user, project)
            try:
                if not moves:
                    raise ValidationError(_("There is no move you can make on it now."))
                services.project_move(
                    project=project, to_step=moves[0].to_step, by=request.user
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
class StepAdmin(NamesAdminMixin, admin.ModelAdmin):
    list_display = ["code", "label", "label_en"]
    list_editable = ["label", "label_en"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from django.core.cache import cache

        cache.delete(STEP_LABELS_CACHE_KEY)


@admin.register(VoteRule)
class VoteRuleAdmin(NamesAdminMixin, admin.ModelAdmin):
    """When a vote passes: the street's default rule (no area), which every area
    without a rule of its own uses, and areas' own rules. The street office sets
    them; residents' committee staff may read them. The default cannot be deleted
    here (without it no vote could be announced)."""

    list_display = [
        "__str__",
        "area",
        "min_turnout_percent",
        "min_support_percent",
        "used_by",
    ]
    list_select_related = ["area"]
    fields = [
        "name",
        "area",
        "min_turnout_percent",
        "min_support_percent",
        "areas_using_it",
    ]
    readonly_fields = ["areas_using_it"]
    ordering = [F("area__name").asc(nulls_first=True)]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_street_default:
            # Given an area, the street would be left without a default.
            return [*self.readonly_fields, "area"]
        return self.readonly_fields

    def get_queryset(self, request):
        # How many areas use the default: one subquery for the whole list.
        without_rule = (
            ResidentialArea.objects.filter(vote_rule__isnull=True)
            .order_by()
            .values(n=Func("pk", function="COUNT"))
        )
        return (
            super()
            .get_queryset(request)
            .annotate(areas_without_rule=Subquery(without_rule))
        )

    @admin.display(description=gettext_lazy("used by"))
    def used_by(self, obj) -> str:
        if not obj.is_street_default:
            return str(obj.area)
        count = obj.areas_without_rule or 0
        return ngettext(
            "%(n)d area without a rule of its own",
            "%(n)d areas without a rule of their own",
            count,
        ) % {"n": count}

    @admin.display(description=gettext_lazy("used by"))
    def areas_using_it(self, obj) -> str:
        if obj is None or obj.pk is None:
            return _("Every area without a rule of its own, if this is the default.")
        if not obj.is_street_default:
            return str(obj.area)
        names = list(
            ResidentialArea.objects.filter(vote_rule__isnull=True).values_list(
                "name", flat=True
            )
        )
        if not names:
            return _("No area now: every area has a rule of its own.")
        return _("Every area without a rule of its own: %(areas)s") % {
            "areas": "、".join(names)
        }

    def has_view_permission(self, request, obj=None):
        return street.is_staff_member(request.user)

    def has_module_permission(self, request):
        return street.is_staff_member(request.user)

    def has_add_permission(self, request):
        return street.is_street_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return street.is_street_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_street_default:
            return False
        return street.is_street_staff(request.user)

    def delete_queryset(self, request, queryset):
        # The bulk action too keeps the street's default.
        super().delete_queryset(request, queryset.exclude(area=None))


@admin.register(Topic)
class TopicAdmin(NamesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]


class ViewOnlyAdmin(AreaScopedAdmin):
    """Rows written by services from the portal's pages; the admin only shows them."""

    area_path = "project__area"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "project", "author", "created_at", "hidden_at"]
    list_select_related = ["project", "author"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "project", "author", "created_at"]
    list_select_related = ["project", "author"]


@admin.register(Pledge)
class PledgeAdmin(ViewOnlyAdmin):
    """Confirmed and cancelled on the project's pledges page (services keep the rules)."""

    list_display = ["project", "pledger", "amount", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["project", "pledger"]


@admin.register(Evaluation)
class EvaluationAdmin(ViewOnlyAdmin):
    list_display = ["project", "stars", "paper", "form_number", "member", "entered_by"]
    list_filter = ["paper", "stars"]
    list_select_related = ["project", "entered_by", "member"]


@admin.register(AreaMember)
class AreaMemberAdmin(AreaScopedAdmin):
    """Members of the area without an account (线下), within the staff's scope.

    Recorded and corrected through the same services as the staff page; never
    deleted (their paper entries count): erased with the action instead.
    """

    list_display = ["name", "area", "building_group", "recorded_by", "erased_at"]
    list_filter = ["area", ("erased_at", admin.EmptyFieldListFilter)]
    list_select_related = ["area", "building_group", "recorded_by"]
    search_fields = ["name"]
    fields = ["name", "area", "building_group", "phone"]
    actions = ["erase"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.is_erased:
            return self.fields
        return ["area"]  # a member stays in their area

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or not obj.is_erased
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building_group":
            kwargs["queryset"] = street.in_scope(
                db_field.related_model.objects.select_related("area"), request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.member_update(
                member=obj,
                by=request.user,
                name=data["name"],
                building_group=data["building_group"],
                phone=data["phone"],
            )
        else:
            saved = services.member_record(
                by=request.user,
                name=data["name"],
                area=data["area"],
                building_group=data["building_group"],
                phone=data["phone"],
            )
            obj.pk = saved.pk

    @admin.action(description=gettext_lazy("Erase the selected members' personal data"))
    def erase(self, request, queryset):
        erased = 0
        for member in queryset:
            try:
                services.member_erase(member=member, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request,
                    f"{member}: {' '.join(getattr(exc, 'messages', [str(exc)]))}",
                    messages.ERROR,
                )
            else:
                erased += 1
        if erased:
            self.message_user(
                request,
                _("%(n)d members' personal data erased.") % {"n": erased},
                messages.SUCCESS,
            )
