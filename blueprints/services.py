"""Writes of the blueprints app: keyword-only functions named <entity>_<verb>.

Only the programme office of the publishing organisation may write, publish or withdraw
a blueprint and upload its files; anyone else gets PermissionDenied. No e-mails or tasks
are sent. Downloads are counted per version and day, without anything about the person.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from blueprints import licences, selectors, uploads
from blueprints.models import (
    Adoption,
    Blueprint,
    BlueprintFile,
    BlueprintFileVersion,
    DownloadCount,
    Tag,
)
from blueprints.rules import publishes
from cohorts import hooks as cohort_hooks
from cohorts import services as cohort_services
from cohorts.models import Cohort, Programme
from pioneer.access import SYSTEM, actor
from pioneer.rules import is_office_of
from pioneer.validators import RESERVED_SLUGS as ADDRESS_WORDS
from pioneer.validators import check_date, check_name

# Words of the library's own addresses (/blueprints/new/, ...): no blueprint may take them.
RESERVED_SLUGS = frozenset(
    {"new", "categories", "catalogue", "search", "files", "tags", "handbook", "adopt", "adoptions"}
)
MAX_TAGS = 12


def _check(blueprint, by):
    # The predicate itself, not user.has_perm: a superuser is no programme office either.
    if not publishes(by, blueprint):
        raise PermissionDenied


@dataclass(frozen=True)
class BlueprintData:
    """Everything an office writes about a blueprint (the form's cleaned data)."""

    title: str
    summary: str
    body: str = ""
    category: str = Blueprint.Category.METHOD
    audience: str = Blueprint.Audience.EVERYONE
    duration_minutes: int | None = None
    group_min: int | None = None
    group_max: int | None = None
    materials: str = ""
    licence: str = licences.DEFAULT
    language: str = Blueprint.Language.GERMAN
    visibility: str = Blueprint.Visibility.PUBLIC
    programme: object = None
    cohort: object = None
    translation_of: object = None
    tags: list[str] = field(default_factory=list)


def _validate(data: BlueprintData, organisation, blueprint=None):
    check_name(data.title, "title")
    errors = {}
    if data.category not in Blueprint.Category.values:
        errors["category"] = _("Choose one of the categories.")
    if data.licence not in licences.BY_CODE:
        errors["licence"] = _("Choose one of the licences.")
    if (
        data.group_min is not None
        and data.group_max is not None
        and data.group_min > data.group_max
    ):
        errors["group_max"] = _("The largest group cannot be smaller than the smallest.")
    if data.programme is not None and data.programme.organisation_id != organisation.pk:
        errors["programme"] = _("Choose a programme of your own organisation.")
    if data.cohort is not None and (
        data.programme is None or data.cohort.programme_id != data.programme.pk
    ):
        errors["cohort"] = _("Choose a cohort of the chosen programme.")
    if data.translation_of is not None and (
        data.translation_of.organisation_id != organisation.pk
        or (blueprint is not None and data.translation_of.pk == blueprint.pk)
    ):
        errors["translation_of"] = _("Choose another blueprint of your own organisation.")
    if len(data.tags) > MAX_TAGS:
        errors["tags"] = _("Give at most %(n)s tags.") % {"n": MAX_TAGS}
    if errors:
        raise ValidationError(errors)


def _unique_slug(title):
    base = (slugify(title) or "blaupause")[:70].strip("-") or "blaupause"
    if base in RESERVED_SLUGS:
        base = f"{base}-1"
    slug, n = base, 1
    while Blueprint.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _tags(names):
    tags = []
    for name in names:
        name = " ".join(name.split())[:50]
        slug = slugify(name)[:60]
        if not slug:
            continue
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name, slug=slug)
            except IntegrityError:  # made at the same moment, or the name differs in case only
                tag = Tag.objects.filter(slug=slug).first() or Tag.objects.get(name=name)
        tags.append(tag)
    return tags


def _apply(blueprint, data: BlueprintData):
    for name in (
        "title",
        "summary",
        "body",
        "category",
        "audience",
        "duration_minutes",
        "group_min",
        "group_max",
        "materials",
        "licence",
        "language",
        "visibility",
        "programme",
        "cohort",
        "translation_of",
    ):
        setattr(blueprint, name, getattr(data, name))


@transaction.atomic
def blueprint_create(*, organisation, data: BlueprintData, by) -> Blueprint:
    """A new draft of `organisation` (nobody but its office sees it until it is
    published). The address is made from the title."""
    if not is_office_of(by, organisation.pk):
        raise PermissionDenied
    _validate(data, organisation)
    blueprint = Blueprint(organisation=organisation, slug=_unique_slug(data.title))
    _apply(blueprint, data)
    blueprint.is_public = False
    blueprint.save()
    blueprint.tags.set(_tags(data.tags))
    return blueprint


@transaction.atomic
def blueprint_update(*, blueprint: Blueprint, data: BlueprintData, by) -> Blueprint:
    """Change what the office wrote; the address and the publication state stay."""
    _check(blueprint, by)
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    _validate(data, blueprint.organisation, blueprint)
    _apply(blueprint, data)
    blueprint.save()
    blueprint.tags.set(_tags(data.tags))
    return blueprint


@transaction.atomic
def blueprint_publish(*, blueprint: Blueprint, by, now=None) -> Blueprint:
    """Make the blueprint public. It keeps an earlier publication date (a withdrawn one
    that comes back is not news); a missing or future one becomes now."""
    _check(blueprint, by)
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    now = now or timezone.now()
    blueprint.is_public = True
    if blueprint.published_at is None or blueprint.published_at > now:
        blueprint.published_at = now
    blueprint.save(update_fields=["is_public", "published_at", "updated_at"])
    return blueprint


@transaction.atomic
def blueprint_withdraw(*, blueprint: Blueprint, by) -> Blueprint:
    """Take the blueprint off the public pages; its publication date stays on record."""
    _check(blueprint, by)
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    blueprint.is_public = False
    blueprint.save(update_fields=["is_public", "updated_at"])
    return blueprint


@transaction.atomic
def blueprint_offer(
    *, cohort, title: str, summary: str, body: str, category: str, language: str, files, by
) -> Blueprint:
    """A DRAFT blueprint of the organisation that runs `cohort`'s programme, offered by
    another app (pioneer.hooks.publish_document, e.g. an evaluator's aggregated report).

    The offering app has checked that `by` may offer it; that is why `by` need not be
    this organisation's office. Only the office can publish it (blueprint_publish checks
    that as always): until then nobody else sees it. Each of `files` ((name, bytes,
    content type)) passes the same upload checks as a file the office uploads; a refused
    one raises ValidationError and the whole offer is rolled back.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    organisation = cohort.programme.organisation
    if language not in Blueprint.Language.values:
        language = Blueprint.Language.GERMAN
    data = BlueprintData(
        title=" ".join((title or "").split())[:200],
        summary=" ".join((summary or "").split())[:300],
        body=body or "",
        category=category,
        language=language,
        programme=cohort.programme,
        cohort=cohort,
    )
    _validate(data, organisation)
    blueprint = Blueprint(organisation=organisation, slug=_unique_slug(data.title))
    _apply(blueprint, data)
    blueprint.is_public = False
    blueprint.save()
    for name, content, content_type in files:
        upload = SimpleUploadedFile(name, content, content_type=content_type)
        checked = uploads.check(upload)
        title_of_file = checked.display_name.rsplit(".", 1)[0]
        blueprint_file = BlueprintFile.objects.create(blueprint=blueprint, title=title_of_file)
        _add_version(blueprint_file, checked, upload, "", by, number=1)
    return blueprint


# ------------------------------------------------------------------------------- files


def _store(checked: uploads.CheckedUpload, upload):
    """Save the checked upload under a name the server makes; returns the stored name."""
    from blueprints.storage import blueprint_storage

    name = f"{uuid.uuid4().hex}{checked.extension}"
    upload.seek(0)
    return blueprint_storage.save(name, File(upload, name=name))


@transaction.atomic
def blueprint_file_add(*, blueprint: Blueprint, title: str, upload, note: str, by):
    """A new file of the blueprint with its first version. The upload is checked by
    content (uploads.check); a refused one raises ValidationError and stores nothing."""
    _check(blueprint, by)
    title = (title or "").strip()
    checked = uploads.check(upload)
    if not title:
        title = checked.display_name.rsplit(".", 1)[0]
    check_name(title, "title")
    blueprint_file = BlueprintFile.objects.create(blueprint=blueprint, title=title[:200])
    version = _add_version(blueprint_file, checked, upload, note, by, number=1)
    Blueprint.objects.filter(pk=blueprint.pk).update(updated_at=timezone.now())
    return version


@transaction.atomic
def blueprint_file_version_add(*, blueprint_file: BlueprintFile, upload, note: str, by):
    """A new version of the file (the newest is offered first; the old ones stay)."""
    _check(blueprint_file.blueprint, by)
    checked = uploads.check(upload)
    # Lock the file: two uploads at once get numbers one after the other.
    BlueprintFile.objects.select_for_update().get(pk=blueprint_file.pk)
    number = (blueprint_file.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = _add_version(blueprint_file, checked, upload, note, by, number=number)
    Blueprint.objects.filter(pk=blueprint_file.blueprint_id).update(updated_at=timezone.now())
    return version


def _add_version(blueprint_file, checked, upload, note, by, *, number):
    stored = _store(checked, upload)
    try:
        return BlueprintFileVersion.objects.create(
            blueprint_file=blueprint_file,
            number=number,
            file=stored,
            display_name=checked.display_name,
            note=(note or "").strip()[:300],
            uploaded_by=by,
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
        )
    except Exception:
        from blueprints.storage import blueprint_storage

        blueprint_storage.delete(stored)
        raise


def download_count(*, version: BlueprintFileVersion, day=None) -> None:
    """Count one download of `version` on `day` (today): a number per version and day,
    nothing about the person. An UPDATE with F() first (no lost counts when two come at
    once); the first download of the day inserts the row, and a race for that insert
    falls back to the UPDATE."""
    day = day or timezone.localdate()
    rows = DownloadCount.objects.filter(version=version, day=day)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            DownloadCount.objects.create(version=version, day=day, count=1)
    except IntegrityError:
        rows.update(count=F("count") + 1)


# ---------------------------------------------------------------------------- adoption


@dataclass(frozen=True)
class AdoptionPlan:
    """What "adopt this programme" will make, before anything is made (the check page
    shows it; `programme_adopt` makes exactly this)."""

    source: Programme
    source_cohort: Cohort | None
    blueprints: list
    start_date: object
    end_date: object
    interest_opens: object
    interest_closes: object
    shift: object  # timedelta from the source cohort's dates to the new ones, or None


def _months_later(day, months):
    """The same day `months` later (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover (28 exists in every month)


def adoption_plan(*, source, start_date, cohort_months, by, today=None) -> AdoptionPlan:
    """The new first cohort's dates: it starts on `start_date` and lasts `cohort_months`;
    the source cohort's interest window and event plan keep their distance to its start.
    Raises ValidationError for a date outside the calendar; PermissionDenied when `by`
    may not adopt `source` (no office, or the source is their own organisation's)."""
    if by is not SYSTEM and not adoptable(by, source):
        raise PermissionDenied
    check_date(start_date, "start_date")
    reader = None if by is SYSTEM else by  # work without a person reads what everyone may
    blueprints = list(selectors.programme_blueprints(reader, source))
    source_cohort = selectors.adoption_source_cohort(source, today=today)
    try:
        end_date = _months_later(start_date, cohort_months) - timedelta(days=1)
        check_date(end_date, "start_date")
        opens = closes = shift = None
        if source_cohort is not None:
            shift = start_date - source_cohort.start_date
            if source_cohort.interest_opens and source_cohort.interest_closes:
                opens = source_cohort.interest_opens + shift
                closes = source_cohort.interest_closes + shift
    except (OverflowError, ValueError):
        raise ValidationError(
            {"start_date": _("The dates of the new cohort would lie outside any calendar.")}
        ) from None
    return AdoptionPlan(
        source=source,
        source_cohort=source_cohort,
        blueprints=blueprints,
        start_date=start_date,
        end_date=end_date,
        interest_opens=opens,
        interest_closes=closes,
        shift=shift,
    )


def adoptable(by, source):
    """`by` works in a programme office, and `source` has blueprints `by` can read and is
    not run by one of `by`'s own offices."""
    return selectors.adoptable_programmes(by).filter(pk=source.pk).exists()


def _programme_slug(name):
    base = (slugify(name) or "programm")[:70].strip("-") or "programm"
    slug, n = base, 1
    while slug in ADDRESS_WORDS or Programme.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def programme_adopt(
    *,
    source: Programme,
    organisation,
    name: str,
    cohort_title: str,
    start_date,
    by,
    description: str = "",
    format: str = Programme.Format.TANDEM,
    default_cohort_months: int = 6,
    default_phase_months: int = 3,
    is_public: bool = True,
    today=None,
) -> Adoption:
    """Start `organisation`'s own programme and its first (draft) cohort from `source`
    and its blueprints, in one transaction: the settings given (the form offers the
    source's lengths and format), the first cohort's dates from `adoption_plan`, and an
    `Adoption` record with the blueprints `by` could read.

    Only a programme office member may adopt, into one of their own organisations, and
    never their own organisation's programme. `source` and its cohorts stay unchanged.

    Side effects: `cohorts.hooks.cohort_copied` (adopted=True) from the source's latest
    cohort that has begun (companion: the event plan; evaluation: the survey set, both
    as drafts, their dates moved by the shift), then `cohorts.hooks.programme_adopted`
    (tandems: the agreement text). A receiver's exception rolls everything back. No
    e-mails."""
    if by is not SYSTEM and not is_office_of(by, organisation):
        raise PermissionDenied
    if organisation.pk == source.organisation_id:
        raise ValidationError(
            _("This is your own organisation's programme: start its next cohort instead.")
        )
    plan = adoption_plan(
        source=source,
        start_date=start_date,
        cohort_months=default_cohort_months,
        by=by,
        today=today,
    )
    name = (name or "").strip()
    cohort_title = (cohort_title or "").strip()
    check_name(name, "name")
    check_name(cohort_title, "cohort_title")
    programme = cohort_services.programme_create(
        organisation=organisation,
        name=name,
        slug=_programme_slug(name),
        by=by,
        description=description,
        format=format,
        default_cohort_months=default_cohort_months,
        default_phase_months=default_phase_months,
        is_public=is_public,
    )
    source_cohort = plan.source_cohort
    try:
        cohort = cohort_services.cohort_create(
            programme=programme,
            title=cohort_title,
            slug=slugify(cohort_title)[:70].strip("-") or "durchgang-1",
            by=by,
            start_date=plan.start_date,
            end_date=plan.end_date,
            interest_opens=plan.interest_opens,
            interest_closes=plan.interest_closes,
            planned_tandems=source_cohort.planned_tandems if source_cohort else 0,
        )
    except ValidationError as error:
        # The cohort's own fields are the form's "cohort_title" and "start_date".
        if hasattr(error, "error_dict"):
            errors = {}
            for field, messages in error.message_dict.items():
                key = "cohort_title" if field in {"title", "slug"} else "start_date"
                errors.setdefault(key, []).extend(messages)
            raise ValidationError(errors) from None
        raise
    adoption = Adoption.objects.create(
        source_programme=source,
        source_cohort=source_cohort,
        organisation=organisation,
        programme=programme,
        cohort=cohort,
        by=actor(by),
    )
    adoption.blueprints.set(plan.blueprints)
    if source_cohort is not None:
        cohort_hooks.cohort_copied.send(
            sender=Cohort,
            source=source_cohort,
            target=cohort,
            shift=plan.shift,
            by=actor(by),
            adopted=True,
        )
    cohort_hooks.programme_adopted.send(
        sender=Programme, source=source, target=programme, cohort=cohort, by=actor(by)
    )
    return adoption
