"""The cohorts app's part of the demo world: pioneer4BB with its 2022 pilot (closed), the
running 2023 cohort and an open 2027 cohort, and registrations of interest in every state.

Idempotent: everything is looked up by its natural key first; a second run changes nothing.
Participations are added by `build_participations` (below), which `build` calls last.
"""

import hashlib
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cohorts.models import Cohort, CohortTransition, InterestRegistration, Participation, Programme
from pioneer.access import SYSTEM
from pioneer.demo import person
from pioneer.models import Role
from pioneer.services import partner_link

PIONEER4BB_DESCRIPTION = (
    "Duales Hospitationsprogramm: Mitarbeitende der Verwaltung und Expertinnen und Experten "
    "aus Unternehmen und gemeinnützigen Organisationen arbeiten sechs Monate im Tandem; "
    "jede Seite hospitiert drei Monate bei der anderen."
)
JOURNEY_DESCRIPTION = (
    "Lernreise ohne Tandems: Führungskräfte vieler Behörden treffen sich über mehrere Monate "
    "an verschiedenen Lernorten."
)

# key, title, slug, start, end, interest opens, interest closes, planned tandems, path of stages
COHORTS = [
    (
        "pilot2022",
        "Pilot 2022",
        "pilot-2022",
        date(2022, 4, 1),
        date(2022, 9, 30),
        date(2022, 1, 10),
        date(2022, 2, 28),
        6,
        ["open", "matching", "running", "evaluation", "closed"],
    ),
    (
        "cohort2023",
        "2. Durchgang 2023",
        "durchgang-2023",
        date(2023, 4, 1),
        date(2023, 9, 30),
        date(2023, 1, 9),
        date(2023, 2, 28),
        10,
        ["open", "matching", "running"],
    ),
    (
        "cohort2027",
        "3. Durchgang 2027",
        "durchgang-2027",
        date(2027, 4, 1),
        date(2027, 9, 30),
        date(2026, 10, 1),
        date(2027, 2, 28),
        12,
        ["open"],
    ),
]

# cohort key, organisation name, kind, parent key, organisation key (linked when accepted),
# contact, e-mail, language, send, host, state, decline reason
REGISTRATIONS = [
    (
        "cohort2023",
        "Partner Digital GmbH",
        "company",
        None,
        "partner",
        "Paula Partner",
        "contact@partner.example",
        "de",
        2,
        2,
        "accepted",
        "",
    ),
    (
        "cohort2023",
        "Gemeinwohl Lab e. V.",
        "nonprofit",
        None,
        "gemeinwohl",
        "Gero Gemein",
        "gero@gemeinwohl.example",
        "de",
        1,
        1,
        "accepted",
        "",
    ),
    (
        "cohort2023",
        "Beispiel Beratung AG",
        "company",
        None,
        None,
        "Bernd Beispiel",
        "bernd@beratung.example",
        "de",
        0,
        1,
        "declined",
        "Für diesen Durchgang sind alle Plätze vergeben. Gern beim nächsten Mal!",
    ),
    (
        "cohort2027",
        "Partner Digital GmbH",
        "company",
        None,
        "partner",
        "Paula Partner",
        "contact@partner.example",
        "de",
        2,
        3,
        "accepted",
        "",
    ),
    (
        "cohort2027",
        "Gemeinwohl Lab e. V.",
        "nonprofit",
        None,
        None,
        "Gero Gemein",
        "gero@gemeinwohl.example",
        "de",
        1,
        2,
        "confirmed",
        "",
    ),
    (
        "cohort2027",
        "Landesamt für Umwelt",
        "authority",
        "mluk",
        None,
        "Lena Landesamt",
        "lena@lfu.example",
        "de",
        2,
        0,
        "confirmed",
        "",
    ),
    (
        "cohort2027",
        "Stadtwerke Musterstadt GmbH",
        "company",
        None,
        None,
        "Sam Stadtwerk",
        "sam@stadtwerke.example",
        "en",
        1,
        1,
        "unconfirmed",
        "",
    ),
    (
        "cohort2027",
        "Open Data Verein e. V.",
        "nonprofit",
        None,
        None,
        "Olli Offen",
        "olli@opendata.example",
        "de",
        0,
        1,
        "expired",
        "",
    ),
    (
        "cohort2027",
        "Werbeagentur Schnell GmbH",
        "company",
        None,
        None,
        "Wanda Werbung",
        "wanda@schnell.example",
        "de",
        1,
        0,
        "declined",
        "Das Programm richtet sich an Organisationen mit Bezug zu Umwelt und Klimaschutz.",
    ),
]


# The partner organisations the MLUK office linked to its programmes (explicitly, as an
# office does when it accepts a registration; never by their names).
PARTNER_LINKS = [("mluk", "partner"), ("mluk", "gemeinwohl"), ("mluk", "digitalagentur")]


def build(world):
    build_programmes(world)
    build_partner_links(world)
    build_registrations(world)
    build_participations(world)
    return world


def build_partner_links(world):
    for office_key, partner_key in PARTNER_LINKS:
        partner_link(
            office_organisation=world[f"org:{office_key}"],
            partner=world[f"org:{partner_key}"],
            by=SYSTEM,
        )


def _aware(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=9))


def build_programmes(world):
    office = world.get("user:office@mluk.example")
    programme, _ = Programme.objects.get_or_create(
        slug="pioneer4bb",
        defaults={
            "name": "pioneer4BB",
            "organisation": world["org:mluk"],
            "description": PIONEER4BB_DESCRIPTION,
            "format": Programme.Format.TANDEM,
        },
    )
    world["programme:pioneer4bb"] = programme
    for key, title, slug, start, end, opens, closes, planned, path in COHORTS:
        cohort, created = Cohort.objects.get_or_create(
            programme=programme,
            slug=slug,
            defaults={
                "title": title,
                "start_date": start,
                "end_date": end,
                "interest_opens": opens,
                "interest_closes": closes,
                "planned_tandems": planned,
                "state": path[-1],
            },
        )
        world[f"cohort:{key}"] = cohort
        if created:
            # The lifecycle as the office walked it, one recorded step per stage.
            previous = "draft"
            milestones = [opens, closes, start, end, end + timedelta(days=90)]
            for state, day in zip(path, milestones, strict=False):
                CohortTransition.objects.create(
                    cohort=cohort, from_state=previous, to_state=state, by=office, at=_aware(day)
                )
                previous = state
    previous_cohort = world["cohort:pilot2022"]
    for key in ("cohort2023", "cohort2027"):
        cohort = world[f"cohort:{key}"]
        if cohort.created_from_id is None:
            cohort.created_from = previous_cohort
            cohort.save(update_fields=["created_from"])
        previous_cohort = cohort
    journey, _ = Programme.objects.get_or_create(
        slug="digitaljourney",
        defaults={
            "name": "#digitaljourney",
            "organisation": world["org:mik"],
            "description": JOURNEY_DESCRIPTION,
            "format": Programme.Format.JOURNEY,
            "default_cohort_months": 9,
        },
    )
    world["programme:digitaljourney"] = journey
    world["cohort:journey2027"], _ = Cohort.objects.get_or_create(
        programme=journey,
        slug="lernreise-2027",
        defaults={"title": "Lernreise 2027", "state": Cohort.State.DRAFT, "planned_tandems": 0},
    )


def build_registrations(world):
    office = world.get("user:office@mluk.example")
    now = timezone.now()
    for n, row in enumerate(REGISTRATIONS):
        (
            cohort_key,
            name,
            kind,
            parent_key,
            org_key,
            contact,
            email,
            language,
            send,
            host,
            state,
            reason,
        ) = row
        cohort = world[f"cohort:{cohort_key}"]
        decided = state in {"accepted", "declined"}
        created_at = _aware(cohort.interest_opens) + timedelta(days=3 + n)
        registration, created = InterestRegistration.objects.get_or_create(
            cohort=cohort,
            organisation_name=name,
            defaults={
                "organisation_kind": kind,
                "parent_ministry": world[f"org:{parent_key}"] if parent_key else None,
                "organisation": world[f"org:{org_key}"] if org_key else None,
                "street": "Musterstraße 1",
                "postcode": "14467",
                "city": "Potsdam",
                "contact_name": contact,
                "contact_email": email,
                "language": language,
                "places_send": send,
                "places_host": host,
                "topics_offered": "Digitalisierung, agile Methoden, Nutzerzentrierung",
                "topics_sought": "Verwaltungsverfahren, Förderprogramme, Umweltrecht",
                "preferred_timing": "ab Frühjahr",
                "message": "Wir freuen uns auf den Austausch.",
                "privacy_version": "2026-11",
                "state": state,
                # A demo link nobody can know: the hash of a random-looking fixed text.
                "confirm_token_hash": hashlib.sha256(f"demo-{n}-{email}".encode()).hexdigest(),
                "confirm_expires_at": (
                    now + timedelta(hours=48) if state == "unconfirmed" else created_at
                ),
                "confirmed_at": created_at + timedelta(hours=2)
                if state in {"confirmed", "accepted", "declined"}
                else None,
                "decided_by": office if decided else None,
                "decided_at": created_at + timedelta(days=7) if decided else None,
                "decline_reason": reason,
            },
        )
        if created:
            InterestRegistration.objects.filter(pk=registration.pk).update(created_at=created_at)
        world[f"registration:{cohort_key}:{_short_key(name)}"] = registration


def _short_key(name):
    """world["registration:cohort2027:gemeinwohl"] and the like."""
    return name.split()[0].lower()


# cohort key, e-mail, name, language, side, organisation key, position, state, reason
PARTICIPATIONS = [
    (
        "pilot2022",
        "paul@mluk.example",
        "Paul Pilot",
        "de",
        "administration",
        "mluk",
        "Referent Klimaschutz",
        "completed",
        "",
    ),
    (
        "pilot2022",
        "pia@partner.example",
        "Pia Prototyp",
        "de",
        "external",
        "partner",
        "Product Ownerin",
        "completed",
        "",
    ),
    (
        "pilot2022",
        "ida@gemeinwohl.example",
        "Ida Impuls",
        "de",
        "external",
        "gemeinwohl",
        "Projektleiterin",
        "completed",
        "",
    ),
    (
        "pilot2022",
        "lars@lfu.example",
        "Lars Landesamt",
        "de",
        "administration",
        "lfu",
        "Sachgebietsleiter",
        "withdrawn",
        "Wechsel in eine andere Behörde",
    ),
    (
        "cohort2023",
        "anna@mluk.example",
        "Anna Albrecht",
        "de",
        "administration",
        "mluk",
        "Referentin Digitalisierung",
        "active",
        "",
    ),
    (
        "cohort2023",
        "ben@partner.example",
        "Ben Brandt",
        "en",
        "external",
        "partner",
        "UX Designer",
        "active",
        "",
    ),
    (
        "cohort2023",
        "clara@mluk.example",
        "Clara Conrad",
        "de",
        "administration",
        "mluk",
        "Referentin Förderprogramme",
        "active",
        "",
    ),
    (
        "cohort2023",
        "david@lfu.example",
        "David Dietrich",
        "de",
        "administration",
        "lfu",
        "Sachbearbeiter Umweltdaten",
        "confirmed",
        "",
    ),
    (
        "cohort2023",
        "greta@gemeinwohl.example",
        "Greta Gemeinwohl",
        "de",
        "external",
        "gemeinwohl",
        "Community Managerin",
        "active",
        "",
    ),
    (
        "cohort2023",
        "dora@digitalagentur.example",
        "Dora Digital",
        "de",
        "external",
        "digitalagentur",
        "Data Scientist",
        "withdrawn",
        "Elternzeit ab Juni",
    ),
    (
        "cohort2023",
        "emil@digitalagentur.example",
        "Emil Entwickler",
        "en",
        "external",
        "digitalagentur",
        "Software Engineer",
        "nominated",
        "",
    ),
]


def build_participations(world):
    """Participations of the demo cohorts: the 2022 pilot (completed) and the running 2023
    cohort (Anna, Ben and Clara among them). Idempotent."""
    for row in PARTICIPATIONS:
        cohort_key, email, name, language, side, org_key, position, state, reason = row
        user = world.get(f"user:{email}") or person(email, name, language, settings.DEMO_PASSWORD)
        world[f"user:{email}"] = user
        Role.objects.get_or_create(user=user, kind=Role.Kind.PARTICIPANT, organisation=None)
        participation, _ = Participation.objects.get_or_create(
            cohort=world[f"cohort:{cohort_key}"],
            user=user,
            defaults={
                "organisation": world[f"org:{org_key}"],
                "side": side,
                "position": position,
                "topics": "Digitalisierung, Klimaschutz",
                "expertise": "Agile Methoden" if side == "external" else "Verwaltungsverfahren",
                "goals": "Perspektivwechsel und Vernetzung",
                "state": state,
                "withdrawn_reason": reason,
            },
        )
        world[f"participation:{cohort_key}:{email}"] = participation
