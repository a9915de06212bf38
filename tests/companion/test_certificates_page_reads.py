"""The office's certificates tab reads its holders by ids kept in the cache and rows by
SQL compiled once per process: the old reads and rows are kept here as the reference
(the page of holders by name with their current certificate, the rows written from
model instances, the count of current certificates, the last job) and compared on the
same cohort, over pages, names to escape, people without a name, superseded and current
certificates, in both languages."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cohorts.models import Cohort, Participation
from companion import certificate_views, certificates, rows
from companion.models import Certificate
from pioneer import jobs
from pioneer.models import Job, User
from pioneer.paging import narrow
from pioneer.row_html import date_formatter, esc, join, url_maker
from tests.factories.cohorts import CohortFactory, ParticipationFactory
from tests.factories.core import OrganisationFactory, UserFactory, office_user

pytestmark = pytest.mark.django_db
NASTY = '<b>O\'Neil & "Sohn"</b>'


def _old_page(cohort, number):
    """The page as `_holders_page` read it before (pioneer.paging.narrow, annotated)."""
    by_name = Subquery(User.objects.filter(pk=OuterRef("user_id")).order_by().values("name"))
    holders = certificates.holders(cohort).select_related(None).order_by(by_name, "pk")
    page = Paginator(holders, certificate_views.PAGE_SIZE).get_page(number)
    current = Certificate.objects.filter(participation=OuterRef("pk"), superseded_at__isnull=True)
    page.object_list = list(
        narrow(page.object_list)
        .select_related("user", "organisation")
        .only("user__name", "user__email", "organisation__name")
        .annotate(
            certificate_pk=Subquery(current.values("pk")[:1]),
            certificate_issued_at=Subquery(current.values("issued_at")[:1]),
            certificate_events=Subquery(current.values("events_count")[:1]),
        )
    )
    return page


def _old_rows(people, issuable):
    """`companion.rows.certificate_rows` as it wrote model instances."""
    download = url_maker("companion:certificate_download")
    day = date_formatter("SHORT_DATE_FORMAT")
    none_yet = esc(_("None yet"))
    issued_on = _("Issued on %(date)s")
    again, make = _("Make again for %(name)s"), _("Make for %(name)s")
    written = []
    for person in people:
        user = person.user
        if person.certificate_pk:
            events = person.certificate_events
            certificate = format_html(
                '<a class="kern-link" href="{}">{}</a><br><span class="kern-body--small">{}</span>',
                download(person.certificate_pk),
                issued_on % {"date": day(person.certificate_issued_at)},
                ngettext("%(n)s event attended", "%(n)s events attended", events) % {"n": events},
            )
        else:
            certificate = none_yet
        action = ""
        if issuable:
            label = (again if person.certificate_pk else make) % {"name": user.name}
            action = format_html(
                '<button type="submit" name="participation" value="{}" class="kern-btn '
                'kern-btn--tertiary"><span class="kern-label">{}</span></button>',
                person.pk,
                label,
            )
        written.append(
            format_html(
                '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">{}<br>'
                '<span class="kern-body--small">{}</span></th>'
                '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td></tr>',
                user.name or user.email,
                person.organisation.name,
                certificate,
                action,
            )
        )
    return join(written)


def _certificate(participation, *, days=0, superseded=False, events=1):
    return Certificate.objects.create(
        participation=participation,
        code=f"C{participation.pk}-{days}-{superseded}",
        holder_name="x",
        language="de",
        issued_at=timezone.now() - timedelta(days=days),
        events_count=events,
        superseded_at=timezone.now() if superseded else None,
    )


@pytest.fixture
def cohort():
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    organisation = OrganisationFactory(name=NASTY)
    names = [NASTY, "anna", "Anna", "", "Zoe", "Ärger", "Ben", "ben", *(f"P{n}" for n in range(25))]
    for index, name in enumerate(names):
        person = ParticipationFactory(
            cohort=cohort,
            user=UserFactory(name=name, email=f"p{index}@example.org"),
            organisation=organisation if index % 3 == 0 else cohort.programme.organisation,
            state=Participation.State.ACTIVE if index % 5 else Participation.State.COMPLETED,
        )
        if index % 4 == 0:
            _certificate(person, days=3, superseded=True)
        if index % 2 == 0:
            _certificate(person, events=index % 3)
    # Not holders: they do not count and are not listed.
    ParticipationFactory(cohort=cohort, state=Participation.State.WITHDRAWN, withdrawn_reason="x")
    ParticipationFactory(cohort=CohortFactory())
    return cohort


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_pages_of_holders_are_the_ones_read_before(cohort, language):
    with translation.override(language):
        for number in (None, "1", "2", "3", "x", "999"):
            old = _old_page(cohort, number)
            new = certificate_views._holders_page(cohort, number)
            assert [p.pk for p in new.object_list] == [p.pk for p in old.object_list]
            assert new.number == old.number
            assert (
                new.paginator.count == old.paginator.count == certificates.holders(cohort).count()
            )
            for issuable in (True, False):
                assert str(rows.certificate_rows(new.object_list, issuable)) == str(
                    _old_rows(old.object_list, issuable)
                )
    first = certificate_views._holders_page(cohort, 1)
    html = str(rows.certificate_rows(first.object_list, True))
    assert "&lt;b&gt;O&#x27;Neil &amp; &quot;Sohn&quot;&lt;/b&gt;" in html
    assert "p3@example.org" in html  # no name: the e-mail
    assert html.count("<tr") == certificate_views.PAGE_SIZE


def test_the_kept_order_follows_a_change_of_name(cohort):
    first = certificate_views._holders_page(cohort, 1).object_list[0]
    assert first.name == ""
    User.objects.filter(email="p3@example.org").update(name="zzz")
    person = User.objects.get(email="p3@example.org")
    person.save()  # a person written replaces the change token
    names = [p.name for p in certificate_views._holders_page(cohort, 1).object_list]
    assert "zzz" not in names and names == [p.user.name for p in _old_page(cohort, 1).object_list]


def test_an_empty_cohort_has_no_rows_and_reads_none(cohort, django_assert_num_queries):
    empty = CohortFactory(state=Cohort.State.RUNNING)
    certificate_views._holders_page(empty, 1)  # the kept (empty) list
    with django_assert_num_queries(0):
        page = certificate_views._holders_page(empty, 1)
    assert list(page.object_list) == [] and page.paginator.count == 0


def test_the_count_of_current_certificates_and_the_last_job(cohort):
    office = office_user(cohort.programme.organisation)
    expected = Certificate.objects.filter(
        participation__in=certificates.holders(cohort), superseded_at__isnull=True
    ).count()
    assert expected > 0
    assert (
        certificate_views.compiled.count(
            "companion.certificates_issued", certificate_views._issued, cohort=cohort.pk
        )
        == expected
    )

    def last(user, target):
        found = certificate_views.compiled.objects(
            "companion.last_certificates_job",
            certificate_views._last_job,
            limit=1,
            user=user.pk,
            cohort=target.pk,
        )
        old = (
            jobs.jobs_for(user)
            .filter(kind=certificates.KIND, object_id=target.pk)
            .order_by("-created_at")
            .first()
        )
        assert (found[0].pk if found else None) == (old.pk if old else None)
        return found[0] if found else None

    assert last(office, cohort) is None
    other = CohortFactory()
    for target, days in ((cohort, 3), (cohort, 1), (other, 0)):
        job = jobs.job_start(kind=certificates.KIND, by=office, target=target)
        Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=days))
    newest = last(office, cohort)
    assert newest is not None and newest.object_id == cohort.pk
    assert last(office_user(cohort.programme.organisation), cohort) is None  # not theirs


def test_the_kept_count_of_certificates_follows_each_certificate(client, cohort):
    """The count of current certificates is kept under the change token: a certificate
    made, one deleted and a holder who leaves change it at once."""
    import re

    client.force_login(office_user(cohort.programme.organisation))

    def shown():
        html = client.get(f"/cohorts/{cohort.pk}/certificates/").content.decode()
        return int(re.search(r"<p>(\d+) (?:von|of) \d+ ", html).group(1))

    def expected():
        return Certificate.objects.filter(
            participation__in=certificates.holders(cohort), superseded_at__isnull=True
        ).count()

    before = shown()
    assert before == expected() > 0
    current = Certificate.objects.filter(superseded_at__isnull=True)
    without = (
        certificates.holders(cohort).exclude(pk__in=current.values("participation_id")).first()
    )
    made = _certificate(without, days=1)
    assert shown() == expected() == before + 1
    made.delete()
    assert shown() == expected() == before
    holder = Certificate.objects.filter(superseded_at__isnull=True).first().participation
    holder.state = Participation.State.WITHDRAWN
    holder.withdrawn_reason = "x"
    holder.save()
    assert shown() == expected() == before - 1
