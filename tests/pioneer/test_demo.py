"""The demo world: every login works, a second run changes nothing, DEMO_PASSWORD counts."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from blueprints.models import Blueprint
from cohorts.models import Cohort, CohortTransition, InterestRegistration
from pioneer.demo import README_LOGINS
from pioneer.models import Organisation, Role, User

pytestmark = pytest.mark.django_db

LOGINS = {
    # email: {(role kind, organisation short name or None)}
    "office@mluk.example": {("office", "MLUK")},
    "anna@mluk.example": {("participant", None)},
    "ben@partner.example": {("participant", None)},
    "clara@mluk.example": {("participant", None)},
    "contact@partner.example": {("partner", "Partner Digital")},
    "evaluator@mluk.example": {("evaluator", None)},
    "office@mik.example": {("office", "MIK")},
    "admin@pioneer.example": set(),
}
CORE_MODELS = [User, Organisation, Role, EmailAddress]


def _seed(**options):
    call_command("seed_demo", verbosity=0, **options)


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _snapshot(models=CORE_MODELS):
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def test_seed_demo_creates_the_logins_of_the_readme_with_their_roles():
    _seed()
    for email, roles in LOGINS.items():
        user = User.objects.get(email=email)
        held = {
            (kind, short or None)
            for kind, short in Role.objects.filter(user=user).values_list(
                "kind", "organisation__short_name"
            )
        }
        assert held == roles, email
        assert EmailAddress.objects.get(user=user).verified
    admin = User.objects.get(email="admin@pioneer.example")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.filter(email="anna@mluk.example", is_staff=True).exists()
    lfu = Organisation.objects.get(short_name="LfU")
    assert lfu.kind == "authority" and lfu.parent.short_name == "MLUK"


def test_every_demo_login_authenticates_with_the_demo_password(client, settings):
    _seed()
    # Everyone the demo made (the apps add more people) shares the password.
    for email in User.objects.values_list("email", flat=True):
        assert authenticate(email=email, password=settings.DEMO_PASSWORD) is not None, email
    for email in LOGINS:
        assert authenticate(email=email, password=settings.DEMO_PASSWORD) is not None, email
        assert authenticate(email=email, password="wrong-password") is None
        response = client.post(
            reverse("account_login"), {"login": email, "password": settings.DEMO_PASSWORD}
        )
        assert response.status_code == 302, email
        assert response.url == reverse("home"), email
        assert client.get(reverse("home")).status_code == 200
        client.logout()


def test_a_second_run_changes_nothing():
    _seed()
    counts, snapshot = _counts(), _snapshot()
    assert counts["pioneer.User"] >= len(LOGINS)
    _seed()
    assert _counts() == counts
    assert _snapshot() == snapshot


def test_a_second_run_on_the_same_day_changes_no_row_of_any_model():
    _seed()
    everything = _snapshot(apps.get_models())
    assert everything["cohorts.Cohort"]
    _seed()
    assert _snapshot(apps.get_models()) == everything


def test_the_demo_cohorts_are_dated_relative_to_today():
    _seed()
    today = timezone.localdate()
    pilot, running, open_ = (
        Cohort.objects.get(slug=s) for s in ("pilot", "durchgang-2", "durchgang-3")
    )
    assert pilot.state == Cohort.State.CLOSED and pilot.end_date < today
    assert running.state == Cohort.State.RUNNING
    assert running.start_date <= today <= running.end_date
    # Its tandems are in their second three-month phase today.
    assert running.start_date + timedelta(days=92) <= today
    assert today + timedelta(days=14) <= running.end_date
    assert open_.state == Cohort.State.OPEN
    assert open_.interest_opens <= today <= open_.interest_closes
    assert today < open_.start_date
    # Titles carry the year the cohort starts in, so they read true on any day.
    assert running.title == f"2. Durchgang {running.start_date.year}"
    # Nothing recorded lies in the future.
    now = timezone.now()
    assert not CohortTransition.objects.filter(at__gt=now).exists()
    assert not InterestRegistration.objects.filter(created_at__gt=now).exists()
    # What the office published after the pilot, it published after the pilot ended.
    published = Blueprint.objects.filter(published_at__isnull=False)
    assert published.exists()
    assert all(pilot.end_date < b.published_at.date() <= today for b in published)
    assert Blueprint.objects.filter(title__contains=str(pilot.end_date.year)).count() == 2
    assert not Blueprint.objects.filter(body__contains="{year}").exists()


# Transactional: --refresh flushes (TRUNCATE), which PostgreSQL refuses inside the test's
# open transaction.
@pytest.mark.django_db(transaction=True)
def test_refresh_reloads_the_world_only_in_debug(settings):
    _seed()
    InterestRegistration.objects.update(contact_name="Changed")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--refresh"):
        _seed(refresh=True)
    assert InterestRegistration.objects.filter(contact_name="Changed").exists()
    settings.DEBUG = True
    _seed(refresh=True)
    assert not InterestRegistration.objects.filter(contact_name="Changed").exists()
    assert set(LOGINS) <= set(User.objects.values_list("email", flat=True))


def test_seed_demo_prints_the_readmes_logins_with_their_roles():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = dict(re.findall(r"^\| `([^`]+@[^`]+)` \| (.+?) \|$", readme, re.M))
    assert list(table) == [email for email, _ in README_LOGINS] == list(LOGINS)
    for email, who in README_LOGINS:
        assert table[email].replace("`", "") == who
        assert re.search(rf"^  {re.escape(email)} +{re.escape(who)}$", printed, re.M), email
    assert "pioneer-demo" in printed


def test_demo_password_is_honoured(settings):
    settings.DEMO_PASSWORD = "ein-anderes-Geheimnis-42"
    _seed()
    for email in User.objects.values_list("email", flat=True):
        assert authenticate(email=email, password="ein-anderes-Geheimnis-42") is not None
        assert authenticate(email=email, password="pioneer-demo") is None


def test_a_changed_demo_password_applies_on_the_next_run(settings):
    _seed()
    settings.DEMO_PASSWORD = "neues-Demo-Passwort-7"
    _seed()
    for email in LOGINS:
        assert authenticate(email=email, password="neues-Demo-Passwort-7") is not None
        assert authenticate(email=email, password="pioneer-demo") is None
    snapshot = _snapshot()
    _seed()
    assert _snapshot() == snapshot


def test_production_refuses_the_public_demo_password(settings):
    settings.DEBUG = False
    settings.HTTPS = True
    settings.DEMO_PASSWORD = "pioneer-demo"
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        _seed()
    assert not User.objects.exists()
    _seed(allow_public_password=True)
    assert set(LOGINS) <= set(User.objects.values_list("email", flat=True))


def test_production_seeds_with_a_secret_demo_password(settings):
    settings.DEBUG = False
    settings.HTTPS = True
    settings.DEMO_PASSWORD = "ein-eigenes-Geheimnis-99"
    _seed()
    assert authenticate(email="office@mluk.example", password="ein-eigenes-Geheimnis-99")
