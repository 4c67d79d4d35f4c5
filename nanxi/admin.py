from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from nanxi import permissions, services
from nanxi.admin_mixins import AreaScopedAdmin, NamesAdminMixin, ServiceErrorsMixin
from nanxi.models import (
    Estate,
    PersonalDataAccess,
    Profile,
    ResidentialArea,
    StaffAssignment,
)


@admin.register(ResidentialArea)
class ResidentialAreaAdmin(NamesAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "area", "verified_at"]
    list_filter = ["area", ("verified_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "area"]
    # The phone is shown to staff only where they verify residents (logged there).
    exclude = ["phone"]
    search_fields = ["user__email", "display_name"]
    raw_id_fields = ["user", "verified_by"]
    readonly_fields = [
        "verified_at",
        "verified_by",
        # Declined and asked again on the staff's page, through the services.
        "verification_decline",
        "privacy_consent_at",
        "privacy_notice_version",
        "erased_at",
    ]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The audit trail of staff seeing residents' phones: read-only, street staff."""

    list_display = ["at", "viewer", "subject", "what", "where"]
    list_select_related = ["viewer", "subject"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return permissions.is_street_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_street_staff(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


User = get_user_model()


class NanxiUserAdmin(UserAdmin):
    """Deleting a user erases their personal data and keeps their record anonymised.

    A real delete would hit PROTECT (their projects, comments) or CASCADE away
    their votes; nanxi.services.account_erase is the one way an account goes.
    """

    def get_deleted_objects(self, objs, request):
        objs = list(objs)
        summary = [
            _(
                "%(user)s: personal data erased, account deactivated; proposals, "
                "comments and votes kept under “deleted resident”."
            )
            % {"user": user}
            for user in objs
        ]
        refused = [
            str(user)
            for user in objs
            if not permissions.can_erase_account(request.user, user)
        ]
        return summary, {}, set(), refused

    def delete_model(self, request, obj):
        services.account_erase(user=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.account_erase(user=user, by=request.user)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, NanxiUserAdmin)


class StaffAssignmentForm(forms.ModelForm):
    """The person is named by the e-mail address they log in with."""

    email = forms.EmailField(
        label=_("E-mail of the staff member"),
        help_text=_("The address the person logs in with; they sign up first."),
    )

    class Meta:
        model = StaffAssignment
        fields = ["area"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                _("No one has signed up with this e-mail address.")
            )
        self.instance.user = user
        return email

    def validate_unique(self):
        # The service says, in words, that the person already has this area.
        pass


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """The street office grants residents' committee staff their area, and ends it."""

    form = StaffAssignmentForm
    list_display = ["user", "area", "granted_by", "since"]
    list_filter = ["area"]
    list_select_related = ["user", "area", "granted_by"]
    search_fields = ["user__email", "user__profile__display_name"]

    def has_module_permission(self, request):
        return permissions.can_grant_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_grant_staff(request.user)

    def has_add_permission(self, request):
        return permissions.can_grant_staff(request.user)

    def has_change_permission(self, request, obj=None):
        # A grant is made or ended, never edited into another one.
        return False

    def has_delete_permission(self, request, obj=None):
        return permissions.can_grant_staff(request.user)

    def save_model(self, request, obj, form, change):
        assignment = services.staff_assignment_grant(
            user=obj.user, area=form.cleaned_data["area"], by=request.user
        )
        obj.pk = assignment.pk

    def delete_model(self, request, obj):
        services.staff_assignment_revoke(assignment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user"):
            services.staff_assignment_revoke(assignment=assignment, by=request.user)


@admin.register(Estate)
class EstateAdmin(NamesAdminMixin, AreaScopedAdmin):
    """Street staff manage estates; residents' committee staff see their areas' ones."""

    list_display = ["name", "area", "address", "households", "floor_area"]
    list_filter = ["area"]
    list_select_related = ["area"]
    search_fields = ["name", "address"]

    def may_edit(self, user) -> bool:
        return permissions.is_street_staff(user)
