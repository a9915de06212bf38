"""The cohorts app's part of the demo world: pioneer4BB with its pilot (closed), a cohort
running today and one open for interest today, and registrations of interest in every state.
The dates are relative to the day the world is loaded (`cohort_dates`), so every role has
something current to see; `seed_demo --refresh` builds the world anew for a later day.

Idempotent: everything is looked up by its natural key first; a second run changes nothing.
Participations are added by `build_participations` (below), which `build` calls last.
"""

import hashlib
from datetime import datetime, timedelta

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


def _months_later(day, months):
    """The same day `months` later (the 1st stays the 1st)."""
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _first_of_month(day):
    return day.replace(day=1)


def cohort_dates(today):
    """The demo cohorts' dates, relative to the day the world is loaded (`today`): a pilot
    closed long ago, a cohort running today (four to five months in, so its tandems are in
    their second three-month phase), and a cohort whose interest window contains today.

    Returns rows: key, title, slug, start, end, interest opens, interest closes, planned
    tandems, path of stages."""
    pilot_start = _first_of_month(today - timedelta(days=730))
    running_start = _first_of_month(today - timedelta(days=120))
    open_opens, open_closes = today - timedelta(days=30), today + timedelta(days=60)
    open_start = _months_later(_first_of_month(open_closes), 2)
    rows = []
    for key, title, slug, start, opens, closes, planned, path in (
        (
            "pilot",
            "Pilot",
            "pilot",
            pilot_start,
            pilot_start - timedelta(days=80),
            pilot_start - timedelta(days=32),
            6,
            ["open", "matching", "running", "evaluation", "closed"],
        ),
        (
            "running",
            "2. Durchgang",
            "durchgang-2",
            running_start,
            running_start - timedelta(days=80),
            running_start - timedelta(days=32),
            10,
            ["open", "matching", "running"],
        ),
        ("open", "3. Durchgang", "durchgang-3", open_start, open_opens, open_closes, 12, ["open"]),
    ):
        end = _months_later(start, 6) - timedelta(days=1)
        rows.append((key, f"{title} {start.year}", slug, start, end, opens, closes, planned, path))
    return rows


# cohort key, organisation name, kind, parent key, organisation key (linked when accepted),
# contact, e-mail, language, send, host, state, decline reason
REGISTRATIONS = [
    (
        "running",
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
        "running",
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
        "running",
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
        "open",
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
        "open",
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
        "open",
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
        "open",
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
        "open",
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
        "open",
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
    for key, title, slug, start, end, opens, closes, planned, path in cohort_dates(
        timezone.localdate()
    ):
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
    previous_cohort = world["cohort:pilot"]
    for key in ("running", "open"):
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
    world["cohort:journey"], _ = Cohort.objects.get_or_create(
        programme=journey,
        slug="lernreise",
        defaults={
            "title": f"Lernreise {timezone.localdate().year + 1}",
            "state": Cohort.State.DRAFT,
            "planned_tandems": 0,
        },
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
    """world["registration:open:gemeinwohl"] and the like."""
    return name.split()[0].lower()


# cohort key, e-mail, name, language, side, organisation key, position, state, reason
PARTICIPATIONS = [
    (
        "pilot",
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
        "pilot",
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
        "pilot",
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
        "pilot",
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
        "running",
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
        "running",
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
        "running",
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
        "running",
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
        "running",
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
        "running",
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
        "running",
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
    """Participations of the demo cohorts: the pilot (completed) and the running
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
