"""Settings for the test suite: the real ones, with the few switches tests need."""

import os

os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("REQUIRE_STAFF_MFA", "false")

from pioneer.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The fault test's worker sends to a real (local) SMTP sink instead.
EMAIL_BACKEND = env(  # noqa: F405
    "TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
# Each test run gets its own key space in a shared Redis.
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"pioneer-test-{os.getpid()}"  # noqa: F405
# Tasks run inline, broker or not, so no test needs a worker; the worker test (marker
# "worker") switches this off in its own process and starts a worker with it off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
