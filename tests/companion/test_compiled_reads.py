"""The companion's reads by SQL compiled once per process (pioneer.compiled) and the
attendance list written from narrow rows give what the ORM's reads and the rows of
model instances gave: the old code is kept here as the reference, run on the same
events (an event, one's own registration, the cohorts one takes part in, the attendance
list and the people who could still be added, the rows of the list)."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.html import format_html

from cohorts.models import Participation
from cohorts.selectors import participations_of
from companion import rows, selectors
from companion.models import Event, EventRegistration
from pioneer.models import Role
from pioneer.permissions import scoped_object_or_404
from pioneer.row_html import date_as, esc, join, labels, url_maker
from tests.factories.cohorts import CohortFactory, ProgrammeFactory
from tests.factories.companion import EventFactory, SeriesFactory, participant_in, register
from tests.factories.core import OrganisationFactory, RoleFactory, office_user
from tests.pages import without_csrf

pytestmark = pytest.mark.django_db
Reg = EventRegistration
NASTY = '<b>O\'Neil & "Sohn"</b>'


@pytest.fixture
def world():
    ministry = OrganisationFactory(name=NASTY, short_name="")
    programme = ProgrammeFactory(organisation=ministry)
    cohort = CohortFactory(programme=programme)
    office = office_user(ministry)
    series = SeriesFactory(cohort=cohort, title=NASTY)
    event = EventFactory(cohort=cohort, series=series, capacity=2, title=NASTY)
    people = [participant_in(cohort, name=name) for name in (NASTY, "Anna", "", "Zoe", "Ben")]
    for person in people[:4]:
        register(event, person)  # two registered, two waiting
    other = EventFactory(cohort=cohort, capacity=None, host_organisation=ministry)
    register(other, people[0])
    Reg.objects.filter(event=other).update(
        attendance=Reg.Attendance.ATTENDED, checked_in_at=timezone.now()
    )
    withdrawn = participant_in(cohort, name="Weg")
    withdrawn.state = Participation.State.WITHDRAWN
    withdrawn.withdrawn_reason = "other"
    withdrawn.save()
    foreign = EventFactory()  # another office's cohort
    return {
        "cohort": cohort,
        "office": office,
        "event": event,
        "other": other,
        "foreign": foreign,
        "people": people,
        "withdrawn": withdrawn,
    }


def _old_visible(user, pk):
    try:
        return scoped_object_or_404(selectors.with_counts(selectors.events_visible_to(user)), pk=pk)
    except Http404:
        return None


def _new_visible(user, pk):
    try:
        return selectors.visible_event_or_404(user, pk)
    except Http404:
        return None


def _same_event(old, new):
    if old is None or new is None:
        return old is new
    fields = [f.attname for f in Event._meta.concrete_fields]
    return (
        [getattr(old, f) for f in fields] == [getattr(new, f) for f in fields]
        and (old.registered_count, old.waiting_count, old.attended_count)
        == (new.registered_count, new.waiting_count, new.attended_count)
        and old.cohort.title == new.cohort.title
        and old.cohort.programme.organisation_id == new.cohort.programme.organisation_id
        and (old.series and old.series.title) == (new.series and new.series.title)
        and (old.host_organisation and old.host_organisation.name)
        == (new.host_organisation and new.host_organisation.name)
    )


def test_an_event_as_the_orm_read_it_for_everyone_who_asks(world, django_assert_num_queries):
    """The office (of one and of two organisations), a participant, one who withdrew, a
    participant of another cohort, someone with no role: the same event or none."""
    cohort = world["cohort"]
    two = office_user(OrganisationFactory())
    RoleFactory(
        user=two, kind=Role.Kind.PROGRAMME_OFFICE, organisation=cohort.programme.organisation
    )
    outsider = participant_in(CohortFactory()).user
    nobody = office_user(OrganisationFactory())
    users = [world["office"], two, world["people"][1].user, world["withdrawn"].user]
    users += [outsider, nobody]
    events = [world["event"].pk, world["other"].pk, world["foreign"].pk, 987654, 2**63]
    seen = 0
    for user in users:
        for pk in events:
            old = _old_visible(user, pk) if pk < 2**63 else None
            user.__dict__.pop("_pioneer_roles", None)
            new = _new_visible(user, pk)
            assert _same_event(old, new), (user, pk)
            seen += new is not None
    assert seen == 2 * 2 + 2  # the two offices see both, the participant both
    with django_assert_num_queries(1):
        _new_visible(world["office"], world["event"].pk)


def test_ones_own_registration_as_the_orm_read_it(world):
    event, other = world["event"], world["other"]
    people = [*world["people"], world["withdrawn"]]
    for person in people:
        for each in (event, other, world["foreign"]):
            old = (
                Reg.objects.filter(event=each, participation__user=person.user)
                .select_related("participation")
                .first()
            )
            new = selectors.registration_of(person.user, each)
            if old is None:
                assert new is None
                continue
            assert (new.pk, new.state, new.waiting_position, new.attendance) == (
                old.pk,
                old.state,
                old.waiting_position,
                old.attendance,
            )
            assert new.participation.user_id == person.user_id
    assert selectors.registration_of(world["office"], event) is None
    assert selectors.registration_of(world["people"][3].user, event).state == Reg.State.WAITING


def test_the_cohorts_one_takes_part_in(world):
    second = CohortFactory()
    participant_in(second, name="x")
    for person in [*world["people"], world["withdrawn"]]:
        Participation.objects.create(
            cohort=second,
            user=person.user,
            organisation=second.programme.organisation,
            side=Participation.Side.ADMINISTRATION,
            state=Participation.State.ACTIVE,
        )
        expected = set(
            Participation.objects.filter(user=person.user)
            .exclude(state=Participation.State.WITHDRAWN)
            .values_list("cohort_id", flat=True)
        )
        assert selectors.live_cohort_ids(person.user) == expected
    assert selectors.live_cohort_ids(world["withdrawn"].user) == {second.pk}
    assert selectors.live_cohort_ids(world["office"]) == set()


def test_the_attendance_rows_as_the_orm_read_them(world):
    for event in (world["event"], world["other"], world["foreign"]):
        expected = [selectors.attendance_row(r) for r in selectors.attendance_list(event)]
        assert selectors.attendance_rows(event) == expected
    # (The order is the ORM's: by state descending, the waiting list first.)
    assert [r.state for r in selectors.attendance_rows(world["event"])] == [
        "waiting",
        "waiting",
        "registered",
        "registered",
    ]
    Reg.objects.filter(event=world["event"]).update(
        state=Reg.State.CANCELLED, waiting_position=None
    )
    assert selectors.attendance_rows(world["event"]) == []


def _old_addable(event):
    taken = {r.participation_id for r in selectors.attendance_list(event)}
    return participations_of(event.cohort).exclude(pk__in=taken).exclude(state="withdrawn")


def test_the_people_who_could_still_be_added(world):
    for event in (world["event"], world["other"]):
        old = {p.pk: p for p in _old_addable(event)}
        new = selectors.addable_rows(event, 31)
        assert {p.pk for p in new} == set(old)
        for row in new:
            person = old[row.pk]
            assert (row.side, row.name, row.email) == (
                person.side,
                person.user.name,
                person.user.email,
            )
            assert row.organisation_short_name or row.organisation == str(person.organisation)
    assert len(selectors.addable_rows(world["other"], 2)) == 2
    assert world["withdrawn"].pk not in {p.pk for p in selectors.addable_rows(world["event"], 31)}


# The attendance list's rows as they were written from registrations with their
# participation, person and organisation (format_html of each row).
class OldAttendanceRows:
    def __init__(self, request, event, started):
        self.started = started
        self.csrf = rows.csrf_field(request)
        self.mark_url = url_maker("companion:attendance_mark", event.pk)
        self.remove_url = url_maker("companion:attendance_remove", event.pk)
        from django.utils.translation import gettext as _

        self.words = {
            key: esc(text)
            for key, text in {
                "checked_in": _("Checked in"),
                "no_show": _("Did not come"),
                "not_recorded": _("Not recorded"),
                "undo": _("Undo check-in"),
                "check_in": _("Check in"),
                "remove": _("Remove"),
                "remove_waiting": _("Remove from the waiting list"),
            }.items()
        }
        self.attendance = labels(Reg.Attendance.choices)

    def checkin(self, r, error=""):
        w = self.words
        if r.attendance == Reg.Attendance.ATTENDED:
            status = format_html(
                '<span class="kern-badge kern-badge--success"><span class="kern-label '
                'kern-label--small">{} {}</span></span>',
                w["checked_in"],
                date_as(r.checked_in_at, "TIME_FORMAT"),
            )
            buttons = format_html(
                '<button type="submit" name="action" value="reset" class="kern-btn '
                'kern-btn--secondary" aria-describedby="person-{}"><span class="kern-label">'
                "{}</span></button>",
                r.pk,
                w["undo"],
            )
        else:
            if r.attendance == Reg.Attendance.NO_SHOW:
                status = format_html(
                    '<span class="kern-badge kern-badge--danger"><span class="kern-label '
                    'kern-label--small">{}</span></span>',
                    w["no_show"],
                )
            else:
                status = w["not_recorded"]
            buttons = format_html(
                '<button type="submit" name="action" value="check_in" class="kern-btn '
                'kern-btn--primary" aria-describedby="person-{}"><span class="kern-label">'
                "{}</span></button>",
                r.pk,
                w["check_in"],
            )
            if self.started and r.attendance != Reg.Attendance.NO_SHOW:
                buttons += format_html(
                    '<button type="submit" name="action" value="no_show" class="kern-btn '
                    'kern-btn--tertiary" aria-describedby="person-{}"><span class="kern-label">'
                    "{}</span></button>",
                    r.pk,
                    w["no_show"],
                )
        organisation = r.participation.organisation
        url = self.mark_url(r.pk)
        return format_html(
            '<li class="pio-checkin__item" id="registration-{pk}"><div>'
            '<strong id="person-{pk}">{who}</strong><br>'
            '<span class="kern-body--small">{org}</span><br>'
            '<span class="kern-body--small" role="status">{status}{error}</span></div>'
            '<form method="post" action="{url}" hx-post="{url}" hx-target="#registration-{pk}"'
            ' hx-swap="outerHTML" class="pio-checkin__actions">{csrf}{buttons}</form></li>',
            pk=r.pk,
            who=r.participation.user.name or r.participation.user.email,
            org=organisation.short_name or organisation.name,
            status=status,
            error=format_html(' <span class="kern-error">{}</span>', error) if error else "",
            url=url,
            csrf=self.csrf,
            buttons=buttons,
        )

    def checkins(self, registered):
        return join(self.checkin(r) for r in registered)

    def waiting(self, waiting):
        return join(
            format_html(
                '<li><span id="waiting-{pk}">{who} ({org})</span>'
                '<form method="post" action="{url}" class="pio-inline-form">{csrf}'
                '<button type="submit" class="kern-btn kern-btn--tertiary" '
                'aria-describedby="waiting-{pk}"><span class="kern-label">{label}</span>'
                "</button></form></li>",
                pk=r.pk,
                who=r.participation.user.name or r.participation.user.email,
                org=r.participation.organisation.short_name or r.participation.organisation.name,
                url=self.remove_url(r.pk),
                csrf=self.csrf,
                label=self.words["remove_waiting"],
            )
            for r in waiting
        )

    def signatures(self, registered):
        return join(
            format_html(
                '<tr class="kern-table__row">'
                '<th scope="row" class="kern-table__cell" id="signer-{pk}">{who}</th>'
                '<td class="kern-table__cell">{org}</td>'
                '<td class="kern-table__cell">{attendance}</td>'
                '<td class="kern-table__cell pio-print-only pio-signature"></td>'
                '<td class="kern-table__cell pio-screen-only"><form method="post" '
                'action="{url}">{csrf}<button type="submit" class="kern-btn kern-btn--tertiary" '
                'aria-describedby="signer-{pk}"><span class="kern-label">{label}</span>'
                "</button></form></td></tr>",
                pk=r.pk,
                who=r.participation.user.name or r.participation.user.email,
                org=r.participation.organisation.name,
                attendance=self.attendance.get(r.attendance) or r.attendance,
                url=self.remove_url(r.pk),
                csrf=self.csrf,
                label=self.words["remove"],
            )
            for r in registered
        )


def _masked(html):
    """The rows with the CSRF field's value (masked anew for each field) left out."""
    return without_csrf(html)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("started", [True, False])
def test_the_attendance_rows_write_what_they_wrote_from_instances(world, language, started):
    """Every attendance (recorded, no-show, not recorded), names to escape, a person
    without a name, an organisation with and without a short name, an error."""
    event = world["event"]
    Reg.objects.filter(event=event, state=Reg.State.WAITING).update(
        state=Reg.State.REGISTERED, waiting_position=None
    )
    marks = [Reg.Attendance.ATTENDED, Reg.Attendance.NO_SHOW, Reg.Attendance.UNKNOWN]
    for registration, mark in zip(
        Reg.objects.filter(event=event).order_by("pk"), marks, strict=False
    ):
        registration.attendance = mark
        registration.checked_in_at = timezone.now() - timedelta(minutes=5)
        registration.save()
    register(event, world["people"][4])  # waiting
    organisation = world["people"][1].organisation
    organisation.short_name = "K&<'>"
    organisation.save()
    request = RequestFactory().get("/")
    with translation.override(language):
        instances = list(selectors.attendance_list(event))
        registered = [r for r in instances if r.state == Reg.State.REGISTERED]
        waiting = [r for r in instances if r.state == Reg.State.WAITING]
        old = OldAttendanceRows(request, event, started)
        new = rows.AttendanceRows(request, event, started)
        written = selectors.attendance_rows(event)
        assert [r.pk for r in written] == [r.pk for r in instances]
        new_registered = [r for r in written if r.state == Reg.State.REGISTERED]
        new_waiting = [r for r in written if r.state == Reg.State.WAITING]
        assert _masked(new.checkins(new_registered)) == _masked(old.checkins(registered))
        assert _masked(new.waiting(new_waiting)) == _masked(old.waiting(waiting))
        assert _masked(new.signatures(new_registered)) == _masked(old.signatures(registered))
        for r in registered:
            for error in ("", 'Nicht <möglich> & "so" {nicht}'):
                assert _masked(new.checkin(selectors.attendance_row(r), error)) == _masked(
                    old.checkin(r, error)
                )
    html = str(new.checkins(new_registered)) + str(new.waiting(new_waiting))
    assert "&lt;b&gt;O&#x27;Neil &amp; &quot;Sohn&quot;&lt;/b&gt;" in html
    assert "K&amp;&lt;&#x27;&gt;" in html
    assert ('value="no_show"' in html) is started
    assert "kern-badge--success" in html and "kern-badge--danger" in html
    assert len(new_waiting) == 1


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_empty_search_form_kept_per_language_is_the_one_crispy_renders(language):
    """The attendance list's search form, rendered once per language while no `q` is
    sent; with a `q` (even empty) it is rendered each time, with what was sent."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    from companion.forms import PersonSearchForm
    from companion.views import _EMPTY_SEARCH, search_html

    factory = RequestFactory()
    with translation.override(language):
        _EMPTY_SEARCH.clear()
        for _ in range(2):
            request = factory.get("/")
            search = PersonSearchForm(request.GET)
            search.is_valid()
            assert str(search_html(request, search)) == str(as_crispy_form(search))
        assert set(_EMPTY_SEARCH) == {language}
        for query in ("", "  ", '<Anna & "Ben">'):
            request = factory.get("/", {"q": query})
            search = PersonSearchForm(request.GET)
            search.is_valid()
            html = str(search_html(request, search))
            assert html == str(as_crispy_form(search))
        assert "&lt;Anna &amp; &quot;Ben&quot;&gt;" in html
        long = factory.get("/", {"q": "x" * 101})
        search = PersonSearchForm(long.GET)
        assert not search.is_valid()
        assert str(search_html(long, search)) == str(as_crispy_form(search))
    other = "en" if language == "de" else "de"
    with translation.override(other):
        request = factory.get("/")
        search = PersonSearchForm(request.GET)
        search.is_valid()
        assert str(search_html(request, search)) == str(as_crispy_form(search))
    assert set(_EMPTY_SEARCH) == {"de", "en"}
