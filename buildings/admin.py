import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildings import permissions, selectors, services
from buildings.models import (
    BuildingGroup,
    BuildingPhoto,
    Criterion,
    DistrictApplication,
    Rating,
    RatingStandard,
)
from nanxi import images
from nanxi.admin_mixins import AreaScopedAdmin, AreaScopedInline
from nanxi.forms import parse_id
from nanxi.permissions import in_scope as permissions_in_scope
from nanxi.spreadsheets import safe_rows


class StreetOfficeAdmin(AreaScopedAdmin):
    """Street staff change; residents' committee staff see their own areas; no one else."""

    def may_edit(self, user) -> bool:
        return permissions.can_rate(user)


def stars_text(stars) -> str:
    return "★" * stars if stars else "—"


# --- building groups ---------------------------------------------------------------------


class PhotoForm(forms.ModelForm):
    class Meta:
        model = BuildingPhoto
        fields = ["image", "caption"]

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if isinstance(upload, UploadedFile):  # a new file, not the one already stored
            # Checked here to show the error beside the field; stored by the service.
            images.process_upload(upload)
        return upload


class StreetOfficeInline(AreaScopedInline):
    """Inline rows editable by street staff, visible to area staff."""

    def may_edit(self, user) -> bool:
        return permissions.can_rate(user)


class PhotoInline(StreetOfficeInline):
    model = BuildingPhoto
    form = PhotoForm
    extra = 1


class StarsFilter(admin.SimpleListFilter):
    title = gettext_lazy("stars")
    parameter_name = "stars"

    def lookups(self, request, model_admin):
        return [("0", gettext_lazy("not rated"))] + [
            (str(n), "★" * n) for n in range(1, 6)
        ]

    def queryset(self, request, queryset):
        if self.value() == "0":
            return queryset.filter(stars__isnull=True) | queryset.filter(stars=0)
        if self.value() in {"1", "2", "3", "4", "5"}:
            return queryset.filter(stars=int(self.value()))
        return queryset


class RatedInYearFilter(admin.SimpleListFilter):
    title = gettext_lazy("rated in")
    parameter_name = "rated_in"

    def lookups(self, request, model_admin):
        years = (
            Rating.objects.order_by("-year").values_list("year", flat=True).distinct()
        )
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        year = parse_id(self.value())
        if year is not None:
            return queryset.filter(ratings__year=year)
        return queryset


@admin.register(BuildingGroup)
class BuildingGroupAdmin(StreetOfficeAdmin):
    list_display = [
        "name",
        "area",
        "stars_display",
        "rating_year_display",
        "application_display",
        "featured",
    ]
    list_filter = ["area", StarsFilter, RatedInYearFilter, "featured"]
    search_fields = ["name", "address"]
    inlines = [PhotoInline]
    actions = ["mark_featured", "unmark_featured", "export_csv"]
    list_per_page = 50
    # The showcase has its rule (street staff, through the service): the actions.
    readonly_fields = ["featured", "star_history", "rate_link"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # The stars are stored on the group (the rating service keeps them): no subquery
    # per row. One count a page, not two.
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_latest_application()
            .select_related("area")
        )

    def save_model(self, request, obj, form, change):
        services.group_save(group=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.groups_changed(form.instance.pk)  # photos changed in the inline

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        services.groups_changed(pk)

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        services.groups_changed(*pks)

    @admin.display(description=gettext_lazy("stars"), ordering="stars")
    def stars_display(self, obj):
        return stars_text(obj.stars)

    @admin.display(description=gettext_lazy("last rated"), ordering="rating_year")
    def rating_year_display(self, obj):
        return obj.rating_year or "—"

    @admin.display(description=gettext_lazy("district application"))
    def application_display(self, obj):
        if not obj.application_status:
            return "—"
        label = DistrictApplication.Status(obj.application_status).label
        return f"{obj.application_year} {label}"

    @admin.display(description=gettext_lazy("star history"))
    def star_history(self, obj):
        items = format_html_join(
            "",
            "<li>{}：{}（{}，{}）</li>",
            (
                (r.year, stars_text(r.stars), r.total, r.standard)
                for r in selectors.star_history(obj)
            ),
        )
        return format_html("<ul>{}</ul>", items) if items else "—"

    @admin.display(description=gettext_lazy("rate"))
    def rate_link(self, obj):
        if obj.pk is None:
            return "—"
        year = timezone.localdate().year
        url = reverse("admin:buildings_rating_add") + f"?group={obj.pk}&year={year}"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            url,
            _("Rate for %(year)d") % {"year": year},
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not BuildingPhoto:
            return super().save_formset(request, form, formset, change)
        # New photos go through the service that checks, re-encodes and stores them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        for photo_form in formset.initial_forms:
            if photo_form in formset.deleted_forms:
                formset.deleted_objects.append(photo_form.instance)
                photo_form.instance.delete()
            elif photo_form.has_changed():
                formset.changed_objects.append(
                    (photo_form.save(), photo_form.changed_data)
                )
        for photo_form in formset.extra_forms:
            if photo_form.has_changed() and photo_form not in formset.deleted_forms:
                formset.new_objects.append(
                    services.group_add_photo(
                        group=form.instance,
                        upload=photo_form.cleaned_data["image"],
                        caption=photo_form.cleaned_data["caption"],
                        by=request.user,
                    )
                )

    def _feature(self, request, queryset, featured: bool, done: str):
        try:
            count = services.group_set_featured(
                groups=queryset, featured=featured, by=request.user
            )
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, done % {"n": count})

    @admin.action(description=gettext_lazy("Show the selected groups in the showcase"))
    def mark_featured(self, request, queryset):
        self._feature(
            request, queryset, True, _("%(n)d groups are now in the showcase.")
        )

    @admin.action(
        description=gettext_lazy("Take the selected groups out of the showcase")
    )
    def unmark_featured(self, request, queryset):
        self._feature(
            request, queryset, False, _("%(n)d groups are no longer in the showcase.")
        )

    @admin.action(description=gettext_lazy("Export the selected groups as CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="building-groups.csv"'
        response.write("\ufeff")  # a BOM, so that Excel reads the Chinese as UTF-8
        writer = csv.writer(response)
        groups = BuildingGroup.objects.filter(pk__in=queryset.values("pk")).order_by(
            "area__name", "name"
        )
        writer.writerows(safe_rows(selectors.export_rows(groups)))
        return response


# --- standards -------------------------------------------------------------------------------


class CriterionInline(StreetOfficeInline):
    model = Criterion
    extra = 0
    fields = ["position", "dimension", "title", "title_en", "max_points"]

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


@admin.register(RatingStandard)
class RatingStandardAdmin(StreetOfficeAdmin):
    area_path = None
    list_display = [
        "version",
        "active",
        "one_star",
        "two_stars",
        "three_stars",
        "four_stars",
        "five_stars",
    ]
    inlines = [CriterionInline]
    actions = ["new_version"]

    def has_delete_permission(self, request, obj=None):
        # A standard that ratings used stays, with them (the database protects it too).
        return super().has_delete_permission(request, obj) and not (
            services.standard_is_used(obj)
        )

    def get_readonly_fields(self, request, obj=None):
        if services.standard_is_used(obj):
            # Ratings were computed with these thresholds: only "in use" may change.
            return list(services.FROZEN_FIELDS)
        return []

    def save_model(self, request, obj, form, change):
        services.standard_save(standard=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        # Criteria of a standard that ratings used are frozen: the service says so.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        for criterion_form in formset.forms:
            if criterion_form in formset.deleted_forms:
                if criterion_form.instance.pk is not None:
                    formset.deleted_objects.append(criterion_form.instance)
                    services.criterion_delete(
                        criterion=criterion_form.instance, by=request.user
                    )
                continue
            if not criterion_form.has_changed():
                continue
            criterion = criterion_form.save(commit=False)
            criterion.standard = form.instance
            new = criterion.pk is None
            services.criterion_save(criterion=criterion, by=request.user)
            if new:
                formset.new_objects.append(criterion)
            else:
                formset.changed_objects.append((criterion, criterion_form.changed_data))

    @admin.action(description=gettext_lazy("Make a new version to edit"))
    def new_version(self, request, queryset):
        for standard in queryset:
            try:
                copy = services.standard_new_version(standard=standard, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                for message in getattr(exc, "messages", None) or [str(exc)]:
                    self.message_user(request, message, messages.ERROR)
                return
            self.message_user(
                request,
                _("Created %(version)s: edit it, then put it in use.")
                % {"version": copy},
            )


# --- ratings -------------------------------------------------------------------------------------


class RatingForm(forms.ModelForm):
    """Group, standard, year, and one score box per criterion of the standard."""

    criteria: list = []

    class Meta:
        model = Rating
        fields = ["group", "standard", "year"]

    def clean(self):
        cleaned = super().clean()
        standard = cleaned.get("standard")
        if standard is None:
            return cleaned
        scores = {c.pk: cleaned.get(f"score_{c.pk}") for c in self.criteria}
        if self.standard_pk is not None and standard.pk != self.standard_pk:
            raise ValidationError(
                _(
                    "The score boxes are those of %(shown)s. To rate by %(chosen)s, open the form for it."
                )
                % {"shown": self.standard_version, "chosen": standard}
            )
        if any(f"score_{c.pk}" in self.errors for c in self.criteria):
            # Those boxes already say what is wrong with them (empty, not a whole
            # number, above the maximum) and hold no score: checking the standard
            # now would add "has no score" for the same item. It is checked (here
            # and by the service) once every box holds a number.
            return cleaned
        try:
            self.scores = services.rating_check_scores(standard=standard, scores=scores)
        except ValidationError as exc:
            for message in exc.messages:
                self.add_error(None, message)
        return cleaned


def rating_form_for(standard: RatingStandard | None, rating: Rating | None):
    criteria = list(standard.criteria.all()) if standard else []
    initial = dict(rating.scores.values_list("criterion_id", "score")) if rating else {}
    fields = {
        f"score_{c.pk}": forms.IntegerField(
            label=f"{c.get_dimension_display()} · {c.label}",
            help_text=_("0 to %(max)d points") % {"max": c.max_points},
            min_value=0,
            max_value=c.max_points,
            initial=initial.get(c.pk),
            error_messages={
                "max_value": _("“%(title)s”: at most %(max)d points.")
                % {"title": c.label, "max": c.max_points},
                "min_value": _("“%(title)s”: not below 0.") % {"title": c.label},
            },
        )
        for c in criteria
    }
    attrs = {
        **fields,
        "criteria": criteria,
        "standard_pk": standard.pk if standard else None,
        "standard_version": str(standard) if standard else "",
    }
    return type("RatingFormFor", (RatingForm,), attrs)


@admin.register(Rating)
class RatingAdmin(StreetOfficeAdmin):
    area_path = "group__area"
    list_display = [
        "group",
        "area_name",
        "year",
        "standard",
        "total",
        "stars_display",
        "rated_by",
    ]
    list_filter = ["year", "stars", "standard", "group__area"]
    list_select_related = ["group__area", "standard", "rated_by"]
    search_fields = ["group__name"]
    autocomplete_fields = ["group"]
    readonly_fields = ["total", "stars", "history"]
    list_per_page = 50
    show_full_result_count = False  # one count a page, not two

    @admin.display(description=gettext_lazy("changes"))
    def history(self, obj):
        changes = obj.changes.select_related("changed_by")
        items = format_html_join(
            "",
            "<li>{} {}：{} → {}（{} → {}）</li>",
            (
                (
                    change.changed_at.strftime("%Y-%m-%d %H:%M"),
                    change.changed_by,
                    stars_text(change.stars_before),
                    stars_text(change.stars_after),
                    "—" if change.total_before is None else change.total_before,
                    change.total_after,
                )
                for change in changes
            ),
        )
        return format_html("<ul>{}</ul>", items) if items else "—"

    @admin.display(
        description=gettext_lazy("residential area"), ordering="group__area__name"
    )
    def area_name(self, obj):
        return obj.group.area.name

    @admin.display(description=gettext_lazy("stars"), ordering="stars")
    def stars_display(self, obj):
        return stars_text(obj.stars)

    def _standard(self, request, obj):
        if obj is not None:
            return obj.standard
        chosen = parse_id(request.GET.get("standard"))
        queryset = RatingStandard.objects.all()
        if chosen is not None:
            return queryset.filter(pk=chosen).first()
        return queryset.filter(active=True).first()

    def _form_class(self, request, obj):
        """The score form for this request, built once (fieldsets and form need it)."""
        key = obj.pk if obj else None
        cached = getattr(request, "_rating_form", None)
        if cached is None or cached[0] != key:
            cached = (key, rating_form_for(self._standard(request, obj), obj))
            request._rating_form = cached
        return cached[1]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("standard", "group__area", "rated_by")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = self._form_class(request, obj)
        return super().get_form(request, obj, change, form=form, **kwargs)

    def get_fieldsets(self, request, obj=None):
        form = self._form_class(request, obj)
        scores = [f"score_{c.pk}" for c in form.criteria]
        sets = [(None, {"fields": ["group", "standard", "year"]})]
        if obj is not None:
            sets.append((_("Result"), {"fields": ["total", "stars", "history"]}))
        sets.append((_("Scores"), {"fields": scores}))
        return sets

    def get_changeform_initial_data(self, request):
        # Only what the address says sensibly: a group this person may rate, a year.
        initial = {}
        group = parse_id(request.GET.get("group"))
        if group is not None and self._groups(request).filter(pk=group).exists():
            initial["group"] = group
        year = parse_id(request.GET.get("year"))
        if year is not None and year < 10_000:
            initial["year"] = year
        standard = self._standard(request, None)
        if standard:
            initial["standard"] = standard.pk
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        # Rating one group after another: the next form keeps the year and standard.
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:
            joiner = "&" if "?" in response["Location"] else "?"
            response["Location"] += (
                f"{joiner}year={obj.year}&standard={obj.standard_id}"
            )
        return response

    def _groups(self, request):
        return permissions_in_scope(BuildingGroup.objects.all(), request.user)

    def has_delete_permission(self, request, obj=None):
        # A published rating is corrected (with a change row), never deleted.
        return False

    def save_model(self, request, obj, form, change):
        rating = services.rating_save(
            group=form.cleaned_data["group"],
            standard=form.cleaned_data["standard"],
            year=form.cleaned_data["year"],
            scores=form.scores,
            by=request.user,
            rating=obj if change else None,
        )
        obj.pk, obj.total, obj.stars, obj.rated_by = (
            rating.pk,
            rating.total,
            rating.stars,
            rating.rated_by,
        )

    def save_related(self, request, form, formsets, change):
        """The scores were saved by the service; the history inline is read-only."""


@admin.register(DistrictApplication)
class DistrictApplicationAdmin(StreetOfficeAdmin):
    area_path = "group__area"
    list_display = ["group", "year", "status"]
    list_filter = ["year", "status", "group__area"]
    list_select_related = ["group"]
    autocomplete_fields = ["group"]
    search_fields = ["group__name"]

    # A group's page shows its applications: it gets a new version (cached pages).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.groups_changed(obj.group_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.groups_changed(obj.group_id)

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("group_id", flat=True))
        super().delete_queryset(request, queryset)
        services.groups_changed(*pks)
