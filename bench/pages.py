"""The key pages `make bench` measures, per role, found in the demo world at any scale.

Each entry is (label, role, path); a path may name what `ids` found (the largest cohort,
one of its registrations, one of its people). Later apps add their pages to `pages()`,
and anything they need to find to `ids()`.
"""

ROLES = {
    "anonymous": None,
    "office": "office@mluk.example",
    "participant": "anna@mluk.example",
    "partner": "contact@partner.example",
    "evaluator": "evaluator@mluk.example",
}


def ids():
    """The objects the pages name: the demo office's largest cohort, its registration with
    the most notes, and one of its people."""
    from django.db.models import Count

    from cohorts.models import Cohort, InterestRegistration, Participation

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
    from companion.models import Event

    event = (
        Event.objects.filter(cohort=cohort)
        .annotate(n=Count("registrations"))
        .order_by("-n", "pk")
        .first()
    )
    return {
        "event": event.pk if event else None,
        "cohort": cohort.pk,
        "registration": registration.pk,
        "participation": participation.pk if participation else None,
        "blueprint": "design-thinking-workshop",
    }


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
        ("Cohort", "office", f"/cohorts/{cohort}/"),
        ("Cohort: dashboard", "office", f"/cohorts/{cohort}/dashboard/"),
        ("Cohort: participants", "office", f"/cohorts/{cohort}/participants/"),
        ("Cohort: registrations", "office", f"/registrations/?cohort={cohort}"),
        ("Cohort: next cohort", "office", f"/cohorts/{cohort}/copy/"),
        ("Review queue", "office", "/registrations/"),
        ("Registration", "office", f"/registrations/{ids['registration']}/"),
        ("Notifications", "office", "/notifications/"),
        ("Home", "participant", "/home/"),
        ("Notifications", "participant", "/notifications/"),
        ("Home", "partner", "/home/"),
        ("Our registrations", "partner", "/registrations/"),
        ("Our people", "partner", "/partner/people/"),
        ("Home", "evaluator", "/home/"),
    ]
    if ids.get("participation"):
        rows.insert(
            10,
            ("Participant", "office", f"/cohorts/{cohort}/participants/{ids['participation']}/"),
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
    ]
    return rows


def exports(ids):
    """Downloads timed over HTTP (first byte and end)."""
    cohort = ids["cohort"]
    return [
        # The XLSX export is a job (timed in bench.jobs); the CSV streams over HTTP.
        ("Participants CSV", "office", f"/cohorts/{cohort}/participants/export.csv"),
        ("Attendance CSV", "office", f"/cohorts/{cohort}/events/attendance.csv"),
    ]
