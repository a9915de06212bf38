"""The core's signal receivers: allauth's password reset, and the core's own answers to its
plug-in points (pioneer.hooks): home panels and the navigation items every signed-in
person or the programme office gets. Imported once from PioneerConfig.ready()."""

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.conf import settings
from django.db.models import Count, Value
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from pioneer import compiled, hooks, landing
from pioneer.hooks import NavItem, Panel
from pioneer.models import Organisation, Role, User
from pioneer.rules import has_totp, needs_second_factor

OFFICE = Role.Kind.PROGRAMME_OFFICE


@receiver(hooks.home_panels, dispatch_uid="pioneer.mfa_panel")
def mfa_panel(sender, request, roles, **kwargs):
    if not needs_second_factor(request.user) or has_totp(request.user):
        return None
    return Panel(
        "core.mfa",
        "pioneer/panel_mfa.html",
        {"required": settings.REQUIRE_STAFF_MFA},
        order=1,
    )


@receiver(hooks.home_panels, dispatch_uid="pioneer.office_panel")
def office_panel(sender, request, roles, **kwargs):
    if not roles.has(OFFICE):
        return None
    # Invited people of the office's organisations who have not set a password yet.
    organisations = roles.organisation_ids(OFFICE)
    if organisations:
        # The SQL kept per process and number of organisations (pioneer.compiled).
        (row,) = compiled.values(
            f"pioneer.office_pending.{len(organisations)}",
            _office_pending,
            **{f"organisation{index}": pk for index, pk in enumerate(organisations)},
        )
        pending = row["n"]
    else:
        pending = _office_pending_queryset([]).count()
    return Panel("core.office", "pioneer/panel_office_invite.html", {"pending": pending}, order=90)


def _office_pending_queryset(organisations):
    return (
        User.objects.filter(roles__organisation_id__in=organisations, last_login__isnull=True)
        .filter(password__startswith="!")  # Django's mark of an unusable password
        .values("pk")
        .distinct()
    )


def _office_pending(**organisations):
    # How many distinct people `_office_pending_queryset` finds, as one row.
    return (
        User.objects.filter(
            roles__organisation_id__in=list(organisations.values()), last_login__isnull=True
        )
        .filter(password__startswith="!")
        .order_by()
        .values(_one=Value(1))
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )


@receiver(hooks.home_panels, dispatch_uid="pioneer.admin_panel")
def admin_panel(sender, request, roles, **kwargs):
    """The technical administrator's way into the admin: people, roles, organisations."""
    if not request.user.is_staff:
        return None
    return Panel("core.admin", "pioneer/panel_admin.html", {}, order=5)


@receiver(hooks.navigation, dispatch_uid="pioneer.navigation")
def navigation(sender, request, roles, **kwargs):
    items = [
        NavItem("home", _("My overview"), order=0),
        NavItem("notifications", _("Notifications"), order=900),
    ]
    if roles.has(Role.Kind.PARTICIPANT):
        # Their dates (phases, milestones, events) in their own calendar program.
        items.append(NavItem("calendar_feed_settings", _("My calendar"), order=250))
    if roles.has(OFFICE):
        items.append(NavItem("organisation_list", _("Organisations"), order=700))
        items.append(NavItem("invite", _("Invite people"), order=800))
    return items


@receiver(password_reset, dispatch_uid="pioneer.verify_email_on_password_reset")
def verify_email_on_password_reset(sender, request, user, **kwargs):
    """Following a password link proves the person reads that mailbox.

    Invited people set their first password this way; without this, mandatory e-mail
    verification would stop them at their first login and send yet another e-mail.
    """
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=not has_primary
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


# The landing page's cards name organisations (pioneer.landing keeps them rendered).
post_save.connect(landing.changed, sender=Organisation, dispatch_uid="pioneer.landing.org_saved")
post_delete.connect(
    landing.changed, sender=Organisation, dispatch_uid="pioneer.landing.org_deleted"
)
