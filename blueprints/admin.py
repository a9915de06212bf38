"""The technical administration of blueprints. Offices write and edit in the app; staff
may correct a text here, and look at files and download counts (numbers only)."""

from django.contrib import admin

from blueprints.models import (
    Adoption,
    Blueprint,
    BlueprintFile,
    BlueprintFileVersion,
    DownloadCount,
    Tag,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Blueprint)
class BlueprintAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "category",
        "organisation",
        "language",
        "visibility",
        "is_public",
        "published_at",
    )
    list_filter = ("category", "language", "visibility", "is_public")
    list_select_related = ("organisation",)
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("organisation",)
    raw_id_fields = ("cohort", "translation_of")
    filter_horizontal = ("tags",)
    date_hierarchy = "published_at"
    readonly_fields = ("created_at", "updated_at")


class VersionInline(admin.TabularInline):
    model = BlueprintFileVersion
    extra = 0
    fields = ("number", "display_name", "note", "size", "sha256", "content_type", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the checked form of the app


@admin.register(BlueprintFile)
class BlueprintFileAdmin(admin.ModelAdmin):
    list_display = ("title", "blueprint", "created_at")
    list_select_related = ("blueprint",)
    raw_id_fields = ("blueprint",)
    inlines = [VersionInline]


@admin.register(DownloadCount)
class DownloadCountAdmin(admin.ModelAdmin):
    list_display = ("version", "day", "count")
    list_select_related = ("version",)
    date_hierarchy = "day"
    readonly_fields = ("version", "day", "count")

    def has_add_permission(self, request):
        return False


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    """A record of what happened: read only (the adoption service makes them)."""

    list_display = ("organisation", "source_programme", "programme", "created_at")
    list_select_related = ("organisation", "source_programme", "programme")
    readonly_fields = (
        "source_programme",
        "source_cohort",
        "blueprints",
        "organisation",
        "programme",
        "cohort",
        "created_at",
        "by",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
