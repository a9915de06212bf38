"""The blueprints app's part of the scale world (`seed_demo --scale N`, see pioneer.scale).

10 N blueprints: 2 N published by the demo office (MLUK), the rest by the scale
ministries; one in ten is a draft.
"""

from datetime import timedelta

from blueprints.models import Blueprint
from pioneer.scale import MARK, bulk

PARAGRAPH = (
    "Die Blaupause beschreibt Vorbereitung, Zeitplan, Materialien und Rollen so, dass andere "
    "Ressorts und nachgeordnete Behörden das Format mit einer eigenen Fragestellung "
    "wiederholen können."
)


def build(world):
    rng = world.rng
    mluk = world.demo["org:mluk"]
    kinds = list(Blueprint.Category)
    rows = []
    for i in range(1, 10 * world.n + 1):
        organisation = mluk if i % 5 == 0 else world.ministries[i % len(world.ministries)]
        draft = i % 10 == 3
        rows.append(
            Blueprint(
                title=f"{MARK}: {rng.choice(['Leitfaden', 'Vorlage', 'Methode', 'Bericht'])} {i}",
                slug=f"skala-{i:05d}",
                category=kinds[i % len(kinds)],
                summary=f"Eine kurze Zusammenfassung der Blaupause {i} für die Liste.",
                body="\n\n".join([PARAGRAPH] * rng.randint(2, 6)),
                language="de" if i % 4 else "en",
                organisation=organisation,
                is_public=not draft,
                published_at=None if draft else world.now - timedelta(days=i % 900, minutes=i),
            )
        )
    bulk(Blueprint, rows)
    world.add("blueprints", len(rows))
