"""The blueprints app's part of the demo world: what the MLUK published after the pilot of
pioneer4BB (dated relative to the pilot, which is dated relative to the day the world is
loaded), each with a small file made here, and one draft that only its office sees.

The Design Thinking workshop exists in German and in English: two blueprints, the English
one a translation of the German (each language is a blueprint of its own, with its own
title, text and file, and the pages link the two).

The other ministry (MIK) has adopted pioneer4BB: its own programme with a first cohort
(a draft) that carries pioneer4BB's event plan and surveys, and the record that the
library counts; MIK's office can adopt it again from the library.

Idempotent: each blueprint is looked up by its slug first, and gets its file only when it
has none; the adoption is made once; a second run changes nothing.
"""

from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from blueprints import samples, services
from blueprints.models import Adoption, Blueprint, Tag
from cohorts.models import Programme

DESIGN_THINKING_BODY = """\
Im Begleitprogramm des Piloten {year} haben Teilnehmende aus beiden Seiten der Tandems einen \
Tag lang nach der Design-Thinking-Methode an einem echten Vorhaben des MLUK gearbeitet. Weil \
die Fragestellung aus dem Arbeitsalltag des Ministeriums kam, standen am Ende des Tages \
Ergebnisse, mit denen das Projektteam weiterarbeiten konnte.

## Ablauf des Tages

| Zeit | Phase |
|---|---|
| 09:00 | Ankommen, Ziel des Tages, Regeln der Zusammenarbeit |
| 09:30 | Verstehen: die Fragestellung und wer von ihr betroffen ist |
| 10:30 | Beobachten: kurze Gespräche mit Betroffenen, Notizen an der Wand |
| 12:00 | Mittagspause |
| 13:00 | Standpunkt: eine Frage „Wie könnten wir …?“ |
| 13:45 | Ideen: sammeln, clustern, auswählen |
| 14:45 | Prototyp: ein einfaches Modell aus Papier oder Klickstrecke |
| 15:45 | Test mit Kolleginnen und Kollegen, Rückmeldungen |
| 16:30 | Abschluss: nächste Schritte, Reflexion |

## Rollen

- **Moderation** (eine erfahrene Person): führt durch den Tag und achtet auf die Zeit.
- **Auftraggebende** aus dem Fachreferat: bringen die Fragestellung mit und hören am Ende \
zu.
- **Teams** von vier bis sechs Personen, gemischt aus beiden Seiten der Tandems.
- **Testpersonen**: Kolleginnen und Kollegen, die am Nachmittag eine halbe Stunde Zeit haben.

Die Blaupause beschreibt Vorbereitung, Zeitplan, Materialien und Rollen so, dass andere \
Ressorts und nachgeordnete Behörden den Workshop mit einer eigenen Fragestellung wiederholen \
können. Sie ist Teil des Methodenbaukastens und darf im Rahmen von Kooperationen frei genutzt \
werden."""

DESIGN_THINKING_MATERIALS = """\
- ein Raum mit freien Wänden und Stehtischen für jedes Team
- Haftnotizen, dicke Stifte, Klebepunkte
- Papier, Karton, Schere und Klebeband für Prototypen
- ein Zeitplan gut sichtbar an der Wand"""

DESIGN_THINKING_BODY_EN = """\
In the companion programme of the {year} pilot, participants from both sides of the tandems \
spent a day working on a real project of the MLUK with the Design Thinking method. Because \
the question came from the ministry's daily work, the day ended with results the project \
team could build on.

## Agenda of the day

| Time | Phase |
|---|---|
| 09:00 | Arrival, goal of the day, ground rules |
| 09:30 | Understand: the question and who it affects |
| 10:30 | Observe: short interviews with those affected, notes on the wall |
| 12:00 | Lunch break |
| 13:00 | Point of view: a "How might we …?" question |
| 13:45 | Ideas: collect, cluster, choose |
| 14:45 | Prototype: a simple model in paper or a click-through |
| 15:45 | Test with colleagues, feedback |
| 16:30 | Close: next steps, reflection |

## Roles

- **Facilitator** (someone experienced): guides through the day and keeps time.
- **Sponsors** from the department: bring the question and listen at the end.
- **Teams** of four to six people, mixed from both sides of the tandems.
- **Testers**: colleagues who can spare half an hour in the afternoon.

The blueprint describes preparation, schedule, materials and roles so that other ministries \
and subordinate authorities can repeat the workshop with a question of their own."""

DESIGN_THINKING_MATERIALS_EN = """\
- a room with free walls and a standing table per team
- sticky notes, thick markers, dot stickers
- paper, cardboard, scissors and tape for prototypes
- the schedule on the wall where everyone sees it"""

AGREEMENT_BODY = """\
Eine Vorlage für die Vereinbarung zwischen entsendender Organisation, aufnehmender \
Organisation und hospitierender Person. Sie regelt, was vor dem ersten Tag der Hospitation \
geklärt sein muss:

1. Zeitraum, Arbeitsort und Arbeitszeit
2. Aufgaben und Ansprechperson in der aufnehmenden Organisation
3. Zugänge zu Gebäuden und Systemen
4. Vertraulichkeit und Umgang mit Daten
5. Versicherung, Dienstreisen und Kosten

Die Vorlage wurde im Piloten mit dem Personalrat abgestimmt."""

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
Wie Teilnehmende ihr Lerntagebuch führen: was hineingehört, wer es lesen darf (nur sie \
selbst und wen sie einladen) und wie es in die Abschlussreflexion eingeht. Entwurf: wird \
nach Abstimmung mit dem Personalrat veröffentlicht."""


def _pdf(title, body):
    paragraphs = [line.replace("**", "").strip("# ") for line in body.split("\n") if line]
    return samples.pdf_bytes(title, paragraphs)


# slug, fields, days after the pilot ended (None: a draft), file (title, name, maker).
BLUEPRINTS = [
    (
        "design-thinking-workshop",
        {
            "title": "Blaupause: Design Thinking Workshop",
            "category": Blueprint.Category.METHOD,
            "summary": "Ein eintägiger Design Thinking Workshop zu einem echten Projekt des "
            "Ministeriums, so aufbereitet, dass andere ihn wiederholen können.",
            "body": DESIGN_THINKING_BODY,
            "materials": DESIGN_THINKING_MATERIALS,
            "audience": Blueprint.Audience.FACILITATORS,
            "duration_minutes": 450,
            "group_min": 8,
            "group_max": 24,
            "licence": "cc-by-4.0",
            "language": "de",
        },
        ["Design Thinking", "Workshop", "Begleitprogramm"],
        30,
        ("Ablaufplan", "Ablaufplan Design Thinking Workshop.pdf", "pdf"),
    ),
    (
        "design-thinking-workshop-en",
        {
            "title": "Blueprint: Design Thinking workshop",
            "category": Blueprint.Category.METHOD,
            "summary": "A one-day Design Thinking workshop on a real project of the ministry, "
            "written up so that others can repeat it.",
            "body": DESIGN_THINKING_BODY_EN,
            "materials": DESIGN_THINKING_MATERIALS_EN,
            "audience": Blueprint.Audience.FACILITATORS,
            "duration_minutes": 450,
            "group_min": 8,
            "group_max": 24,
            "licence": "cc-by-4.0",
            "language": "en",
        },
        ["Design Thinking", "Workshop", "Begleitprogramm"],
        32,
        ("Agenda", "Agenda Design Thinking workshop.pdf", "pdf"),
    ),
    (
        "vorlage-hospitationsvereinbarung",
        {
            "title": "Vorlage: Hospitationsvereinbarung",
            "category": Blueprint.Category.TEMPLATE,
            "summary": "Eine Vorlage für die Vereinbarung zwischen beiden Organisationen und "
            "der hospitierenden Person.",
            "body": AGREEMENT_BODY,
            "audience": Blueprint.Audience.OFFICE,
            "licence": "dl-de-zero-2.0",
            "language": "de",
        },
        ["Hospitation", "Vorlage"],
        40,
        ("Vorlage Hospitationsvereinbarung", "Hospitationsvereinbarung.docx", "docx"),
    ),
    (
        "handlungsempfehlungen-pilotierung",
        {
            "title": "Handlungsempfehlungen aus der Pilotierung {year}",
            "category": Blueprint.Category.RECOMMENDATION,
            "summary": "Fünf Empfehlungen für Ressorts und Behörden, die ein Tandemprogramm "
            "selbst durchführen möchten.",
            "body": RECOMMENDATIONS_BODY,
            "audience": Blueprint.Audience.LEADERSHIP,
            "licence": "cc-by-4.0",
            "language": "de",
        },
        ["Transfer", "Pilot"],
        45,
        ("Handlungsempfehlungen", "Handlungsempfehlungen.pdf", "pdf"),
    ),
    (
        "evaluation-pioneer4bb-pilot",
        {
            "title": "Evaluation pioneer4BB {year}",
            "category": Blueprint.Category.EVALUATION,
            "summary": "Was die Teilnehmenden des Piloten mitgenommen haben, wo es hakte und "
            "welche Chancen ein Transfer bietet.",
            "body": EVALUATION_BODY,
            "audience": Blueprint.Audience.EVERYONE,
            "licence": "dl-de-by-2.0",
            "language": "de",
        },
        ["Evaluation", "Pilot"],
        60,
        ("Zusammenfassung der Evaluation", "Evaluation Zusammenfassung.pdf", "pdf"),
    ),
    (
        "leitfaden-lerntagebuch",
        {
            "title": "Leitfaden: Lerntagebuch",
            "category": Blueprint.Category.GUIDELINE,
            "summary": "Wie Teilnehmende ihr Lerntagebuch führen (Entwurf).",
            "body": DRAFT_BODY,
            "audience": Blueprint.Audience.PARTICIPANTS,
            "licence": "cc-by-4.0",
            "language": "de",
        },
        ["Lerntagebuch"],
        None,
        None,
    ),
]


def _file_bytes(kind, title, body):
    if kind == "docx":
        return samples.docx_bytes(title, [p for p in body.split("\n") if p.strip()])
    return _pdf(title, body)


def build(world):
    programme = (
        world.get("programme:pioneer4bb") or Programme.objects.filter(slug="pioneer4bb").first()
    )
    pilot = world.get("cohort:pilot")
    pilot_end = pilot.end_date if pilot else timezone.localdate() - timedelta(days=540)
    year = str(pilot_end.year)
    office = world.get("user:office@mluk.example")
    for slug, fields, tags, days_after, file in BLUEPRINTS:
        published = (
            timezone.make_aware(datetime.combine(pilot_end + timedelta(days=days_after), time(10)))
            if days_after is not None
            else None
        )
        values = {
            key: value.replace("{year}", year) if isinstance(value, str) else value
            for key, value in fields.items()
        }
        blueprint, created = Blueprint.objects.get_or_create(
            slug=slug,
            defaults={
                **values,
                "programme": programme,
                "cohort": pilot,
                "organisation": world["org:mluk"],
                "visibility": Blueprint.Visibility.PUBLIC,
                "is_public": published is not None,
                "published_at": published,
            },
        )
        if created:
            blueprint.tags.set(
                [Tag.objects.get_or_create(slug=_slug(t), defaults={"name": t})[0] for t in tags]
            )
        if slug == "design-thinking-workshop-en" and blueprint.translation_of_id is None:
            blueprint.translation_of = world["blueprint:design-thinking-workshop"]
            blueprint.save(update_fields=["translation_of"])
        if file and office is not None and not blueprint.files.exists():
            title, name, kind = file
            version = services.blueprint_file_add(
                blueprint=blueprint,
                title=title,
                upload=SimpleUploadedFile(name, _file_bytes(kind, values["title"], values["body"])),
                note="Fassung aus dem Piloten" if values["language"] == "de" else "Pilot edition",
                by=office,
            )
            # Uploaded when it was published, not today (the service dates it now).
            if published:
                type(version).objects.filter(pk=version.pk).update(uploaded_at=published)
                type(version.blueprint_file).objects.filter(pk=version.blueprint_file_id).update(
                    created_at=published
                )
            # The service touched updated_at; the demo's dates stay those of the pilot.
            Blueprint.objects.filter(pk=blueprint.pk).update(updated_at=published or timezone.now())
        world[f"blueprint:{slug}"] = blueprint
    build_adoption(world, programme)
    return world


# The other ministry (MIK) adopted pioneer4BB a few weeks ago: its own tandem programme,
# whose first cohort (a draft) starts in about four months with the event plan and the
# surveys of pioneer4BB's running cohort, moved to its start.
ADOPTION = {
    "name": "Tandem-Hospitation MIK",
    "cohort_title": "1. Durchgang",
    "description": (
        "Beschäftigte des Ministeriums des Innern und für Kommunales hospitieren in "
        "Tandems mit Expertinnen und Experten aus Unternehmen und gemeinnützigen "
        "Organisationen – nach dem Vorbild von pioneer4BB."
    ),
}


def build_adoption(world, programme):
    mik, office = world.get("org:mik"), world.get("user:office@mik.example")
    if programme is None or mik is None or office is None:
        return
    adoption = Adoption.objects.filter(source_programme=programme, organisation=mik).first()
    if adoption is None:
        today = timezone.localdate()
        start = (today + timedelta(days=120)).replace(day=1)
        adoption = services.programme_adopt(
            source=programme,
            organisation=mik,
            name=ADOPTION["name"],
            cohort_title=ADOPTION["cohort_title"],
            start_date=start,
            by=office,
            description=ADOPTION["description"],
            format=programme.format,
            default_cohort_months=programme.default_cohort_months,
            default_phase_months=programme.default_phase_months,
        )
        Adoption.objects.filter(pk=adoption.pk).update(
            created_at=timezone.now() - timedelta(days=21)
        )
    world["adoption:mik"] = adoption
    world["programme:mik"] = adoption.programme
    world["cohort:mik"] = adoption.cohort


def _slug(name):
    from django.utils.text import slugify

    return slugify(name)
