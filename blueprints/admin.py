"""The technical administration of blueprints: staff edit texts here until the library
gets its own editing pages."""

from django.contrib import admin

from blueprints.models import Blueprint


@admin.register(Blueprint)
class BlueprintAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organisation", "language", "is_public", "published_at")
    list_filter = ("kind", "language", "is_public")
    list_select_related = ("organisation",)
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("organisation",)
    date_hierarchy = "published_at"
    readonly_fields = ("created_at", "updated_at")
