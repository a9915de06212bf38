# syntax=docker/dockerfile:1
# Pioneer's production image: gunicorn behind a TLS-terminating reverse proxy; the same
# image runs the Celery worker and beat (see docker-compose.yml).
#
# Two stages: "build" has the tools that are only needed once (gettext, Node.js and npm
# for the KERN design system and htmx), the final stage only what runs.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: Python packages, front-end assets, translations, static files ----------------
FROM ${PYTHON_IMAGE} AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint needs Pango at build time too: collectstatic imports the whole project.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
# Only the runtime lock: no test tools in the image. Hashed: a tampered file fails.
COPY requirements.txt ./
RUN python -m venv /opt/venv \
 && pip install --require-hashes -r requirements.txt

COPY package.json package-lock.json ./
# Only what the browser loads (KERN, htmx); axe-core is for the tests.
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

COPY . .

# Translations and static files are built into the image. The manifest storage gives
# every file a content hash in its name, so browsers may cache them forever. No secret
# is needed here: without PIONEER_REQUIRE_SECRET_KEY the settings use a throwaway key.
RUN python manage.py compilemessages --ignore=node_modules -v 0 \
 && STATIC_MANIFEST=1 python manage.py collectstatic --no-input -v 0

# --- runtime -----------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=pioneer.settings \
    STATIC_MANIFEST=1 \
    PIONEER_REQUIRE_SECRET_KEY=1 \
    MEDIA_ROOT=/data/media \
    PRIVATE_ROOT=/data/private

# Pango (and HarfBuzz's subsetter) for WeasyPrint's PDFs; a font so the PDFs have glyphs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# A user without a login shell and without write access to the code.
RUN groupadd --system --gid 10001 pioneer \
 && useradd --system --uid 10001 --gid pioneer --home-dir /home/pioneer --create-home \
        --shell /usr/sbin/nologin pioneer \
 && mkdir -p /data/media /data/private \
 && chown pioneer:pioneer /data/media /data/private

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

WORKDIR /app
USER pioneer:pioneer
VOLUME ["/data/media", "/data/private"]
EXPOSE 8000

# gunicorn.conf.py binds 0.0.0.0:8000 and logs to stdout; the flags repeat the essentials.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "pioneer.wsgi:application"]
