"""The session engine reads what Django's database store reads, with one fixed statement."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from pioneer.sessions import SessionStore
from tests.factories.core import office_user

pytestmark = pytest.mark.django_db


def _stored(data, *, expires_in=timedelta(days=1)):
    store = SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def test_the_site_uses_it():
    assert settings.SESSION_ENGINE == "pioneer.sessions"


def test_a_live_session_reads_as_djangos_store_reads_it(django_assert_num_queries):
    key = _stored({"a": 1, "name": "Jörg", "list": [1, "zwei"]})
    with django_assert_num_queries(1):
        data = SessionStore(key).load()
    assert data == DjangoStore(key).load() == {"a": 1, "name": "Jörg", "list": [1, "zwei"]}


@pytest.mark.parametrize(
    "key",
    ["expired", "unknown-key-of-right-length-00000000", None, "short"],
)
def test_an_expired_unknown_or_missing_session_is_empty_and_its_key_forgotten(key):
    if key == "expired":
        key = _stored({"a": 1}, expires_in=timedelta(seconds=-1))
    ours, django = SessionStore(key), DjangoStore(key)
    assert ours.load() == django.load() == {}
    assert ours.session_key is None
    assert ours.session_key == django.session_key


def test_a_session_expiring_later_is_still_read_and_one_past_is_not():
    soon = _stored({"soon": True}, expires_in=timedelta(seconds=30))
    past = _stored({"past": True}, expires_in=timedelta(seconds=-30))
    assert SessionStore(soon).load() == {"soon": True}
    assert SessionStore(past).load() == {}


def test_signing_in_and_out_go_through_it(client):
    user = office_user()
    client.force_login(user)
    assert client.get(reverse("home")).context["user"] == user
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)
    client.post(reverse("account_logout"))
    assert SessionStore(key).load() == {}
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
