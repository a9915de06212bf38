"""Load the demo world (idempotent: a second run changes nothing)."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from pioneer import demo


class Command(BaseCommand):
    help = "Create the demo world: organisations, logins, and what the apps add to it."

    def handle(self, *args, **options):
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
        logins = sorted(key[5:] for key in world if key.startswith("user:"))
        self.stdout.write(self.style.SUCCESS("Demo world ready. Logins:"))
        for email in logins:
            self.stdout.write(f"  {email}")
