"""Services of the cohorts app: lifecycle guards, registrations of interest, review."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cohorts import hooks, selectors, services
from cohorts.models import Cohort, CohortTransition, InterestRegistration, organisation_key
from cohorts.services import registrations
from pioneer.access import SYSTEM
from pioneer.models import Notification, Organisation, PartnerLink, Role, User
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import OrganisationFactory, office_user, partner_user
from tests.hooks import connected

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The guards' messages are matched in English (the source language).
    with translation.override("en"):
        yield


def registration_data(**overrides):
    data = {
        "organisation_name": "Muster Digital GmbH",
        "organisation_kind": "company",
        "parent_ministry": None,
        "street": "Hauptstraße 1",
        "postcode": "14467",
        "city": "Potsdam",
        "contact_name": "Mia Muster",
        "contact_email": "mia@muster.example",
        "contact_phone": "",
        "places_send": 1,
        "places_host": 2,
        "topics_offered": "Agile Methoden",
        "topics_sought": "",
        "preferred_timing": "",
        "message": "",
    }
    data.update(overrides)
    return data


def open_cohort(**fields):
    fields.setdefault("state", Cohort.State.OPEN)
    fields.setdefault("interest_opens", None)
    fields.setdefault("interest_closes", None)
    fields.setdefault("start_date", date.today() + timedelta(days=120))
    fields.setdefault("end_date", date.today() + timedelta(days=300))
    return CohortFactory(**fields)


# ------------------------------------------------------------------------------ lifecycle


def test_transition_is_recorded_with_who_and_when():
    cohort = CohortFactory(state=Cohort.State.DRAFT, interest_closes=None)
    user = office_user(org=cohort.programme.organisation)
    services.cohort_transition(cohort=cohort, to_state="open", by=user, note="Los geht's")
    cohort.refresh_from_db()
    assert cohort.state == "open"
    transition = CohortTransition.objects.get(cohort=cohort)
    assert (transition.from_state, transition.to_state, transition.by) == ("draft", "open", user)
    assert transition.note == "Los geht's"
    assert transition.at is not None


def test_cannot_skip_stages():
    cohort = CohortFactory(state=Cohort.State.DRAFT)
    with pytest.raises(ValidationError):
        services.cohort_transition(cohort=cohort, to_state="running", by=SYSTEM)
    cohort.refresh_from_db()
    assert cohort.state == "draft"
    assert not CohortTransition.objects.exists()


def test_cannot_run_without_dates():
    cohort = CohortFactory(state=Cohort.State.MATCHING, start_date=None, end_date=None)
    with pytest.raises(ValidationError, match="without a start and an end date"):
        services.cohort_transition(cohort=cohort, to_state="running", by=SYSTEM)
    cohort.refresh_from_db()
    assert cohort.state == "matching"
    cohort.start_date, cohort.end_date = date(2030, 1, 1), date(2030, 6, 30)
    cohort.save()
    services.cohort_transition(cohort=cohort, to_state="running", by=SYSTEM)
    assert Cohort.objects.get(pk=cohort.pk).state == "running"


def test_cannot_open_with_a_window_in_the_past():
    cohort = CohortFactory(
        state=Cohort.State.DRAFT, interest_opens=date(2019, 12, 1), interest_closes=date(2020, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.cohort_transition(cohort=cohort, to_state="open", by=SYSTEM)
    assert Cohort.objects.get(pk=cohort.pk).state == "draft"


def test_close_after_evaluation_needs_no_reason():
    cohort = CohortFactory(state=Cohort.State.EVALUATION)
    services.cohort_transition(cohort=cohort, to_state="closed", by=SYSTEM)
    assert Cohort.objects.get(pk=cohort.pk).state == "closed"


def test_closing_early_needs_a_reason_which_is_kept():
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    with pytest.raises(ValidationError, match="needs a reason"):
        services.cohort_transition(cohort=cohort, to_state="closed", by=SYSTEM)
    assert Cohort.objects.get(pk=cohort.pk).state == "running"
    services.cohort_transition(
        cohort=cohort, to_state="closed", by=SYSTEM, note="Programme cancelled by the ministry"
    )
    cohort.refresh_from_db()
    assert cohort.state == "closed"
    assert cohort.closed_reason == "Programme cancelled by the ministry"


@pytest.fixture
def unfinished_tandems():
    def guard(cohort):
        return ["2 tandems have not finished."]

    with connected(hooks.close_guards, guard):
        yield


def test_close_guards_block_closing_unless_a_reason_is_given(unfinished_tandems):
    cohort = CohortFactory(state=Cohort.State.EVALUATION)
    with pytest.raises(ValidationError, match="2 tandems have not finished"):
        services.cohort_transition(cohort=cohort, to_state="closed", by=SYSTEM)
    assert Cohort.objects.get(pk=cohort.pk).state == "evaluation"
    services.cohort_transition(cohort=cohort, to_state="closed", by=SYSTEM, note="Ended early")
    assert Cohort.objects.get(pk=cohort.pk).state == "closed"


def test_closed_is_final():
    cohort = CohortFactory(state=Cohort.State.CLOSED)
    with pytest.raises(ValidationError):
        services.cohort_transition(cohort=cohort, to_state="running", by=SYSTEM, note="again")


def test_cohort_create_checks_dates():
    programme = ProgrammeFactory()
    with pytest.raises(ValidationError):
        services.cohort_create(
            by=SYSTEM,
            programme=programme,
            title="X",
            slug="x",
            start_date=date(2030, 6, 1),
            end_date=date(2030, 1, 1),
        )
    assert not Cohort.objects.exists()
    cohort = services.cohort_create(
        by=SYSTEM, programme=programme, title="X", slug="x", start_date=date(2030, 1, 1)
    )
    assert cohort.state == "draft"


def test_cohort_update_cannot_change_the_stage_or_remove_dates_of_a_running_cohort():
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    with pytest.raises(ValidationError):
        services.cohort_update(by=SYSTEM, cohort=cohort, start_date=None)
    cohort.refresh_from_db()
    # The stage is no field of an update: only `cohort_transition` moves it.
    with pytest.raises(TypeError):
        services.cohort_update(by=SYSTEM, cohort=cohort, state="closed", title="Neu")
    services.cohort_update(by=SYSTEM, cohort=cohort, title="Neu")
    cohort.refresh_from_db()
    assert (cohort.state, cohort.title) == ("running", "Neu")


# ---------------------------------------------------------------- registration of interest


def test_organisation_key_normalises():
    assert organisation_key("Muster  GmbH.") == organisation_key("muster gmbh")
    assert organisation_key("Straße e. V.") == organisation_key("STRASSE e.V.")


def test_submit_stores_and_mails_the_link_in_the_visitors_language(
    django_capture_on_commit_callbacks,
):
    cohort = open_cohort()
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_submit(
            cohort=cohort, data=registration_data(), language="en", ip="10.0.0.1"
        )
    registration.refresh_from_db()
    assert registration.state == "unconfirmed"
    assert registration.privacy_version == "2026-11"
    assert registration.organisation_key == "muster digital gmbh"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mia@muster.example"]
    assert "Please confirm" in message.subject
    assert "/interest/confirm/" in message.body
    token = message.body.split("/interest/confirm/")[1].split("/")[0]
    # Only the hash is stored.
    assert token not in registration.confirm_token_hash
    assert services.registration_by_token(token) == registration


def test_submit_in_german_writes_german(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_submit(cohort=open_cohort(), data=registration_data(), language="de")
    assert "Bitte bestätigen" in mail.outbox[0].subject


def test_duplicate_of_the_same_organisation_for_the_same_cohort_is_refused():
    cohort = open_cohort()
    services.registration_submit(cohort=cohort, data=registration_data(), language="de")
    with pytest.raises(services.DuplicateRegistration):
        services.registration_submit(
            cohort=cohort,
            data=registration_data(
                organisation_name="MUSTER digital GmbH.", contact_email="other@muster.example"
            ),
            language="de",
        )
    assert InterestRegistration.objects.count() == 1
    # Another cohort is fine.
    services.registration_submit(cohort=open_cohort(), data=registration_data(), language="de")
    assert InterestRegistration.objects.count() == 2


def test_an_expired_unconfirmed_registration_does_not_block_a_new_one():
    cohort = open_cohort()
    old = services.registration_submit(cohort=cohort, data=registration_data(), language="de")
    InterestRegistration.objects.filter(pk=old.pk).update(
        confirm_expires_at=timezone.now() - timedelta(minutes=1)
    )
    services.registration_submit(cohort=cohort, data=registration_data(), language="de")
    assert InterestRegistration.objects.get(pk=old.pk).state == "expired"
    assert InterestRegistration.objects.filter(state="unconfirmed").count() == 1


def test_rate_limit_per_address_and_per_ip():
    cohort = open_cohort()
    for n in range(services.RATE_LIMIT):
        services.registration_submit(
            cohort=cohort,
            data=registration_data(organisation_name=f"Firma {n}"),
            language="de",
            ip="10.0.0.9",
        )
    with pytest.raises(services.RateLimited):
        services.registration_submit(
            cohort=cohort,
            data=registration_data(organisation_name="Firma X", contact_email="x@x.example"),
            language="de",
            ip="10.0.0.9",
        )
    with pytest.raises(services.RateLimited):
        services.registration_submit(
            cohort=cohort,
            data=registration_data(organisation_name="Firma Y"),
            language="de",
            ip="10.0.0.10",
        )
    assert InterestRegistration.objects.count() == services.RATE_LIMIT


def test_a_cohort_that_is_not_open_takes_no_registrations():
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    with pytest.raises(ValidationError):
        services.registration_submit(cohort=cohort, data=registration_data(), language="de")
    closed_window = open_cohort(interest_closes=date.today() - timedelta(days=1))
    with pytest.raises(ValidationError):
        services.registration_submit(cohort=closed_window, data=registration_data(), language="de")
    assert not InterestRegistration.objects.exists()


def _submitted(cohort=None, **data):
    cohort = cohort or open_cohort()
    registration = services.registration_submit(
        cohort=cohort, data=registration_data(**data), language="de"
    )
    token = "known-token"
    InterestRegistration.objects.filter(pk=registration.pk).update(
        confirm_token_hash=registrations._hash(token)
    )
    return registration, token


def test_confirm_once_then_already_and_office_is_told():
    cohort = open_cohort()
    office = office_user(org=cohort.programme.organisation)
    registration, token = _submitted(cohort)
    result, confirmed = services.registration_confirm(token=token)
    assert result == services.ConfirmResult.CONFIRMED
    confirmed.refresh_from_db()
    assert confirmed.state == "confirmed" and confirmed.confirmed_at
    assert Notification.objects.filter(
        kind="cohorts.registration_confirmed", recipient=office
    ).exists()
    ledger = Notification.objects.count()  # the confirmation e-mail and the office's note
    assert ledger == 2
    result, _ = services.registration_confirm(token=token)
    assert result == services.ConfirmResult.ALREADY
    assert Notification.objects.count() == ledger


def test_expired_link_confirms_nothing():
    registration, token = _submitted()
    later = timezone.now() + services.CONFIRM_LINK_VALID + timedelta(minutes=1)
    result, _ = services.registration_confirm(token=token, now=later)
    assert result == services.ConfirmResult.EXPIRED
    registration.refresh_from_db()
    assert registration.state == "expired"
    assert registration.confirmed_at is None
    result, _ = services.registration_confirm(token=token)
    assert result == services.ConfirmResult.EXPIRED


def test_unknown_token_is_invalid():
    _submitted()
    assert services.registration_confirm(token="nope")[0] == services.ConfirmResult.INVALID
    assert InterestRegistration.objects.get().state == "unconfirmed"


# ------------------------------------------------------------------------------- review


def test_accept_creates_the_organisation_and_invites_the_contact(
    django_capture_on_commit_callbacks,
):
    registration = InterestRegistrationFactory(contact_email="lea@firma.example", language="en")
    office = office_user(org=registration.cohort.programme.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_accept(
            registration=registration, by=office, create=True, make_contact=True
        )
    registration.refresh_from_db()
    assert registration.state == "accepted"
    assert (registration.decided_by, registration.decided_at is not None) == (office, True)
    organisation = registration.organisation
    assert organisation.name == registration.organisation_name
    assert organisation.kind == "company"
    # The office now acts for it: the link was made by this decision.
    assert PartnerLink.objects.filter(
        office_organisation=registration.cohort.programme.organisation, partner=organisation
    ).exists()
    contact = User.objects.get(email="lea@firma.example")
    assert contact.language == "en"
    assert Role.objects.filter(user=contact, kind="partner", organisation=organisation).exists()
    assert registration.contact_user == contact
    assert any("invited" in m.subject for m in mail.outbox)


def test_accept_never_links_by_name_on_its_own():
    OrganisationFactory(name="Gemeinwohl Lab e. V.", kind="nonprofit")
    registration = InterestRegistrationFactory(
        organisation_name="Gemeinwohl Lab e.V.", organisation_kind="nonprofit"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.registration_accept(registration=registration, by=SYSTEM, make_contact=True)
    assert "choice" in excinfo.value.message_dict
    # Creating a second one of the same name and kind is refused with a hint to link.
    with pytest.raises(ValidationError) as excinfo:
        services.registration_accept(
            registration=registration, by=SYSTEM, create=True, make_contact=True
        )
    assert "choice" in excinfo.value.message_dict
    registration.refresh_from_db()
    assert (registration.state, registration.organisation) == ("confirmed", None)
    assert not PartnerLink.objects.exists()
    assert not Role.objects.filter(kind="partner").exists()


def test_accept_links_a_resembling_organisation_without_making_a_contact(
    django_capture_on_commit_callbacks,
):
    existing = OrganisationFactory(name="Gemeinwohl Lab e. V.", kind="nonprofit")
    earlier = partner_user(existing, email="old@gemeinwohl.example")
    registration = InterestRegistrationFactory(
        organisation_name="Gemeinwohl Lab e.V.",
        organisation_kind="nonprofit",
        contact_email="stranger@example.org",
    )
    office = office_user(registration.cohort.programme.organisation)
    candidates = selectors.organisation_candidates(registration)
    assert candidates == [existing]
    assert candidates[0].current_contacts == [earlier]
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_accept(
            registration=registration, by=office, organisation=existing, make_contact=False
        )
    registration.refresh_from_db()
    assert (registration.state, registration.organisation) == ("accepted", existing)
    assert registration.contact_user is None
    assert not User.objects.filter(email="stranger@example.org").exists()
    # Only the acceptance ("what happens next"); no invitation.
    assert [m.to for m in mail.outbox] == [[registration.contact_email]]
    assert PartnerLink.objects.filter(partner=existing).count() == 1


def test_accept_links_a_resembling_organisation_and_makes_the_contact_partner_contact():
    existing = OrganisationFactory(name="Digital Agentur Brandenburg GmbH", kind="company")
    registration = InterestRegistrationFactory(
        organisation_name="Digital Agentur Brandenburg", contact_email="neu@da.example"
    )
    office = office_user(registration.cohort.programme.organisation)
    assert selectors.organisation_candidates(registration) == [existing]
    services.registration_accept(
        registration=registration, by=office, organisation=existing, make_contact=True
    )
    assert Role.objects.filter(
        user__email="neu@da.example", kind="partner", organisation=existing
    ).exists()


def test_accept_refuses_an_organisation_that_neither_resembles_nor_is_the_offices():
    foreign = OrganisationFactory(name="Ganz Anders AG", kind="company")
    registration = InterestRegistrationFactory(organisation_name="Firma Eins GmbH")
    office = office_user(registration.cohort.programme.organisation)
    with pytest.raises(ValidationError) as excinfo:
        services.registration_accept(
            registration=registration, by=office, organisation=foreign, make_contact=True
        )
    assert "choice" in excinfo.value.message_dict
    assert not PartnerLink.objects.exists()
    assert InterestRegistration.objects.get(pk=registration.pk).state == "confirmed"


def test_accept_refuses_another_ministrys_office():
    registration = InterestRegistrationFactory()
    with pytest.raises(ValidationError):
        services.registration_accept(
            registration=registration, by=office_user(), create=True, make_contact=True
        )
    with pytest.raises(TypeError):  # no silent bypass: the system path is named
        services.registration_accept(
            registration=registration, by=None, create=True, make_contact=True
        )
    assert InterestRegistration.objects.get(pk=registration.pk).state == "confirmed"
    assert not Organisation.objects.filter(name=registration.organisation_name).exists()


def test_accept_an_authority_keeps_its_parent_ministry():
    ministry = OrganisationFactory()
    registration = InterestRegistrationFactory(
        organisation_name="Landesamt X", organisation_kind="authority", parent_ministry=ministry
    )
    services.registration_accept(
        registration=registration, by=SYSTEM, create=True, make_contact=False
    )
    registration.refresh_from_db()
    assert registration.organisation.parent == ministry


@pytest.mark.parametrize("state", ["unconfirmed", "accepted", "declined", "expired"])
def test_only_confirmed_registrations_can_be_decided(state):
    registration = InterestRegistrationFactory(state=state)
    # Accepting an accepted one (declining a declined one) is the same decision again:
    # the result, not an error. Every other move is refused.
    if state != "accepted":
        with pytest.raises(ValidationError):
            services.registration_accept(
                registration=registration, by=SYSTEM, create=True, make_contact=True
            )
    if state != "declined":
        with pytest.raises(ValidationError):
            services.registration_decline(registration=registration, by=SYSTEM, reason="Nein")
    registration.refresh_from_db()
    assert registration.state == state
    assert registration.decided_at is None
    assert not Organisation.objects.filter(name=registration.organisation_name).exists()


def test_decline_needs_a_reason_and_tells_the_contact(django_capture_on_commit_callbacks):
    registration = InterestRegistrationFactory(language="de")
    with pytest.raises(ValidationError):
        services.registration_decline(registration=registration, by=SYSTEM, reason="  ")
    assert InterestRegistration.objects.get(pk=registration.pk).state == "confirmed"
    office = office_user(org=registration.cohort.programme.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_decline(
            registration=registration, by=office, reason="Keine Plätze mehr frei."
        )
    registration.refresh_from_db()
    assert registration.state == "declined"
    assert registration.decided_by == office
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [registration.contact_email]
    assert "Keine Plätze mehr frei." in mail.outbox[0].body
    assert "Interessensbekundung" in mail.outbox[0].subject


def test_note_must_not_be_empty():
    registration = InterestRegistrationFactory()
    with pytest.raises(ValidationError):
        services.registration_note_add(registration=registration, author=None, text=" ")
    note = services.registration_note_add(registration=registration, author=None, text="Anrufen")
    assert note.text == "Anrufen"


def test_deciding_twice_returns_the_first_decision(django_capture_on_commit_callbacks):
    from django.core import mail

    accepted = InterestRegistrationFactory(state="accepted")
    again = services.registration_accept(
        registration=accepted, by=SYSTEM, create=True, make_contact=True
    )
    assert again.pk == accepted.pk
    declined = InterestRegistrationFactory(state="declined", decline_reason="Erst")
    with django_capture_on_commit_callbacks(execute=True):
        again = services.registration_decline(registration=declined, by=SYSTEM, reason="Zweit")
    assert again.decline_reason == "Erst"
    assert not mail.outbox  # the contact was told once, the first time
