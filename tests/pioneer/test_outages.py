"""Nothing is lost when Redis or the broker is down (real closed ports, no mocks).

Broker down: every form that sends mail answers as usual, its e-mail waits in the ledger
(pending), and `manage.py dispatch_notifications` (cron) sends it without a broker.
Cache down: the same forms, sign-in and password reset answer and send, on the
per-process fallback cache, and the rate limits still limit.
"""

import socket
import threading
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

import pioneer.celery
from cohorts.models import Cohort, InterestRegistration
from pioneer import celery_app, services
from pioneer.models import Notification, OutgoingMail, User
from tests.factories.cohorts import CohortFactory, InterestRegistrationFactory, ProgrammeFactory
from tests.factories.core import PASSWORD, RoleFactory, office_user, participant_user

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: a connection there is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"
PENDING, SENT = Notification.State.PENDING, Notification.State.SENT


def _use_broker(url):
    celery_app.conf.broker_url = url
    pioneer.celery._drop_connection()
    pioneer.celery._broker_down_until[0] = 0.0


@pytest.fixture
def broker_down():
    """Tasks go to a broker that is not there (instead of running inline)."""
    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    _use_broker(DEAD_REDIS)
    yield
    celery_app.conf.task_always_eager = eager
    _use_broker(url)


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "pioneer.cache.FallbackRedisCache", "LOCATION": DEAD_REDIS}
    }


@pytest.fixture(params=["broker", "cache"])
def outage(request):
    request.getfixturevalue(f"{request.param}_down")
    return request.param


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _delivered(outage, kind, to):
    """The e-mail of `kind` to `to`: with the broker down it waited in the ledger and the
    cron command sends it now; with the cache down it went out at once."""
    row = Notification.objects.filter(kind=kind).order_by("-pk").first()
    assert row is not None, f"no {kind} in the ledger"
    if outage == "broker":
        assert row.state == PENDING
        assert mail.outbox == []
        call_command("dispatch_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    row.refresh_from_db()
    assert row.state == SENT
    assert [m.to for m in mail.outbox] == [[to]]
    return mail.outbox[0]


@pytest.fixture
def open_cohort():
    return CohortFactory(
        state=Cohort.State.OPEN,
        start_date=date.today() + timedelta(days=200),
        end_date=date.today() + timedelta(days=380),
        interest_opens=date.today() - timedelta(days=1),
        interest_closes=date.today() + timedelta(days=60),
    )


def test_interest_form(client, outage, commit, open_cohort):
    data = {
        "cohort": open_cohort.pk,
        "organisation_name": "Muster Digital GmbH",
        "organisation_kind": "company",
        "street": "Hauptstraße 1",
        "postcode": "14467",
        "city": "Potsdam",
        "contact_name": "Mia Muster",
        "contact_email": "mia@muster.example",
        "places_send": "1",
        "places_host": "1",
        "privacy": "on",
    }
    with commit():
        response = client.post("/interest/", data)
    assert response.status_code == 302
    assert InterestRegistration.objects.get().state == "unconfirmed"
    message = _delivered(outage, "mail.interest_confirm", "mia@muster.example")
    assert "/interest/confirm/" in message.body
    # The token existed only in the e-mail: once sent, the ledger no longer holds it.
    assert all("/interest/confirm/" not in m.text for m in OutgoingMail.objects.all())


def test_barrier_report(client, outage, commit, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@example.org"
    with commit():
        response = client.post(
            "/barrierefreiheit/", {"page": "/home/", "description": "Kein Fokus sichtbar."}
        )
    assert response.status_code == 302
    message = _delivered(outage, "mail.barrier_report", "a11y@example.org")
    assert "Kein Fokus sichtbar." in message.body


def test_login_sends_the_verification(client, outage, commit):
    user = participant_user(email="fresh@example.org", language="en")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    with commit():
        response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    message = _delivered(outage, "mail.account", "fresh@example.org")
    assert "Confirm" in message.subject


def test_login_works(client, outage):
    user = participant_user(email="ok@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset(client, outage, commit):
    user = participant_user(email="reader@example.org", language="en")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    with commit():
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    message = _delivered(outage, "mail.account", "reader@example.org")
    assert "/accounts/password/reset/key/" in message.body
    # The reset key is not kept in readable form once the e-mail is out.
    assert all("/password/reset/key/" not in m.text + m.html for m in OutgoingMail.objects.all())


def test_invitation(client, outage, commit):
    office = office_user()
    client.force_login(office)
    with commit():
        response = client.post(
            "/invite/",
            {
                "name": "Ina Invited",
                "email": "ina@example.org",
                "language": "en",
                "kind": "participant",
                "organisation": "",
            },
        )
    assert response.status_code == 302
    message = _delivered(outage, "account.invitation", "ina@example.org")
    assert "/accounts/password/reset/key/" in message.body


@pytest.fixture
def confirmed_registration():
    office = office_user()
    programme = ProgrammeFactory(organisation=office.roles.get().organisation)
    cohort = CohortFactory(programme=programme, state=Cohort.State.OPEN, interest_closes=None)
    return office, InterestRegistrationFactory(cohort=cohort)


def test_registration_decline(client, outage, commit, confirmed_registration):
    office, registration = confirmed_registration
    client.force_login(office)
    with commit():
        response = client.post(
            f"/registrations/{registration.pk}/decide/",
            {"decision": "decline", "confirmed": "1", "reason": "Keine Plätze"},
        )
    assert response.status_code == 302
    message = _delivered(outage, "mail.interest_declined", registration.contact_email)
    assert "Keine Plätze" in message.body


def test_registration_accept(client, outage, commit, confirmed_registration):
    office, registration = confirmed_registration
    client.force_login(office)
    with commit():
        response = client.post(
            f"/registrations/{registration.pk}/decide/",
            {"decision": "accept", "confirmed": "1", "choice": "new", "make_contact": "on"},
        )
    assert response.status_code == 302
    # Two e-mails wait or go out: the acceptance and the invitation to set a password.
    kinds = {"mail.interest_accepted", "account.invitation"}
    rows = Notification.objects.filter(kind__in=kinds)
    assert {row.kind for row in rows} == kinds
    if outage == "broker":
        assert {row.state for row in rows} == {PENDING}
        assert mail.outbox == []
        call_command("dispatch_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert {row.state for row in rows.all()} == {SENT}
    assert [m.to for m in mail.outbox] == [[registration.contact_email]] * 2


def test_rate_limits_still_limit_with_the_cache_down(client, cache_down):
    statuses = [
        client.post("/barrierefreiheit/", {"page": "/x/", "description": "y"}).status_code
        for _ in range(11)
    ]
    assert statuses == [302] * 10 + [429]


class CountingPort:
    """A TCP port that accepts and at once closes every connection, counting them: a
    broker that is there but does not work."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                peer, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            peer.close()


def test_fifty_sends_with_the_broker_down_cost_one_try_and_the_command_sends_them(
    broker_down, commit
):
    broker = CountingPort()
    _use_broker(f"redis://127.0.0.1:{broker.port}/0")
    roles = [RoleFactory() for _ in range(50)]
    with commit(), transaction.atomic():
        for role in roles:
            services.notification_schedule(
                kind="account.role_granted",
                target=role,
                recipient=role.user,
                due_at=timezone.now(),
            )
    # One refused try; the other 49 did not wait for the broker again.
    assert broker.connections <= 2
    assert Notification.objects.filter(state=PENDING).count() == 50
    call_command("dispatch_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Notification.objects.filter(state=SENT).count() == 50
    assert len(mail.outbox) == 50
    broker.server.close()


def test_the_command_sends_inline_in_batches_even_with_a_broker(broker_down):
    from tests.factories.core import NotificationFactory

    rows = NotificationFactory.create_batch(7, due_at=timezone.now() - timedelta(minutes=1))
    assert services.notification_dispatch_due(inline=True, batch_size=3) == 7
    assert {r.state for r in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {SENT}


def test_a_user_row_keeps_a_users_address(outage):
    # The two kinds of recipient cannot be mixed up: a row has a user or an address.
    from django.db import IntegrityError

    user = User.objects.create_user(email="x@example.org", password=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            kind="mail.x",
            content_type_id=1,
            object_id=user.pk,
            due_at=timezone.now(),
            due_date=timezone.localdate(),
        )


def test_the_beat_dispatcher_sends_here_what_it_cannot_queue(broker_down):
    from tests.factories.core import NotificationFactory

    rows = NotificationFactory.create_batch(3, due_at=timezone.now() - timedelta(minutes=1))
    assert services.notification_dispatch_due(inline=False) == 3
    assert {r.state for r in Notification.objects.filter(pk__in=[r.pk for r in rows])} == {SENT}
    assert len(mail.outbox) == 3
