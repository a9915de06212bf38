"""The production shape: docker-compose.yml, the Dockerfile, .env.example and the settings
agree with each other and with the Makefile, and Django's deployment checks pass.

Docker cannot run in the test environment, so the files are read and compared instead;
the settings are loaded for real, in a subprocess, with production values.
"""

import ast
import os
import re
import runpy
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def _command(service):
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def _celery(tokens):
    """(app, subcommand) of a `celery -A <app> <subcommand> ...` command line."""
    start = tokens.index("celery")
    args = tokens[start + 1 :]
    app = args[args.index("-A") + 1]
    rest = [a for a in args[args.index("-A") + 2 :] if not a.startswith("-")]
    return app, rest[0]


def _settings_variables():
    """Names the settings read with env("X"), env.bool("X"), env.db("X"), ..."""
    tree = ast.parse((ROOT / "pioneer" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
            and func.attr != "read_env"
        )
        first = node.args[0]
        if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def _gunicorn_variables():
    text = (ROOT / "gunicorn.conf.py").read_text()
    return set(re.findall(r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]*)\"", text))


def _compose_variables():
    """${X} interpolations in docker-compose.yml (docker compose takes them from .env)."""
    text = (ROOT / "docker-compose.yml").read_text()
    return set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))


def _env_example():
    """{name: (value, active)}; `# NAME=value` lines are documented optional defaults."""
    entries = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        active = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        optional = re.match(r"^#\s?([A-Z][A-Z0-9_]*)=(.*)$", line)
        match = active or optional
        if match:
            assert match.group(1) not in entries, f"{match.group(1)} twice in .env.example"
            entries[match.group(1)] = (match.group(2), bool(active))
    return entries


# --- docker-compose.yml --------------------------------------------------------------------


def test_compose_has_every_service(services):
    expected = {"migrate", "web", "worker", "beat", "db", "redis", "mailpit"}
    assert expected <= set(services)
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["mailpit"]["image"].split(":")[0] == "axllent/mailpit"
    assert "127.0.0.1:8025:8025" in services["mailpit"]["ports"]


def test_web_runs_gunicorn_with_the_wsgi_app(services):
    tokens = _command(services["web"])
    assert tokens[0] == "gunicorn"
    assert any(t.split(":")[0] == "pioneer.wsgi" for t in tokens)
    # The Dockerfile's default command serves the same application on 0.0.0.0:8000.
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M)
    default = ast.literal_eval(cmd.group(1))
    assert default[0] == "gunicorn" and "pioneer.wsgi:application" in default
    assert default[default.index("--bind") + 1] == "0.0.0.0:8000"


def test_migrations_run_before_anything_starts(services):
    assert _command(services["migrate"])[-3:] == ["manage.py", "migrate", "--no-input"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name
    for name in ("migrate", "web", "worker"):
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy", name


def test_worker_and_beat_run_celery(services):
    assert _celery(_command(services["worker"])) == ("pioneer", "worker")
    assert _celery(_command(services["beat"])) == ("pioneer", "beat")


def test_app_services_share_the_image_and_the_env_file(services):
    for name in APP_SERVICES:
        service = services[name]
        assert service["env_file"] == ".env", name
        assert service["image"] == "pioneer:local", name
        assert service["build"] == ".", name
        assert service["environment"]["PIONEER_REQUIRE_SECRET_KEY"] == "1", name
        assert "media:/data/media" in service["volumes"], name
    # The database gets its password only, not the app's secrets.
    assert "env_file" not in services["db"]


def test_long_running_services_have_health_checks(services):
    for name in ("web", "worker", "beat", "db", "redis", "mailpit"):
        assert services[name]["healthcheck"]["test"], name
    # The worker and beat are pinged by their own node names.
    assert "celery@$$HOSTNAME" in services["worker"]["healthcheck"]["test"][1]
    assert "celerybeat@$$HOSTNAME" in services["beat"]["healthcheck"]["test"][1]
    assert "--enable-remote-control" in _command(services["beat"])


def test_web_health_check_is_valid_python_asking_for_health(services):
    test = services["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    ast.parse(test[3])
    assert "/health/" in test[3] and "X-Forwarded-Proto" in test[3]


def test_named_volumes_for_postgres_and_media(compose, services):
    assert {"postgres", "media"} <= set(compose["volumes"])
    assert "postgres:/var/lib/postgresql/data" in services["db"]["volumes"]


def test_only_the_host_reaches_the_published_ports(services):
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


# --- .env.example ----------------------------------------------------------------------------


def test_env_example_lists_every_setting_the_app_reads():
    documented = set(_env_example())
    read = _settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "ACCESSIBILITY_CONTACT_EMAIL"} <= read
    assert read - documented == set()
    assert _gunicorn_variables() - documented == set()
    assert _compose_variables() - documented == set()


def test_env_example_lists_nothing_unknown():
    known = _settings_variables() | _gunicorn_variables() | _compose_variables()
    assert set(_env_example()) - known == set()


def test_env_example_is_production_shaped():
    entries = _env_example()
    active = {name: value for name, (value, is_active) in entries.items() if is_active}
    assert active["DJANGO_DEBUG"] == "0"
    assert active["PIONEER_REQUIRE_SECRET_KEY"] == "1"
    assert active["HTTPS"] == "1"
    assert active["REQUIRE_STAFF_MFA"] == "1"
    assert active["STATIC_MANIFEST"] == "1"
    assert active["EMAIL_URL"] == "smtp://mailpit:1025"
    # Secrets are left empty: nobody runs with a key or a password from a public file.
    assert active["SECRET_KEY"] == ""
    assert active["POSTGRES_PASSWORD"] == ""
    # An empty CELERY_BROKER_URL would silently run tasks inline: it stays commented out.
    assert not entries["CELERY_BROKER_URL"][1]


# --- Makefile ----------------------------------------------------------------------------------


def _make_recipe(target):
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, re.M)
    assert match, f"no `make {target}`"
    return [shlex.split(line.strip()) for line in match.group(1).splitlines()]


@pytest.mark.parametrize("target", ["worker", "beat"])
def test_make_targets_run_the_same_celery_commands_as_compose(services, target):
    lines = [line for line in _make_recipe(target) if any(t.endswith("celery") for t in line)]
    assert len(lines) == 1
    tokens = [("celery" if t.endswith("/celery") else t) for t in lines[0]]
    assert _celery(tokens) == _celery(_command(services[target])) == ("pioneer", target)


# --- Dockerfile, .dockerignore, gunicorn.conf.py ----------------------------------------------


def test_dockerfile_builds_the_production_image():
    text = (ROOT / "Dockerfile").read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in text
    assert re.findall(r"^FROM \$\{PYTHON_IMAGE\}", text, re.M)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "gettext", "nodejs", "npm"):
        assert re.search(rf"apt-get install[^&]*\b{re.escape(package)}\b", text), package
    assert "pip install --require-hashes -r requirements.txt" in text
    assert "requirements-dev" not in text  # no test tools in the image
    assert "npm ci" in text
    assert "manage.py compilemessages" in text
    assert "STATIC_MANIFEST=1 python manage.py collectstatic --no-input" in text
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    # Every file the build copies by name exists.
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M):
        for source in line.split()[:-1]:
            if source != ".":
                assert (ROOT / source).exists(), source


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "node_modules", "db.sqlite3", "media"} <= ignored
    assert "!.env.example" in ignored


def test_gunicorn_config_loads_and_uses_only_known_settings():
    from gunicorn.config import KNOWN_SETTINGS

    known = {setting.name for setting in KNOWN_SETTINGS}
    values = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    chosen = {k for k, v in values.items() if k.islower() and not k.startswith("_")}
    chosen -= {k for k, v in values.items() if type(v) is type(os)}  # imported modules
    assert chosen and chosen <= known, chosen - known
    assert values["bind"] == "0.0.0.0:8000"
    assert values["workers"] >= 1


# --- the settings with production values ------------------------------------------------------


def _production_env(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL")}
    env.update(
        DJANGO_SETTINGS_MODULE="pioneer.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        PIONEER_REQUIRE_SECRET_KEY="1",
        ALLOWED_HOSTS="pioneer.example",
        CSRF_TRUSTED_ORIGINS="https://pioneer.example",
        HTTPS="1",
        REQUIRE_STAFF_MFA="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        REDIS_URL="",
        STATIC_MANIFEST="0",
        EMAIL_URL="smtp://mailpit:1025",
        SITE_URL="https://pioneer.example",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deployment_checks_pass_with_production_values(tmp_path):
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deployment_checks_pass_with_the_env_example(tmp_path):
    """The file operators copy is itself a valid production configuration."""
    values = {name: value.strip('"') for name, (value, on) in _env_example().items() if on}
    env = _production_env(tmp_path)
    env.update(values)
    # What the operator fills in, and a database that needs no server.
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    result = _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage(_production_env(tmp_path, SECRET_KEY=""), "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_the_development_key_fails_the_deployment_checks(tmp_path):
    """Without the switch the settings fall back to a throwaway key; --deploy says so."""
    env = _production_env(tmp_path, SECRET_KEY="", PIONEER_REQUIRE_SECRET_KEY="0")
    result = _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_https_off_fails_the_deployment_checks(tmp_path):
    """The HTTPS switch really drives the security settings (the check above is not vacuous)."""
    result = _manage(_production_env(tmp_path, HTTPS="0"), "check", "--deploy")
    output = result.stdout + result.stderr
    assert "security.W004" in output  # no HSTS
    assert "security.W008" in output  # no redirect to HTTPS


# --- dependency locks ----------------------------------------------------------------------


def _pins(name):
    """{package: (version, hashes)} of a pip-tools lock."""
    pins, current = {}, None
    for line in (ROOT / name).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            current = match.group(1).lower()
            pins[current] = (match.group(2), [])
        elif current and "--hash=sha256:" in line:
            pins[current][1].append(line.strip())
    return pins


def test_both_locks_pin_every_package_with_hashes():
    runtime, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    assert "django" in runtime and "pytest" in dev
    for pins in (runtime, dev):
        assert all(hashes for _version, hashes in pins.values())
    # The development lock is the runtime lock plus tools, at the same versions.
    assert {name: pin[0] for name, pin in runtime.items()} == {
        name: dev[name][0] for name in runtime
    }
    for tool in ("pytest", "pytest-django", "playwright", "ruff", "factory-boy"):
        assert tool not in runtime, tool


def test_the_set_up_installs_the_hashed_locks():
    text = (ROOT / "scripts" / "setup.sh").read_text()
    assert "--require-hashes" in text
    assert "lock=requirements-dev.txt" in text
    assert "lock=requirements.txt" in text
