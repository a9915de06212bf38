"""What the cohorts app adds to shared pages: the landing section, home panels, the
navigation and its notification kinds. Imported once from CohortsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cohorts import selectors
from cohorts.models import InterestRegistration
from pioneer import context_processors, notifications, pages
from pioneer.models import Role

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTNER = Role.Kind.PARTNER_CONTACT


def _landing_open_cohorts(request):
    return {"cohorts": list(selectors.open_cohorts()[:20])}


def _office_registrations(request):
    counts = selectors.registration_counts(selectors.registrations_for_office(request.user))
    return {
        "unconfirmed": counts.get(InterestRegistration.State.UNCONFIRMED, 0),
        "unreviewed": counts.get(InterestRegistration.State.CONFIRMED, 0),
    }


def _partner_registrations(request):
    registrations = list(selectors.registrations_for_partner(request.user)[:5])
    return {"registrations": registrations}


def _registration_link(registration):
    return reverse("cohorts:registration_detail", kwargs={"pk": registration.pk})


def _registration_context(registration, recipient):
    return {"registration": registration, "cohort": registration.cohort}


def register():
    pages.register_landing_section(
        "cohorts.open",
        template="cohorts/landing_open_cohorts.html",
        provider=_landing_open_cohorts,
        order=10,
    )
    pages.register_home_panel(
        "cohorts.office_registrations",
        template="cohorts/panel_office_registrations.html",
        provider=_office_registrations,
        roles=[OFFICE],
        order=20,
    )
    pages.register_home_panel(
        "cohorts.partner_registrations",
        template="cohorts/panel_partner_registrations.html",
        provider=_partner_registrations,
        roles=[PARTNER],
        order=20,
    )
    notifications.register(
        "cohorts.registration_confirmed",
        template="notifications/cohorts_registration_confirmed",
        link=_registration_link,
        extra_context=_registration_context,
    )
    for item in [
        (OFFICE, "cohorts:programme_list", _("Programmes")),
        (OFFICE, "cohorts:registration_list", _("Registrations of interest")),
        (PARTNER, "cohorts:registration_list", _("Our registrations")),
    ]:
        if item not in context_processors.NAVIGATION:
            context_processors.NAVIGATION.append(item)
