"""The technical administration (Django admin) of the core models.

Day-to-day work happens in the application; this is for the technical administrator
(User.is_staff), who may fix a person's address or roles by hand.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from pioneer.models import BarrierReport, Notification, Organisation, PartnerLink, Role, User
from pioneer.validators import SafeInputMixin


class UserCreationAdminForm(SafeInputMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "language")


class UserChangeAdminForm(SafeInputMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ("email",)
    list_display = ("email", "name", "language", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "language", "roles__kind")
    search_fields = ("email", "name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "name",
                    "language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = [RoleInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "parent", "city")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "city")
    list_select_related = ("parent",)
    autocomplete_fields = ["parent"]


@admin.register(PartnerLink)
class PartnerLinkAdmin(admin.ModelAdmin):
    """Which office acts for which partner (made by the offices in the application; the
    administrator may correct a link by hand)."""

    list_display = ("office_organisation", "partner", "linked_by", "linked_at")
    search_fields = ("office_organisation__name", "partner__name")
    list_select_related = ("office_organisation", "partner", "linked_by")
    autocomplete_fields = ["office_organisation", "partner"]
    readonly_fields = ("linked_by", "linked_at")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "organisation", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__email", "user__name", "organisation__name")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ["user", "organisation"]


@admin.register(BarrierReport)
class BarrierReportAdmin(admin.ModelAdmin):
    list_display = ("page", "created_at", "answered_at", "language")
    list_filter = ("language",)
    search_fields = ("page", "description", "email")
    readonly_fields = ("page", "description", "name", "email", "language", "created_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the ledger is written by the dispatcher alone."""

    list_display = ("kind", "recipient", "email", "due_at", "state", "attempts", "sent_at")
    list_filter = ("state", "kind")
    search_fields = ("recipient__email", "email", "subject")
    list_select_related = ("recipient",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
