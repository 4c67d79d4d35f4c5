"""The admin's shared rules: area scope, and service refusals shown as messages."""

from contextlib import contextmanager
from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect

from nanxi import fragments, permissions
from nanxi.forms import IdMultipleChoiceField


class NamesAdminMixin:
    """An admin of names many pages show (areas, estates, topics, steps, vote rules):
    each save or delete moves `fragments.NAMES`, so cached cards, lists and pages
    show the new name at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fragments.bump(fragments.NAMES)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        fragments.bump(fragments.NAMES)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        fragments.bump(fragments.NAMES)


class ServiceRefused(Exception):
    def __init__(self, error):
        super().__init__(error)
        self.error = error


@contextmanager
def _refusals():
    try:
        yield
    except (ValidationError, PermissionDenied) as exc:
        raise ServiceRefused(exc) from exc


def _guarded(method):
    @wraps(method)
    def guarded(*args, **kwargs):
        with _refusals():
            return method(*args, **kwargs)

    return guarded


class ServiceErrorsMixin:
    """A service that refuses a save (a race the form could not see) gives a message.

    Only refusals while saving or deleting are caught, not the admin's own
    permission checks. The admin's save runs in one transaction, so a refusal
    leaves nothing written.
    """

    GUARDED = ("save_model", "save_related", "save_formset", "delete_model")

    def __init_subclass__(cls, **kwargs):
        # Every save or delete hook a subclass writes calls services: guard it.
        super().__init_subclass__(**kwargs)
        for name in cls.GUARDED:
            if name in cls.__dict__:
                setattr(cls, name, _guarded(cls.__dict__[name]))

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ServiceRefused as refused:
            return self._refused(request, refused.error)

    def delete_view(self, request, *args, **kwargs):
        try:
            return super().delete_view(request, *args, **kwargs)
        except ServiceRefused as refused:
            return self._refused(request, refused.error)

    def _refused(self, request, exc):
        for message in getattr(exc, "messages", None) or [str(exc)]:
            self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class AreaScopedAdminMixin:
    """Staff see and change only rows of the areas they may act on.

    `area_path` is the lookup from the model to its `ResidentialArea`
    (``"area"``, ``"group__area"``, …; None for street-wide rows). Rows outside a
    person's scope are not in the changelist, the autocomplete, nor reachable by
    id. `may_edit(user)` says who changes rows at all (default: every staff
    member, within their scope).
    """

    area_path: str | None = "area"

    def may_edit(self, user) -> bool:
        return permissions.is_staff_member(user)

    def area_id_of(self, obj) -> int | None:
        *path, last = self.area_path.split("__")
        for name in path:
            obj = getattr(obj, name, None)
        return getattr(obj, f"{last}_id", None) if obj is not None else None

    def _in_scope(self, request, obj) -> bool:
        if obj is None or self.area_path is None:
            return True
        return permissions.can_act_in_area(request.user, self.area_id_of(obj))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.area_path is None:
            return queryset
        return permissions.in_scope(queryset, request.user, self.area_path)

    def has_module_permission(self, request):
        return permissions.is_staff_member(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_staff_member(request.user) and self._in_scope(
            request, obj
        )

    def has_add_permission(self, request, *args):
        return self.may_edit(request.user)

    def has_change_permission(self, request, obj=None):
        return self.may_edit(request.user) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_edit(request.user) and self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The area choices of a form: only those the person may act on.
        if db_field.related_model._meta.label == "nanxi.ResidentialArea":
            kwargs["queryset"] = permissions.in_scope(
                db_field.related_model.objects.all(), request.user, "pk"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AreaScopedAdmin(ServiceErrorsMixin, AreaScopedAdminMixin, admin.ModelAdmin):
    pass


class AreaScopedInline(AreaScopedAdminMixin, admin.TabularInline):
    """An inline row follows its parent's scope; `may_edit` as for the parent."""

    area_path = None

    def has_add_permission(self, request, obj=None):
        return self.may_edit(request.user)
