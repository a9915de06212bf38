"""The cohorts app's receivers of the core's plug-in points (pioneer.hooks): the landing
page's open cohorts, home panels for every role of the app (office, partner contact,
participant, evaluator), their navigation, and the retention schedule run by the core's
periodic signal. Imported once from CohortsConfig.ready()."""

from django.conf import settings
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts import figures, selectors
from cohorts.models import (
    Cohort,
    InterestRegistration,
    Participation,
    Programme,
    RegistrationNote,
)
from cohorts.services.registrations import registration_purge_expired
from cohorts.views.rows import (
    participant_cohort_items,
    partner_office_items,
    partner_people_items,
    partner_registration_items,
)
from pioneer import hooks, landing
from pioneer.hooks import NavItem, Panel, kept_panel
from pioneer.models import Organisation, PartnerLink, Role, User

OFFICE = Role.Kind.PROGRAMME_OFFICE
PARTNER = Role.Kind.PARTNER_CONTACT
PARTICIPANT = Role.Kind.PARTICIPANT
EVALUATOR = Role.Kind.EVALUATOR


@receiver(hooks.landing_sections, dispatch_uid="cohorts.open_cohorts")
def open_cohorts(sender, request, **kwargs):
    return Panel(
        "cohorts.open",
        "cohorts/landing_open_cohorts.html",
        {"cohorts": list(selectors.open_cohorts()[:20])},
        order=10,
    )


# The open cohorts' cards show cohorts and their programmes (pioneer.landing keeps them).
for _model in (Cohort, Programme):
    post_save.connect(
        landing.changed, sender=_model, dispatch_uid=f"cohorts.landing.{_model.__name__}.saved"
    )
    post_delete.connect(
        landing.changed, sender=_model, dispatch_uid=f"cohorts.landing.{_model.__name__}.deleted"
    )


# The counts the office's home and a cohort's overview keep (cohorts.figures) read these;
# the review queue's rows kept under the token show their notes counted, too, and the
# partner's home panels kept under it name the offices that linked them and their members
# (PartnerLink, Role).
for _model in (
    Cohort,
    Programme,
    InterestRegistration,
    RegistrationNote,
    Participation,
    Organisation,
    User,
    PartnerLink,
    Role,
):
    post_save.connect(
        figures.changed, sender=_model, dispatch_uid=f"cohorts.figures.{_model.__name__}.saved"
    )
    post_delete.connect(
        figures.changed, sender=_model, dispatch_uid=f"cohorts.figures.{_model.__name__}.deleted"
    )


# A person's name is copied to their participations (`Participation.sort_name`, the
# participant list's order), and so is whether they ever signed in (`signed_in`, its first
# view): the name and the sign-in as read are noted, and a save that changed one copies it.
@receiver(post_init, sender=User, dispatch_uid="cohorts.participation_names.loaded")
def participation_names_loaded(sender, instance, **kwargs):
    read = instance.__dict__
    instance._cohorts_name_read = read.get("name")
    instance._cohorts_signed_in_read = (
        read["last_login"] is not None if "last_login" in read else None
    )


@receiver(post_save, sender=User, dispatch_uid="cohorts.participation_names.follow")
def participation_names_follow(sender, instance, created, raw, update_fields, **kwargs):
    if created or raw or (update_fields is not None and "name" not in update_fields):
        return
    name = instance.__dict__.get("name")
    if name is None or name == getattr(instance, "_cohorts_name_read", None):
        return
    Participation.objects.filter(user_id=instance.pk).exclude(sort_name=name).update(sort_name=name)
    instance._cohorts_name_read = name


@receiver(post_save, sender=User, dispatch_uid="cohorts.participation_sign_in.follows")
def participation_sign_in_follows(sender, instance, created, raw, update_fields, **kwargs):
    """A person's first sign-in (Django's update_last_login saves last_login) marks their
    participations signed in: one UPDATE then, none on later sign-ins."""
    if created or raw or (update_fields is not None and "last_login" not in update_fields):
        return
    if "last_login" not in instance.__dict__:
        return
    signed_in = instance.last_login is not None
    if signed_in == getattr(instance, "_cohorts_signed_in_read", None):
        return
    Participation.objects.filter(user_id=instance.pk).exclude(signed_in=signed_in).update(
        signed_in=signed_in
    )
    instance._cohorts_signed_in_read = signed_in


@receiver(hooks.home_panels, dispatch_uid="cohorts.home_panels")
def home_panels(sender, request, roles, **kwargs):
    panels = []
    if roles.has(OFFICE):
        organisations = selectors.office_organisation_ids(request.user)

        def office_counts():
            # The two counts the office's home keeps (this panel's and the cohorts
            # panel's, `office_cohorts_panel`) read from the cache at once.
            figures.prefetch(
                ("waiting_registrations", *organisations),
                (f"office_home.{selectors.HOME_COHORTS}", *organisations),
            )
            # Only the two states the panel shows: the decided ones are most of the rows,
            # and their number grows with every cohort (the (cohort, state) index finds
            # these).
            counts = selectors.office_waiting_registrations(request.user)
            return {
                "unconfirmed": counts.get(InterestRegistration.State.UNCONFIRMED, 0),
                "unreviewed": counts.get(InterestRegistration.State.CONFIRMED, 0),
            }

        panels.append(
            kept_panel(
                "cohorts.office_registrations",
                "cohorts/panel_office_registrations.html",
                (figures.token(), tuple(sorted(organisations))),
                office_counts,
                order=20,
                seconds=figures.SECONDS,
            )
        )
    if roles.has(PARTNER):

        def partner_registrations():
            registrations = selectors.partner_registration_list(request.user)[:5]
            return {
                # Only what the panel shows (not the contact details and texts), by SQL
                # compiled once per process, the items written in Python.
                "registrations": registrations,
                "items": partner_registration_items(registrations),
            }

        panels.append(
            kept_panel(
                "cohorts.partner_registrations",
                "cohorts/panel_partner_registrations.html",
                selectors.partner_kept_facts(request.user),
                partner_registrations,
                order=20,
                seconds=figures.SECONDS,
            )
        )
    return panels


# How many of a partner's people the home lists; the people page has them all.
HOME_PEOPLE = 10
# How many of the offices that linked a partner the home names; the offices page has all.
HOME_OFFICES = 5


@receiver(hooks.home_panels, dispatch_uid="cohorts.home_office_cohorts")
def office_cohorts_panel(sender, request, roles, **kwargs):
    """The office's active cohorts: status, next step, what needs attention (3 queries)."""
    if not roles.has(OFFICE):
        return None
    # Its rows are kept under the change token; what needs attention also depends on the day.
    today = timezone.localdate()
    return kept_panel(
        "cohorts.office_cohorts",
        "cohorts/panel_office_cohorts.html",
        (figures.token(), tuple(sorted(selectors.office_organisation_ids(request.user))), today),
        lambda: selectors.office_home(request.user, today=today),
        order=10,
        seconds=figures.SECONDS,
    )


@receiver(hooks.home_panels, dispatch_uid="cohorts.home_partner")
def partner_panels(sender, request, roles, **kwargs):
    """A partner contact's people and whom to ask at the office that linked them."""
    if not roles.has(PARTNER):
        return None

    def people():
        people = selectors.partner_people_brief_rows(request.user, HOME_PEOPLE + 1)
        return {
            "people": people[:HOME_PEOPLE],
            "items": partner_people_items(people[:HOME_PEOPLE]),
            "more": len(people) > HOME_PEOPLE,
        }

    def offices():
        offices = selectors.partner_offices(request.user, limit=HOME_OFFICES + 1)
        return {
            "offices": offices[:HOME_OFFICES],
            "office_items": partner_office_items(offices[:HOME_OFFICES]),
            "more_offices": len(offices) > HOME_OFFICES,
            "office_email": settings.PROGRAMME_OFFICE_EMAIL,
        }

    facts = selectors.partner_kept_facts(request.user)
    return [
        kept_panel(
            "cohorts.partner_people",
            "cohorts/panel_partner_people.html",
            facts,
            people,
            order=21,
            seconds=figures.SECONDS,
        ),
        kept_panel(
            "cohorts.partner_office",
            "cohorts/panel_partner_office.html",
            facts,
            offices,
            order=22,
            seconds=figures.SECONDS,
        ),
    ]


@receiver(hooks.home_panels, dispatch_uid="cohorts.home_participant")
def participant_panel(sender, request, roles, **kwargs):
    """A participant's cohorts and their state in each, until tandems take over."""
    if not roles.has(PARTICIPANT):
        return None

    def cohorts():
        participations = selectors.participations_of_user_brief(request.user, 20)
        return {
            "participations": participations,
            "items": participant_cohort_items(participations),
            "office_email": settings.PROGRAMME_OFFICE_EMAIL,
        }

    # Their participations, cohorts and programmes: kept under the change token, per person.
    return kept_panel(
        "cohorts.participant_cohorts",
        "cohorts/panel_participant_cohorts.html",
        (figures.token(), request.user.pk),
        cohorts,
        order=10,
        seconds=figures.SECONDS,
    )


@receiver(hooks.home_panels, dispatch_uid="cohorts.home_evaluator")
def evaluator_panel(sender, request, roles, **kwargs):
    """The cohorts in evaluation of the evaluator's organisation, when there are any: the
    evaluation app's panel lists the surveys of the cohorts assigned to them (and says so
    plainly while nothing is assigned)."""
    if not roles.has(EVALUATOR):
        return None

    def cohorts():
        cohorts = list(selectors.cohorts_in_evaluation_for(request.user)[:20])
        return {"cohorts": cohorts} if cohorts else None

    # The cohorts of their organisations' programmes: kept under the change token.
    return kept_panel(
        "cohorts.evaluator_cohorts",
        "cohorts/panel_evaluator_cohorts.html",
        (figures.token(), tuple(sorted(roles.organisation_ids(EVALUATOR)))),
        cohorts,
        order=10,
        seconds=figures.SECONDS,
    )


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
