"""The tandems app's part of the demo world: tandems in every state, dated relative to the
day the world is loaded (the cohorts' dates are, see cohorts.demo.cohort_dates).

- the pilot: Paul and Pia completed; Lars and Ida ended early (Lars withdrew);
- the running cohort: Anna and Ben in their *second* phase today (milestones done and
  due, agreements confirmed by all three parties); Clara's tandem with Greta proposed,
  Greta has confirmed, Clara has not; Olaf and Petra started late and are in phase 1;
  David's tandem with Dora ended early when Dora withdrew (David waits for a new
  partner, as does Emil);
- the open cohort: Jonas and Nora agreed early; a matching to try with seven people
  without a tandem, their preferences, and Paul and Pia, who were paired in the pilot.

Idempotent: a tandem is looked up by its two people first; a second run changes nothing.
The tandems are written directly (not through `tandem_create`), because the pilot is
closed and no service forms tandems in a closed cohort any more; the dates and
milestones come from the same functions the services use.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from cohorts.models import Participation
from pioneer.demo import person
from pioneer.models import Role
from tandems.models import (
    AgreementConfirmation,
    HospitationPhase,
    MatchPreference,
    Milestone,
    Tandem,
)
from tandems.services import default_phase_dates, milestones_make

# More people of the demo cohorts: cohort key, e-mail, name, language, side, organisation
# key, position, state, topics, expertise.
PEOPLE = [
    (
        "running",
        "olaf@lfu.example",
        "Olaf Ostermann",
        "de",
        "administration",
        "lfu",
        "Referent Messnetze",
        "active",
        "Umweltdaten, Messnetze",
        "Verwaltungsverfahren",
    ),
    (
        "running",
        "petra@gemeinwohl.example",
        "Petra Paulsen",
        "de",
        "external",
        "gemeinwohl",
        "Projektleiterin Bürgerbeteiligung",
        "active",
        "Bürgerbeteiligung, Umweltdaten",
        "Moderation, Beteiligungsformate",
    ),
    (
        "open",
        "frieda@mluk.example",
        "Frieda Förster",
        "de",
        "administration",
        "mluk",
        "Referentin Waldumbau",
        "confirmed",
        "Klimaanpassung, Waldumbau, Daten",
        "Förderrecht",
    ),
    (
        "open",
        "hannes@lfu.example",
        "Hannes Hoffmann",
        "de",
        "administration",
        "lfu",
        "Sachgebietsleiter Umweltdaten",
        "confirmed",
        "Umweltdaten, Open Data, Messnetze",
        "Genehmigungsverfahren",
    ),
    (
        "open",
        "ines@mluk.example",
        "Ines Iversen",
        "de",
        "administration",
        "mluk",
        "Referentin Förderprogramme",
        "nominated",
        "Förderprogramme, Digitalisierung, Nutzerzentrierung",
        "Verwaltungsverfahren, Haushaltsrecht",
    ),
    (
        "open",
        "jonas@lfu.example",
        "Jonas Jäger",
        "de",
        "administration",
        "lfu",
        "Referent Genehmigungen",
        "confirmed",
        "Genehmigungsverfahren, Digitalisierung",
        "Umweltrecht",
    ),
    (
        "open",
        "paul@mluk.example",
        "Paul Pilot",
        "de",
        "administration",
        "mluk",
        "Referent Klimaschutz",
        "confirmed",
        "Klimaschutz, Nutzerzentrierung",
        "Verwaltungsverfahren",
    ),
    (
        "open",
        "kai@partner.example",
        "Kai Krüger",
        "de",
        "external",
        "partner",
        "UX Researcher",
        "confirmed",
        "Förderprogramme, Förderportale",
        "Nutzerzentrierung, Digitalisierung",
    ),
    (
        "open",
        "lea@gemeinwohl.example",
        "Lea Lorenz",
        "de",
        "external",
        "gemeinwohl",
        "Referentin Bürgerbeteiligung",
        "confirmed",
        "Klimaanpassung, Bürgerbeteiligung",
        "Open Data, Moderation",
    ),
    (
        "open",
        "mia@digitalagentur.example",
        "Mia Meyer",
        "en",
        "external",
        "digitalagentur",
        "Data Scientist",
        "confirmed",
        "Messnetze, Klimaanpassung",
        "Umweltdaten, Open Data, Daten",
    ),
    (
        "open",
        "nora@partner.example",
        "Nora Neumann",
        "de",
        "external",
        "partner",
        "Agile Coach",
        "confirmed",
        "Genehmigungsverfahren",
        "Agile Methoden, Digitalisierung",
    ),
    (
        "open",
        "pia@partner.example",
        "Pia Prototyp",
        "de",
        "external",
        "partner",
        "Product Ownerin",
        "confirmed",
        "Klimaschutz, Verwaltungsverfahren",
        "Nutzerzentrierung, Prototypen",
    ),
]

# Whom the open cohort's people would like, or not like, to work with.
PREFERENCES = [
    ("ines@mluk.example", "kai@partner.example", "like"),
    ("kai@partner.example", "ines@mluk.example", "like"),
    ("lea@gemeinwohl.example", "hannes@lfu.example", "dislike"),
    ("mia@digitalagentur.example", "hannes@lfu.example", "like"),
]


def _aware(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def build_people(world):
    password = settings.DEMO_PASSWORD
    for row in PEOPLE:
        cohort_key, email, name, language, side, org_key, position, state, topics, expertise = row
        user = world.get(f"user:{email}") or person(email, name, language, password)
        world[f"user:{email}"] = user
        Role.objects.get_or_create(user=user, kind=Role.Kind.PARTICIPANT, organisation=None)
        participation, _ = Participation.objects.get_or_create(
            cohort=world[f"cohort:{cohort_key}"],
            user=user,
            defaults={
                "organisation": world[f"org:{org_key}"],
                "side": side,
                "position": position,
                "topics": topics,
                "expertise": expertise,
                "goals": "Perspektivwechsel und Vernetzung",
                "state": state,
            },
        )
        world[f"participation:{cohort_key}:{email}"] = participation


def _tandem(world, cohort_key, administration, external, state, topic, dates=None, **fields):
    """The tandem of two people of a demo cohort (created once)."""
    cohort = world[f"cohort:{cohort_key}"]
    a = world[f"participation:{cohort_key}:{administration}"]
    b = world[f"participation:{cohort_key}:{external}"]
    tandem = Tandem.objects.filter(administration=a, external=b).first()
    if tandem is not None:
        return tandem
    tandem = Tandem.objects.create(
        cohort=cohort,
        administration=a,
        external=b,
        topic=topic,
        state=state,
        created_by=world.get("user:office@mluk.example"),
        **fields,
    )
    first, second = dates or default_phase_dates(cohort)
    for number, guest, host, (start, end) in ((1, a, b, first), (2, b, a, second)):
        HospitationPhase.objects.create(
            tandem=tandem,
            number=number,
            guest=guest,
            host_organisation=host.organisation,
            start=start,
            end=end,
            goals="Arbeitsweisen kennenlernen und ein gemeinsames Vorhaben voranbringen.",
        )
    milestones_make(tandem=tandem)
    return tandem


def _done_until(tandem, today):
    """Milestones whose day has passed are done (on their day)."""
    for milestone in Milestone.objects.filter(tandem=tandem, due_date__lt=today, done_at=None):
        milestone.done_at = _aware(milestone.due_date, 16)
        milestone.save(update_fields=["done_at"])


def _confirm_agreements(tandem, world):
    office = world.get("user:office@mluk.example")
    for phase in tandem.phases.select_related("guest__user", "host_organisation"):
        day = _aware(phase.start - timedelta(days=21))
        for party, user, name, email in (
            (AgreementConfirmation.Party.PERSON, phase.guest.user, "", ""),
            (AgreementConfirmation.Party.SENDER, office, "", ""),
            (
                AgreementConfirmation.Party.HOST,
                None,
                "Henrike Host",
                f"host@{phase.host_organisation.short_name.lower().replace(' ', '-')}.example",
            ),
        ):
            _confirmation, created = AgreementConfirmation.objects.get_or_create(
                phase=phase,
                party=party,
                defaults={"confirmed_by": user, "name": name, "email": email, "at": day},
            )
        if not created:
            continue  # confirmed in an earlier run: the phase is as it was left
        for field in (
            "guest_confidentiality",
            "guest_secondary_employment",
            "guest_conflicts",
            "host_confidentiality",
            "host_secondary_employment",
            "host_conflicts",
        ):
            setattr(phase, field, True)
        host = AgreementConfirmation.objects.get(
            phase=phase, party=AgreementConfirmation.Party.HOST
        )
        phase.host_contact_name, phase.host_contact_email = host.name, host.email
        phase.save()


def build(world):
    build_people(world)
    today = timezone.localdate()
    running = world["cohort:running"]
    contact = world.get("user:contact@partner.example")

    # The pilot.
    pilot = world["cohort:pilot"]
    paul_pia = _tandem(
        world,
        "pilot",
        "paul@mluk.example",
        "pia@partner.example",
        Tandem.State.COMPLETED,
        "Klimaschutzberichte nutzerzentriert gestalten",
        administration_confirmed_at=_aware(pilot.start_date - timedelta(days=30)),
        external_confirmed_at=_aware(pilot.start_date - timedelta(days=29)),
    )
    _done_until(paul_pia, today)
    world["tandem:paul-pia"] = paul_pia
    world["tandem:lars-ida"] = _tandem(
        world,
        "pilot",
        "lars@lfu.example",
        "ida@gemeinwohl.example",
        Tandem.State.ENDED_EARLY,
        "Beteiligung bei Umweltdaten",
        ended_reason="Lars Landesamt ist aus dem Durchgang ausgeschieden: Wechsel in eine "
        "andere Behörde",
        ended_at=_aware(pilot.start_date + timedelta(days=40)),
    )

    # The running cohort: Anna and Ben in their second phase today.
    anna_ben = _tandem(
        world,
        "running",
        "anna@mluk.example",
        "ben@partner.example",
        Tandem.State.PHASE_2,
        "Förderanträge, die Antragstellende verstehen",
        administration_confirmed_at=_aware(running.start_date - timedelta(days=28)),
        external_confirmed_at=_aware(running.start_date - timedelta(days=27)),
    )
    _done_until(anna_ben, today)
    _confirm_agreements(anna_ben, world)
    if contact:
        # Ben's company hosts Anna in phase 1: its partner contact is her host contact.
        HospitationPhase.objects.filter(tandem=anna_ben, number=1).update(
            host_contact=contact, host_contact_name="", host_contact_email=""
        )
    world["tandem:anna-ben"] = anna_ben
    # Clara's tandem: proposed, Greta has confirmed, Clara has not yet.
    world["tandem:clara-greta"] = _tandem(
        world,
        "running",
        "clara@mluk.example",
        "greta@gemeinwohl.example",
        Tandem.State.PROPOSED,
        "Förderprogramme für das Ehrenamt",
        external_confirmed_at=_aware(today - timedelta(days=2)),
    )
    # Olaf and Petra started late: phase 1 runs until tomorrow, phase 2 until the end.
    late_start = running.start_date + timedelta(days=61)
    olaf_petra = _tandem(
        world,
        "running",
        "olaf@lfu.example",
        "petra@gemeinwohl.example",
        Tandem.State.PHASE_1,
        "Messdaten verständlich veröffentlichen",
        dates=(
            (late_start, today + timedelta(days=1)),
            (today + timedelta(days=2), running.end_date),
        ),
        administration_confirmed_at=_aware(late_start - timedelta(days=20)),
        external_confirmed_at=_aware(late_start - timedelta(days=19)),
    )
    _done_until(olaf_petra, today)
    world["tandem:olaf-petra"] = olaf_petra
    world["tandem:david-dora"] = _tandem(
        world,
        "running",
        "david@lfu.example",
        "dora@digitalagentur.example",
        Tandem.State.ENDED_EARLY,
        "Datenqualität in Fachverfahren",
        ended_reason="Dora Digital ist aus dem Durchgang ausgeschieden: Elternzeit ab Juni",
        ended_at=_aware(running.start_date + timedelta(days=20)),
        administration_confirmed_at=_aware(running.start_date - timedelta(days=20)),
        external_confirmed_at=_aware(running.start_date - timedelta(days=20)),
    )

    # The open cohort: one tandem agreed early; the rest is a matching to try.
    world["tandem:jonas-nora"] = _tandem(
        world,
        "open",
        "jonas@lfu.example",
        "nora@partner.example",
        Tandem.State.AGREED,
        "Digitale Genehmigungsverfahren",
        administration_confirmed_at=_aware(today - timedelta(days=5)),
        external_confirmed_at=_aware(today - timedelta(days=4)),
    )
    for source, target, kind in PREFERENCES:
        MatchPreference.objects.get_or_create(
            participation=world[f"participation:open:{source}"],
            other=world[f"participation:open:{target}"],
            defaults={"kind": kind},
        )
    return world
