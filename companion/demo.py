"""The companion app's part of the demo world (dates relative to the day it is loaded):

- the running pioneer4BB cohort: a kick-off and a Design Thinking workshop (linking the
  library's Design Thinking workshop blueprint as material) in the past with attendance
  recorded (one no-show), a collegial case consultation next week that Anna can
  still register for, an online reflection she is registered for, and a networking evening
  that is full with a waiting list;
- the #digitaljourney learning journey (slug lernreise): a series of three stations at
  three places months apart;
- the closed pilot: its kick-off and closing event (Paul and Pia came, Ida missed the
  closing) and a participation certificate for each who completed it;
- the network of pioneers: Anna (running cohort) and Paul (alumnus of the pilot) opted in.

Idempotent: each event is looked up by cohort and title first; registering twice is
registering once, and a check-in keeps its first time.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from companion import services
from companion.models import Event, Series
from pioneer.access import SYSTEM

K = Event.Kind
# The library's blueprint of the workshop's method (blueprints/demo.py, made after this
# module runs: the event links it by its slug, and shows it once it is readable).
DESIGN_THINKING_BLUEPRINT = "design-thinking-workshop"
F = Event.Format


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _event(world, cohort, title, **fields):
    event = Event.objects.filter(cohort=cohort, title=title).first()
    if event is None:
        event = services.event_create(cohort=cohort, title=title, by=SYSTEM, **fields)
    return event


def _register(world, event, emails, cohort_key="running"):
    """Register people as the office would have, before the event began (so a past event
    gets its registrations too)."""
    before = min(timezone.now(), event.starts_at - timedelta(days=1))
    registrations = {}
    for email in emails:
        participation = world.get(f"participation:{cohort_key}:{email}")
        if participation is None:
            continue
        registrations[email] = services.registration_create(
            event=event, participation=participation, by=SYSTEM, now=before
        )
    return registrations


def build(world):
    build_running(world)
    build_journey(world)
    build_pilot(world)
    build_network(world)
    return world


PILOT_EVENTS = [
    # title, kind, days after the pilot's start, who came, who was registered and missed it
    ("Auftakt des Pilotdurchgangs", K.KICK_OFF, 3, ["paul", "pia", "ida"], []),
    ("Abschlussveranstaltung des Pilotdurchgangs", K.CLOSING, 178, ["paul", "pia"], ["ida"]),
]
PILOT_PEOPLE = {
    "paul": "paul@mluk.example",
    "pia": "pia@partner.example",
    "ida": "ida@gemeinwohl.example",
}


def build_pilot(world):
    """The closed pilot's two events with attendance, and its certificates. Written
    directly: no service changes a closed cohort's events any more (as tandems.demo)."""
    from companion import certificates
    from companion.models import Certificate, EventRegistration

    cohort = world.get("cohort:pilot")
    if cohort is None or cohort.start_date is None:
        return
    for title, kind, days, came, missed in PILOT_EVENTS:
        start = _at(cohort.start_date + timedelta(days=days), 10)
        event, _created = Event.objects.get_or_create(
            cohort=cohort,
            title=title,
            defaults={
                "kind": kind,
                "starts_at": start,
                "ends_at": start + timedelta(hours=5),
                "venue": "Staatskanzlei Potsdam",
                "address": "Heinrich-Mann-Allee 107, 14473 Potsdam",
            },
        )
        for key in came + missed:
            participation = world.get(f"participation:pilot:{PILOT_PEOPLE[key]}")
            if participation is None:
                continue
            attended = key in came
            EventRegistration.objects.get_or_create(
                event=event,
                participation=participation,
                defaults={
                    "attendance": EventRegistration.Attendance.ATTENDED
                    if attended
                    else EventRegistration.Attendance.NO_SHOW,
                    "checked_in_at": start if attended else None,
                },
            )
    issued_at = _at(cohort.end_date, 12) if cohort.end_date else None
    for participation in certificates.holders(cohort):
        if Certificate.objects.filter(participation=participation).exists():
            continue
        certificates.certificate_issue(participation=participation, by=SYSTEM, now=issued_at)


def build_network(world):
    from companion.models import NetworkEntry

    for cohort_key, email, topics, help_text in (
        (
            "running",
            "anna@mluk.example",
            "Förderverfahren, Digitalisierung",
            "Förderrichtlinien lesbar machen; Erfahrungen aus der Hospitation bei einem Start-up.",
        ),
        (
            "pilot",
            "paul@mluk.example",
            "Klimaschutz, agile Methoden",
            "Wie man eine Hospitation im Haus vorbereitet; Kontakte aus dem Pilotdurchgang.",
        ),
    ):
        participation = world.get(f"participation:{cohort_key}:{email}")
        if participation is None:
            continue
        NetworkEntry.objects.get_or_create(
            user=participation.user,
            programme=participation.cohort.programme,
            defaults={
                "organisation": participation.organisation.name,
                "topics": topics,
                "can_help_with": help_text,
                "contact": email,
            },
        )


def build_running(world):
    cohort = world.get("cohort:running")
    if cohort is None:
        return
    today = timezone.localdate()
    potsdam = "Ministerium für Landwirtschaft, Umwelt und Klimaschutz"
    address = "Henning-von-Tresckow-Straße 2–13, 14467 Potsdam"
    kickoff = _event(
        world,
        cohort,
        "Auftaktveranstaltung",
        kind=K.KICK_OFF,
        description="Kennenlernen der Tandems, Ablauf des Durchgangs, erste Vereinbarungen.",
        starts_at=_at(today - timedelta(days=60), 10),
        ends_at=_at(today - timedelta(days=60), 16),
        venue=potsdam,
        address=address,
    )
    workshop = _event(
        world,
        cohort,
        "Design-Thinking-Workshop",
        kind=K.WORKSHOP,
        description="Ein Tag Design Thinking an einer echten Fragestellung des MLUK.",
        starts_at=_at(today - timedelta(days=21), 9),
        ends_at=_at(today - timedelta(days=21), 17),
        venue="DigitalAgentur Brandenburg",
        address="Steinstraße 104–106, 14480 Potsdam",
        host_organisation=world.get("org:digitalagentur"),
        capacity=20,
        materials=[DESIGN_THINKING_BLUEPRINT],
    )
    if not workshop.materials:  # a world made before events linked materials
        services.event_update(event=workshop, by=SYSTEM, materials=[DESIGN_THINKING_BLUEPRINT])
    people = ["anna@mluk.example", "ben@partner.example", "clara@mluk.example"]
    people += ["greta@gemeinwohl.example", "david@lfu.example"]
    for event, absent in ((kickoff, set()), (workshop, {"david@lfu.example"})):
        for email, registration in _register(world, event, people).items():
            if registration.attendance != "unknown":
                continue
            if email in absent:
                services.attendance_mark_no_show(registration=registration, by=SYSTEM)
            else:
                services.attendance_check_in(
                    registration=registration, by=SYSTEM, now=event.starts_at
                )
    consultation = _event(
        world,
        cohort,
        "Kollegiale Fallberatung",
        kind=K.CASE_CONSULTATION,
        description="Fälle aus der Hospitation in kleinen Gruppen beraten.",
        starts_at=_at(today + timedelta(days=6), 14),
        ends_at=_at(today + timedelta(days=6), 17),
        venue=potsdam,
        address=address,
        capacity=12,
        cancellation_deadline=_at(today + timedelta(days=4), 12),
    )
    _register(world, consultation, ["ben@partner.example", "clara@mluk.example"])
    reflection = _event(
        world,
        cohort,
        "Online-Reflexion zur Halbzeit",
        kind=K.ONLINE_REFLECTION,
        description="Was nehmen Sie aus der ersten Hospitationsphase mit?",
        starts_at=_at(today + timedelta(days=13), 16),
        ends_at=_at(today + timedelta(days=13), 17, 30),
        format=F.ONLINE,
        online_link="https://konferenz.brandenburg.example/pioneer-reflexion",
    )
    _register(world, reflection, ["anna@mluk.example", "ben@partner.example"])
    evening = _event(
        world,
        cohort,
        "Vernetzungsabend mit Alumni",
        kind=K.NETWORKING,
        description="Austausch mit Teilnehmenden des Piloten.",
        starts_at=_at(today + timedelta(days=20), 18),
        ends_at=_at(today + timedelta(days=20), 21),
        venue="Gemeinwohl Lab",
        address="Karl-Liebknecht-Straße 1, 03046 Cottbus",
        host_organisation=world.get("org:gemeinwohl"),
        capacity=3,
    )
    _register(
        world,
        evening,
        [
            "ben@partner.example",
            "clara@mluk.example",
            "greta@gemeinwohl.example",
            "david@lfu.example",
        ],
    )
    world["event:workshop"] = workshop
    world["event:consultation"] = consultation
    world["event:evening"] = evening


STATIONS = [
    ("Station 1: Cottbus", "Lausitz Science Park", "Siemens-Halske-Ring 2, 03046 Cottbus", 40),
    ("Station 2: Potsdam", "Staatskanzlei", "Heinrich-Mann-Allee 107, 14473 Potsdam", 100),
    (
        "Station 3: Frankfurt (Oder)",
        "Europa-Universität Viadrina",
        "Große Scharrnstraße 59, 15230 Frankfurt (Oder)",
        160,
    ),
]


def build_journey(world):
    cohort = world.get("cohort:journey")
    if cohort is None:
        return
    series = Series.objects.filter(cohort=cohort, title="Lernreise in drei Stationen").first()
    if series is None:
        series = services.series_create(
            cohort=cohort,
            title="Lernreise in drei Stationen",
            description="Drei Präsenzstationen an drei Orten, jeweils zwei Monate auseinander.",
            by=SYSTEM,
        )
    today = timezone.localdate()
    for title, venue, address, days in STATIONS:
        _event(
            world,
            cohort,
            title,
            kind=K.STATION,
            series=series,
            description="Moderierte Diskussion, Erfahrungsaustausch und ein Impulsvortrag.",
            starts_at=_at(today + timedelta(days=days), 10),
            ends_at=_at(today + timedelta(days=days + 1), 15),
            venue=venue,
            address=address,
            capacity=25,
        )
    world["series:journey"] = series
