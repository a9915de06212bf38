"""Import of participants from CSV and XLSX: every row checked first, a preview, then all
rows in bulk in one job, or none."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cohorts.models import Cohort, Participation
from cohorts.services import imports
from pioneer import jobs
from pioneer.models import Job, Notification, Organisation, Role, User
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.core import (
    OrganisationFactory,
    UserFactory,
    office_user,
    participant_user,
    partner_of,
)

pytestmark = pytest.mark.django_db

HEADING = ["Name", "E-Mail", "Seite", "Organisation", "Position", "Themen", "Sprache"]


@pytest.fixture
def cohort():
    ministry = OrganisationFactory(name="Ministerium für Test", short_name="MfT")
    return CohortFactory(programme__organisation=ministry, state=Cohort.State.MATCHING)


@pytest.fixture
def company(cohort):
    return partner_of(
        cohort.programme.organisation, name="Partner Digital GmbH", kind=Organisation.Kind.COMPANY
    )


@pytest.fixture
def office(cohort):
    return office_user(cohort.programme.organisation)


def _rows(company):
    return [
        HEADING,
        ["Anna Albrecht", "anna@mft.example", "Verwaltung", "MfT", "Referentin", "KI", "de"],
        ["Ben Brandt", "ben@partner.example", "external", company.name, "", "Daten", "English"],
    ]


def _csv(rows, name="people.csv", delimiter=";", encoding="utf-8-sig"):
    text = "\r\n".join(delimiter.join(cells) for cells in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows, name="people.xlsx"):
    workbook = Workbook()
    for cells in rows:
        workbook.active.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def participations_import(*, cohort, upload, by, hold=False):
    """Check, confirm and run as the pages do; returns the report, with how many were
    created (the job's summary) as .created."""
    by = by or office_user(cohort.programme.organisation)
    report, job = imports.participations_import_check(cohort=cohort, upload=upload, by=by)
    report.created = 0
    report.job = job
    if job is not None:
        jobs.job_confirm(job=job, by=by, options={"hold_invitations": hold})
        jobs.job_run(job_id=job.pk)
        job.refresh_from_db()
        report.created = job.summary.get("created", 0)
    return report


def test_a_good_csv_is_imported_and_everyone_invited(
    cohort, company, django_capture_on_commit_callbacks, office
):
    with django_capture_on_commit_callbacks(execute=True):
        report = participations_import(cohort=cohort, upload=_csv(_rows(company)), by=office)
    assert report.ok and report.created == 2
    anna = Participation.objects.get(cohort=cohort, user__email="anna@mft.example")
    ben = Participation.objects.get(cohort=cohort, user__email="ben@partner.example")
    assert anna.side == "administration" and anna.organisation == cohort.programme.organisation
    assert anna.position == "Referentin" and anna.topics == "KI"
    assert ben.side == "external" and ben.organisation == company
    assert ben.user.language == "en"
    assert Role.objects.filter(kind="participant", user__in=[anna.user, ben.user]).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@mft.example", "ben@partner.example"]


def test_a_good_xlsx_is_imported(cohort, company, office):
    report = participations_import(cohort=cohort, upload=_xlsx(_rows(company)), by=office)
    assert report.ok and report.created == 2
    assert Participation.objects.filter(cohort=cohort).count() == 2


def test_a_comma_separated_cp1252_csv_with_english_headings(cohort, company, office):
    rows = [
        ["name", "email", "side", "organisation", "goals"],
        ["Jörg Müller", "joerg@mft.example", "administration", "Ministerium für Test", "Lernen"],
    ]
    report = participations_import(
        cohort=cohort, upload=_csv(rows, delimiter=",", encoding="cp1252"), by=office
    )
    assert report.ok
    assert User.objects.get(email="joerg@mft.example").name == "Jörg Müller"


def test_a_broken_row_imports_nothing_and_names_the_row(
    cohort, company, django_capture_on_commit_callbacks, office
):
    rows = _rows(company) + [
        ["", "kaputt", "irgendwo", "Unbekannte AG", "", "", "fr"],
        ["Clara Conrad", "clara@mft.example", "external", "MfT", "", "", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = participations_import(cohort=cohort, upload=_csv(rows), by=office)
    assert not report.ok
    assert [row.line for row in report.error_rows] == [4, 5]
    assert len(report.error_rows[0].errors) >= 3  # name, e-mail, and the rest
    assert not Participation.objects.exists()
    assert not User.objects.filter(email__in=["anna@mft.example", "clara@mft.example"]).exists()
    assert mail.outbox == []


def test_the_same_address_twice_or_already_in_the_cohort(cohort, company, office):
    existing = ParticipationFactory(cohort=cohort)
    rows = _rows(company) + [
        ["Anna Again", "ANNA@mft.example", "administration", "MfT"],
        ["Known", existing.user.email, "administration", "MfT"],
    ]
    report = participations_import(cohort=cohort, upload=_xlsx(rows), by=office)
    assert [row.line for row in report.error_rows] == [4, 5]
    assert "line 2" in report.error_rows[0].errors[0] or "Zeile 2" in report.error_rows[0].errors[0]
    assert Participation.objects.filter(cohort=cohort).count() == 1


@pytest.mark.parametrize(
    ("upload", "fragment"),
    [
        (SimpleUploadedFile("people.pdf", b"%PDF-1.4"), "CSV"),
        (SimpleUploadedFile("people.xlsx", b"name;email\n"), "XLSX"),
        (SimpleUploadedFile("people.csv", b"PK\x03\x04rest"), "CSV"),
        (SimpleUploadedFile("people.csv", b"Name;E-Mail\r\nA;a@example.org\r\n"), "columns"),
        (SimpleUploadedFile("people.csv", b"  \r\n"), "empty"),
    ],
)
def test_unreadable_files_are_refused_whole(cohort, upload, fragment, office):
    from django.utils import translation

    with translation.override("en"):
        report = participations_import(cohort=cohort, upload=upload, by=office)
    assert not report.ok
    assert fragment in report.file_errors[0]
    assert not Participation.objects.exists()


def test_a_workbook_that_unpacks_too_large_is_refused(cohort, office):
    """A zip bomb: a small upload that would unpack to more than the limit."""
    import zipfile

    from django.utils import translation

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (imports.MAX_UNPACKED_BYTES + 1))
    data = buffer.getvalue()
    assert len(data) < imports.MAX_UPLOAD_BYTES
    with translation.override("en"):
        report = participations_import(
            cohort=cohort, upload=SimpleUploadedFile("people.xlsx", data), by=office
        )
    assert not report.ok
    assert "too large when unpacked" in report.file_errors[0]
    assert not Participation.objects.exists()


# the view ----------------------------------------------------------------------------------


def _url(cohort):
    return reverse("cohorts:participation_import", kwargs={"cohort_pk": cohort.pk})


def _preview_url(cohort, job):
    return reverse(
        "cohorts:participation_import_preview",
        kwargs={"cohort_pk": cohort.pk, "job_id": job.public_id},
    )


def test_view_previews_then_imports_on_confirmation(
    client, cohort, company, django_capture_on_commit_callbacks
):
    office = office_user(cohort.programme.organisation, language="en")
    UserFactory(email="ben@partner.example", name="Ben Known")  # has an account (and password)
    client.force_login(office)
    assert client.get(_url(cohort)).status_code == 200
    response = client.post(_url(cohort), {"file": _xlsx(_rows(company))})
    job = Job.objects.get(kind=imports.IMPORT_KIND)
    assert response.status_code == 302 and response.url == _preview_url(cohort, job)
    assert job.state == Job.State.AWAITING
    assert not Participation.objects.exists()  # nothing before the confirmation
    client.cookies["django_language"] = "en"
    page = client.get(response.url).content.decode()
    assert "Anna Albrecht" in page and "ben@partner.example" in page
    assert "1 new account will be created" in page
    assert "1 person has an account already" in page
    assert "1 invitation to set a password will be sent" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_preview_url(cohort, job), {})
    assert response.status_code == 302
    assert response.url == reverse("job_detail", kwargs={"public_id": job.public_id})
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.summary["created"] == 2
    assert Participation.objects.filter(cohort=cohort).count() == 2
    assert User.objects.get(email="ben@partner.example").name == "Ben Known"  # kept
    assert "2 people have been imported" in client.get(response.url).content.decode()
    # A second confirmation (a double click, a re-post) changes nothing: it shows the job.
    again = client.post(_preview_url(cohort, job), {})
    assert again.status_code == 302 and again.url == response.url
    assert Participation.objects.filter(cohort=cohort).count() == 2


def test_the_preview_never_takes_rows_from_the_browser(
    client, cohort, company, django_capture_on_commit_callbacks
):
    office = office_user(cohort.programme.organisation)
    client.force_login(office)
    client.post(_url(cohort), {"file": _csv(_rows(company))})
    job = Job.objects.get(kind=imports.IMPORT_KIND)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _preview_url(cohort, job),
            {"rows": "evil@example.org", "email": "evil@example.org", "name": "Evil"},
        )
    emails = set(Participation.objects.values_list("user__email", flat=True))
    assert emails == {"anna@mft.example", "ben@partner.example"}


def test_the_preview_is_the_uploaders_own(client, cohort, company):
    office = office_user(cohort.programme.organisation)
    client.force_login(office)
    client.post(_url(cohort), {"file": _csv(_rows(company))})
    job = Job.objects.get(kind=imports.IMPORT_KIND)
    colleague = office_user(cohort.programme.organisation)
    client.force_login(colleague)
    assert client.get(_preview_url(cohort, job)).status_code == 404
    assert client.post(_preview_url(cohort, job), {}).status_code == 404
    client.force_login(office_user())
    assert client.get(_preview_url(cohort, job)).status_code == 404
    client.logout()
    response = client.post(_preview_url(cohort, job), {})
    assert response.status_code == 302 and "login" in response.url
    client.force_login(participant_user())
    assert client.post(_preview_url(cohort, job), {}).status_code == 403
    assert not Participation.objects.exists()


def test_held_invitations_are_sent_later_from_the_list(
    client, cohort, company, django_capture_on_commit_callbacks
):
    office = office_user(cohort.programme.organisation, language="en")
    client.force_login(office)
    client.post(_url(cohort), {"file": _csv(_rows(company))})
    job = Job.objects.get(kind=imports.IMPORT_KIND)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_preview_url(cohort, job), {"hold_invitations": "on"})
    job.refresh_from_db()
    assert job.summary["held"] == 2 and job.summary["invitations"] == 0
    assert mail.outbox == [] and not Notification.objects.exists()
    assert Participation.objects.filter(invitation_held=True).count() == 2
    client.cookies["django_language"] = "en"
    listing = client.get(reverse("cohorts:participation_list", kwargs={"cohort_pk": cohort.pk}))
    assert "Send the held invitations (2)" in listing.content.decode()
    send = reverse("cohorts:participation_send_invitations", kwargs={"cohort_pk": cohort.pk})
    # The button leads to the check page first: how many e-mails, in which languages,
    # each language's e-mail as it will read (Anna's German, Ben's English); nothing sent.
    for check in (client.get(send), client.post(send)):
        body = check.content.decode()
        assert check.status_code == 200
        assert "2 e-mails will be sent." in body
        assert "Sie sind zu Pioneer eingeladen" in body
        assert "You are invited to Pioneer" in body
        assert "(link sent by e-mail only)" in body and "/password/" not in body
    assert mail.outbox == [] and Participation.objects.filter(invitation_held=True).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send, {"confirmed": "1"}, follow=True)
    assert "2 invitations are being sent." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@mft.example", "ben@partner.example"]
    assert not Participation.objects.filter(invitation_held=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        # Nothing held any more: nothing sent twice, and the message says so.
        response = client.post(send, {"confirmed": "1"}, follow=True)
    assert "none was sent" in response.content.decode()
    assert len(mail.outbox) == 2
    listing = client.get(reverse("cohorts:participation_list", kwargs={"cohort_pk": cohort.pk}))
    assert "held invitation" not in listing.content.decode()


def test_sending_held_invitations_is_the_cohorts_office_only(client, cohort):
    ParticipationFactory(cohort=cohort, invitation_held=True)
    send = reverse("cohorts:participation_send_invitations", kwargs={"cohort_pk": cohort.pk})
    response = client.post(send, {"confirmed": "1"})
    assert response.status_code == 302 and "login" in response.url
    client.force_login(office_user())
    assert client.post(send, {"confirmed": "1"}).status_code == 404
    assert client.get(send).status_code == 404
    client.force_login(participant_user())
    assert client.post(send, {"confirmed": "1"}).status_code == 403
    assert Participation.objects.filter(invitation_held=True).count() == 1


def test_someone_joining_between_preview_and_confirmation_stops_the_import(cohort, company):
    office = office_user(cohort.programme.organisation, language="en")
    report, job = imports.participations_import_check(
        cohort=cohort, upload=_csv(_rows(company)), by=office
    )
    ParticipationFactory(cohort=cohort, user=UserFactory(email="anna@mft.example"))
    jobs.job_confirm(job=job, by=office)
    jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "anna@mft.example" in job.error and "Nothing has been imported" in job.error
    assert Participation.objects.filter(cohort=cohort).count() == 1


def test_an_import_job_run_twice_imports_once(cohort, company):
    office = office_user(cohort.programme.organisation)
    report, job = imports.participations_import_check(
        cohort=cohort, upload=_csv(_rows(company)), by=office
    )
    jobs.job_confirm(job=job, by=office)
    assert jobs.job_run(job_id=job.pk) is True
    # A worker died after the commit, before the job was marked done: it runs again.
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    assert jobs.job_run(job_id=job.pk) is True
    assert Participation.objects.filter(cohort=cohort).count() == 2


def test_the_import_writes_history_and_roles(cohort, company):
    office = office_user(cohort.programme.organisation)
    participations_import(cohort=cohort, upload=_csv(_rows(company)), by=office)
    anna = Participation.objects.get(user__email="anna@mft.example")
    (record,) = anna.history.all()
    assert record.history_type == "+" and record.history_user == office
    assert not anna.user.has_usable_password()
    assert Role.objects.filter(user=anna.user, kind=Role.Kind.PARTICIPANT).count() == 1


def _many(count, company):
    rows = [HEADING]
    for number in range(count):
        if number % 2:
            rows.append([f"Person {number}", f"p{count}-{number}@mft.example", "Verwaltung", "MfT"])
        else:
            rows.append(
                [f"Person {number}", f"p{count}-{number}@co.example", "extern", company.name]
            )
    return rows


def test_the_import_needs_the_same_queries_for_10_and_50_rows(
    cohort, company, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # 50, not more: SQLite takes at most 999 parameters per statement, so Django splits
    # larger batches there (PostgreSQL does not); the count is flat per batch.
    office = office_user(cohort.programme.organisation)
    counts = []
    for size, other in ((10, None), (50, CohortFactory(programme=cohort.programme))):
        target = other or cohort
        report, job = imports.participations_import_check(
            cohort=target, upload=_csv(_many(size, company)), by=office
        )
        assert report.ok
        jobs.job_confirm(job=job, by=office)
        with CaptureQueriesContext(connection) as queries:
            jobs.job_run(job_id=job.pk)
        counts.append(len(queries))
        assert Participation.objects.filter(cohort=target).count() == size
        assert Notification.objects.filter(recipient__participations__cohort=target).count() == size
    assert counts[0] == counts[1]
    assert counts[0] < 40


def test_view_shows_the_report_and_imports_nothing(client, cohort, company):
    client.force_login(office_user(cohort.programme.organisation))
    client.cookies["django_language"] = "en"
    rows = _rows(company) + [["Zed", "zed@example.org", "external", "Nowhere Ltd"]]
    response = client.post(_url(cohort), {"file": _csv(rows)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing has been imported" in body
    assert "Nowhere Ltd" in body and "Zed" in body
    assert not Participation.objects.exists()


def test_view_without_a_file(client, cohort):
    client.force_login(office_user(cohort.programme.organisation))
    assert client.post(_url(cohort), {}).status_code == 400


def test_view_permissions(client, cohort, company):
    url = _url(cohort)
    response = client.post(url, {"file": _csv(_rows(company))})
    assert response.status_code == 302 and "login" in response.url
    client.force_login(office_user())
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": _csv(_rows(company))}).status_code == 404
    client.force_login(participant_user())
    assert client.post(url, {"file": _csv(_rows(company))}).status_code == 403
    assert not Participation.objects.exists()
    other = CohortFactory()
    client.force_login(office_user(cohort.programme.organisation))
    assert client.get(_url(other)).status_code == 404


def test_preview_job_page_and_list_keep_to_the_query_budget(
    client, cohort, company, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = office_user(cohort.programme.organisation)
    client.force_login(office)
    counts = {}
    for size in (1, 50):
        target = CohortFactory(programme=cohort.programme, state=Cohort.State.MATCHING)
        client.post(_url(target), {"file": _csv(_many(size, company))})
        job = Job.objects.get(kind=imports.IMPORT_KIND, object_id=target.pk)
        urls = {"preview": _preview_url(target, job)}
        client.get(urls["preview"])  # warm up per-process caches (content types ...)
        with CaptureQueriesContext(connection) as preview_queries:
            assert client.get(urls["preview"]).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            client.post(urls["preview"], {"hold_invitations": "on"})
        pages = {
            "job": reverse("job_detail", kwargs={"public_id": job.public_id}),
            "list": reverse("cohorts:participation_list", kwargs={"cohort_pk": target.pk}),
        }
        counts[size] = {"preview": len(preview_queries)}
        for name, url in pages.items():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[size][name] = len(queries)
    assert counts[1] == counts[50]
    assert max(counts[1].values()) <= 10


def test_the_preview_of_a_long_file_counts_every_row_and_lists_a_page_at_a_time(
    client, cohort, office
):
    from cohorts.views.participations import PAGE_SIZE

    rows = [HEADING] + [
        [f"Person {i:03d}", f"p{i:03d}@mft.example", "Verwaltung", "MfT", "", "", "de"]
        for i in range(PAGE_SIZE + 10)
    ]
    _report, job = imports.participations_import_check(cohort=cohort, upload=_csv(rows), by=office)
    client.force_login(office)
    client.cookies["django_language"] = "en"
    first = client.get(_preview_url(cohort, job)).content.decode()
    assert f"{PAGE_SIZE + 10} people will join" in first
    assert "Person 000" in first and f"Person {PAGE_SIZE:03d}" not in first
    assert "Page 1 of 2" in first
    second = client.get(_preview_url(cohort, job) + "?page=2").content.decode()
    # The table lists the second page only (the e-mail preview above it names the first
    # invited person on every page).
    table = second[second.index("<table") :]
    assert f"Person {PAGE_SIZE + 9:03d}" in table and "Person 000" not in table


def test_imported_people_get_their_address_record_with_their_account(
    cohort, company, django_capture_on_commit_callbacks, office, client
):
    """allauth's password-link key reads the person's address records; the import makes
    them in bulk (unverified), so sending each invitation does not create one."""
    from allauth.account.models import EmailAddress

    known = UserFactory(email="ben@partner.example")
    EmailAddress.objects.filter(user=known).delete()
    with django_capture_on_commit_callbacks(execute=True):
        participations_import(cohort=cohort, upload=_csv(_rows(company)), by=office)
    anna = EmailAddress.objects.get(email="anna@mft.example")
    assert (anna.primary, anna.verified) == (False, False)
    assert not EmailAddress.objects.filter(user=known).exists()  # existing accounts as they are
    # The invitation's link still works: following it sets the password and verifies.
    invitation = Notification.objects.get(kind="account.invitation", recipient__email=anna.email)
    assert invitation.state == Notification.State.SENT
    link = next(m for m in mail.outbox if m.to == [anna.email]).body.split("http://")[1].split()[0]
    response = client.get("/" + link.split("/", 1)[1], follow=True)
    assert response.status_code == 200
    form_url = (
        response.redirect_chain[-1][0] if response.redirect_chain else "/" + link.split("/", 1)[1]
    )
    done = client.post(
        form_url, {"password1": "ein-langes-Passwort-42", "password2": "ein-langes-Passwort-42"}
    )
    assert done.status_code == 302
    anna.refresh_from_db()
    assert anna.verified
