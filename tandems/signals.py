"""The tandems app's receivers of the cohorts app's and the core's plug-in points
(cohorts.hooks, pioneer.hooks). Imported once from TandemsConfig.ready()."""

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cohorts import figures as cohort_figures
from cohorts import hooks as cohort_hooks
from cohorts.hooks import Attention, Figure, FigureRow, RecordLine, Tab
from cohorts.models import Participation
from cohorts.selectors import url_or_blank
from pioneer import hooks
from pioneer.access import SYSTEM
from pioneer.calendar_feed import uid_host
from pioneer.hooks import NavItem, PersonalDate, kept_panel
from pioneer.models import Role
from tandems import selectors, services, timeline
from tandems.models import AgreementConfirmation, HospitationPhase, MatchPreference, Tandem

PARTICIPANT = Role.Kind.PARTICIPANT

# The matching page's kept fingerprint (tandems.matching.current_fingerprint) reads who is
# in a live tandem, the people's earlier tandems and their preferences; the overview's kept
# counts (selectors.dashboard_counts) the tandems' states, their phases' agreement versions
# and the confirmations: any of these saved or deleted replaces cohorts.figures' token.
for _model in (Tandem, MatchPreference, HospitationPhase, AgreementConfirmation):
    post_save.connect(
        cohort_figures.changed,
        sender=_model,
        dispatch_uid=f"tandems.figures.{_model.__name__}.saved",
    )
    post_delete.connect(
        cohort_figures.changed,
        sender=_model,
        dispatch_uid=f"tandems.figures.{_model.__name__}.deleted",
    )


@receiver(cohort_hooks.participation_state_changed, dispatch_uid="tandems.withdrawal")
def withdrawal_ends_tandem(sender, participation, old_state, by, **kwargs):
    """A partner who withdraws ends their tandem (inside the change's transaction)."""
    if participation.state == Participation.State.WITHDRAWN:
        services.tandems_end_for_withdrawal(participation=participation, by=by or SYSTEM)


@receiver(hooks.periodic, dispatch_uid="tandems.advance")
def advance(sender, now, **kwargs):
    return services.tandems_advance(today=timezone.localdate(now) if now else None)


@receiver(cohort_hooks.cohort_tabs, dispatch_uid="tandems.tabs")
def tabs(sender, cohort, request, **kwargs):
    """The board and the matching, for programmes with tandems (no query: the cohort's
    programme is loaded with it)."""
    if not cohort.programme.has_tandems:
        return None
    return [
        Tab("tandems", gettext_lazy("Tandems"), "tandems:board", order=40),
        Tab("matching", gettext_lazy("Matching"), "tandems:matching", order=45),
    ]


def _counts(cohort):
    """The cohort's tandems by state, read once per cohort object for all receivers of a
    page (figures and attention share the one query)."""
    counts = getattr(cohort, "_tandem_counts", None)
    if counts is None:
        counts, cohort._agreements_missing = selectors.dashboard_counts(cohort)
        cohort._tandem_counts = counts
    return counts


def _board_url(cohort, **query):
    # Reversed once per process and cohort (some ten links of the overview).
    return url_or_blank("tandems:board", cohort_pk=cohort.pk, query=query)


@receiver(cohort_hooks.dashboard_figures, dispatch_uid="tandems.figures")
def figures(sender, cohort, **kwargs):
    if not cohort.programme.has_tandems:
        return None
    counts = _counts(cohort)
    rows = [
        FigureRow(str(label), counts.get(value, 0), _board_url(cohort, state=value))
        for value, label in Tandem.State.choices
    ]
    return Figure("tandems", _("Tandems by status"), rows, _board_url(cohort), order=30)


@receiver(cohort_hooks.dashboard_attention, dispatch_uid="tandems.attention")
def attention(sender, cohort, **kwargs):
    if not cohort.programme.has_tandems:
        return None
    items = []
    waiting = _counts(cohort).get(Tandem.State.PROPOSED, 0)
    if waiting:
        items.append(
            Attention(
                "tandems_waiting",
                _("Proposed tandems waiting for the partners' confirmation"),
                waiting,
                _board_url(cohort, state=Tandem.State.PROPOSED),
                "info",
            )
        )
    # Tandems whose current or next agreement lacks a confirmation (counted with the
    # states, in the same query).
    missing = getattr(cohort, "_agreements_missing", 0)
    if missing:
        items.append(
            Attention(
                "agreements_missing",
                _("Agreements awaiting confirmation"),
                missing,
                _board_url(cohort, agreement="on"),
                "warning",
            )
        )
    return items or None


@receiver(cohort_hooks.close_guards, dispatch_uid="tandems.close_guard")
def close_guard(sender, cohort, **kwargs):
    """A cohort with tandems still in a phase, or agreed and about to start, cannot simply
    close (the cohorts app asks for a reason then)."""
    unfinished = Tandem.objects.filter(
        cohort=cohort, state__in=(Tandem.State.AGREED, *Tandem.RUNNING)
    ).count()
    if not unfinished:
        return None
    return ngettext(
        "%(count)s tandem has not finished its phases yet.",
        "%(count)s tandems have not finished their phases yet.",
        unfinished,
    ) % {"count": unfinished}


@receiver(cohort_hooks.people_without_tandem, dispatch_uid="tandems.without")
def without_tandem(sender, cohort, **kwargs):
    return selectors.people_without_tandem(cohort)


# Nothing of a cohort's tandems is copied into the next cohort (cohort_copied): its people
# are new, and earlier pairings are read by the matching from the tandems themselves.


@receiver(hooks.home_panels, dispatch_uid="tandems.home_participant")
def participant_panel(sender, request, roles, **kwargs):
    """The participant's tandem: partner, status, where they are now, what to do."""
    if not roles.has(PARTICIPANT):
        return None
    today = timezone.localdate()

    def tandems():
        entries = []
        # Two small queries (tandems; phases with their guests, the two people): one
        # joining them all spent 8 ms (at N = 50) planning its joins to read a row or two.
        own = selectors.own_tandems_with_dates(request.user, milestones=False)
        for tandem in [t for t in own if t.state != Tandem.State.ENDED_EARLY][:3]:
            phases = tandem.dated_phases
            current = next((p for p in phases if p.start <= today <= p.end), None)
            entries.append(
                {
                    "tandem": tandem,
                    "partner": tandem.partner_of(request.user),
                    "current": current,
                    "days_left": (current.end - today).days if current else None,
                    "is_guest": bool(current and current.guest.user_id == request.user.pk),
                    "confirmed": tandem.confirmed_by_user(request.user),
                }
            )
        if not entries:
            return None
        return {"entries": entries, "items": timeline.panel_entries(entries)}

    # Kept rendered per person and day under cohorts.figures' change token, which every
    # save or delete of a tandem, a phase, a confirmation and of the people replaces.
    return kept_panel(
        "tandems.mine",
        "tandems/panel_my_tandem.html",
        (cohort_figures.token(), request.user.pk, today),
        tandems,
        order=5,
        seconds=cohort_figures.SECONDS,
    )


@receiver(hooks.navigation, dispatch_uid="tandems.navigation")
def navigation(sender, request, roles, **kwargs):
    if roles.has(PARTICIPANT):
        return NavItem("tandems:mine", gettext_lazy("My tandem"), order=50)
    return None


def _day(value):
    return timezone.localdate(value) if value is not None else None


def _address(organisation):
    town = " ".join(part for part in (organisation.postcode, organisation.city) if part)
    parts = [organisation.name, organisation.street, town]
    return ", ".join(part for part in parts if part)


def _cancelled(tandem, last_day):
    """What an early end took away: the days after it (what happened before stays)."""
    return tandem.state == Tandem.State.ENDED_EARLY and (
        tandem.ended_at is None or last_day >= timezone.localdate(tandem.ended_at)
    )


def _on_days(items, first_day, last_day, *, start, end):
    """The items (read already) that overlap the days given, by their start and end."""
    return sorted(
        (
            item
            for item in items
            if (not first_day or end(item) >= first_day)
            and (not last_day or start(item) <= last_day)
        ),
        key=lambda item: (start(item), item.pk),
    )


@receiver(hooks.personal_dates, dispatch_uid="tandems.personal_dates")
def personal_dates(sender, user, start=None, end=None, own_tandems=None, **kwargs):
    """The person's hospitation phases (all-day, from first to last day) and their
    tandem's milestones (two queries; none when the caller read `own_tandems` with
    `selectors.own_tandems_with_dates` already). A proposed tandem's dates are
    tentative; those an early end took away are cancelled."""
    first_day, last_day = _day(start), _day(end)
    page = settings.SITE_URL.rstrip("/") + reverse("tandems:mine")
    host = uid_host()
    dates = []
    if own_tandems is None:
        phases = selectors.dated_phases(user, first_day=first_day, last_day=last_day)
        milestones = selectors.dated_milestones(user, first_day=first_day, last_day=last_day)
    else:
        phases = _on_days(
            (phase for tandem in own_tandems for phase in tandem.dated_phases),
            first_day,
            last_day,
            start=lambda phase: phase.start,
            end=lambda phase: phase.end,
        )
        milestones = _on_days(
            (milestone for tandem in own_tandems for milestone in tandem.dated_milestones),
            first_day,
            last_day,
            start=lambda milestone: milestone.due_date,
            end=lambda milestone: milestone.due_date,
        )
    for phase in phases:
        tandem = phase.tandem
        partner = tandem.partner_of(user).user
        if phase.guest.user_id == user.pk:
            title = _("Hospitation phase %(number)s: guest at %(host)s") % {
                "number": phase.number,
                "host": phase.host_organisation.name,
            }
        else:
            title = _("Hospitation phase %(number)s: you host %(guest)s") % {
                "number": phase.number,
                "guest": phase.guest.user,
            }
        lines = [
            _("Tandem with %(partner)s (%(cohort)s)")
            % {"partner": partner, "cohort": tandem.cohort}
        ]
        if phase.host_contact_label:
            contact = (
                phase.host_contact.email if phase.host_contact_id else phase.host_contact_email
            )
            lines.append(
                _("Host contact: %(contact)s") % {"contact": phase.host_contact_label}
                + (f" <{contact}>" if contact else "")
            )
        dates.append(
            PersonalDate(
                uid=f"tandems-phase-{phase.pk}@{host}",
                title=title,
                start=phase.start,
                end=phase.end,
                kind="phase",
                description="\n".join(lines),
                location=_address(phase.host_organisation),
                url=page,
                sequence=phase.sequence,
                cancelled=_cancelled(tandem, phase.end),
                tentative=tandem.state == Tandem.State.PROPOSED,
                order=10 + phase.number,
            )
        )
    for milestone in milestones:
        tandem = milestone.tandem
        dates.append(
            PersonalDate(
                uid=f"tandems-milestone-{milestone.pk}@{host}",
                title=_("%(milestone)s (tandem with %(partner)s)")
                % {
                    "milestone": milestone.get_kind_display(),
                    "partner": tandem.partner_of(user).user,
                },
                start=milestone.due_date,
                kind="milestone",
                url=page,
                sequence=milestone.sequence,
                cancelled=milestone.done_at is None and _cancelled(tandem, milestone.due_date),
                tentative=tandem.state == Tandem.State.PROPOSED,
                done=milestone.done_at is not None,
                order=20,
            )
        )
    return dates


@receiver(hooks.navigation, dispatch_uid="tandems.navigation_partner")
def partner_navigation(sender, request, roles, **kwargs):
    """Partner contacts: their organisation's tandems and the agreements they sign."""
    if roles.has(Role.Kind.PARTNER_CONTACT):
        return NavItem("tandems:partner", gettext_lazy("Tandems"), order=55)
    return None


@receiver(cohort_hooks.programme_adopted, dispatch_uid="tandems.agreement_text")
def copy_agreement_text(sender, source, target, cohort=None, by=None, **kwargs):
    """An adopted programme starts with the agreement text of the one it came from."""
    from tandems.agreements import template_copy

    return template_copy(source=source, target=target)


@receiver(cohort_hooks.participation_record, dispatch_uid="tandems.record")
def hospitation_phases(sender, participation, **kwargs):
    """The two hospitation phases of the person's tandem for their certificate: where
    each took place (the host organisation), who was the guest, and when (one query).
    A tandem that never began adds nothing; one that ended early ends on that day."""
    today = timezone.localdate()
    phases = (
        HospitationPhase.objects.filter(
            Q(tandem__administration=participation) | Q(tandem__external=participation),
            tandem__state__in=[*Tandem.RUNNING, Tandem.State.COMPLETED, Tandem.State.ENDED_EARLY],
            start__lte=today,
        )
        .select_related("tandem", "host_organisation", "guest__user")
        .order_by("number")
    )
    lines = []
    for phase in phases:
        end = phase.end
        if phase.tandem.state == Tandem.State.ENDED_EARLY and phase.tandem.ended_at:
            end = min(end, timezone.localdate(phase.tandem.ended_at))
        if end < phase.start:
            continue
        if phase.guest_id == participation.pk:
            text = _("Hospitation at %(host)s") % {"host": phase.host_organisation.name}
        else:
            text = _("Hosted %(guest)s at %(host)s") % {
                "guest": phase.guest.user.name,
                "host": phase.host_organisation.name,
            }
        lines.append(
            RecordLine(
                "phases",
                text,
                start=phase.start,
                end=end,
                detail=str(phase.get_number_display()),
                order=100 + phase.number,
            )
        )
    return lines
