"""Gunicorn settings for the container (the `web` service in docker-compose.yml).

Gunicorn reads this file by itself when started from /app; the Dockerfile names it too.
Sync workers: nothing slow happens inside a request (PDFs and exports are Celery tasks).
"""

import multiprocessing
import os

bind = "0.0.0.0:8000"  # noqa: S104 (inside a container; compose publishes it on 127.0.0.1)
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows into an outage.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file on tmpfs: a disk-backed /tmp can stall workers in containers.
SHM = "/dev/shm"  # noqa: S108 (gunicorn creates its own private file there)
worker_tmp_dir = SHM if os.path.isdir(SHM) else None
# The port is only reachable from the reverse proxy (see docker-compose.yml), whose
# address is not known in advance. Django decides about HTTPS by SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# Nobody runs gunicornc inside the container; no socket in the home directory.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def post_worker_init(worker):
    """Once the worker has loaded the app: everything it holds then (Django, the apps, the
    URLconf, the translations) is moved out of the garbage collector's sight. A full
    collection scanned all of it, some 100 ms once in about a hundred requests of a cohort
    page (1 ms a request on average, and a 100 ms pause for the one that met it); with
    these objects frozen it scans only what requests made since (issue 8)."""
    import gc

    gc.freeze()
