"""The blueprints app's part of the demo world: what the MLUK published after the pilot of
pioneer4BB (dated relative to the pilot, which is dated relative to the day the world is
loaded), and one draft that only its programme office sees.

Idempotent: each blueprint is looked up by its slug first; a second run changes nothing.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from blueprints.models import Blueprint
from cohorts.models import Programme

DESIGN_THINKING_BODY = """\
Im Begleitprogramm des Piloten {year} haben Teilnehmende aus beiden Seiten der Tandems einen \
Tag lang nach der Design-Thinking-Methode an einem echten Vorhaben des MLUK gearbeitet. Weil \
die Fragestellung aus dem Arbeitsalltag des Ministeriums kam, standen am Ende des Tages \
Ergebnisse, mit denen das Projektteam weiterarbeiten konnte.

Ablauf in Kürze: Verstehen und Beobachten am Vormittag (Wer ist betroffen, was brauchen diese \
Menschen?), Standpunkt und Ideen am frühen Nachmittag, ein einfacher Prototyp und dessen Test \
mit Kolleginnen und Kollegen zum Abschluss. Eine erfahrene Moderation führt durch den Tag.

Die Blaupause beschreibt Vorbereitung, Zeitplan, Materialien und Rollen so, dass andere \
Ressorts und nachgeordnete Behörden den Workshop mit einer eigenen Fragestellung wiederholen \
können. Sie ist Teil des Methodenbaukastens der DigitalAgentur Brandenburg und darf im Rahmen \
von Kooperationen frei genutzt werden."""

RECOMMENDATIONS_BODY = """\
1. Früh beginnen: Zwischen dem Aufruf zur Interessensbekundung und dem Start sollten \
mindestens drei Monate liegen, damit Führungskräfte Vertretungen planen können.

2. Tandems sorgfältig zusammenstellen: Gemeinsame Themen beider Seiten sind wichtiger als \
gleiche Fachgebiete. Ein kurzes Kennenlerngespräch vor der Zusage hilft.

3. Hospitationsvereinbarungen rechtzeitig klären: Arbeitsort, Zugänge, Vertraulichkeit und \
Versicherung gehören vor den ersten Tag der Hospitation.

4. Begleitprogramm fest einplanen: Auftakt, Workshop, Reflexionen und kollegiale Fallberatung \
geben dem Austausch einen Rahmen; die Termine sollten von Beginn an feststehen.

5. Ergebnisse sichern: Lerntagebuch und Abschlussreflexion machen sichtbar, was jede Seite \
mitnimmt, und liefern die Grundlage für die Evaluation."""

EVALUATION_BODY = """\
Die DigitalAgentur Brandenburg hat den Piloten von pioneer4BB begleitet und ausgewertet. \
Grundlage waren Befragungen der Teilnehmenden zu Beginn und am Ende des Durchgangs sowie \
Gespräche mit dem Programmbüro.

Die Teilnehmenden beider Seiten berichten von einem neuen Blick auf die jeweils andere \
Arbeitswelt, von Methoden, die sie in ihren Alltag übernommen haben, und von einem Netzwerk, \
das über den Durchgang hinaus trägt. Als Hürden nennen sie vor allem den organisatorischen \
Aufwand vor der Hospitation und knappe Zeit neben den laufenden Aufgaben.

Der Bericht zeigt, welche Chancen ein Transfer des Programms in weitere Ressorts und \
nachgeordnete Behörden bietet, und bündelt die Erfahrungen in Handlungsempfehlungen."""

DRAFT_BODY = """\
Eine Vorlage für die Vereinbarung zwischen entsendender Organisation, aufnehmender \
Organisation und hospitierender Person. Entwurf: wird nach Abstimmung mit dem Personalrat \
veröffentlicht."""

# slug, title, kind, summary, body, public, published (days after the pilot ended, or None);
# "{year}" in a title or body is the pilot's year.
BLUEPRINTS = [
    (
        "design-thinking-workshop",
        "Blaupause: Design Thinking Workshop",
        Blueprint.Category.METHOD,
        "Ein eintägiger Design Thinking Workshop zu einem echten Projekt des Ministeriums, "
        "so aufbereitet, dass andere ihn wiederholen können.",
        DESIGN_THINKING_BODY,
        True,
        30,
    ),
    (
        "handlungsempfehlungen-pilotierung",
        "Handlungsempfehlungen aus der Pilotierung {year}",
        Blueprint.Category.RECOMMENDATION,
        "Fünf Empfehlungen für Ressorts und Behörden, die ein Tandemprogramm selbst "
        "durchführen möchten.",
        RECOMMENDATIONS_BODY,
        True,
        45,
    ),
    (
        "evaluation-pioneer4bb-pilot",
        "Evaluation pioneer4BB {year}",
        Blueprint.Category.EVALUATION,
        "Was die Teilnehmenden des Piloten mitgenommen haben, wo es hakte und welche Chancen "
        "ein Transfer bietet.",
        EVALUATION_BODY,
        True,
        60,
    ),
    (
        "vorlage-hospitationsvereinbarung",
        "Vorlage: Hospitationsvereinbarung",
        Blueprint.Category.TEMPLATE,
        "Eine Vorlage für die Vereinbarung zwischen beiden Organisationen und der "
        "hospitierenden Person (Entwurf).",
        DRAFT_BODY,
        False,
        None,
    ),
]


def build(world):
    programme = (
        world.get("programme:pioneer4bb") or Programme.objects.filter(slug="pioneer4bb").first()
    )
    pilot = world.get("cohort:pilot")
    pilot_end = pilot.end_date if pilot else timezone.localdate() - timedelta(days=540)
    year = pilot_end.year
    for slug, title, kind, summary, body, public, days_after in BLUEPRINTS:
        published = (
            datetime.combine(pilot_end + timedelta(days=days_after), time(10))
            if days_after is not None
            else None
        )
        blueprint, _ = Blueprint.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title.replace("{year}", str(year)),
                "category": kind,
                "summary": summary,
                "body": body.replace("{year}", str(year)),
                "language": Blueprint.Language.GERMAN,
                "programme": programme,
                "organisation": world["org:mluk"],
                "is_public": public,
                "published_at": timezone.make_aware(published) if published else None,
            },
        )
        world[f"blueprint:{slug}"] = blueprint
    return world
