"""The office's lists (review queue, a cohort's registrations tab, the participant list):
sorting, the default view of what needs action, filters and their chips, pagination that
keeps them, bulk actions behind a confirmation page, exports of registrations and the
print views; and who may open each of the new addresses."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cohorts import services
from cohorts.models import Cohort, InterestRegistration, Participation
from cohorts.services import bulk, exports
from pioneer.models import Job, Notification
from tests.access import assert_access
from tests.factories.cohorts import (
    CohortFactory,
    InterestRegistrationFactory,
    ParticipationFactory,
    ProgrammeFactory,
)
from tests.factories.core import (
    OrganisationFactory,
    UserFactory,
    office_user,
    participant_user,
    partner_user,
)

pytestmark = pytest.mark.django_db

CONFIRM_KIND = "mail.interest_confirm"
INVITE_KIND = "account.invitation"


@pytest.fixture
def world():
    ministry = OrganisationFactory(name="Ministerium für Landwirtschaft")
    programme = ProgrammeFactory(organisation=ministry)
    cohort = CohortFactory(programme=programme, state=Cohort.State.OPEN, interest_closes=None)
    return {
        "ministry": ministry,
        "cohort": cohort,
        "owner": office_user(org=ministry),
        "stranger": office_user(org=OrganisationFactory(name="Ministerium des Innern")),
        "participant": participant_user(),
    }


@pytest.fixture
def office(client, world):
    client.force_login(world["owner"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _unconfirmed(cohort, sent_ago=timedelta(hours=1), **fields):
    return InterestRegistrationFactory(
        cohort=cohort,
        state=InterestRegistration.State.UNCONFIRMED,
        confirm_token_hash="x" * 64,
        confirm_expires_at=timezone.now() - sent_ago + services.CONFIRM_LINK_VALID,
        **fields,
    )


def _names(response):
    return [r.organisation_name for r in response.context["page"].object_list]


def _people(response):
    return [p.user.name for p in response.context["page"].object_list]


# --- sorting ------------------------------------------------------------------------------


def test_registrations_sort_by_a_whitelisted_column_with_aria_sort(office, world):
    cohort = world["cohort"]
    for name in ("Beta GmbH", "Alpha AG", "Gamma eG"):
        InterestRegistrationFactory(cohort=cohort, organisation_name=name)
    url = reverse("cohorts:registration_list")
    ascending = office.get(url, {"sort": "organisation", "show": "all"})
    assert _names(ascending) == ["Alpha AG", "Beta GmbH", "Gamma eG"]
    body = ascending.content.decode()
    assert re.search(r'<th scope="col"[^>]*aria-sort="ascending"><a [^>]*href="\?', body)
    # The sorted heading's link asks for the other direction and keeps the view.
    assert "sort=-organisation" in body and "show=all" in body
    descending = office.get(url, {"sort": "-organisation", "show": "all"})
    assert _names(descending) == ["Gamma eG", "Beta GmbH", "Alpha AG"]
    assert 'aria-sort="descending"' in descending.content.decode()


def test_an_unknown_sort_key_falls_back_to_the_default(office, world):
    InterestRegistrationFactory(cohort=world["cohort"])
    for value in ("password", "-contact_email", "notes", "'; drop table", ""):
        response = office.get(reverse("cohorts:registration_list"), {"sort": value})
        assert response.status_code == 200, value
        assert response.context["table"].key == "state"


def test_equal_values_keep_one_order_by_id(office, world):
    rows = [
        InterestRegistrationFactory(cohort=world["cohort"], organisation_name=f"Gleich {i}")
        for i in range(3)
    ]
    for row in rows:
        InterestRegistration.objects.filter(pk=row.pk).update(places_host=2)
    url = reverse("cohorts:cohort_registrations", args=[world["cohort"].pk])
    up = office.get(url, {"sort": "offered", "show": "all"}).context["page"].object_list
    down = office.get(url, {"sort": "-offered", "show": "all"}).context["page"].object_list
    assert [r.pk for r in up] == sorted(r.pk for r in rows)
    assert [r.pk for r in down] == sorted((r.pk for r in rows), reverse=True)


def test_participants_sort_by_name_and_state(office, world):
    cohort = world["cohort"]
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Zora"), state="active")
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Anton"), state="nominated")
    url = reverse("cohorts:participation_list", args=[cohort.pk])
    assert _people(office.get(url, {"sort": "name", "show": "all"})) == ["Anton", "Zora"]
    assert _people(office.get(url, {"sort": "-name", "show": "all"})) == ["Zora", "Anton"]
    # By state in the lifecycle's order, not alphabetically.
    assert _people(office.get(url, {"sort": "state", "show": "all"})) == ["Anton", "Zora"]


# --- the default view ------------------------------------------------------------------


def test_the_review_queue_first_shows_what_needs_action(office, world):
    cohort = world["cohort"]
    InterestRegistrationFactory(cohort=cohort, organisation_name="Zu prüfen")
    _unconfirmed(cohort, organisation_name="Unbestätigt")
    InterestRegistrationFactory(cohort=cohort, organisation_name="Angenommen", state="accepted")
    InterestRegistrationFactory(cohort=cohort, organisation_name="Abgelehnt", state="declined")
    for url in (
        reverse("cohorts:registration_list"),
        reverse("cohorts:cohort_registrations", args=[cohort.pk]),
    ):
        default = office.get(url)
        # To review first, then those waiting for the contact's confirmation.
        assert _names(default) == ["Zu prüfen", "Unbestätigt"]
        body = default.content.decode()
        assert 'aria-current="page">Needs action' in body
        assert "?show=all" in body
        everything = office.get(url, {"show": "all"})
        assert sorted(_names(everything)) == sorted(
            ["Zu prüfen", "Unbestätigt", "Angenommen", "Abgelehnt"]
        )
        # A filter (the overview's figures link to one) shows everything it matches.
        assert _names(office.get(url, {"state": "accepted"})) == ["Angenommen"]


def test_the_participant_list_first_shows_who_needs_action(office, world):
    cohort = world["cohort"]
    Cohort.objects.filter(pk=cohort.pk).update(state=Cohort.State.MATCHING)
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Nie angemeldet", password=False))
    signed_in = UserFactory(name="Angemeldet", last_login=timezone.now())
    ParticipationFactory(cohort=cohort, user=signed_in, state="confirmed")
    nominated = UserFactory(name="Nominiert", last_login=timezone.now())
    ParticipationFactory(cohort=cohort, user=nominated, state="nominated")
    held = UserFactory(name="Zurückgehalten", last_login=timezone.now())
    ParticipationFactory(cohort=cohort, user=held, invitation_held=True)
    gone = UserFactory(name="Zurückgezogen", password=False)
    ParticipationFactory(cohort=cohort, user=gone, state="withdrawn", withdrawn_reason="x")
    url = reverse("cohorts:participation_list", args=[cohort.pk])
    default = office.get(url, {"sort": "name"})
    assert _people(default) == ["Nie angemeldet", "Nominiert", "Zurückgehalten"]
    assert len(_people(office.get(url, {"show": "all"}))) == 5


# --- filters ----------------------------------------------------------------------------


def test_bad_filter_values_are_ignored_with_a_message(office, world):
    InterestRegistrationFactory(cohort=world["cohort"], organisation_name="Bleibt")
    for url, query in (
        (reverse("cohorts:registration_list"), {"state": "bogus", "cohort": "abc"}),
        (reverse("cohorts:registration_list"), {"cohort": "999999", "page": "x"}),
        (
            reverse("cohorts:cohort_registrations", args=[world["cohort"].pk]),
            {"organisation_kind": "<script>", "sort": "x"},
        ),
        (
            reverse("cohorts:participation_list", args=[world["cohort"].pk]),
            {"state": "bogus", "organisation": "abc", "signed_in": "perhaps"},
        ),
    ):
        response = office.get(url, query)
        assert response.status_code == 200, query
        texts = [str(m) for m in response.context["messages"]]
        assert any("ignored" in text for text in texts), (query, texts)
        assert response.context["chips"] == []


def test_the_organisation_filter_offers_the_cohorts_organisations_only(office, world):
    cohort = world["cohort"]
    company = OrganisationFactory(name="Beta Beratung GmbH", short_name="Beta")
    other = OrganisationFactory(name="Gamma AG")
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Bea"), organisation=company)
    ParticipationFactory(
        cohort=cohort, user=UserFactory(name="Max"), organisation=world["ministry"]
    )
    ParticipationFactory(user=UserFactory(name="Woanders"), organisation=other)
    url = reverse("cohorts:participation_list", args=[cohort.pk])
    page = office.get(url)
    body = page.content.decode()
    assert f'<option value="{company.pk}">Beta</option>' in body  # the short name
    assert f'value="{other.pk}"' not in body
    chosen = office.get(url, {"organisation": company.pk})
    assert [p.user.name for p in chosen.context["page"].object_list] == ["Bea"]
    assert [chip.value for chip in chosen.context["chips"]] == ["Beta"]
    refused = office.get(url, {"organisation": other.pk})
    assert any("ignored" in str(m) for m in refused.context["messages"])
    assert {p.user.name for p in refused.context["page"].object_list} == {"Bea", "Max"}


def test_active_filters_show_as_chips_that_remove_themselves(office, world):
    InterestRegistrationFactory(cohort=world["cohort"], organisation_name="Alpha AG")
    response = office.get(
        reverse("cohorts:registration_list"), {"state": "confirmed", "q": "alpha", "page": "1"}
    )
    chips = {chip.label: chip for chip in response.context["chips"]}
    assert chips["State"].value == "Confirmed, to be reviewed"
    assert chips["State"].url == "?q=alpha"  # the other filter stays, the page goes
    assert chips["Search"].url == "?state=confirmed"
    body = response.content.decode()
    assert "remove this filter" in body and "Remove all filters" in body
    # The filters sit in a closed disclosure: they do not fill the first screen.
    assert '<details class="kern-accordion pio-filters">' in body


def test_pagination_and_sorting_keep_the_filters(office, world):
    for index in range(30):
        InterestRegistrationFactory(cohort=world["cohort"], organisation_name=f"Firma {index:02}")
    url = reverse("cohorts:registration_list")
    response = office.get(url, {"state": "confirmed", "sort": "organisation", "q": "Firma"})
    body = response.content.decode().replace("&amp;", "&")
    assert "?state=confirmed&sort=organisation&q=Firma&page=2" in body
    second = office.get(
        url, {"state": "confirmed", "sort": "organisation", "q": "Firma", "page": 2}
    )
    assert _names(second)[0] == "Firma 25"
    heading = second.content.decode().replace("&amp;", "&")
    # A new sort starts on the first page and keeps the filters.
    assert "?state=confirmed&sort=-organisation&q=Firma" in heading
    assert "sort=-organisation&q=Firma&page" not in heading


# --- the shared table, places ------------------------------------------------------------


def test_both_registration_lists_show_the_places_offered_and_sought(office, world):
    InterestRegistrationFactory(cohort=world["cohort"], places_host=3, places_send=7)
    for url in (
        reverse("cohorts:registration_list"),
        reverse("cohorts:cohort_registrations", args=[world["cohort"].pk]),
    ):
        response = office.get(url)
        body = response.content.decode()
        assert "Places offered" in body and "Places sought" in body
        assert 'kern-table__cell--numeric">3</td>' in body
        assert 'kern-table__cell--numeric">7</td>' in body
        assert "cohorts/_registration_table.html" in [t.name for t in response.templates]


def test_note_counts_are_those_of_the_page_rows(office, world):
    registration = InterestRegistrationFactory(cohort=world["cohort"])
    services.registration_note_add(registration=registration, author=world["owner"], text="a")
    services.registration_note_add(registration=registration, author=world["owner"], text="b")
    response = office.get(reverse("cohorts:registration_list"))
    assert [r.note_count for r in response.context["page"].object_list] == [2]


# --- bulk actions: registrations ------------------------------------------------------


def _bulk(office, url, ids, **data):
    return office.post(url, {"selected": [str(i) for i in ids], **data})


def test_resend_links_shows_what_will_happen_and_sends_nothing_before(office, world):
    cohort = world["cohort"]
    due = [_unconfirmed(cohort, organisation_name=f"Offen {i}") for i in range(3)]
    recent = _unconfirmed(cohort, sent_ago=timedelta(minutes=2), organisation_name="Eben erst")
    confirmed = InterestRegistrationFactory(cohort=cohort, organisation_name="Bestätigt")
    ids = [r.pk for r in [*due, recent, confirmed]]
    url = reverse("cohorts:cohort_registration_bulk", args=[cohort.pk])
    page = _bulk(office, url, ids, action="resend", query="sort=organisation")
    assert page.status_code == 200
    body = page.content.decode()
    assert "3 e-mails will be sent" in body
    assert "Eben erst" in body and "less than 10 minutes ago" in body
    assert "Bestätigt" in body and "confirmed already" in body
    assert "Send 3 e-mails" in body
    assert not Notification.objects.filter(kind=CONFIRM_KIND).exists()

    done = _bulk(office, url, ids, action="resend", confirmed="1", query="sort=organisation")
    assert done.status_code == 302
    assert done.url == reverse("cohorts:cohort_registrations", args=[cohort.pk]) + (
        "?sort=organisation"
    )
    assert Notification.objects.filter(kind=CONFIRM_KIND).count() == 3
    texts = [str(m) for m in office.get(done.url).context["messages"]]
    assert texts == ["3 confirmation links have been scheduled. 2 registrations were skipped."]


def test_a_selection_with_nothing_to_send_says_so_and_offers_no_button(office, world):
    confirmed = InterestRegistrationFactory(cohort=world["cohort"])
    page = _bulk(office, reverse("cohorts:registration_bulk"), [confirmed.pk], action="resend")
    body = page.content.decode()
    assert "0 e-mails will be sent" in body and "nothing will happen" in body
    assert 'name="confirmed"' in body and "Send 0" not in body
    # Confirming anyway (a second tab) sends nothing and says so.
    done = _bulk(
        office, reverse("cohorts:registration_bulk"), [confirmed.pk], action="resend", confirmed="1"
    )
    messages = [(m.level_tag, str(m)) for m in office.get(done.url).context["messages"]]
    assert messages == [
        ("warning", "0 confirmation links have been scheduled. 1 registration was skipped.")
    ]
    assert not Notification.objects.exists()


def test_an_empty_selection_or_an_unknown_action_changes_nothing(office, world):
    registration = _unconfirmed(world["cohort"])
    url = reverse("cohorts:registration_bulk")
    empty = office.post(url, {"action": "resend"}, follow=True)
    assert "Select at least one registration first." in empty.content.decode()
    odd = _bulk(office, url, [registration.pk], action="delete", confirmed="1")
    assert odd.status_code == 302
    # Nothing that reads as an id: back to the list with a message.
    assert office.post(url, {"selected": ["x", "-1", ""], "action": "resend"}).status_code == 302
    # An id that is nobody's (out of any range, too): not found, never an error.
    assert office.post(url, {"selected": ["9" * 30], "action": "resend"}).status_code == 404
    assert not Notification.objects.exists()


def test_another_offices_registrations_cannot_be_selected(client, world):
    registration = _unconfirmed(world["cohort"])
    client.force_login(world["stranger"])
    response = client.post(
        reverse("cohorts:registration_bulk"),
        {"selected": [registration.pk], "action": "resend", "confirmed": "1"},
    )
    assert response.status_code == 404
    assert not Notification.objects.exists()


def test_the_selection_is_exported_as_csv_and_as_xlsx(
    office, world, django_capture_on_commit_callbacks
):
    cohort = world["cohort"]
    chosen = InterestRegistrationFactory(
        cohort=cohort, organisation_name="=Gewählt", places_host=4, places_send=1
    )
    InterestRegistrationFactory(cohort=cohort, organisation_name="Nicht gewählt")
    response = _bulk(office, reverse("cohorts:registration_bulk"), [chosen.pk], action="export_csv")
    assert response.streaming and response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2 and rows[1][0] == "'=Gewählt"
    heading = rows[0]
    assert rows[1][heading.index("Places offered (people they can host)")] == "4"
    assert rows[1][heading.index("Places sought (people they can send)")] == "1"

    with django_capture_on_commit_callbacks(execute=True):
        response = _bulk(
            office, reverse("cohorts:registration_bulk"), [chosen.pk], action="export_xlsx"
        )
    job = Job.objects.get(kind=exports.REGISTRATION_EXPORT_KIND)
    assert response.url == reverse("job_detail", kwargs={"public_id": job.public_id})
    assert job.payload == {"ids": [chosen.pk]} and job.state == Job.State.DONE
    download = office.get(reverse("job_download", kwargs={"public_id": job.public_id}))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    values = list(workbook.active.iter_rows(values_only=True))
    assert [row[0] for row in values[1:]] == ["=Gewählt"]


def test_a_cohorts_registrations_export_as_csv_and_xlsx(
    office, world, django_capture_on_commit_callbacks
):
    cohort = world["cohort"]
    InterestRegistrationFactory(cohort=cohort, organisation_name="Alpha AG")
    _unconfirmed(cohort, organisation_name="Beta GmbH")
    InterestRegistrationFactory(organisation_name="Andere Kohorte")
    url = reverse("cohorts:registration_export", args=[cohort.pk, "csv"])
    text = b"".join(office.get(url).streaming_content).decode("utf-8-sig")
    assert "Alpha AG" in text and "Beta GmbH" in text and "Andere Kohorte" not in text
    assert (
        office.get(reverse("cohorts:registration_export", args=[cohort.pk, "pdf"])).status_code
        == 404
    )
    xlsx = reverse("cohorts:registration_export", args=[cohort.pk, "xlsx"])
    assert office.get(xlsx).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        office.post(xlsx)
    job = Job.objects.get(kind=exports.REGISTRATION_EXPORT_KIND)
    assert job.state == Job.State.DONE and job.result_filename.endswith(".xlsx")
    rows = list(
        load_workbook(
            io.BytesIO(exports.registrations_xlsx(cohort.registrations.all()))
        ).active.iter_rows(values_only=True)
    )
    assert {row[0] for row in rows[1:]} == {"Alpha AG", "Beta GmbH"}


# --- bulk actions: participants --------------------------------------------------------


@pytest.fixture
def people(world):
    cohort = world["cohort"]
    return {
        "open": [
            ParticipationFactory(cohort=cohort, user=UserFactory(name=f"Offen {i}", password=False))
            for i in range(3)
        ],
        "held": ParticipationFactory(
            cohort=cohort, user=UserFactory(name="Gehalten", password=False), invitation_held=True
        ),
        "taken": ParticipationFactory(
            cohort=cohort, user=UserFactory(name="Angemeldet", last_login=timezone.now())
        ),
        "withdrawn": ParticipationFactory(
            cohort=cohort,
            user=UserFactory(name="Weg", password=False),
            state="withdrawn",
            withdrawn_reason="krank",
        ),
    }


def test_invitations_again_confirm_first_then_count_only_what_was_queued(office, world, people):
    cohort = world["cohort"]
    already = people["open"][0]
    services.participation_invite_again(participation=already, by=world["owner"])
    assert Notification.objects.filter(kind=INVITE_KIND).count() == 1
    selection = [
        p.pk for p in [*people["open"], people["held"], people["taken"], people["withdrawn"]]
    ]
    url = reverse("cohorts:participation_bulk", args=[cohort.pk])
    page = _bulk(office, url, selection, action="invite")
    body = page.content.decode()
    assert "3 e-mails will be sent" in body
    assert "invited today already" in body
    assert "taken up the invitation already" in body and "has withdrawn" in body
    assert Notification.objects.filter(kind=INVITE_KIND).count() == 1

    done = _bulk(office, url, selection, action="invite", confirmed="1")
    assert Notification.objects.filter(kind=INVITE_KIND).count() == 4
    texts = [str(m) for m in office.get(done.url).context["messages"]]
    assert texts == ["3 invitations have been scheduled. 3 people were skipped."]
    # The held invitation went out with them: it is no longer held.
    assert not Participation.objects.get(pk=people["held"].pk).invitation_held


def test_state_change_confirms_first_and_skips_what_cannot_move(office, world, people):
    cohort = world["cohort"]
    selection = [p.pk for p in [*people["open"], people["withdrawn"]]]
    url = reverse("cohorts:participation_bulk", args=[cohort.pk])
    page = _bulk(office, url, selection, action="state", to_state="active")
    body = page.content.decode()
    assert "3 people will move to “Active”. No e-mail is sent." in body
    assert "cannot go from “Withdrawn” to “Active”" in body
    assert set(Participation.objects.values_list("state", flat=True)) == {"confirmed", "withdrawn"}

    done = _bulk(office, url, selection, action="state", to_state="active", confirmed="1")
    assert Participation.objects.filter(state="active").count() == 3
    texts = [str(m) for m in office.get(done.url).context["messages"]]
    assert texts == ["3 people are now “Active”. 1 person was skipped."]
    assert not Notification.objects.exists()


def test_withdrawing_a_selection_needs_a_reason(office, world, people):
    url = reverse("cohorts:participation_bulk", args=[world["cohort"].pk])
    ids = [people["open"][0].pk]
    page = _bulk(office, url, ids, action="state", to_state="withdrawn")
    assert 'name="reason"' in page.content.decode()
    refused = _bulk(office, url, ids, action="state", to_state="withdrawn", confirmed="1")
    assert refused.status_code == 400
    assert "Please give the reason for the withdrawal." in refused.content.decode()
    assert Participation.objects.get(pk=ids[0]).state == "confirmed"
    _bulk(office, url, ids, action="state", to_state="withdrawn", reason="Umzug", confirmed="1")
    changed = Participation.objects.get(pk=ids[0])
    assert (changed.state, changed.withdrawn_reason) == ("withdrawn", "Umzug")


def test_a_bad_state_changes_nothing(office, world, people):
    url = reverse("cohorts:participation_bulk", args=[world["cohort"].pk])
    response = _bulk(office, url, [people["open"][0].pk], action="state", to_state="boss")
    assert response.status_code == 302
    assert Participation.objects.get(pk=people["open"][0].pk).state == "confirmed"


def test_the_selected_people_are_exported(
    office, world, people, django_capture_on_commit_callbacks
):
    url = reverse("cohorts:participation_bulk", args=[world["cohort"].pk])
    chosen = [people["held"].pk, people["taken"].pk]
    text = b"".join(_bulk(office, url, chosen, action="export_csv").streaming_content)
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[0] for row in rows[1:]) == ["Angemeldet", "Gehalten"]
    with django_capture_on_commit_callbacks(execute=True):
        _bulk(office, url, chosen, action="export_xlsx")
    job = Job.objects.get(kind=exports.EXPORT_KIND)
    assert sorted(job.payload["ids"]) == sorted(chosen) and job.state == Job.State.DONE


def test_plans_need_no_query_but_todays_invitations(world, people, django_assert_num_queries):
    registrations = [_unconfirmed(world["cohort"]) for _ in range(3)]
    with django_assert_num_queries(0):
        assert len(bulk.registrations_resend_plan(registrations).done) == 3
        bulk.participations_state_plan(people["open"], "active")
    with django_assert_num_queries(1):
        bulk.participations_invite_plan(people["open"])


def test_the_list_offers_every_bulk_action_with_labelled_checkboxes(office, world, people):
    response = office.get(
        reverse("cohorts:participation_list", args=[world["cohort"].pk]), {"show": "all"}
    )
    body = response.content.decode()
    for action in ("invite", "state", "export_csv", "export_xlsx"):
        assert f'name="action" value="{action}"' in body
    assert 'for="select-participation-' in body and "Select Offen 0" in body
    assert "Select all on this page" in body
    chosen = office.get(
        reverse("cohorts:participation_list", args=[world["cohort"].pk]),
        {"show": "all", "select": "page"},
    )
    assert chosen.content.decode().count(" checked>") == 6


# --- print views ------------------------------------------------------------------------


def test_the_print_view_of_a_registration_has_everything_and_no_navigation(office, world):
    registration = InterestRegistrationFactory(
        cohort=world["cohort"], organisation_name="Druck GmbH", places_host=2, places_send=3
    )
    services.registration_note_add(registration=registration, author=world["owner"], text="Gut")
    response = office.get(reverse("cohorts:registration_print", args=[registration.pk]))
    body = response.content.decode()
    assert "Druck GmbH" in body and "can host 2 people" in body and "can send 3 people" in body
    assert "Gut" in body
    assert "pio-nav" not in body and "pio-breadcrumbs" not in body and "pio-footer" not in body
    detail = office.get(reverse("cohorts:registration_detail", args=[registration.pk]))
    assert reverse("cohorts:registration_print", args=[registration.pk]) in detail.content.decode()


def test_the_print_view_of_the_participant_list_streams_every_filtered_row(office, world):
    cohort = world["cohort"]
    for index in range(60):
        ParticipationFactory(cohort=cohort, user=UserFactory(name=f"Person {index:02}"))
    ParticipationFactory(
        cohort=cohort, user=UserFactory(name="Ausgetreten"), state="withdrawn", withdrawn_reason="x"
    )
    url = reverse("cohorts:participation_print", args=[cohort.pk])
    response = office.get(url, {"show": "all", "state": "confirmed", "sort": "-name"})
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.count('<th scope="row"') == 60  # more than a page; the filter holds
    assert "Ausgetreten" not in body
    assert body.index("Person 59") < body.index("Person 00")
    assert "60 people" in body and "Sorted by Name." in body
    assert "pio-nav" not in body and "pio-breadcrumbs" not in body
    listing = office.get(
        reverse("cohorts:participation_list", args=[cohort.pk]), {"state": "confirmed"}
    )
    assert f"{url}?state=confirmed" in listing.content.decode()


def test_the_print_stylesheet_hides_the_controls():
    css = (settings.BASE_DIR / "static" / "pioneer" / "pioneer.css").read_text()
    block = css[css.index("@media print") :]
    for selector in (".pio-header-wrap", ".pio-footer", ".pio-no-print", ".pio-breadcrumbs"):
        assert selector in block


# --- access -----------------------------------------------------------------------------


def _access(url, world, method="get", owner_status=200, data=None):
    assert_access(
        url,
        method=method,
        data=data,
        owner=world["owner"],
        owner_status=owner_status,
        stranger=world["stranger"],
        foreign_partner=partner_user(),
        foreign_partner_status=403,
        wrong_role=world["participant"],
    )


def test_access_to_the_print_views(world):
    registration = InterestRegistrationFactory(cohort=world["cohort"])
    ParticipationFactory(cohort=world["cohort"])
    _access(reverse("cohorts:registration_print", args=[registration.pk]), world)
    _access(reverse("cohorts:participation_print", args=[world["cohort"].pk]), world)


def test_access_to_the_registration_exports(world):
    InterestRegistrationFactory(cohort=world["cohort"])
    _access(reverse("cohorts:registration_export", args=[world["cohort"].pk, "csv"]), world)
    _access(
        reverse("cohorts:registration_export", args=[world["cohort"].pk, "xlsx"]),
        world,
        method="post",
        owner_status=302,
    )


def test_access_to_the_bulk_actions(world):
    registration = _unconfirmed(world["cohort"])
    person = ParticipationFactory(cohort=world["cohort"], user=UserFactory(password=False))
    for url, ids in (
        (reverse("cohorts:registration_bulk"), [registration.pk]),
        (reverse("cohorts:cohort_registration_bulk", args=[world["cohort"].pk]), [registration.pk]),
        (reverse("cohorts:participation_bulk", args=[world["cohort"].pk]), [person.pk]),
    ):
        action = "invite" if "participants" in url else "resend"
        _access(url, world, method="post", data={"selected": ids, "action": action})
    # Looking was all: the confirmation pages sent nothing.
    assert not Notification.objects.exists()
    # A GET is no bulk action.
    client_url = reverse("cohorts:registration_bulk")
    assert_access(
        client_url,
        owner=world["owner"],
        owner_status=405,
        stranger=None,
        check_anonymous=True,
    )


def test_a_partner_contact_still_gets_their_own_registration_list(client):
    partner = partner_user()
    client.force_login(partner)
    response = client.get(reverse("cohorts:registration_list"))
    assert response.status_code == 200
    assert "cohorts/registration_list_partner.html" in [t.name for t in response.templates]


# --- selectors and plans ----------------------------------------------------------------


def test_what_needs_action_among_registrations(world):
    from cohorts import selectors

    cohort = world["cohort"]
    waiting = {
        InterestRegistrationFactory(cohort=cohort).pk,
        _unconfirmed(cohort).pk,
    }
    for state in ("accepted", "declined", "expired"):
        InterestRegistrationFactory(cohort=cohort, state=state)
    rows = selectors.registrations_needing_action(InterestRegistration.objects.all())
    assert set(rows.values_list("pk", flat=True)) == waiting


def test_nominated_people_need_action_only_while_matching_or_running(world):
    from cohorts import selectors

    cohort = world["cohort"]
    nominated = ParticipationFactory(
        cohort=cohort, user=UserFactory(last_login=timezone.now()), state="nominated"
    )
    rows = Participation.objects.filter(cohort=cohort)
    assert not selectors.participations_needing_action(cohort, rows).exists()  # open
    cohort.state = Cohort.State.RUNNING
    assert list(selectors.participations_needing_action(cohort, rows)) == [nominated]


def test_the_state_plan_follows_the_participations_transitions(world):
    people = [
        ParticipationFactory(cohort=world["cohort"], state=state)
        for state in ("nominated", "confirmed", "completed")
    ]
    plan = bulk.participations_state_plan(people, "confirmed")
    assert plan.done == [people[0]]
    assert [p for p, _reason in plan.skipped] == [people[1], people[2]]


def test_a_colleague_who_was_quicker_is_not_counted_twice(world):
    person = ParticipationFactory(cohort=world["cohort"], state="nominated")
    Participation.objects.filter(pk=person.pk).update(state="confirmed")
    outcome = bulk.participations_set_state(
        participations=[person], state="confirmed", by=world["owner"]
    )
    assert outcome.done == [] and len(outcome.skipped) == 1


def test_the_filter_form_shows_what_was_chosen_each_time(office, world):
    """The filter form is kept rendered per the choices made (pioneer.fragments): each
    choice shows as selected in its own form, and typed text is shown as it came, never
    taken from another request's form."""
    cohort = world["cohort"]
    ParticipationFactory(cohort=cohort, user=UserFactory(name="Bea"))
    url = reverse("cohorts:participation_list", args=[cohort.pk])
    for side in ("external", "administration", "external"):
        body = office.get(url, {"side": side}).content.decode()
        assert re.search(rf'<option value="{side}"[^>]* selected', body), side
        other = "administration" if side == "external" else "external"
        assert not re.search(rf'<option value="{other}"[^>]* selected', body), side
    blank = office.get(url).content.decode()
    assert not re.search(r'<option value="(external|administration)"[^>]* selected', blank)
    for text in ("Bea", "<b>x</b>"):
        body = office.get(url, {"q": text, "side": "external"}).content.decode()
        assert "&lt;b&gt;x&lt;/b&gt;" in body if text == "<b>x</b>" else 'value="Bea"' in body
