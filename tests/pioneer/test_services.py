"""Services of the core: organisations, roles, invitations, language, barrier reports."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError

from pioneer import services
from pioneer.access import SYSTEM
from pioneer.models import BarrierReport, Notification, Organisation, Role, User
from tests.factories.core import OrganisationFactory, UserFactory, office_user

pytestmark = pytest.mark.django_db


# organisations ---------------------------------------------------------------------------


def test_organisation_create_stores_a_valid_organisation():
    ministry = services.organisation_create(
        name="Ministerium A", kind="ministry", city="Potsdam", by=SYSTEM
    )
    authority = services.organisation_create(
        name="Landesamt A", kind="authority", parent=ministry, by=SYSTEM
    )
    assert authority.parent == ministry
    assert list(ministry.authorities.all()) == [authority]
    assert ministry.is_public_body and authority.is_public_body


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [
        ("authority", None),  # an authority needs its ministry
        ("authority", "company"),  # ... and the parent must be a ministry
        ("authority", "authority"),
        ("company", "ministry"),  # only authorities have a parent
        ("ministry", "ministry"),
    ],
)
def test_organisation_create_refuses_a_wrong_parent(kind, parent_kind):
    parent = OrganisationFactory(kind=parent_kind) if parent_kind else None
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(name="Neu", kind=kind, parent=parent, by=SYSTEM)
    assert "parent" in excinfo.value.message_dict
    assert Organisation.objects.count() == before


def test_organisation_create_refuses_an_unknown_kind_and_a_duplicate():
    services.organisation_create(name="Gemeinwohl e. V.", kind="nonprofit", by=SYSTEM)
    with pytest.raises(ValidationError):
        services.organisation_create(name="Gemeinwohl e. V.", kind="nonprofit", by=SYSTEM)
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(name="Irgendwas", kind="club", by=SYSTEM)
    assert "kind" in excinfo.value.message_dict
    assert Organisation.objects.count() == 1


# roles -----------------------------------------------------------------------------------


def test_role_grant_is_idempotent():
    user, org = UserFactory(), OrganisationFactory()
    first = services.role_grant(user=user, kind="office", organisation=org, by=SYSTEM)
    second = services.role_grant(user=user, kind="office", organisation=org, by=SYSTEM)
    assert first.pk == second.pk
    assert Role.objects.filter(user=user).count() == 1


def test_role_grant_validates_before_saving():
    user = UserFactory()
    for kind in ("office", "partner"):
        with pytest.raises(ValidationError) as excinfo:
            services.role_grant(user=user, kind=kind, by=SYSTEM)
        assert "organisation" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.role_grant(user=user, kind="superhero", by=SYSTEM)
    assert "kind" in excinfo.value.message_dict
    assert not Role.objects.filter(user=user).exists()


def test_participant_and_evaluator_roles_act_for_no_organisation():
    user, org = UserFactory(), OrganisationFactory()
    role = services.role_grant(user=user, kind="participant", organisation=org, by=SYSTEM)
    assert role.organisation is None
    # Granting it again "for" another organisation does not make a second role.
    services.role_grant(
        user=user, kind="participant", organisation=OrganisationFactory(), by=SYSTEM
    )
    assert Role.objects.filter(user=user).count() == 1
    services.role_revoke(user=user, kind="participant", organisation=org)
    assert not Role.objects.filter(user=user).exists()


def test_role_revoke_takes_only_that_role():
    user = UserFactory()
    ours, theirs = OrganisationFactory(), OrganisationFactory()
    services.role_grant(user=user, kind="office", organisation=ours, by=SYSTEM)
    services.role_grant(user=user, kind="office", organisation=theirs, by=SYSTEM)
    services.role_grant(user=user, kind="evaluator", by=SYSTEM)
    services.role_revoke(user=user, kind="office", organisation=theirs)
    assert set(Role.objects.filter(user=user).values_list("kind", "organisation")) == {
        ("office", ours.pk),
        ("evaluator", None),
    }


# invitations -----------------------------------------------------------------------------


def _invite(captured, **kwargs):
    kwargs.setdefault("by", SYSTEM)
    with captured(execute=True):
        return services.user_invite(**kwargs)


def test_user_invite_creates_a_person_without_password_and_emails_them(
    django_capture_on_commit_callbacks,
):
    org = OrganisationFactory(kind="company")
    user, created = _invite(
        django_capture_on_commit_callbacks,
        email="  New.Person@Example.ORG ",
        name="New Person",
        language="en",
        kind="partner",
        organisation=org,
    )
    assert created
    assert user.email == "new.person@example.org"
    assert not user.has_usable_password()
    assert Role.objects.get(user=user).organisation == org
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "You are invited to Pioneer" in message.subject
    assert "/accounts/password/reset/key/" in message.body
    # The secret link is e-mailed, never kept in the ledger.
    notification = Notification.objects.get(recipient=user)
    assert notification.kind == "account.invitation"
    assert notification.state == Notification.State.SENT
    assert notification.link == ""


def test_user_invite_writes_in_the_recipients_language(django_capture_on_commit_callbacks):
    _invite(
        django_capture_on_commit_callbacks,
        email="de@example.org",
        name="Deutsch",
        language="de",
        kind="participant",
    )
    _invite(
        django_capture_on_commit_callbacks,
        email="en@example.org",
        name="English",
        language="en",
        kind="participant",
    )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "Sie sind zu Pioneer eingeladen" in by_recipient["de@example.org"].subject
    assert "You are invited to Pioneer" in by_recipient["en@example.org"].subject
    html = by_recipient["en@example.org"].alternatives[0][0]
    assert '<html lang="en">' in html


def test_user_invite_leaves_an_existing_password_alone(django_capture_on_commit_callbacks):
    person = UserFactory(email="known@example.org", language="en")
    old_hash = person.password
    user, created = _invite(
        django_capture_on_commit_callbacks,
        email="Known@Example.org",
        name="Someone Else",
        language="de",
        kind="evaluator",
    )
    assert not created and user.pk == person.pk
    person.refresh_from_db()
    assert person.password == old_hash
    assert person.check_password("pioneer-demo")
    assert person.name != "Someone Else"  # the office cannot rename an existing person
    assert Role.objects.filter(user=person, kind="evaluator").exists()
    assert len(mail.outbox) == 1
    # Told about the role, in their own language; no password link at all.
    assert "You have a new role in Pioneer" in mail.outbox[0].subject
    assert "password" not in mail.outbox[0].body.lower()
    # Inviting again for a role they hold sends nothing more.
    _invite(
        django_capture_on_commit_callbacks,
        email="known@example.org",
        name="x",
        language="de",
        kind="evaluator",
    )
    assert len(mail.outbox) == 1


def test_user_invite_sends_a_fresh_link_to_someone_who_never_set_a_password(
    django_capture_on_commit_callbacks,
):
    person = UserFactory(email="pending@example.org", password=False, language="en")
    user, created = _invite(
        django_capture_on_commit_callbacks,
        email="pending@example.org",
        name="Pending",
        language="en",
        kind="participant",
    )
    assert not created and user.pk == person.pk
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.parametrize(
    "kwargs",
    [
        {"email": "not-an-address", "kind": "participant"},
        {"email": "ok@example.org", "kind": "office"},  # office without organisation
        {"email": "ok@example.org", "kind": "partner"},
        {"email": "ok@example.org", "kind": "king"},
    ],
)
def test_user_invite_with_bad_input_saves_and_sends_nothing(
    kwargs, django_capture_on_commit_callbacks
):
    users = User.objects.count()
    with pytest.raises(ValidationError):
        _invite(django_capture_on_commit_callbacks, name="X", language="de", **kwargs)
    assert User.objects.count() == users
    assert not Role.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_invitation_link_stops_working_once_a_password_is_set(client):
    user = UserFactory(password=False)
    link = services.invitation_link(user)
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key into the session
    user.set_password("a-new-Passw0rd!")
    user.save()
    client.cookies.clear()
    response = client.get(link, follow=True)
    assert response.context["token_fail"]


# language and barrier reports ------------------------------------------------------------


def test_user_set_language():
    user = UserFactory(language="de")
    services.user_set_language(user=user, language="en")
    user.refresh_from_db()
    assert user.language == "en"
    with pytest.raises(ValueError):
        services.user_set_language(user=user, language="fr")
    user.refresh_from_db()
    assert user.language == "en"


def test_barrier_report_is_stored_and_sent_to_the_contact(
    settings, django_capture_on_commit_callbacks
):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        report = services.barrier_report_submit(
            page="/home/",
            description="Der Kontrast ist zu gering.",
            name="Rita",
            email="rita@example.org",
            language="de",
        )
    assert BarrierReport.objects.get() == report
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a11y@example.org"]
    assert mail.outbox[0].reply_to == ["rita@example.org"]
    assert "Der Kontrast ist zu gering." in mail.outbox[0].body


def test_office_user_factory_sanity():
    # The factories the other tests rely on: an office person acts for one organisation.
    user = office_user()
    assert Role.objects.get(user=user).organisation is not None
    assert not EmailAddress.objects.filter(user=user).exists()


def _link_made_ago(user, age):
    """An invitation link as if the e-mail had been sent `age` ago."""
    from datetime import datetime

    from allauth.account.forms import EmailAwarePasswordResetTokenGenerator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    class Earlier(EmailAwarePasswordResetTokenGenerator):
        def _now(self):
            return datetime.now() - age

    key = Earlier().make_token(user)
    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )


@pytest.mark.parametrize(
    ("age_hours", "works"), [(0, True), (71, True), (73, False), (24 * 30, False)]
)
def test_invitation_link_expires_after_three_days(client, age_hours, works):
    from datetime import timedelta

    user = UserFactory(password=False)
    assert services.invitation_link(user).startswith("/accounts/password/reset/key/")
    response = client.get(_link_made_ago(user, timedelta(hours=age_hours)), follow=True)
    assert bool(response.context.get("token_fail")) is not works
