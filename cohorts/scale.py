"""The cohorts app's part of the scale world (`seed_demo --scale N`, see pioneer.scale).

At N: each scale ministry runs a programme with three cohorts; the demo office (MLUK) runs
N more cohorts of pioneer4BB, N // 10 more programmes, and the big open cohort
("Großer Durchgang", 20 N people and 40 N registrations of interest). 100 N participations
and 200 N registrations in all, some of the registrations with internal notes; each
office linked (PartnerLink) to the companies and non-profits it accepted or took people from.
"""

import hashlib
from datetime import date, timedelta

from simple_history.utils import bulk_create_with_history

from cohorts.models import (
    Cohort,
    CohortTransition,
    InterestRegistration,
    Participation,
    Programme,
    RegistrationNote,
    organisation_key,
)
from pioneer.models import Organisation, PartnerLink
from pioneer.scale import BATCH, MARK, bulk

BIG_COHORT_SLUG = "grosser-durchgang"
PATHS = {
    Cohort.State.CLOSED: ["open", "matching", "running", "evaluation", "closed"],
    Cohort.State.EVALUATION: ["open", "matching", "running", "evaluation"],
    Cohort.State.RUNNING: ["open", "matching", "running"],
    Cohort.State.MATCHING: ["open", "matching"],
    Cohort.State.OPEN: ["open"],
}
PARTICIPATION_STATES = {
    Cohort.State.CLOSED: [Participation.State.COMPLETED] * 9 + [Participation.State.WITHDRAWN],
    Cohort.State.EVALUATION: [Participation.State.COMPLETED] * 9 + [Participation.State.WITHDRAWN],
    Cohort.State.RUNNING: [Participation.State.ACTIVE] * 9 + [Participation.State.WITHDRAWN],
    Cohort.State.MATCHING: [Participation.State.CONFIRMED, Participation.State.NOMINATED],
    Cohort.State.OPEN: [Participation.State.NOMINATED] * 3 + [Participation.State.CONFIRMED],
}
REGISTRATION_STATES = {
    "open": ["unconfirmed", "confirmed", "confirmed", "accepted", "declined", "expired"],
    "decided": ["accepted", "accepted", "declined", "expired"],
}


def build(world):
    n = world.n
    rng = world.rng
    today = world.now.date()
    mluk = world.demo["org:mluk"]
    office = world.demo.get("user:office@mluk.example")
    pioneer4bb = world.demo["programme:pioneer4bb"]

    programmes = [
        Programme(
            name=f"{MARK} Programm {ministry.short_name}",
            slug=f"skala-programm-{i:03d}",
            organisation=ministry,
            description="Ein Tandemprogramm eines weiteren Ressorts.",
        )
        for i, ministry in enumerate(world.ministries, start=1)
    ]
    programmes += [
        Programme(
            name=f"pioneer4BB {MARK} {j}",
            slug=f"pioneer4bb-skala-{j}",
            organisation=mluk,
            description="Ein weiteres Programm des MLUK.",
        )
        for j in range(1, n // 10 + 1)
    ]
    programmes = bulk_create_with_history(programmes, Programme, batch_size=BATCH)
    programmes = list(Programme.objects.filter(slug__startswith="skala-programm-")) + list(
        Programme.objects.filter(slug__startswith="pioneer4bb-skala-")
    )
    world.add("programmes", len(programmes))

    def cohort(programme, index, state, year):
        start = date(year, 4, 1)
        opens, closes = start - timedelta(days=120), start - timedelta(days=30)
        if state == Cohort.State.OPEN:
            # Open for interest today: the landing page and the interest form list it.
            opens, closes = today - timedelta(days=20), today + timedelta(days=40)
            start = closes + timedelta(days=60)
        return Cohort(
            programme=programme,
            title=f"{index}. Durchgang {year}",
            slug=f"durchgang-{index}-{year}",
            start_date=start,
            end_date=start + timedelta(days=182),
            interest_opens=opens,
            interest_closes=closes,
            planned_tandems=rng.randint(4, 20),
            state=state,
        )

    cohorts = []
    past = [Cohort.State.CLOSED, Cohort.State.EVALUATION, Cohort.State.RUNNING]
    for i, programme in enumerate(programmes):
        if programme.organisation_id == mluk.pk:
            cohorts.append(cohort(programme, 1, Cohort.State.CLOSED, 2021))
            continue
        for k, state in enumerate(past, start=1):
            cohorts.append(cohort(programme, k, state, 2020 + k))
        if i % 2 == 0:
            cohorts.append(cohort(programme, 4, Cohort.State.OPEN, today.year + 1))
    for k in range(1, n + 1):
        state = past[k % len(past)] if k % 5 else Cohort.State.MATCHING
        cohorts.append(cohort(pioneer4bb, 100 + k, state, 2000 + k % 25))
        cohorts[-1].slug = f"skala-{k:03d}"
    big = cohort(pioneer4bb, 99, Cohort.State.OPEN, today.year + 1)
    big.title, big.slug, big.planned_tandems = "Großer Durchgang", BIG_COHORT_SLUG, 200
    cohorts.append(big)
    bulk_create_with_history(cohorts, Cohort, batch_size=BATCH, default_user=office)
    cohorts = list(
        Cohort.objects.filter(programme__in=[*programmes, pioneer4bb])
        .exclude(pk__in=[world.demo[k].pk for k in world.demo if k.startswith("cohort:")])
        .select_related("programme__organisation")
        .order_by("pk")
    )
    big = next(c for c in cohorts if c.slug == BIG_COHORT_SLUG)
    world.extra["big_cohort"] = big
    world.add("cohorts", len(cohorts))

    transitions = []
    for c in cohorts:
        previous, at = "draft", world.now - timedelta(days=900)
        for state in PATHS[Cohort.State(c.state)]:
            at += timedelta(days=30)
            transitions.append(
                CohortTransition(
                    cohort=c, from_state=previous, to_state=state, by=office, at=at, note=""
                )
            )
            previous = state
    bulk(CohortTransition, transitions)

    participations = _participations(world, cohorts, big)
    registrations = _registrations(world, cohorts, big, office)
    _partner_links(world, participations, registrations, office)
    _jobs(world, big, office)


def _participations(world, cohorts, big):
    """100 N people, one participation each: 20 N in the big cohort, the rest spread."""
    rng = world.rng
    people = world.people
    partner_org = world.demo.get("org:partner")
    others = [c for c in cohorts if c.pk != big.pk]
    big_share = 20 * world.n
    authorities = {a.parent_id: a for a in world.authorities}
    rows = []
    seats = {}  # people so far per cohort
    for i, user in enumerate(people):
        c = big if i < big_share else others[i % len(others)]
        organiser = c.programme.organisation
        # Each cohort's own people alternate between the sides: with an even number of
        # cohorts, alternating over everyone put each cohort's people on one side only
        # (N = 50: no cohort could form a tandem).
        administration = seats.get(c.pk, 0) % 2 == 0
        seats[c.pk] = seats.get(c.pk, 0) + 1
        if administration:
            side = Participation.Side.ADMINISTRATION
            organisation = (
                authorities.get(organiser.pk, organiser)
                if i % 3 == 0
                else rng.choice(world.ministries)
            )
        else:
            side = Participation.Side.EXTERNAL
            # One external in ten comes from the demo partner: "Our people" grows with N.
            organisation = (
                partner_org if partner_org and i % 10 == 1 else rng.choice(world.partners)
            )
        state = rng.choice(PARTICIPATION_STATES[Cohort.State(c.state)])
        rows.append(
            Participation(
                cohort=c,
                user=user,
                organisation=organisation,
                side=side,
                position=rng.choice(["Referent/in", "Sachbearbeitung", "Product Owner", "UX"]),
                topics=world.topics(),
                expertise=world.topics(),
                goals="Perspektivwechsel, Vernetzung und neue Methoden",
                state=state,
                withdrawn_reason="Wechsel der Stelle" if state == "withdrawn" else "",
            )
        )
    bulk_create_with_history(rows, Participation, batch_size=BATCH)
    world.add("participations", len(rows))
    return rows


def _registrations(world, cohorts, big, office):
    """200 N registrations of interest: 40 N for the big cohort, the rest spread; one in
    two scale cohorts has an accepted one from the demo partner; every fifth has a note."""
    rng = world.rng
    partner_org = world.demo.get("org:partner")
    others = [c for c in cohorts if c.pk != big.pk]
    rows = []
    total = 200 * world.n
    big_share = 40 * world.n
    for i in range(total):
        c = big if i < big_share else others[i % len(others)]
        open_cohort = c.state in {Cohort.State.OPEN, Cohort.State.MATCHING}
        state = rng.choice(REGISTRATION_STATES["open" if open_cohort else "decided"])
        if i == 0:
            # The one with the long discussion (below) waits for the office's decision at
            # every N: the registration page the bench measures is the same page at N = 1
            # and N = 50 (with the decision form and its organisation candidates).
            state = "confirmed"
        partner = world.partners[i % len(world.partners)]
        name = f"{partner.name} Standort {i:05d}"
        created_at = world.now - timedelta(days=rng.randint(1, 60), minutes=i)
        decided = state in {"accepted", "declined"}
        rows.append(
            InterestRegistration(
                cohort=c,
                organisation=partner if state == "accepted" else None,
                organisation_name=name,
                organisation_kind=partner.kind,
                organisation_key=organisation_key(name),
                street="Musterstraße 1",
                postcode="14467",
                city=partner.city or "Potsdam",
                contact_name=world.person_name(500_000 + i),
                contact_email=f"kontakt{i:05d}@bewerber.example",
                language="de",
                places_send=rng.randint(0, 3),
                places_host=rng.randint(0, 3),
                topics_offered=world.topics(),
                topics_sought=world.topics(),
                preferred_timing="ab Frühjahr",
                message="Wir freuen uns auf den Austausch.",
                privacy_version="2026-11",
                state=state,
                confirm_token_hash=hashlib.sha256(f"scale-{i}".encode()).hexdigest(),
                confirm_expires_at=created_at + timedelta(hours=48),
                confirmed_at=created_at + timedelta(hours=2) if state != "unconfirmed" else None,
                decided_by=office if decided else None,
                decided_at=created_at + timedelta(days=7) if decided else None,
                decline_reason="Alle Plätze sind vergeben." if state == "declined" else "",
                created_at=created_at,
            )
        )
    if partner_org:
        for k, c in enumerate(others):
            if k % 2:
                continue
            rows.append(
                InterestRegistration(
                    cohort=c,
                    organisation=partner_org,
                    organisation_name=partner_org.name,
                    organisation_kind=Organisation.Kind.COMPANY,
                    organisation_key=organisation_key(partner_org.name),
                    street="Musterstraße 1",
                    postcode="10115",
                    city="Berlin",
                    contact_name="Paula Partner",
                    contact_email="contact@partner.example",
                    places_send=1,
                    places_host=1,
                    privacy_version="2026-11",
                    state="accepted",
                    confirmed_at=world.now - timedelta(days=k + 10),
                    decided_by=office,
                    decided_at=world.now - timedelta(days=k + 3),
                    created_at=world.now - timedelta(days=k + 11),
                )
            )
    created = [r.created_at for r in rows]
    registrations = bulk(InterestRegistration, rows)
    # created_at is auto_now_add: bulk_create overwrote it with now; put the spread back.
    for registration, created_at in zip(registrations, created, strict=True):
        registration.created_at = created_at
    InterestRegistration.objects.bulk_update(registrations, ["created_at"], batch_size=BATCH)
    world.extra["registrations"] = registrations
    world.add("registrations", len(registrations))
    notes = [
        RegistrationNote(
            registration=r,
            author=office,
            text=f"Rückfrage zu den Plätzen ({k}).",
        )
        for k, r in enumerate(registrations)
        if k % 5 == 0
    ]
    # The first registration of the big cohort carries a long discussion.
    notes += [
        RegistrationNote(registration=registrations[0], author=office, text=f"Notiz {k}")
        for k in range(20)
    ]
    bulk(RegistrationNote, notes)
    world.add("registration notes", len(notes))
    return registrations


def _partner_links(world, participations, registrations, office):
    """The offices' links to the partner organisations they work with, as the office
    makes them: one for each organisation whose registration it accepted, and one for
    each company or non-profit whose people it added to its cohorts (pioneer.PartnerLink:
    what lets an office act for a partner, and a partner contact see their people)."""
    organiser = dict(Cohort.objects.values_list("pk", "programme__organisation_id"))
    pairs = {
        (organiser[r.cohort_id], r.organisation_id)
        for r in registrations
        if r.state == "accepted" and r.organisation_id
    }
    pairs |= {
        (organiser[p.cohort_id], p.organisation_id)
        for p in participations
        if p.side == Participation.Side.EXTERNAL
    }
    links = [
        PartnerLink(
            office_organisation_id=office_org,
            partner_id=partner,
            linked_by=office,
            linked_at=world.now - timedelta(days=world.rng.randint(30, 900)),
        )
        for office_org, partner in sorted(pairs)
    ]
    bulk(PartnerLink, links, ignore_conflicts=True)  # the demo world's own links stand
    world.add("partner links", len(links))


def _jobs(world, big, office):
    """The demo office's jobs on the big cohort: an export and an import that are done,
    and a checked file of 1,000 new people awaiting its confirmation (the preview)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cohorts.services.exports import EXPORT_KIND
    from cohorts.services.imports import IMPORT_KIND, participations_import_check
    from pioneer.models import Job

    if office is None:
        return
    done = {
        "requested_by": office,
        "content_type": ContentType.objects.get_for_model(Cohort),
        "object_id": big.pk,
        "state": Job.State.DONE,
        "started_at": world.now - timedelta(minutes=5),
        "finished_at": world.now - timedelta(minutes=4),
        "expires_at": world.now + timedelta(days=1),
    }
    Job.objects.create(
        kind=EXPORT_KIND, progress_done=20 * world.n, progress_total=20 * world.n, **done
    )
    Job.objects.create(
        kind=IMPORT_KIND,
        progress_done=100,
        progress_total=100,
        summary={"created": 100, "accounts": 100, "invitations": 100, "held": 0},
        **done,
    )
    partner = world.demo.get("org:partner")
    lines = ["Name;E-Mail;Seite;Organisation;Position;Themen;Sprache"]
    for i in range(1000):
        external = i % 2 and partner is not None
        lines.append(
            f"{world.person_name(900_000 + i)};vorschau{i:05d}@skala.example;"
            f"{'Extern' if external else 'Verwaltung'};"
            f"{partner.name if external else big.programme.organisation.name};"
            f"Referent/in;{world.topics()};{'en' if i % 5 == 0 else 'de'}"
        )
    upload = SimpleUploadedFile(
        "vorschau.csv", ("\r\n".join(lines) + "\r\n").encode(), content_type="text/csv"
    )
    report, job = participations_import_check(cohort=big, upload=upload, by=office)
    if job is None:
        raise RuntimeError(f"the scale world's import file did not pass its check: {report}")
    world.add("jobs", 3)
