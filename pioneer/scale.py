"""A realistic world N times the demo's size, on top of the demo world (`seed_demo --scale N`).

Only for measuring (`make bench`) and for trying pages with much data: at N = 50 about 50
ministries run programmes, with 200 cohorts, 5,000 participants, 10,000 registrations of
interest, 500 blueprints, 20,000 notifications, and each office linked to the partner
organisations it works with; the demo office (MLUK) runs many of them, so its pages, and
those of the demo participant and partner contact, show large data.

How it is built:
- deterministic: every choice comes from one `random.Random(seed)`, and names and dates
  from counters, so the same N and seed give the same world (relative to today's date);
- fast: rows go in with bulk_create in batches, people share one precomputed password hash
  (hashing is not what we measure), history rows of simple_history models go in with
  bulk_create_with_history;
- added once: a second scale run on the same database is refused (`already_scaled`).

Each app adds its part in a `scale.py` module with a function `build(world)`, found like
the demo modules (in the order of INSTALLED_APPS); the core adds people first (`build`)
and the notifications last (`finish`), because those point at the apps' rows.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from pioneer.models import Notification, Organisation, Role, User

BATCH = 2000
# Names of the scale world's organisations start with this: how a second run is detected.
MARK = "Skala"

FIRST_NAMES = [
    "Anja",
    "Bernd",
    "Carla",
    "Dirk",
    "Elke",
    "Frank",
    "Gabi",
    "Heiko",
    "Ines",
    "Jan",
    "Katrin",
    "Lutz",
    "Maren",
    "Nils",
    "Olaf",
    "Petra",
    "Ralf",
    "Sabine",
    "Tobias",
    "Ute",
    "Volker",
    "Wiebke",
    "Yvonne",
    "Zora",
    "Aylin",
    "Mehmet",
    "Svetlana",
    "Piotr",
    "Chiara",
    "Luca",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Werner",
]
TOPICS = (
    "Digitalisierung",
    "Klimaschutz",
    "Verwaltungsmodernisierung",
    "Nutzerzentrierung",
    "Förderprogramme",
    "Open Data",
    "Agile Methoden",
    "Wasserwirtschaft",
    "Mobilität",
    "Energiewende",
)


@dataclass
class ScaleWorld:
    """What the steps built, shared between the apps' scale modules."""

    n: int
    rng: random.Random
    demo: dict  # the demo world (pioneer.demo.World)
    now: object = None
    password: str = ""
    ministries: list = field(default_factory=list)  # scale ministries (each runs a programme)
    authorities: list = field(default_factory=list)
    partners: list = field(default_factory=list)  # companies and non-profits
    people: list = field(default_factory=list)  # participant users
    offices: list = field(default_factory=list)  # office users of the scale ministries
    counts: dict = field(default_factory=dict)  # what was added, by name (for the report)
    extra: dict = field(default_factory=dict)  # what apps leave for later steps

    def add(self, name, number):
        self.counts[name] = self.counts.get(name, 0) + number

    def person_name(self, index):
        rng = random.Random(index * 7919 + 17)  # noqa: S311 (made-up names, no secret)
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    def topics(self):
        return ", ".join(self.rng.sample(TOPICS, 3))


def already_scaled():
    return Organisation.objects.filter(name__startswith=MARK).exists()


def bulk(model, objects, **kwargs):
    """bulk_create in batches; returns the objects (with primary keys on PostgreSQL)."""
    return model.objects.bulk_create(objects, batch_size=BATCH, **kwargs)


def build_world(demo, *, n, seed=1):
    """Add the scale world to an existing demo world; returns the ScaleWorld."""
    if n < 1:
        raise ValueError("the scale is a whole number from 1")
    rng = random.Random(seed)  # noqa: S311 (repeatable, no secret)
    world = ScaleWorld(n=n, rng=rng, demo=demo, now=timezone.now())
    build(world)
    for config in apps.get_app_configs():
        if config.name == "pioneer":
            continue
        try:
            module = import_module(f"{config.name}.scale")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.scale":
                raise
            continue
        module.build(world)
    finish(world)
    return world


def build(world):
    """Organisations, people and roles: N ministries each with an authority and an office,
    4 N companies and non-profits, 100 N participants (half of them signed in once)."""
    from allauth.account.models import EmailAddress

    n = world.n
    world.password = make_password(settings.DEMO_PASSWORD)
    world.ministries = bulk(
        Organisation,
        [
            Organisation(
                name=f"{MARK} Ministerium {i:03d} für Aufgabe {i}",
                short_name=f"SM{i:03d}",
                kind=Organisation.Kind.MINISTRY,
                city="Potsdam",
            )
            for i in range(1, n + 1)
        ],
    )
    world.authorities = bulk(
        Organisation,
        [
            Organisation(
                name=f"{MARK} Landesamt {i:03d}",
                short_name=f"SLA{i:03d}",
                kind=Organisation.Kind.AUTHORITY,
                parent=ministry,
                city="Cottbus",
            )
            for i, ministry in enumerate(world.ministries, start=1)
        ],
    )
    world.partners = bulk(
        Organisation,
        [
            Organisation(
                name=f"{MARK} {'Firma' if i % 3 else 'Verein'} {i:04d}"
                + (" GmbH" if i % 3 else " e. V."),
                kind=Organisation.Kind.COMPANY if i % 3 else Organisation.Kind.NONPROFIT,
                city=world.rng.choice(["Berlin", "Potsdam", "Cottbus", "Frankfurt (Oder)"]),
            )
            for i in range(1, 4 * n + 1)
        ],
    )
    world.add("organisations", len(world.ministries) * 2 + len(world.partners))
    signed_in = world.now - timedelta(days=30)
    offices = [
        User(
            email=f"office{i:03d}@skala.example",
            name=world.person_name(10_000_000 + i),
            language="de",
            password=world.password,
            last_login=signed_in,
        )
        for i in range(1, n + 1)
    ]
    people = [
        User(
            email=f"person{i:05d}@skala.example",
            name=world.person_name(i),
            language="en" if i % 7 == 0 else "de",
            password=world.password,
            last_login=signed_in if i % 2 else None,
        )
        for i in range(1, 100 * n + 1)
    ]
    users = bulk(User, offices + people)
    world.offices, world.people = users[:n], users[n:]
    world.add("users", len(users))
    roles = [
        Role(user=user, kind=Role.Kind.PROGRAMME_OFFICE, organisation=ministry)
        for user, ministry in zip(world.offices, world.ministries, strict=True)
    ]
    roles += [Role(user=user, kind=Role.Kind.PARTICIPANT) for user in world.people]
    bulk(Role, roles)
    bulk(
        EmailAddress,
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
    )


def finish(world):
    """400 N notifications: half sent (in the inboxes, many of them the demo people's),
    half pending and due (what the dispatcher has to send; `make bench` times it).

    They tell about registrations of interest (the kind the cohorts app registers), so
    the apps' scale modules must have left `world.extra["registrations"]`."""
    from cohorts.models import InterestRegistration

    registrations = world.extra.get("registrations") or []
    if not registrations:
        return
    content_type = ContentType.objects.get_for_model(InterestRegistration)
    demo_people = [
        world.demo[f"user:{email}"]
        for email in (
            "office@mluk.example",
            "anna@mluk.example",
            "contact@partner.example",
            "evaluator@mluk.example",
        )
        if f"user:{email}" in world.demo
    ]
    rng = world.rng
    rows = []
    total = 400 * world.n
    for i in range(total):
        registration = registrations[i % len(registrations)]
        sent = i % 2 == 0
        # Every tenth sent one goes to a demo person: their inboxes hold hundreds at N = 50.
        if sent and i % 20 == 0 and demo_people:
            recipient = demo_people[(i // 20) % len(demo_people)]
        else:
            recipient = world.people[rng.randrange(len(world.people))]
        due_at = world.now - timedelta(days=rng.randint(1, 400) if sent else 0, minutes=i % 600)
        rows.append(
            Notification(
                kind="cohorts.registration_confirmed",
                recipient=recipient,
                content_type=content_type,
                object_id=registration.pk,
                due_date=timezone.localdate(due_at),
                due_at=due_at,
                state=Notification.State.SENT if sent else Notification.State.PENDING,
                attempts=1 if sent else 0,
                sent_at=due_at if sent else None,
                read_at=due_at + timedelta(hours=3) if sent and i % 3 else None,
                subject=f"Interessensbekundung bestätigt: {registration.organisation_name}"
                if sent
                else "",
                body="Eine Interessensbekundung wurde bestätigt und wartet auf Ihre Prüfung."
                if sent
                else "",
                link=f"/registrations/{registration.pk}/" if sent else "",
            )
        )
    bulk(Notification, rows, ignore_conflicts=True)
    world.add("notifications", total)
