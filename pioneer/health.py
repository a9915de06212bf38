"""/health/: database, cache, the notification backlog and, when one is configured, the
Celery broker.

The checks are read from the settings on every request, so the page reports the
configuration the process really runs with. Answers 500 if any check fails (a degraded
part is named, not hidden: with Redis down the site keeps working on its fallback
cache, and this page still says that Redis is down); JSON with ?format=json or
Accept: application/json.
"""

import dataclasses
import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.utils import timezone
from health_check import checks as stock_checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection

from pioneer.cache import FallbackRedisCache
from pioneer.models import Notification
from pioneer.services import stale_claim_after


@dataclasses.dataclass
class Broker(HealthCheck):
    """Connect to the Celery broker, whatever its transport (Redis, RabbitMQ, ...)."""

    url: str = dataclasses.field(repr=False)  # it may hold a password
    timeout = datetime.timedelta(seconds=3)

    def run(self):
        try:
            with Connection(self.url, connect_timeout=self.timeout.total_seconds()) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        except Exception as exc:
            raise ServiceUnavailable("Unable to connect to the broker") from exc


@dataclasses.dataclass
class Cache(stock_checks.Cache):
    """The stock cache check, but past the fallback: with Redis down, the fallback cache
    would answer set/get and the outage would be hidden."""

    async def run(self):
        cache = caches[self.alias]
        if not isinstance(cache, FallbackRedisCache):
            return await super().run()
        try:
            await sync_to_async(cache.ping)()
        except Exception as exc:
            raise ServiceUnavailable("Redis does not answer; running on the fallback") from exc


@dataclasses.dataclass
class NotificationBacklog(HealthCheck):
    """E-mails that should have gone out and have not: pending well past their due time
    (the dispatcher or the broker is not running) or claimed by a sender that died and
    not taken up again."""

    def run(self):
        now = timezone.now()
        grace = datetime.timedelta(seconds=2 * settings.NOTIFICATION_DISPATCH_SECONDS)
        grace += stale_claim_after()
        before = now - grace
        overdue = Notification.objects.filter(
            Q(state=Notification.State.PENDING, due_at__lt=before)
            | Q(state=Notification.State.SENDING, claimed_at__lt=before)
        ).count()
        if overdue:
            raise ServiceUnavailable(f"{overdue} notification(s) overdue")


def health_checks():
    checks = ["health_check.checks.Database", Cache, NotificationBacklog]
    if settings.CELERY_BROKER_URL:
        checks.append((Broker, {"url": settings.CELERY_BROKER_URL}))
    return checks


class HealthView(HealthCheckView):
    @property
    def checks(self):
        return health_checks()


health = HealthView.as_view()
