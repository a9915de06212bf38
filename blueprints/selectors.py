"""Reads of the blueprints app, and the querysets scoped to who may see what.

Published (released and its date has come) and readable by the person (visibility
"public", or "signed-in" for anyone signed in) is what the library shows; an office sees
its own organisation's unpublished ones as well. Anything else answers 404.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from blueprints import search as search_module
from blueprints.models import (
    Adoption,
    Blueprint,
    BlueprintFile,
    BlueprintFileVersion,
    DownloadCount,
    Tag,
)
from cohorts.models import Cohort, Programme
from pioneer import compiled
from pioneer.models import Organisation, Role
from pioneer.rules import roles_of

# Duration filter: (value, upper bound in minutes, lower bound exclusive).
DURATIONS = {
    "short": (0, 120),  # up to two hours
    "half_day": (120, 300),
    "day": (300, 540),
    "longer": (540, None),
}


def _published(now=None):
    return Q(is_public=True, published_at__lte=now or timezone.now())


def _readable(user, now=None):
    query = _published(now)
    if user is None or not user.is_authenticated:
        query &= Q(visibility=Blueprint.Visibility.PUBLIC)
    return query


def public_blueprints(now=None):
    """What everyone may read, without signing in: public and published by now, newest
    first (the landing page and the catalogue for other portals)."""
    return (
        Blueprint.objects.filter(_published(now), visibility=Blueprint.Visibility.PUBLIC)
        .select_related("organisation", "programme")
        .order_by("-published_at", "-id")
    )


def readable_blueprints(user, now=None):
    """What the library lists for `user`: published, and public or (signed in) for
    signed-in people."""
    return (
        Blueprint.objects.filter(_readable(user, now))
        .select_related("organisation", "programme")
        .order_by("-published_at", "-id")
    )


def material_choices(user, now=None):
    """(slug, title) of the blueprints `user` may link as material (an event's): those
    they may read, by title. One query."""
    return list(
        Blueprint.objects.filter(_readable(user, now))
        .order_by("title", "id")
        .values_list("slug", "title")
    )


def material_links(user, slugs, now=None):
    """(slug, title) of those `slugs` `user` may read now (never a draft, nor one for
    signed-in people to someone anonymous). One query."""
    return list(
        Blueprint.objects.filter(_readable(user, now), slug__in=list(slugs)).values_list(
            "slug", "title"
        )
    )


def managed_blueprints(user):
    """The blueprints of the organisations whose programme office the user works in."""
    org_ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    return Blueprint.objects.filter(organisation_id__in=org_ids).select_related(
        "organisation", "programme"
    )


def unpublished_blueprints_for(user):
    """The user's office's blueprints that nobody else can read yet (drafts, withdrawn or
    dated in the future)."""
    return managed_blueprints(user).exclude(_published()).order_by("title", "id")


def visible_blueprints(user, now=None):
    """Readable ones for the user, and the own office's unpublished ones as well."""
    org_ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    query = _readable(user, now)
    if org_ids:
        query |= Q(organisation_id__in=org_ids)
    return Blueprint.objects.filter(query).select_related(
        "organisation", "programme", "cohort", "translation_of"
    )


@dataclass(frozen=True)
class LibraryQuery:
    """What the visitor asked the library for (all optional)."""

    text: str = ""
    category: str = ""
    audience: str = ""
    duration: str = ""
    group_size: int | None = None
    tag: str = ""


def search(queryset, text):
    """Full-text search with German stemming on PostgreSQL ("Beratungen" finds
    "Beratung"), ranked by title, summary, then text; a plain substring match elsewhere
    (the embedded SQLite). See blueprints.search."""
    return search_module.search(queryset, text)


# What a card of the library shows (blueprints/rendering.py): the list reads no more (the
# text, the materials and the programme were read for every row and never shown).
CARD_FIELDS = (
    "id",
    "slug",
    "title",
    "summary",
    "category",
    "visibility",
    "language",
    "published_at",
    "organisation__name",
    "organisation__short_name",
)


def library(user, query: LibraryQuery):
    """The library's list for `user`, filtered and searched: the columns of its cards and
    how many organisations adopted each (`card_tags` reads the tags of a page's rows).
    The library page reads it through `blueprints.library_sql` (its SQL kept)."""
    return library_queryset(user, query)


def library_queryset(user, query: LibraryQuery, now=None):
    """`library(user, query)` as read at `now` (by default the present)."""
    blueprints = readable_blueprints(user, now).select_related(None).select_related("organisation")
    if query.category:
        blueprints = blueprints.filter(category=query.category)
    if query.audience:
        blueprints = blueprints.filter(audience=query.audience)
    if query.duration in DURATIONS:
        low, high = DURATIONS[query.duration]
        blueprints = blueprints.filter(duration_minutes__gt=low)
        if high is not None:
            blueprints = blueprints.filter(duration_minutes__lte=high)
    if query.group_size:
        # A method fits a group when the group is within its range; an open end fits.
        blueprints = blueprints.filter(
            Q(group_min__isnull=True) | Q(group_min__lte=query.group_size),
            Q(group_max__isnull=True) | Q(group_max__gte=query.group_size),
        ).exclude(group_min__isnull=True, group_max__isnull=True)
    if query.tag:
        blueprints = blueprints.filter(tags__slug=query.tag)
    blueprints = search(blueprints, query.text).only(*CARD_FIELDS)
    return blueprints.annotate(adopted_n=adoption_count_subquery())


@dataclass(frozen=True)
class CardTag:
    slug: str
    name: str


def card_tags(blueprint_ids):
    """{blueprint id: [CardTag, ...] by name} for those blueprints (one query of plain
    rows: a prefetch made a Tag and a related manager per row for two strings)."""
    tags = {}
    ids = list(blueprint_ids)
    if not ids:
        return tags
    # Its SQL kept per process and number of blueprints (pioneer.compiled).
    rows = compiled.values(
        f"blueprints.card_tags.{len(ids)}",
        _card_tag_rows,
        **{f"blueprint{index}": pk for index, pk in enumerate(ids)},
    )
    for row in rows:
        tags.setdefault(row["blueprint_id"], []).append(CardTag(row["tag__slug"], row["tag__name"]))
    return tags


def _card_tag_rows(**blueprints):
    return (
        Blueprint.tags.through.objects.filter(
            blueprint_id__in=[blueprints[name] for name in sorted(blueprints)]
        )
        .order_by("tag__name", "tag_id")
        .values("blueprint_id", "tag__slug", "tag__name")
    )


def tags_in_use(user):
    """The tags of the blueprints `user` can read (the tag filter's choices)."""
    return (
        Tag.objects.filter(
            pk__in=Blueprint.tags.through.objects.filter(
                blueprint__in=Blueprint.objects.filter(_readable(user))
            ).values("tag_id")
        )
        .order_by("name")
        .only("name", "slug")
    )


def category_overview(user):
    """Each category with how many blueprints `user` can read in it (one query)."""
    counts = dict(
        Blueprint.objects.filter(_readable(user))
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Blueprint.Category.choices]


@dataclass(frozen=True)
class FileVersions:
    """A file's versions, newest first, as a related manager answers them (`.all`)."""

    items: tuple

    def all(self):
        return self.items


@dataclass(frozen=True)
class FileItem:
    """A file of a blueprint, as its page and the handbook show it."""

    pk: int
    title: str
    versions: FileVersions


_VERSION_COLUMNS = (
    "id",
    "number",
    "file",
    "display_name",
    "note",
    "uploaded_at",
    "size",
    "sha256",
    "content_type",
)


def files_of(blueprint):
    """The blueprint's files by title, each with its versions newest first (one query:
    the files joined with their versions, a file without any kept)."""
    rows = (
        BlueprintFile.objects.filter(blueprint=blueprint)
        .order_by("title", "id", "-versions__number")
        .values_list("id", "title", *(f"versions__{name}" for name in _VERSION_COLUMNS))
    )
    files, versions = {}, {}
    for file_id, title, *version in rows:
        if file_id not in files:
            files[file_id] = title
            versions[file_id] = []
        if version[0] is not None:
            versions[file_id].append(
                BlueprintFileVersion(
                    blueprint_file_id=file_id, **dict(zip(_VERSION_COLUMNS, version, strict=True))
                )
            )
    return [
        FileItem(file_id, title, FileVersions(tuple(versions[file_id])))
        for file_id, title in files.items()
    ]


def version_for_download(user, *, slug, version_id):
    """The version, if its blueprint is visible to `user` (else DoesNotExist)."""
    return BlueprintFileVersion.objects.select_related("blueprint_file__blueprint").get(
        pk=version_id,
        blueprint_file__blueprint__in=visible_blueprints(user),
        blueprint_file__blueprint__slug=slug,
    )


def latest_version_for_download(user, *, slug, file_id):
    """The newest version of the file, if its blueprint is visible to `user`."""
    version = (
        BlueprintFileVersion.objects.select_related("blueprint_file__blueprint")
        .filter(
            blueprint_file_id=file_id,
            blueprint_file__blueprint__in=visible_blueprints(user),
            blueprint_file__blueprint__slug=slug,
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        raise BlueprintFileVersion.DoesNotExist
    return version


def downloads_of(blueprint):
    """{version id: downloads in all} for the blueprint's versions (the office's view)."""
    return dict(
        DownloadCount.objects.filter(version__blueprint_file__blueprint=blueprint)
        .values("version_id")
        .annotate(n=Sum("count"))
        .values_list("version_id", "n")
    )


def catalogue_facts(now=None):
    """What the public catalogue's pages depend on, from one aggregate query: how many
    public blueprints ("n"), the latest change and publication, the newest file version."""
    return public_blueprints(now).aggregate(
        n=Count("id", distinct=True),
        changed=Max("updated_at"),
        published=Max("published_at"),
        version=Max("files__versions__id"),
    )


def catalogue_fingerprint(now=None, facts=None):
    """A short text that changes whenever the public catalogue would (a blueprint published,
    withdrawn, edited, a file uploaded), from one aggregate query (none with `facts`)."""
    facts = facts if facts is not None else catalogue_facts(now)
    return "-".join(
        str(facts[k].timestamp() if hasattr(facts[k], "timestamp") else facts[k])
        for k in ("n", "changed", "published", "version")
    )


# ------------------------------------------------------------------------------ adoption


def adoptable_programmes(user, now=None, org_ids=None):
    """The programmes whose blueprints `user` can read and whose organisation is none of
    the user's offices (or of `org_ids`): what an office may adopt ("adopt this
    programme"). Its own programmes it continues with "next cohort" instead."""
    if org_ids is None:
        org_ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    return (
        Programme.objects.filter(
            pk__in=Blueprint.objects.filter(_readable(user, now), programme__isnull=False).values(
                "programme_id"
            )
        )
        .exclude(organisation_id__in=org_ids)
        .select_related("organisation")
    )


def programme_blueprints(user, programme, now=None):
    """The blueprints of `programme` that `user` can read (what an adoption builds on)."""
    return (
        readable_blueprints(user, now)
        .filter(programme=programme)
        .defer("search_vector", "body", "materials")
        .order_by("category", "title", "id")
    )


def adoption_source_cohort(programme, today=None):
    """The cohort of `programme` whose event plan and surveys an adoption copies: the
    latest one that has begun (its plan is the one tried out), else the latest planned
    one with a start; never a draft (unfinished, and nobody outside its office saw it)."""
    today = today or timezone.localdate()
    cohorts = (
        Cohort.objects.filter(programme=programme, start_date__isnull=False)
        .exclude(state=Cohort.State.DRAFT)
        .order_by("-start_date", "-id")
    )
    return cohorts.filter(start_date__lte=today).first() or cohorts.first()


def adoptions_for(user):
    """The adoptions made by the user's offices' organisations (their own records)."""
    org_ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    return Adoption.objects.filter(organisation_id__in=org_ids).select_related(
        "organisation", "programme", "cohort", "source_programme__organisation", "by"
    )


def adoption_count_subquery():
    """How many organisations adopted a programme with the blueprint of the outer query
    (`adoption_counts` of one blueprint, as a column: counted for the rows shown only)."""
    return Coalesce(
        Subquery(
            Adoption.blueprints.through.objects.filter(blueprint_id=OuterRef("pk"))
            .order_by()
            .values("blueprint_id")
            .annotate(n=Count("adoption__organisation", distinct=True))
            .values("n")
        ),
        0,
    )


def adoption_counts(blueprint_ids):
    """{blueprint id: how many organisations adopted a programme with it} (one query)."""
    return dict(
        Adoption.blueprints.through.objects.filter(blueprint_id__in=list(blueprint_ids))
        .values("blueprint_id")
        .annotate(n=Count("adoption__organisation", distinct=True))
        .values_list("blueprint_id", "n")
    )


def adopting_organisations(blueprint):
    """The organisations that adopted a programme with `blueprint`, by name (one query):
    shown to signed-in programme offices only; the public sees how many."""
    return list(
        Organisation.objects.filter(adoptions__blueprints=blueprint)
        .distinct()
        .order_by("name")
        .only("name", "short_name")
    )


# --- the adoption pages' reads, their SQL kept per process (blueprints.library_sql) -----


def _office_ids(user):
    """{"organisation0": id, ...}: the organisations of the user's programme office."""
    ids = sorted(roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE))
    return {f"organisation{index}": org for index, org in enumerate(ids)}


def _listed(ids):
    return [ids[name] for name in sorted(ids)]


def _kept_by_slug_or_404(kind, user, slug, now, scoped):
    """The one row of `scoped(user, now, org_ids=...)` with this `slug`, its SQL kept per
    process and kind of reader (signed in or not, number of offices), else Http404 (as
    `scoped_object_or_404` finds it)."""
    from django.http import Http404

    from blueprints import library_sql

    organisations = _office_ids(user)

    def build(slug, now, **organisations):
        return scoped(user, now, org_ids=_listed(organisations)).filter(slug=slug)

    found = library_sql.objects(
        f"blueprints.{kind}.{user.is_authenticated}.{len(organisations)}",
        build,
        slug=slug,
        now=now or timezone.now(),
        **organisations,
    )
    if len(found) != 1:
        raise Http404
    return found[0]


def adoptable_programme_or_404(user, slug, now=None):
    """`adoptable_programmes(user)`'s programme `slug` with its organisation, else
    Http404."""
    return _kept_by_slug_or_404("adoptable_programme", user, slug, now, adoptable_programmes)


def programme_blueprint_list(user, programme, now=None):
    """`programme_blueprints(user, programme)` as a list (its SQL kept)."""
    from blueprints import library_sql

    return library_sql.objects(
        f"blueprints.programme_blueprints.{user.is_authenticated}",
        lambda programme, now: programme_blueprints(user, programme, now),
        programme=programme.pk,
        now=now or timezone.now(),
    )


def office_organisation_list(user):
    """The organisations of the user's programme office by name (its SQL kept)."""
    organisations = _office_ids(user)
    if not organisations:
        return []
    return compiled.objects(
        f"blueprints.office_organisations.{len(organisations)}",
        lambda **ids: Organisation.objects.filter(pk__in=_listed(ids)).order_by("name"),
        **organisations,
    )


ADOPTION_FIELDS = (
    "created_at",
    "organisation__name",
    "organisation__short_name",
    "programme__name",
    "programme__slug",
    "cohort__title",
    "cohort__start_date",
    "cohort__end_date",
    "source_programme__name",
    "source_programme__organisation__name",
    "source_programme__organisation__short_name",
    "by__name",
)


def adoption_or_404(user, pk):
    """`adoptions_for(user)`'s adoption `pk` with what its record shows
    (`ADOPTION_FIELDS`), else Http404 (its SQL kept per number of organisations)."""
    from django.http import Http404

    from blueprints import library_sql

    organisations = _office_ids(user)
    low, high = connection.ops.integer_field_range("BigIntegerField")
    if not organisations or not (type(pk) is int and low <= pk <= high):
        raise Http404

    def build(adoption, **organisations):
        return (
            Adoption.objects.filter(organisation_id__in=_listed(organisations))
            .select_related(
                "organisation", "programme", "cohort", "source_programme__organisation", "by"
            )
            .only(*ADOPTION_FIELDS)
            .filter(pk=adoption)
        )

    found = library_sql.objects(
        f"blueprints.adoption.{len(organisations)}", build, adoption=pk, **organisations
    )
    if len(found) != 1:
        raise Http404
    return found[0]


def adoption_blueprints(user, adoption, now=None):
    """The blueprints of `adoption` that `user` can see, by category and title: what its
    record names (its SQL kept per number of organisations)."""
    from blueprints import library_sql

    organisations = _office_ids(user)

    def build(adoption, now, **organisations):
        query = _readable(user, now)
        org_ids = _listed(organisations)
        if org_ids:
            query |= Q(organisation_id__in=org_ids)
        return (
            Blueprint.objects.filter(query)
            .filter(adoptions=adoption)
            .only("slug", "language", "title", "category")
            .order_by("category", "title")
        )

    return library_sql.objects(
        f"blueprints.adoption_blueprints.{user.is_authenticated}.{len(organisations)}",
        build,
        adoption=adoption.pk,
        now=now or timezone.now(),
        **organisations,
    )


def detail_blueprint(user, now=None, org_ids=None):
    """What a blueprint's page shows of the blueprints `user` can see (`org_ids`: their
    office's organisations, by default the user's): the blueprint, its programme and
    cohort (not the search vector, nor the whole blueprint it translates: the page reads
    the translations apart); for everyone but programme offices how many adopted (a
    column, no query)."""
    if org_ids is None:
        org_ids = roles_of(user).organisation_ids(Role.Kind.PROGRAMME_OFFICE)
    query = _readable(user, now)
    if org_ids:
        query |= Q(organisation_id__in=org_ids)
    found = (
        Blueprint.objects.filter(query)
        .select_related("organisation", "programme", "cohort")
        .defer("search_vector")
    )
    if not org_ids:
        found = found.annotate(adopted_n=adoption_count_subquery())
    return found


def detail_blueprint_or_404(user, slug, now=None):
    """`detail_blueprint(user)`'s blueprint `slug`, else Http404, its SQL kept per
    process."""
    return _kept_by_slug_or_404("detail", user, slug, now, detail_blueprint)
