"""Load the demo world (idempotent: a second run on the same day changes nothing).

The world's dates are relative to the day it is first loaded; `--refresh` empties the
database and loads it anew, for today."""

import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from pioneer import demo
from pioneer import scale as scale_world

# The password printed in the README: everyone knows it.
PUBLIC_DEMO_PASSWORD = "pioneer-demo"  # noqa: S105


class Command(BaseCommand):
    help = "Create the demo world: organisations, logins, and what the apps add to it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-public-password",
            action="store_true",
            help="Seed a production-shaped installation with the README's demo password.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Then add a realistic world N times the demo's size (pioneer.scale; once).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="The random seed of the scale world."
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Empty the database first (everything in it), so the demo world's dates "
            "are relative to today again. Only with DJANGO_DEBUG=1.",
        )

    def handle(self, *args, allow_public_password=False, scale=0, seed=1, refresh=False, **options):
        # A demo world on a server reachable by HTTPS with the README's password would give
        # anyone a superuser and a programme office: refuse unless told so explicitly.
        if (
            settings.DEMO_PASSWORD == PUBLIC_DEMO_PASSWORD
            and not settings.DEBUG
            and settings.HTTPS
            and not allow_public_password
        ):
            raise CommandError(
                "Refusing to seed the demo world with the public demo password on a "
                "production-shaped installation (DJANGO_DEBUG off, HTTPS on). Set "
                "DEMO_PASSWORD to a secret of your own, or pass --allow-public-password."
            )
        if refresh and not settings.DEBUG:
            raise CommandError(
                "--refresh empties the whole database; it runs only with DJANGO_DEBUG=1 "
                "(the embedded `make run` shape), never on a production database."
            )
        if refresh:
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("Emptied the database; loading the demo world for today.")
        if scale < 0:
            raise CommandError("--scale is a whole number from 1.")
        if scale and scale_world.already_scaled():
            raise CommandError(
                "This database holds a scale world already; it is added once. Start from an "
                "empty database to build another size."
            )
        world = demo.World()
        with transaction.atomic():
            demo.build(world)
            for config in apps.get_app_configs():
                if config.name == "pioneer":
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.build(world)
        if scale:
            started = time.monotonic()
            with transaction.atomic():
                built = scale_world.build_world(world, n=scale, seed=seed)
            # Bulk inserts leave the planner's statistics empty until autovacuum comes by,
            # and without them PostgreSQL plans joins over thousands of rows as if they
            # were a few (a nested loop of 11,000 × 500 rows for the partner's event
            # registrations: 790 ms instead of 20). Production tables have statistics.
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            added = ", ".join(f"{count} {name}" for name, count in built.counts.items())
            self.stdout.write(
                f"Scale world N={scale} (seed {seed}) added in "
                f"{time.monotonic() - started:.1f} s: {added}."
            )
        # The secret password of a production-shaped seed is not printed, only named.
        password = (
            PUBLIC_DEMO_PASSWORD
            if settings.DEMO_PASSWORD == PUBLIC_DEMO_PASSWORD
            else "the value of DEMO_PASSWORD"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo world ready. Logins (password: {password}):"))
        width = max(len(email) for email, _ in demo.README_LOGINS)
        for email, who in demo.README_LOGINS:
            self.stdout.write(f"  {email:<{width}}  {who}")
        listed = {email for email, _ in demo.README_LOGINS}
        others = sorted(k[5:] for k in world if k.startswith("user:") and k[5:] not in listed)
        if others:
            self.stdout.write(
                f"  and {len(others)} more people of the demo cohorts with the same password "
                f"({', '.join(others[:3])}, ...)."
            )
        # What the apps' demo steps want a visitor to know (a link to try, ...).
        for note in world.get("notes", []):
            self.stdout.write(f"  {note}")
