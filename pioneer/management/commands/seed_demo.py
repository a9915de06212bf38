"""Load the demo world (idempotent: a second run changes nothing)."""

import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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

    def handle(self, *args, allow_public_password=False, scale=0, seed=1, **options):
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
            added = ", ".join(f"{count} {name}" for name, count in built.counts.items())
            self.stdout.write(
                f"Scale world N={scale} (seed {seed}) added in "
                f"{time.monotonic() - started:.1f} s: {added}."
            )
        logins = sorted(key[5:] for key in world if key.startswith("user:"))
        self.stdout.write(self.style.SUCCESS("Demo world ready. Logins:"))
        for email in logins:
            self.stdout.write(f"  {email}")
