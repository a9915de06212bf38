"""The tandems app's part of the demo world: tandems in every state, dated relative to the
day the world is loaded (the cohorts' dates are, see cohorts.demo.cohort_dates).

- the pilot: Paul and Pia completed; Lars and Ida ended early (Lars withdrew);
- the running cohort: Anna and Ben in their *second* phase today (milestones done and
  due, both agreements confirmed by all three parties; Paula Partner is Anna's host
  contact); Clara's tandem with Greta proposed, Greta has confirmed, Clara has not; its
  first agreement waits for the host contact's confirmation through a personal link
  (CLARA_HOST_TOKEN, printed by seed_demo); Olaf and Petra started late and are in phase 1;
  David's tandem with Dora ended early when Dora withdrew (David waits for a new
  partner, as does Emil);
- the open cohort: Jonas and Nora agreed early; a matching to try with seven people
  without a tandem, their preferences, and Paul and Pia, who were paired in the pilot;
- learning journals: Anna and Ben each have entries of every visibility (private, shared
  with the partner, with the office, with both), written in their two phases.

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
from tandems import agreements
from tandems.models import (
    AgreementConfirmation,
    AgreementInvitation,
    HospitationPhase,
    JournalEntry,
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


def _representatives(world, organisation):
    """(user, name, e-mail) of an organisation's signatory in the demo: its partner
    contact or office with an account where there is one, else a named person."""
    for key in ("user:contact@partner.example", "user:office@mluk.example"):
        user = world.get(key)
        if user is not None and user.roles.filter(organisation=organisation).exists():
            return user, "", ""
    slug = organisation.short_name.lower().replace(" ", "-")
    return None, "Henrike Host", f"host@{slug}.example"


def _name_contacts(phase, world):
    """The phase's two representatives (once: a later run keeps what is there)."""
    if phase.host_contact_id or phase.host_contact_email:
        return
    host = _representatives(world, phase.host_organisation)
    sender = _representatives(world, phase.guest.organisation)
    phase.host_contact, phase.host_contact_name, phase.host_contact_email = host
    phase.sender_contact, phase.sender_contact_name, phase.sender_contact_email = sender
    phase.save()


def _confirm_agreements(tandem, world, parties=None, numbers=(1, 2)):
    """The agreements of the tandem's phases `numbers` confirmed (by `parties`, default
    all three), three weeks before each phase, with the checklist ticked and the
    programme's text frozen."""
    parties = parties or agreements.PARTIES
    template = agreements.template_of(tandem.cohort.programme_id)
    for phase in tandem.phases.filter(number__in=numbers).select_related(
        "guest__user", "guest__organisation", "host_organisation"
    ):
        _name_contacts(phase, world)
        changed = False
        day = _aware(phase.start - timedelta(days=21))
        for party in parties:
            user, name, email = phase.contact_of(party)
            AgreementConfirmation.objects.get_or_create(
                phase=phase,
                party=party,
                version=phase.agreement_version,
                defaults={
                    "confirmed_by": user,
                    "name": (user.name if user else name),
                    "email": (user.email if user else email),
                    "at": day,
                    "via_link": user is None,
                },
            )
            prefix = {"person": "guest", "host": "host"}.get(party)
            if prefix:
                for item in agreements.CHECKLIST:
                    if not getattr(phase, f"{prefix}_{item}"):
                        setattr(phase, f"{prefix}_{item}", True)
                        changed = True
        if not phase.agreement_text_de:
            phase.agreement_text_de = agreements.template_text(template, "de")
            phase.agreement_text_en = agreements.template_text(template, "en")
            changed = True
        if changed:  # a second run saves nothing (and writes no history)
            phase.save()


# The personal link of Clara's host contact in the demo: known, so that `make run`
# can print it and anyone can try it (like the demo password).
CLARA_HOST_TOKEN = "demo-agreement-clara-host"


def _clara_waits_for_the_host(tandem, world):
    """Phase 1 of Clara's tandem: Clara and her ministry have confirmed, the host
    contact (no account) has a personal link and has not used it yet."""
    _confirm_agreements(
        tandem, world, parties=(agreements.Party.PERSON, agreements.Party.SENDER), numbers=(1,)
    )
    phase = tandem.phases.get(number=1)
    invitation, created = AgreementInvitation.objects.get_or_create(
        phase=phase,
        party=agreements.Party.HOST,
        version=phase.agreement_version,
        defaults={
            "name": phase.host_contact_name,
            "email": phase.host_contact_email,
            "token_hash": agreements._hash(CLARA_HOST_TOKEN),
        },
    )
    # Renewed when a later run finds it (nearly) run out; the same day's run changes nothing.
    soon = timezone.now() + timedelta(days=1)
    expires = invitation.expires_at
    if invitation.used_at is None and (expires is None or expires < soon):
        invitation.expires_at = timezone.now() + agreements.LINK_VALID
        invitation.save(update_fields=["expires_at"])
    world.setdefault("notes", []).append(
        f"Clara's host contact confirms the agreement at "
        f"{settings.SITE_URL.rstrip('/')}/agreement/{CLARA_HOST_TOKEN}/"
    )


def build(world):
    build_people(world)
    today = timezone.localdate()
    running = world["cohort:running"]

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
    # Ben's company hosts Anna in phase 1: its partner contact is her host contact (and
    # signs for the company as the sender in phase 2); both agreements are confirmed.
    _confirm_agreements(anna_ben, world)
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
    _clara_waits_for_the_host(world["tandem:clara-greta"], world)
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
    _confirm_agreements(olaf_petra, world)
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
    build_journals(world, anna_ben, today)
    for source, target, kind in PREFERENCES:
        MatchPreference.objects.get_or_create(
            participation=world[f"participation:open:{source}"],
            other=world[f"participation:open:{target}"],
            defaults={"kind": kind},
        )
    return world


# Anna's and Ben's journals: (whose, phase, days after the phase's start (negative: before
# today), visibility, text). Each visibility once for each, so every role sees what the
# privacy rules promise: Anna's private entries appear to nobody but Anna.
JOURNAL = [
    (
        "anna@mluk.example",
        1,
        3,
        "private",
        "Privat: Die erste Woche bei Partner Digital war anstrengend. Ich bin unsicher, ob "
        "ich in den Besprechungen genug beitrage.",
    ),
    (
        "anna@mluk.example",
        1,
        20,
        "partner",
        "Für Ben: Eure Retrospektiven am Freitag möchte ich im Referat ausprobieren. Hast du "
        "eine Vorlage, die ich mitnehmen darf?",
    ),
    (
        "anna@mluk.example",
        1,
        45,
        "office",
        "Für das Programmbüro: Die Vereinbarung zur Verschwiegenheit hat gut funktioniert; "
        "die Freistellung für die Hospitation sollte früher geklärt werden.",
    ),
    (
        "anna@mluk.example",
        2,
        -3,
        "both",
        "Zwischenstand in Phase 2: Ben arbeitet an der Verständlichkeit unserer "
        "Förderbescheide mit. Erste Entwürfe testen wir mit Antragstellenden.",
    ),
    (
        "ben@partner.example",
        1,
        10,
        "private",
        "Private: I notice how impatient I get with long approval chains. Something to work on.",
    ),
    (
        "ben@partner.example",
        2,
        5,
        "partner",
        "For Anna: thank you for the introduction to grant law. Your checklist helps me every day.",
    ),
    (
        "ben@partner.example",
        2,
        -1,
        "office",
        "For the programme office: access to the ministry's systems took two weeks; a guest "
        "account from the first day would help.",
    ),
]


def build_journals(world, tandem, today):
    """Anna's and Ben's entries (once: a person with entries keeps what they have)."""
    phases = {p.number: p for p in tandem.phases.all()}
    people = {
        tandem.administration.user.email: tandem.administration,
        tandem.external.user.email: tandem.external,
    }
    if JournalEntry.objects.filter(participation__in=people.values()).exists():
        return
    for email, number, days, visibility, text in JOURNAL:
        phase = phases[number]
        day = phase.start + timedelta(days=days) if days >= 0 else today + timedelta(days=days)
        JournalEntry.objects.create(
            participation=people[email],
            date=min(day, today),
            phase=phase,
            text=text,
            visibility=visibility,
        )
