"""/health/: database, cache and, when one is configured, the Celery broker.

The checks are read from the settings on every request, so the page reports the
configuration the process really runs with. Answers 500 if any check fails; JSON with
?format=json or Accept: application/json.
"""

import dataclasses
import datetime

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Broker(HealthCheck):
    """Connect to the Celery broker, whatever its transport (Redis, RabbitMQ, ...)."""

    url: str = dataclasses.field(repr=False)  # it may hold a password
    timeout = datetime.timedelta(seconds=3)

    def run(self):
        from kombu import Connection

        try:
            with Connection(self.url, connect_timeout=self.timeout.total_seconds()) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        except Exception as exc:
            raise ServiceUnavailable("Unable to connect to the broker") from exc


def health_checks():
    checks = ["health_check.checks.Database", "health_check.checks.Cache"]
    if settings.CELERY_BROKER_URL:
        checks.append((Broker, {"url": settings.CELERY_BROKER_URL}))
    return checks


class HealthView(HealthCheckView):
    @property
    def checks(self):
        return health_checks()


health = HealthView.as_view()
