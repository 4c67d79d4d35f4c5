from django.contrib import admin

from nanxi.models import Profile, ResidentialArea


@admin.register(ResidentialArea)
class ResidentialAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "area", "verified_at"]
    list_filter = ["area", ("verified_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "area"]
    search_fields = ["user__email", "display_name", "phone"]
    raw_id_fields = ["user", "verified_by"]
    readonly_fields = ["verified_at", "verified_by"]
