"""The admin of owners' committees: every save goes through committees.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees import permissions, services, workflow
from committees.models import (
    Assessment,
    AssessmentItem,
    AssessmentStandard,
    Candidate,
    CommitteeRules,
    Election,
    Member,
    OwnersCommittee,
    Role,
    Step,
    Term,
)
from nanxi import permissions as street
from nanxi.admin_mixins import AreaScopedAdmin, AreaScopedInline
from nanxi.forms import parse_id
from nanxi.models import Estate
from nanxi.permissions import in_scope


def _say(modeladmin, request, exc) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        modeladmin.message_user(request, message, messages.ERROR)


class EstateChoicesMixin:
    """Estate choices: only those of the areas this person may act on."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Estate:
            kwargs["queryset"] = in_scope(
                Estate.objects.select_related("area"), request.user
            )
        if db_field.related_model is OwnersCommittee:
            kwargs["queryset"] = in_scope(
                OwnersCommittee.objects.select_related("estate"),
                request.user,
                "estate__area",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- committees ------------------------------------------------------------------------------


class TermInline(AreaScopedInline):
    model = Term
    extra = 0
    fields = ["number", "start", "end", "ended_on", "warned_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OwnersCommittee)
class OwnersCommitteeAdmin(EstateChoicesMixin, AreaScopedAdmin):
    area_path = "estate__area"
    list_display = [
        "estate",
        "area_name",
        "status_col",
        "term_end",
        "assessment_col",
    ]
    list_filter = ["estate__area"]
    search_fields = ["estate__name"]
    inlines = [TermInline]
    actions = ["dissolve_today"]
    list_per_page = 50

    def get_queryset(self, request):
        return (
            super().get_queryset(request).with_status().select_related("estate__area")
        )

    def get_fields(self, request, obj=None):
        return ["estate", "dissolved_on"] if obj else ["estate"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        return ["estate", "dissolved_on"] if obj else []

    @admin.display(description=gettext_lazy("residential area"))
    def area_name(self, obj):
        return obj.estate.area.name

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_col(self, obj):
        return obj.status_display()

    @admin.display(description=gettext_lazy("term ends"), ordering="term_end")
    def term_end(self, obj):
        return obj.term_end or "—"

    @admin.display(description=gettext_lazy("last assessment"))
    def assessment_col(self, obj):
        if obj.assessment_year is None:
            return "—"
        result = _("passed") if obj.assessment_passed else _("not passed")
        return f"{obj.assessment_year} {obj.assessment_total} {result}"

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.committee_create(estate=obj.estate, by=request.user)
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        """Terms are recorded on their own page or made by a filed election."""

    def has_delete_permission(self, request, obj=None):
        # A committee's history stays; it is dissolved, not deleted.
        return False

    @admin.action(description=gettext_lazy("Record the dissolution (today)"))
    def dissolve_today(self, request, queryset):
        for committee in queryset.select_related("estate"):
            try:
                services.committee_dissolve(
                    committee=committee, by=request.user, on=timezone.localdate()
                )
            except (ValidationError, PermissionDenied) as exc:
                _say(self, request, exc)


# --- terms and members -------------------------------------------------------------------------


class MemberInline(AreaScopedInline):
    model = Member
    extra = 1
    fields = ["position", "name", "role", "phone"]


@admin.register(Term)
class TermAdmin(EstateChoicesMixin, AreaScopedAdmin):
    area_path = "committee__estate__area"
    list_display = ["committee", "number", "start", "end", "ended_on"]
    list_filter = ["committee__estate__area"]
    list_select_related = ["committee__estate"]
    search_fields = ["committee__estate__name"]
    inlines = [MemberInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["committee", "start", "end"]
        return ["committee", "number", "start", "end", "ended_on", "warned_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form.base_fields["end"].required = False
            form.base_fields["end"].help_text = _("Empty: five years from the start.")
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            term = services.term_record(
                committee=form.cleaned_data["committee"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data.get("end"),
                by=request.user,
            )
            obj.pk, obj.number = term.pk, term.number

    def save_formset(self, request, form, formset, change):
        for member_form in formset.initial_forms:
            if member_form in formset.deleted_forms:
                services.member_delete(member=member_form.instance, by=request.user)
        changed = [
            f
            for f in formset.forms
            if f not in formset.deleted_forms and f.has_changed()
        ]
        # The new chair last: a chair handed over in one save is never two chairs.
        changed.sort(key=lambda f: f.cleaned_data.get("role") == Role.CHAIR)
        for member_form in changed:
            member = member_form.save(commit=False)
            member.term = form.instance
            services.member_save(member=member, by=request.user)
        # Once every row is saved (the admin's save is one transaction).
        services.term_check_chair(term=form.instance)

    def has_delete_permission(self, request, obj=None):
        return False


# --- elections ----------------------------------------------------------------------------------


class CandidateInline(AreaScopedInline):
    model = Candidate
    extra = 0
    # Candidates stand for membership; the role is the first meeting's choice.
    fields = ["name", "phone", "role", "approving_owners", "approving_area"]
    readonly_fields = ["role", "approving_owners", "approving_area"]

    def _open(self, request, obj):
        return obj is not None and permissions.can_edit_candidates(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._open(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._open(request, obj)


@admin.register(Election)
class ElectionAdmin(EstateChoicesMixin, AreaScopedAdmin):
    area_path = "committee__estate__area"
    list_display = [
        "committee",
        "kind",
        "step",
        "completed_on",
        "ended_without_result_on",
    ]
    list_filter = ["kind", "step", "committee__estate__area"]
    list_select_related = ["committee__estate"]
    search_fields = ["committee__estate__name"]
    inlines = [CandidateInline]
    actions = ["move_on"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["committee", "kind"]
        return [
            "committee",
            "kind",
            "step",
            "seats",
            "assembly_on",
            "vote_from",
            "participating_owners",
            "participating_area",
            "voted_on",
            "results_on",
            "first_meeting_due",
            "first_meeting_on",
            "filing_due",
            "completed_on",
            "ended_without_result_on",
            "term",
            "staff_page",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description=gettext_lazy("vote and steps"))
    def staff_page(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            obj.get_absolute_url(),
            _("Record the vote and move the steps on the staff page"),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            election = services.election_start(
                committee=form.cleaned_data["committee"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
            obj.pk = election.pk

    def save_formset(self, request, form, formset, change):
        for candidate_form in formset.initial_forms:
            if candidate_form in formset.deleted_forms:
                services.candidate_remove(
                    candidate=candidate_form.instance, by=request.user
                )
        for candidate_form in formset.extra_forms:
            if (
                candidate_form.has_changed()
                and candidate_form not in formset.deleted_forms
            ):
                data = candidate_form.cleaned_data
                services.candidate_add(
                    election=form.instance,
                    by=request.user,
                    name=data["name"],
                    phone=data.get("phone", ""),
                )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Move the selected elections one step on"))
    def move_on(self, request, queryset):
        for election in queryset:
            move = workflow.next_move(election.step)
            if move is None:
                continue
            if move.to_step == Step.CANDIDATES:
                # The announcement gives the seats and the assembly's day.
                self.message_user(
                    request,
                    _(
                        "%(election)s: announce the candidates on the staff page, "
                        "with the seats and the day of the owners' assembly."
                    )
                    % {"election": election},
                    messages.WARNING,
                )
                continue
            try:
                services.election_move(
                    election=election, to_step=move.to_step, by=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                _say(self, request, exc)


# --- the rules' numbers ------------------------------------------------------------------------


@admin.register(CommitteeRules)
class CommitteeRulesAdmin(EstateChoicesMixin, AreaScopedAdmin):
    """The district's default (street staff) and estates' own rules (their area's
    staff too). Each field's help text names its source; `clean()` keeps every
    number within the law."""

    area_path = "estate__area"
    list_display = [
        "__str__",
        "min_members",
        "max_members",
        "min_vice_chairs",
        "max_vice_chairs",
        "notice_days",
        "first_meeting_days",
        "filing_days",
        "source",
    ]
    list_select_related = ["estate"]
    search_fields = ["estate__name", "source"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if street.is_street_staff(request.user):
            return queryset
        # Area staff also read the district's default their estates fall back to.
        return (
            queryset | CommitteeRules.objects.filter(estate__isnull=True)
        ).distinct()

    def has_view_permission(self, request, obj=None):
        if obj is not None and obj.estate_id is None:
            return street.is_staff_member(request.user)
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request, obj)
        return permissions.can_edit_rules(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # The default stays: every estate without its own rules uses it.
        if obj is not None and obj.estate_id is None:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.rules_save(rules=obj, by=request.user)


# --- the assessment standard -----------------------------------------------------------------


class StreetOfficeInline(AreaScopedInline):
    def may_edit(self, user) -> bool:
        return permissions.can_manage_standards(user)


class ItemInline(StreetOfficeInline):
    model = AssessmentItem
    extra = 0
    fields = ["position", "title", "title_en", "guidance", "guidance_en", "max_points"]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (
            services.standard_is_used(obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (
            services.standard_is_used(obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (
            services.standard_is_used(obj)
        )


@admin.register(AssessmentStandard)
class AssessmentStandardAdmin(AreaScopedAdmin):
    area_path = None
    list_display = ["version", "pass_mark", "active", "example_label"]
    inlines = [ItemInline]
    actions = ["new_version"]
    readonly_fields = ["is_example"]

    def may_edit(self, user) -> bool:
        return permissions.can_manage_standards(user)

    @admin.display(description=gettext_lazy("source"), boolean=False)
    def example_label(self, obj):
        return _("The portal's example standard") if obj.is_example else "—"

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (
            services.standard_is_used(obj)
        )

    def get_readonly_fields(self, request, obj=None):
        if services.standard_is_used(obj):
            return ["is_example", *services.FROZEN_FIELDS]
        return ["is_example"]

    def save_model(self, request, obj, form, change):
        services.standard_save(standard=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        for item_form in formset.initial_forms:
            if item_form in formset.deleted_forms:
                services.item_delete(item=item_form.instance, by=request.user)
        for item_form in formset.forms:
            if item_form in formset.deleted_forms or not item_form.has_changed():
                continue
            item = item_form.save(commit=False)
            item.standard = form.instance
            services.item_save(item=item, by=request.user)

    @admin.action(description=gettext_lazy("Make a new version to edit"))
    def new_version(self, request, queryset):
        for standard in queryset:
            try:
                copy = services.standard_new_version(standard=standard, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                _say(self, request, exc)
                return
            self.message_user(
                request,
                _("Created %(version)s: edit it, then put it in use.")
                % {"version": copy},
            )


# --- assessments --------------------------------------------------------------------------------


class AssessmentForm(forms.ModelForm):
    """Committee, standard, year, and one score box per item of the standard."""

    items: list = []
    standard_pk = None

    class Meta:
        model = Assessment
        fields = ["committee", "standard", "year"]

    def clean(self):
        cleaned = super().clean()
        standard = cleaned.get("standard")
        if standard is None:
            return cleaned
        if self.standard_pk is not None and standard.pk != self.standard_pk:
            raise ValidationError(
                _("The score boxes are of another standard: open the form for it.")
            )
        if any(f"score_{i.pk}" in self.errors for i in self.items):
            # That box already says what is wrong (not a whole number): checking the
            # standard now would add "has no score" for the same item. The standard
            # is checked (here and by the service) once every box holds a number.
            return cleaned
        scores = {i.pk: cleaned.get(f"score_{i.pk}") for i in self.items}
        try:
            self.scores = services.assessment_check_scores(
                standard=standard, scores=scores
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.add_error(None, message)
        return cleaned

    def validate_unique(self):
        # The service says, in words, that the committee has this year's assessment.
        pass


def assessment_form_for(standard, assessment):
    items = list(standard.items.all()) if standard else []
    initial = (
        dict(assessment.scores.values_list("item_id", "score")) if assessment else {}
    )
    fields = {
        f"score_{i.pk}": forms.IntegerField(
            label=i.title,
            help_text=_("0 to %(max)d points") % {"max": i.max_points},
            initial=initial.get(i.pk),
            required=False,
        )
        for i in items
    }
    return type(
        "AssessmentFormFor",
        (AssessmentForm,),
        {**fields, "items": items, "standard_pk": standard.pk if standard else None},
    )


@admin.register(Assessment)
class AssessmentAdmin(EstateChoicesMixin, AreaScopedAdmin):
    area_path = "committee__estate__area"
    list_display = ["committee", "year", "standard", "total", "passed", "assessed_by"]
    list_filter = ["year", "passed", "committee__estate__area"]
    list_select_related = ["committee__estate", "standard", "assessed_by"]
    search_fields = ["committee__estate__name"]
    readonly_fields = ["total", "passed"]

    def _standard(self, request, obj):
        if obj is not None:
            return obj.standard
        chosen = parse_id(request.GET.get("standard") or request.POST.get("standard"))
        queryset = AssessmentStandard.objects.all()
        if chosen is not None and queryset.filter(pk=chosen).exists():
            return queryset.get(pk=chosen)
        return queryset.filter(active=True).first()

    def _form_class(self, request, obj):
        """The score form for this request, built once (fieldsets and form need it)."""
        key = obj.pk if obj else None
        cached = getattr(request, "_assessment_form", None)
        if cached is None or cached[0] != key:
            cached = (key, assessment_form_for(self._standard(request, obj), obj))
            request._assessment_form = cached
        return cached[1]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = self._form_class(request, obj)
        return super().get_form(request, obj, change, form=form, **kwargs)

    def get_fieldsets(self, request, obj=None):
        form = self._form_class(request, obj)
        sets = [(None, {"fields": ["committee", "standard", "year"]})]
        if obj is not None:
            sets.append((_("Result"), {"fields": ["total", "passed"]}))
        sets.append((_("Scores"), {"fields": [f"score_{i.pk}" for i in form.items]}))
        return sets

    def get_changeform_initial_data(self, request):
        standard = self._standard(request, None)
        return {"standard": standard.pk} if standard else {}

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        assessment = services.assessment_save(
            committee=form.cleaned_data["committee"],
            standard=form.cleaned_data["standard"],
            year=form.cleaned_data["year"],
            scores=form.scores,
            by=request.user,
            assessment=obj if change else None,
        )
        obj.pk, obj.total, obj.passed = (
            assessment.pk,
            assessment.total,
            assessment.passed,
        )

    def save_related(self, request, form, formsets, change):
        """The scores were saved by the service."""
