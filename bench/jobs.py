"""The jobs `make bench` times, one per process (`python -m bench.jobs NAME`), so each job's
peak memory is its own. Prints one JSON line: seconds, the process's CPU seconds, first
byte where the result streams, peak resident memory and how much the job added to it, and
what it did.

The evaluation's exports (`survey_csv`, `survey_xlsx`, `survey_pdf`) take the survey
with the most answers (100,000 at N = 50).

Tasks run inline (no broker) and e-mails go to a backend that drops them, so the time is
the work of the job itself. Later apps add their jobs (matching, PDFs, answer exports) to
JOBS below; when a job's service changes shape, its function here changes with it.
"""

import io
import json
import os
import resource
import sys
import time


def _rss_mb():
    # ru_maxrss is in kilobytes on Linux: the peak of this process so far.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _big_cohort():
    from cohorts.models import Cohort
    from cohorts.scale import BIG_COHORT_SLUG

    return Cohort.objects.select_related("programme").get(
        programme__slug="pioneer4bb", slug=BIG_COHORT_SLUG
    )


def _office():
    from pioneer.models import User

    return User.objects.get(email="office@mluk.example")


def _consume(result, started):
    """Bytes, or an iterable of chunks (a streamed result): (size, first byte seconds)."""
    if isinstance(result, bytes | str):
        return len(result), time.perf_counter() - started
    if hasattr(result, "streaming_content"):
        result = result.streaming_content
    size, first = 0, None
    for chunk in result:
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
    return size, first


def job_import(rows=1000):
    """A file of 1,000 new people imported into a new open cohort of the demo office."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cohorts.models import Cohort
    from cohorts.services.imports import participations_import_check
    from pioneer import jobs
    from pioneer.models import Notification

    big = _big_cohort()
    today = timezone.localdate()
    run = int(time.time())  # new people on every run, so each run invites 1,000 strangers
    cohort = Cohort.objects.create(
        programme=big.programme,
        title="Import-Durchgang",
        slug=f"import-{run}",
        state=Cohort.State.OPEN,
        interest_opens=today,
        interest_closes=today + timedelta(days=30),
        start_date=today + timedelta(days=60),
        end_date=today + timedelta(days=240),
    )
    lines = ["Name;E-Mail;Seite;Organisation;Position;Themen;Sprache"]
    for i in range(rows):
        if i % 2:
            side, org = "Verwaltung", "Ministerium für Landwirtschaft, Umwelt und Klimaschutz"
        else:
            side, org = "Extern", "Partner Digital GmbH"
        lines.append(
            f"Person Import {i};import{run}-{i:05d}@skala.example;{side};{org};Referent/in;"
            f"Digitalisierung;{'en' if i % 5 == 0 else 'de'}"
        )
    data = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    upload = SimpleUploadedFile("people.csv", data, content_type="text/csv")
    office = _office()
    started = time.perf_counter()
    # As the pages do it: check every row (the preview), confirm, run the job.
    report, job = participations_import_check(cohort=cohort, upload=upload, by=office)
    checked = time.perf_counter() - started
    if job is not None:
        jobs.job_confirm(job=job, by=office, options={"hold_invitations": False})
        jobs.job_run(job_id=job.pk)
        job.refresh_from_db()
    seconds = time.perf_counter() - started
    invitations = Notification.objects.filter(
        kind="account.invitation", recipient__email__startswith=f"import{run}-"
    )
    return {
        "seconds": seconds,
        "rows": rows,
        "check_s": round(checked, 3),
        "ok": report.ok,
        "created": job.summary.get("created") if job is not None else 0,
        # The invitations go out inline after the commit (no broker): part of the time.
        "invitations_sent": invitations.filter(state=Notification.State.SENT).count(),
        "invitations_pending": invitations.exclude(state=Notification.State.SENT).count(),
    }


def _export(fmt):
    from cohorts.models import Participation
    from cohorts.services import exports

    cohort = _big_cohort()
    started = time.perf_counter()
    if fmt == "csv":
        size, first = _consume(exports.participants_csv_stream(cohort), started)
    else:
        # The XLSX job's own work: written in write-only mode to a file.
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            exports.write_participants_xlsx(cohort, handle.name)
            first, size = None, os.path.getsize(handle.name)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "first_byte_s": round(first, 3) if first is not None else None,
        "bytes": size,
        "rows": Participation.objects.filter(cohort=cohort).count(),
    }


def job_export_csv():
    """The participants of the largest cohort as CSV."""
    return _export("csv")


def job_export_xlsx():
    """The participants of the largest cohort as XLSX."""
    return _export("xlsx")


def job_dispatch():
    """Send every due notification (at N = 50: 10,000) as the dispatcher does, in rounds."""
    from django.utils import timezone

    from pioneer import services
    from pioneer.models import Notification

    due = Notification.objects.filter(state=Notification.State.PENDING, due_at__lte=timezone.now())
    before = due.count()
    started = time.perf_counter()
    rounds = sent = 0
    while due.exists() and rounds < 1000:
        sent += services.notification_dispatch_due(inline=True) or 0
        rounds += 1
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "due": before,
        "sent": sent,
        "rounds": rounds,
        "per_second": round(before / seconds, 1) if seconds else None,
        "left_pending": due.count(),
        "failed": Notification.objects.filter(state=Notification.State.FAILED).count(),
    }


def job_matching(size=200):
    """Matching 200 administration-side people with 200 external experts: scores for all
    40,000 pairs, the optimal assignment and three suggestions per person, with their
    reasons (the issue's bar: under one second). Profiles are made in memory, as
    `cohort_matching` makes them from a cohort, with topics, preferences, exclusions and
    earlier pairings; then the largest cohort's own matching, read from the database."""
    import random

    from pioneer.scale import TOPICS
    from tandems import matching

    rng = random.Random(9)  # noqa: S311  (repeatable test data, no secret)

    def profile(pid, organisations):
        return matching.Profile(
            id=pid,
            label=f"Person {pid}",
            organisation_id=rng.randint(1, organisations),
            organisation=f"Organisation {pid}",
            topics=matching.words(", ".join(rng.sample(TOPICS, 3))),
            expertise=matching.words(", ".join(rng.sample(TOPICS, 3))),
            timing=matching.words(rng.choice(["ab Frühjahr", "ab Herbst", ""])),
            places_host=rng.randint(0, 3),
            user_id=pid,
        )

    administration = [profile(i, 40) for i in range(size)]
    external = [profile(10_000 + i, 120) for i in range(size)]
    pairs = [(a.id, b.id) for a in administration for b in external]
    likes = set(rng.sample(pairs, size))
    dislikes = set(rng.sample(pairs, size // 2))
    earlier = {frozenset(p) for p in rng.sample(pairs, size // 4)}
    started = time.perf_counter()
    fits = matching.score_matrix(
        administration, external, likes=likes, dislikes=dislikes, earlier=earlier
    )
    scored = time.perf_counter() - started
    chosen = matching.assign(fits)
    suggested = matching.suggestions(fits)
    seconds = time.perf_counter() - started
    big = _big_cohort()
    started = time.perf_counter()
    cohort = matching.cohort_matching(big)
    cohort_seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "scoring_seconds": round(scored, 3),
        "pairs": len(pairs),
        "assigned": len(chosen),
        "suggested_for": len(suggested),
        "big_cohort_seconds": round(cohort_seconds, 3),
        "big_cohort_people": len(cohort.administration) + len(cohort.external),
    }


def _big_survey():
    """The survey with the most answers: at N = 50 the big cohort's long final survey
    (100 questions answered by 1,000 people: 100,000 answers, evaluation.scale)."""
    from django.db.models import Count

    from evaluation.models import Survey

    return (
        Survey.objects.select_related("cohort__programme")
        .annotate(answers=Count("responses__answers"))
        .order_by("-answers", "pk")
        .first()
    )


def _survey_export(fmt):
    """A survey's answers as the CSV view streams them (first byte, end) or as the XLSX
    job writes them (write-only, to a file): the issue's bar is a first CSV byte under one
    second and a memory growth under 60 MB for either, at 100,000 answers."""
    import csv
    import tempfile

    from evaluation import exports
    from evaluation import jobs as evaluation_jobs

    survey = _big_survey()
    answers = survey.answers
    started = time.perf_counter()
    if fmt == "csv":

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        rows = (writer.writerow(row).encode() for row in exports.answer_rows(survey))
        size, first = _consume(rows, started)
    elif fmt == "xlsx":
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            evaluation_jobs.write_answers_xlsx(survey, handle.name)
            first, size = None, os.path.getsize(handle.name)
    else:
        office = _office()
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            evaluation_jobs.render_pdf(survey, office, handle.name)
            first, size = None, os.path.getsize(handle.name)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "first_byte_s": round(first, 3) if first is not None else None,
        "bytes": size,
        "answers": answers,
        "responses": survey.responses.filter(submitted=True).count(),
    }


def job_survey_csv():
    """The answers of the survey with the most answers as CSV (streamed)."""
    return _survey_export("csv")


def job_survey_xlsx():
    """The answers of the survey with the most answers as XLSX (the job's work)."""
    return _survey_export("xlsx")


def job_survey_pdf():
    """The report of the survey with the most answers as a tagged PDF (the job's work)."""
    return _survey_export("pdf")


def job_handbook(count=None):
    """The handbook PDF (WeasyPrint, tagged) of the most blueprints a reader may choose at
    once, the longest public ones first, made as the job mechanism makes it."""
    from blueprints import handbook, selectors
    from pioneer import jobs
    from pioneer.models import Job, User

    count = count or handbook.MAX_BLUEPRINTS
    reader = User.objects.get(email="anna@mluk.example")
    ids = list(
        selectors.readable_blueprints(reader)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:count]
    )
    started = time.perf_counter()
    job = jobs.job_start(kind=handbook.KIND, by=reader, payload={"ids": ids})
    if job.state not in {Job.State.DONE, Job.State.FAILED}:
        jobs.job_run(job_id=job.pk)  # without a broker it may have run inline already
    job.refresh_from_db()
    seconds = time.perf_counter() - started
    size = 0
    if job.state == Job.State.DONE:
        with jobs.result_storage().open(job.result_name, "rb") as handle:
            size = len(handle.read())
    return {
        "seconds": seconds,
        "blueprints": len(ids),
        "state": job.state,
        "bytes": size,
        "error": job.error or None,
    }


def job_certificates(people=20):
    """Participation certificates for up to 20 people of the demo's running cohort, made
    by the job as the office starts it (WeasyPrint, PDF/UA, each in the person's language;
    the lines collected through `participation_record`): the time per person."""
    from cohorts.models import Cohort
    from companion import certificates
    from pioneer import jobs
    from pioneer.models import Job

    cohort = Cohort.objects.get(programme__slug="pioneer4bb", slug="durchgang-2")
    chosen = list(certificates.holders(cohort).values_list("pk", flat=True)[:people])
    started = time.perf_counter()
    job = jobs.job_start(
        kind=certificates.KIND,
        by=_office(),
        target=cohort,
        payload={"participations": chosen},
    )
    job.refresh_from_db()
    if job.state == Job.State.QUEUED:  # a broker is configured: run it here all the same
        jobs.job_run(job_id=job.pk)
        job.refresh_from_db()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "state": job.state,
        "people": len(chosen),
        "per_person_s": round(seconds / len(chosen), 3) if chosen else None,
        "error": job.error or None,
    }


JOBS = {
    "handbook": job_handbook,
    "import": job_import,
    "matching": job_matching,
    "export_csv": job_export_csv,
    "export_xlsx": job_export_xlsx,
    "dispatch": job_dispatch,
    "survey_csv": job_survey_csv,
    "survey_xlsx": job_survey_xlsx,
    "survey_pdf": job_survey_pdf,
    "certificates": job_certificates,
}


def main(name):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pioneer.settings")
    import django

    django.setup()
    before = _rss_mb()
    cpu_before = _cpu_s()
    try:
        result = JOBS[name]()
    except Exception as exc:  # reported in the table, the run goes on
        result = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    # The job's own CPU time beside its wall time: on a busy machine the difference is
    # the time it waited for a core (or for the database).
    result["cpu_s"] = round(_cpu_s() - cpu_before, 2)
    result["peak_rss_mb"] = round(_rss_mb(), 1)
    result["peak_growth_mb"] = round(_rss_mb() - before, 1)
    if "seconds" in result:
        result["seconds"] = round(result["seconds"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    main(sys.argv[1])
