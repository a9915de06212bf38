"""/health/: database and cache (and the broker, when one is configured)."""

import pytest
from django.urls import reverse

# Nothing listens on port 1: a connection there is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_health_reports_database_and_cache_ok(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("health"), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "NotificationBacklog()": "OK",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_is_public_and_renders_html(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert b"Database" in response.content


@pytest.mark.django_db
def test_a_broken_cache_is_reported_with_500(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("health"), {"format": "json"})
    assert response.status_code == 500
    body = response.json()
    assert body["Database(alias='default')"] == "OK"
    assert body["Cache(alias='default')"] != "OK"


@pytest.mark.django_db
def test_a_broken_broker_is_reported_with_500(client, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    response = client.get(reverse("health"), {"format": "json"})
    assert response.status_code == 500
    body = response.json()
    assert body["Broker()"] == "Unavailable: Unable to connect to the broker"
    assert body["Database(alias='default')"] == "OK"
    assert DEAD_REDIS not in response.content.decode()  # no URL (or password) leaks


@pytest.mark.django_db
def test_a_working_broker_is_reported_ok(client, settings):
    import os

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: no broker to check")
    settings.CELERY_BROKER_URL = redis_url
    response = client.get(reverse("health"), {"format": "json"})
    assert response.status_code == 200
    assert response.json()["Broker()"] == "OK"


@pytest.mark.django_db
def test_health_answers_plain_http_even_where_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.CELERY_BROKER_URL = ""
    assert client.get(reverse("landing")).status_code == 301
    assert client.get(reverse("health"), {"format": "json"}).status_code == 200


@pytest.mark.django_db
def test_redis_down_is_reported_although_the_site_runs_on_the_fallback(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "pioneer.cache.FallbackRedisCache", "LOCATION": DEAD_REDIS}
    }
    settings.CELERY_BROKER_URL = ""
    from django.core.cache import cache

    cache.set("still", "works")  # the fallback answers ...
    assert cache.get("still") == "works"
    response = client.get(reverse("health"), {"format": "json"})
    assert response.status_code == 500  # ... and the outage is not hidden
    body = response.json()
    assert "Redis does not answer" in body["Cache(alias='default')"]
    assert body["Database(alias='default')"] == "OK"


def _in_a_thread(call, *args):
    """The health view is async: run the request in a thread of its own, so that an event
    loop that another test (the browser tests' Playwright) left in this thread is not in
    the way."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call, *args).result()


@pytest.mark.django_db(transaction=True)  # the checks run in their own thread
def test_a_backlog_of_overdue_notifications_is_reported(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from pioneer.models import Notification
    from tests.factories.core import NotificationFactory

    settings.CELERY_BROKER_URL = ""
    NotificationFactory(due_at=timezone.now() - timedelta(seconds=30))  # due, not overdue
    assert _in_a_thread(client.get, reverse("health"), {"format": "json"}).status_code == 200
    NotificationFactory.create_batch(2, due_at=timezone.now() - timedelta(hours=1))
    NotificationFactory(
        state=Notification.State.SENDING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    response = _in_a_thread(client.get, reverse("health"), {"format": "json"})
    assert response.status_code == 500
    assert response.json()["NotificationBacklog()"] == "Unavailable: 3 notification(s) overdue"
