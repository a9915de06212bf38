"""The cohorts app's receivers of the core's plug-in points (pioneer.hooks): the landing
page's open cohorts, home panels for the programme office and partner contacts, and their
navigation. Imported once from CohortsConfig.ready()."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from cohorts import selectors
from cohorts.models import InterestRegistration
from cohorts.services.registrations import registration_purge_expired
from pioneer import hooks
from pioneer.hooks import NavItem, Panel
from pioneer.models import Role

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTNER = Role.Kind.PARTNER_CONTACT


@receiver(hooks.landing_sections, dispatch_uid="cohorts.open_cohorts")
def open_cohorts(sender, request, **kwargs):
    return Panel(
        "cohorts.open",
        "cohorts/landing_open_cohorts.html",
        {"cohorts": list(selectors.open_cohorts()[:20])},
        order=10,
    )


@receiver(hooks.home_panels, dispatch_uid="cohorts.home_panels")
def home_panels(sender, request, roles, **kwargs):
    panels = []
    if roles.has(OFFICE):
        counts = selectors.registration_counts(selectors.registrations_for_office(request.user))
        panels.append(
            Panel(
                "cohorts.office_registrations",
                "cohorts/panel_office_registrations.html",
                {
                    "unconfirmed": counts.get(InterestRegistration.State.UNCONFIRMED, 0),
                    "unreviewed": counts.get(InterestRegistration.State.CONFIRMED, 0),
                },
                order=20,
            )
        )
    if roles.has(PARTNER):
        panels.append(
            Panel(
                "cohorts.partner_registrations",
                "cohorts/panel_partner_registrations.html",
                {"registrations": list(selectors.registrations_for_partner(request.user)[:5])},
                order=20,
            )
        )
    return panels


@receiver(hooks.navigation, dispatch_uid="cohorts.navigation")
def navigation(sender, request, roles, **kwargs):
    items = []
    if roles.has(OFFICE):
        items += [
            NavItem("cohorts:programme_list", _("Programmes"), order=100),
            NavItem("cohorts:registration_list", _("Registrations of interest"), order=110),
        ]
    elif roles.has(PARTNER):
        items.append(NavItem("cohorts:registration_list", _("Our registrations"), order=110))
    if roles.has(PARTNER):
        items.append(NavItem("cohorts:partner_people", _("Our people"), order=120))
    return items


@receiver(hooks.periodic, dispatch_uid="cohorts.retention")
def retention(sender, now, **kwargs):
    return registration_purge_expired(now=now)
