"""The key pages `make bench` measures, per role, found in the demo world at any scale.

Each entry is (label, role, path); a path may name what `ids` found (the largest cohort,
one of its registrations, one of its people). Later apps add their pages to `pages()`,
and anything they need to find to `ids()`.
"""

ROLES = {
    "anonymous": None,
    "office": "office@mluk.example",
    # The other ministry's office: it reads the library and adopts pioneer4BB.
    "other_office": "office@mik.example",
    "participant": "anna@mluk.example",
    "partner": "contact@partner.example",
    "evaluator": "evaluator@mluk.example",
    "admin": "admin@pioneer.example",
}


def ids():
    """The objects the pages name: the demo office's largest cohort, its registration with
    the most notes, one of its people, the demo partner organisation, and the office's
    jobs on that cohort (a done import, a done export, a checked file awaiting its
    confirmation: the scale world makes them)."""
    from django.db.models import Count

    from cohorts.models import Cohort, InterestRegistration, Participation
    from cohorts.services.exports import EXPORT_KIND
    from cohorts.services.imports import IMPORT_KIND
    from pioneer.models import Job, Organisation

    cohort = (
        Cohort.objects.filter(programme__slug="pioneer4bb")
        .annotate(people=Count("participations"))
        .order_by("-people", "pk")
        .first()
    )
    registration = (
        InterestRegistration.objects.filter(cohort=cohort)
        .annotate(n=Count("notes"))
        .order_by("-n", "pk")
        .first()
    ) or InterestRegistration.objects.filter(cohort__programme__slug="pioneer4bb").first()
    participation = Participation.objects.filter(cohort=cohort).order_by("pk").first()
    partner = Organisation.objects.filter(name="Partner Digital GmbH").first()
    jobs = Job.objects.filter(requested_by__email=ROLES["office"], object_id=cohort.pk)

    def job(kind, state):
        found = jobs.filter(kind=kind, state=state).order_by("-created_at").first()
        return str(found.public_id) if found else None

    from companion.models import Event

    event = (
        Event.objects.filter(cohort=cohort)
        .annotate(n=Count("registrations"))
        .order_by("-n", "pk")
        .first()
    )
    from evaluation.models import Survey

    # The survey with the most answers (at N = 50 the big cohort's long final survey).
    survey = (
        Survey.objects.filter(cohort__programme__slug="pioneer4bb")
        .annotate(n=Count("responses"))
        .order_by("-n", "pk")
        .first()
    )
    from companion.models import Certificate

    certificate = Certificate.objects.filter(superseded_at__isnull=True).order_by("pk").first()
    return {
        "survey": survey.pk if survey else None,
        "certificate_code": certificate.code if certificate else None,
        "event": event.pk if event else None,
        "cohort": cohort.pk,
        "registration": registration.pk,
        "participation": participation.pk if participation else None,
        "blueprint": "design-thinking-workshop",
        "adoption": _adoption(),
        "partner_organisation": partner.pk if partner else None,
        "import_done": job(IMPORT_KIND, Job.State.DONE),
        "export_done": job(EXPORT_KIND, Job.State.DONE),
        "import_awaiting": job(IMPORT_KIND, Job.State.AWAITING),
    }


def _adoption():
    from blueprints.models import Adoption

    found = Adoption.objects.filter(organisation__short_name="MIK").order_by("pk").first()
    return found.pk if found else None


def pages(ids):
    cohort = ids["cohort"]
    rows = [
        ("Landing", "anonymous", "/"),
        ("Interest form", "anonymous", "/interest/"),
        ("Blueprint library", "anonymous", "/blueprints/"),
        ("Blueprint", "anonymous", f"/blueprints/{ids['blueprint']}/"),
        ("Home", "office", "/home/"),
        ("Programme list", "office", "/programmes/"),
        ("Programme detail", "office", "/programmes/pioneer4bb/"),
        # The one cohort page and its tabs (overview, participants, registrations).
        ("Cohort: overview", "office", f"/cohorts/{cohort}/"),
        ("Cohort: participants", "office", f"/cohorts/{cohort}/participants/"),
        ("Cohort: registrations", "office", f"/cohorts/{cohort}/registrations/"),
        ("Cohort: next cohort", "office", f"/cohorts/{cohort}/copy/"),
        ("Review queue", "office", "/registrations/"),
        ("Review queue: cohort", "office", f"/registrations/?cohort={cohort}"),
        ("Registration", "office", f"/registrations/{ids['registration']}/"),
        ("Notifications", "office", "/notifications/"),
        ("Organisations", "office", "/organisations/"),
        ("Home", "participant", "/home/"),
        ("Notifications", "participant", "/notifications/"),
        ("Home", "partner", "/home/"),
        ("Our registrations", "partner", "/registrations/"),
        ("Our people", "partner", "/partner/people/"),
        ("Programme offices", "partner", "/partner/offices/"),
        ("Home", "evaluator", "/home/"),
        ("Assigned cohorts", "evaluator", "/evaluation/cohorts/"),
        ("Home", "admin", "/home/"),
        ("Admin index", "admin", "/admin/"),
    ]
    if ids.get("participation"):
        rows.insert(
            9,
            ("Participant", "office", f"/cohorts/{cohort}/participants/{ids['participation']}/"),
        )
    if ids.get("partner_organisation"):
        rows.append(("Organisation", "office", f"/organisations/{ids['partner_organisation']}/"))
    for key, label in (("import_done", "Job: import done"), ("export_done", "Job: export done")):
        if ids.get(key):
            rows.append((label, "office", f"/jobs/{ids[key]}/"))
    if ids.get("import_awaiting"):
        rows.append(
            (
                "Job: import preview",
                "office",
                f"/cohorts/{cohort}/participants/import/{ids['import_awaiting']}/",
            )
        )
    if ids.get("event"):
        rows += [
            ("Cohort: events", "office", f"/cohorts/{cohort}/events/"),
            ("Cohort: events by month", "office", f"/cohorts/{cohort}/events/?view=month"),
            ("Event", "office", f"/events/{ids['event']}/"),
            ("Attendance list", "office", f"/events/{ids['event']}/attendance/"),
        ]
    rows += [
        ("Events", "participant", "/events/"),
        ("Our event registrations", "partner", "/events/partner/"),
        ("Cohort: tandems", "office", f"/cohorts/{cohort}/tandems/"),
        ("Cohort: matching", "office", f"/cohorts/{cohort}/matching/"),
        ("My tandem", "participant", "/tandem/"),
        ("Blueprint categories", "anonymous", "/blueprints/categories/"),
        ("Blueprint search", "anonymous", "/blueprints/?q=Hospitation"),
        ("Blueprint catalogue", "anonymous", "/blueprints/catalogue.jsonld"),
        ("Blueprint library", "other_office", "/blueprints/"),
        ("Blueprint search", "other_office", "/blueprints/?q=Hospitation"),
        ("Blueprint", "other_office", f"/blueprints/{ids['blueprint']}/"),
        ("Adopt a programme: form", "other_office", "/blueprints/adopt/pioneer4bb/"),
        ("Cohort: certificates", "office", f"/cohorts/{cohort}/certificates/"),
        ("Certificates", "participant", "/certificates/"),
        ("Network", "participant", "/network/"),
        ("Network: topic", "participant", "/network/?topic=Digitalisierung"),
        ("Certificate check", "anonymous", "/certificates/check/"),
    ]
    if ids.get("survey"):
        survey = ids["survey"]
        rows += [
            ("Survey report", "office", f"/surveys/{survey}/report/"),
            ("Survey report", "evaluator", f"/surveys/{survey}/report/"),
            ("Survey comparison", "evaluator", f"/surveys/{survey}/compare/"),
            ("Survey: publish to the library", "evaluator", f"/surveys/{survey}/publish/"),
        ]
    if ids.get("adoption"):
        rows.append(("Adoption", "other_office", f"/blueprints/adoptions/{ids['adoption']}/"))
    if ids.get("certificate_code"):
        rows.append(
            (
                "Certificate check: a code",
                "anonymous",
                f"/certificates/check/?code={ids['certificate_code']}",
            )
        )
    return rows


def exports(ids):
    """Downloads timed over HTTP (first byte and end)."""
    cohort = ids["cohort"]
    return [
        # The XLSX export is a job (timed in bench.jobs); the CSV streams over HTTP.
        ("Participants CSV", "office", f"/cohorts/{cohort}/participants/export.csv"),
        ("Attendance CSV", "office", f"/cohorts/{cohort}/events/attendance.csv"),
    ] + (
        [("Survey answers CSV", "evaluator", f"/surveys/{ids['survey']}/export.csv")]
        if ids.get("survey")
        else []
    )
