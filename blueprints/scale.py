"""The blueprints app's part of the scale world (`seed_demo --scale N`, see pioneer.scale).

10 N blueprints: 2 N published by the demo office (MLUK), the rest by the scale
ministries; one in ten is a draft, one in eight is for signed-in people only. Methods get
a duration and a group size; every blueprint two of twelve tags. No files: the library's
pages and search are what the scale world measures.
"""

from datetime import timedelta

from blueprints import licences, search
from blueprints.models import Blueprint, Tag
from pioneer.scale import MARK, bulk

PARAGRAPH = (
    "Die Blaupause beschreibt Vorbereitung, Zeitplan, Materialien und Rollen so, dass andere "
    "Ressorts und nachgeordnete Behörden das Format mit einer eigenen Fragestellung "
    "wiederholen können."
)
TAGS = [
    "Workshop",
    "Reflexion",
    "Vernetzung",
    "Hospitation",
    "Vorlage",
    "Evaluation",
    "Transfer",
    "Führung",
    "Onboarding",
    "Digitalisierung",
    "Beteiligung",
    "Lernen",
]


def build(world):
    rng = world.rng
    mluk = world.demo["org:mluk"]
    categories = list(Blueprint.Category)
    audiences = list(Blueprint.Audience)
    codes = [licence.code for licence in licences.LICENCES]
    tags = []
    for name in TAGS:
        slug = f"skala-{name.lower()}".replace("ü", "ue").replace("ä", "ae")
        tags.append(Tag.objects.get_or_create(slug=slug, defaults={"name": f"{MARK} {name}"})[0])
    rows = []
    for i in range(1, 10 * world.n + 1):
        organisation = mluk if i % 5 == 0 else world.ministries[i % len(world.ministries)]
        draft = i % 10 == 3
        category = categories[i % len(categories)]
        method = category == Blueprint.Category.METHOD
        low = rng.randint(3, 12) if method else None
        rows.append(
            Blueprint(
                title=f"{MARK}: {rng.choice(['Leitfaden', 'Vorlage', 'Methode', 'Bericht'])} {i}",
                slug=f"skala-{i:05d}",
                category=category,
                summary=f"Eine kurze Zusammenfassung der Blaupause {i} für die Liste.",
                body="\n\n".join([PARAGRAPH] * rng.randint(2, 6)),
                audience=audiences[i % len(audiences)],
                duration_minutes=rng.choice([60, 90, 180, 240, 420, 900]) if method else None,
                group_min=low,
                group_max=low + rng.randint(0, 20) if method else None,
                licence=codes[i % len(codes)],
                visibility="signed_in" if i % 8 == 1 else "public",
                language="de" if i % 4 else "en",
                organisation=organisation,
                is_public=not draft,
                published_at=None if draft else world.now - timedelta(days=i % 900, minutes=i),
            )
        )
    created = bulk(Blueprint, rows)
    if all(b.pk for b in created):
        through = Blueprint.tags.through
        links = []
        for blueprint in created:
            first, second = rng.sample(tags, 2)
            links.append(through(blueprint_id=blueprint.pk, tag_id=first.pk))
            links.append(through(blueprint_id=blueprint.pk, tag_id=second.pk))
        bulk(through, links)
    # bulk_create sends no post_save: the search vectors in one UPDATE.
    search.refresh(Blueprint.objects.filter(slug__startswith="skala-", search_vector__isnull=True))
    world.add("blueprints", len(rows))
