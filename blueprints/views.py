"""Views of the blueprints app: the library (list with search and filters, categories, a
page per blueprint, downloads, the catalogue for other portals) and, for the programme
office of the publishing organisation, writing, files, publish and withdraw.

Someone else's unpublished blueprint, or a "signed-in" one for an anonymous visitor,
answers 404 exactly like one that does not exist: the page and its files alike.
"""

import json

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blueprints import catalogue as catalogue_module
from blueprints import handbook, library_sql, licences, rendering, selectors, services
from blueprints.forms import BlueprintFilter, BlueprintForm, FileForm, VersionForm
from blueprints.markdown import render as render_markdown
from blueprints.models import BlueprintFile, BlueprintFileVersion
from blueprints.rules import publishes
from pioneer import jobs, landing
from pioneer.models import Organisation, Role
from pioneer.permissions import role_required, scoped_object_or_404
from pioneer.rules import roles_of
from pioneer.validators import ids_from

OFFICE = Role.Kind.PROGRAMME_OFFICE
PAGE_SIZE = 10
CATALOGUE_SECONDS = 300


def _who(user):
    """What decides which blueprints the library shows, beyond an office's own."""
    return "signed_in" if user.is_authenticated else "anonymous"


def _tags_in_use(user, kept):
    """The tag filter's choices: the same for everyone anonymous and for everyone signed
    in, kept as pioneer.landing keeps its sections (a blueprint or a tag saved, or tags
    set, replaces the change token; a publication date arriving shows within its
    SECONDS)."""
    return kept.cached(
        "blueprints:tags_in_use",
        lambda: [
            selectors.CardTag(slug, name)
            for slug, name in selectors.tags_in_use(user).values_list("slug", "name")
        ],
        _who(user),
    )


def _office_lists(user, kept, org_ids):
    """The office's own unpublished blueprints and the programmes it may adopt: decided by
    the organisations it is the office of (the key) and by blueprints, programmes and
    organisations (each replaces the change token), so kept as the landing's sections."""

    def read():
        # Only what the two lists show (a title and a category; a name and its organisation).
        unpublished = list(
            selectors.unpublished_blueprints_for(user)
            .select_related(None)
            .only("slug", "title", "language", "category")[:20]
        )
        adoptable = list(
            selectors.adoptable_programmes(user)
            .only("slug", "name", "organisation__name", "organisation__short_name")
            .order_by("name")[:20]
        )
        return unpublished, adoptable

    return kept.cached("blueprints:office_lists", read, *org_ids)


@require_GET
def blueprint_list(request):
    who = _who(request.user)
    office = roles_of(request.user).has(OFFICE)
    org_ids = sorted(roles_of(request.user).organisation_ids(OFFICE)) if office else []
    # What the page keeps under the landing's token, read in one round trip (the count
    # is used only while nothing is asked, but reading it with the others costs nothing).
    kept = landing.Kept(
        ("blueprints:tags_in_use", who),
        ("blueprints:library_count", who),
        *([("blueprints:office_lists", *org_ids)] if office else []),
    )
    tags = _tags_in_use(request.user, kept)
    form = BlueprintFilter(request.GET or None, tags=tags)
    if form.is_bound:
        form.is_valid()  # an invalid field is shown with its message and ignored
    query = form.library_query()
    # `selectors.library(request.user, query)`, its SQL kept (blueprints.library_sql).
    blueprints = library_sql.Library(request.user, query, timezone.now())
    paginator = Paginator(blueprints, PAGE_SIZE)
    if query == selectors.LibraryQuery():
        # Nothing asked: how many the whole library holds, the same for everyone
        # anonymous and for everyone signed in, kept as the tag filter's choices are.
        paginator.count = kept.cached("blueprints:library_count", blueprints.count, who)
    page = paginator.get_page(request.GET.get("page"))
    unpublished, adoptable = [], []
    if office:
        unpublished, adoptable = _office_lists(request.user, kept, org_ids)
    rows = list(page.object_list)
    adopted_by = {b.pk: b.adopted_n for b in rows}
    return render(
        request,
        "blueprints/blueprint_list.html",
        {
            "form": form,
            "form_html": rendering.filter_form(form, tags),
            "cards": rendering.cards(
                rows,
                adopted_by,
                tags=selectors.card_tags(b.pk for b in rows) if rows else {},
                selectable=request.user.is_authenticated,
            ),
            "page": page,
            "searched": bool(query.text),
            "filtered": query != selectors.LibraryQuery(),
            "unpublished": unpublished,
            "adoptable": adoptable,
            "can_add": rules.has_perm("blueprints.add_blueprint", request.user),
        },
    )


@require_GET
def catalogue(request):
    """The public blueprints in DCAT-AP.de (JSON-LD) for data portals to harvest, a page
    at a time (`?page=`, the first without; catalogue.PAGE_SIZE datasets each, linked by
    their Hydra view), so that no answer grows with the library.

    Each page is kept in the cache under a key that changes with what the catalogue shows
    (one small query decides), and made again only then or after CATALOGUE_SECONDS."""
    facts = selectors.catalogue_facts()
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404 from None
    if not 1 <= page <= catalogue_module.pages(facts["n"]):
        raise Http404
    key = f"blueprints:catalogue:{selectors.catalogue_fingerprint(facts=facts)}:{page}"
    body = cache.get(key)
    if body is None:
        document = catalogue_module.catalogue(page=page, facts=facts)
        body = json.dumps(document, ensure_ascii=False, indent=1).encode()
        cache.set(key, body, CATALOGUE_SECONDS)
    response = HttpResponse(body, content_type="application/ld+json")
    response["Cache-Control"] = f"public, max-age={CATALOGUE_SECONDS}"
    return response


@require_GET
def blueprint_categories(request):
    return render(
        request,
        "blueprints/blueprint_categories.html",
        {"categories": selectors.category_overview(request.user)},
    )


def _detail_lists(user, blueprint, office_ids):
    """(translations, tags, files, adopting organisations) of a blueprint's page: four
    reads that change far less often than the page is read, so kept as pioneer.landing
    keeps its sections. Whatever they show replaces the change token when saved
    (blueprints, tags, files and versions, adoptions, organisations: blueprints.signals);
    the key names the blueprint and everything that decides what the visitor may see of
    them: signed in or not, and the organisations whose office they work in (their own
    unpublished translations; only offices are shown who adopted)."""

    def read():
        translations = [
            other
            for other in selectors.visible_blueprints(user)
            .select_related(None)
            .filter(
                Q(translation_of=blueprint)
                | Q(pk=blueprint.translation_of_id or 0)
                | Q(translation_of_id=blueprint.translation_of_id or 0)
            )
            .only("slug", "language")
            if other.pk != blueprint.pk
        ]
        return (
            translations,
            selectors.card_tags([blueprint.pk]).get(blueprint.pk, []),
            selectors.files_of(blueprint),
            selectors.adopting_organisations(blueprint) if office_ids else [],
        )

    if office_ids:
        who = "office-" + "-".join(map(str, sorted(office_ids)))
    else:
        who = "signed_in" if user.is_authenticated else "anonymous"
    return landing.cached("blueprints:detail_lists", read, blueprint.pk, who)


def blueprint_detail(request, slug):
    office_ids = roles_of(request.user).organisation_ids(OFFICE)
    # What the page shows of it, its programme and cohort (its SQL kept per process).
    blueprint = selectors.detail_blueprint_or_404(request.user, slug)
    can_manage = publishes(request.user, blueprint)
    translations, tags, files, adopting = _detail_lists(request.user, blueprint, office_ids)
    # Reuse: which organisations adopted its programme with it (signed-in programme
    # offices), or how many (everyone else, read with the blueprint).
    adopted_by = len(adopting) if office_ids else blueprint.adopted_n
    # Another organisation's office may adopt the programme a published blueprint comes
    # from (its programme is then adoptable: it has a blueprint the office can read).
    can_adopt = bool(
        office_ids
        and blueprint.programme_id is not None
        and blueprint.is_published
        and blueprint.programme.organisation_id not in office_ids
    )
    return render(
        request,
        "blueprints/blueprint_detail.html",
        {
            "blueprint": blueprint,
            "adopted_by": adopted_by,
            "adopting": adopting,
            "can_adopt": can_adopt,
            "can_manage": can_manage,
            "files": files,
            "tags": tags,
            "translations": translations,
            "licence": licences.get(blueprint.licence),
            "downloads": selectors.downloads_of(blueprint) if can_manage else {},
        },
    )


def _office_organisations(user):
    return Organisation.objects.filter(pk__in=roles_of(user).organisation_ids(OFFICE)).order_by(
        "name"
    )


def _apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@role_required(OFFICE)
def blueprint_create(request):
    organisations = _office_organisations(request.user)
    form = BlueprintForm(
        request.POST or None,
        organisations=organisations,
        initial={"visibility": "public", "licence": licences.DEFAULT, "language": "de"},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = form.cleaned_data
        else:
            try:
                blueprint = services.blueprint_create(
                    organisation=form.cleaned_data["organisation"],
                    data=form.blueprint_data(),
                    by=request.user,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The blueprint has been saved as a draft; only your office sees it."),
                )
                return redirect("blueprints:detail", slug=blueprint.slug)
    return _form_page(request, form, preview, blueprint=None)


@role_required(OFFICE)
def blueprint_edit(request, slug):
    blueprint = scoped_object_or_404(selectors.managed_blueprints(request.user), slug=slug)
    form = BlueprintForm(
        request.POST or None, blueprint=blueprint, initial=BlueprintForm.initial_for(blueprint)
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = form.cleaned_data
        else:
            try:
                services.blueprint_update(
                    blueprint=blueprint, data=form.blueprint_data(), by=request.user
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Your changes have been saved."))
                return redirect("blueprints:detail", slug=blueprint.slug)
    return _form_page(request, form, preview, blueprint=blueprint)


def _form_page(request, form, preview, *, blueprint):
    context = {"form": form, "blueprint": blueprint, "preview": None}
    if preview is not None:
        context["preview"] = {
            "title": preview["title"],
            "summary": preview["summary"],
            "language": preview["language"],
            "body": render_markdown(preview["body"]),
            "materials": render_markdown(preview["materials"]),
        }
    return render(request, "blueprints/blueprint_form.html", context)


@role_required(OFFICE)
@require_POST
def blueprint_publish(request, slug):
    blueprint = scoped_object_or_404(selectors.managed_blueprints(request.user), slug=slug)
    services.blueprint_publish(blueprint=blueprint, by=request.user)
    messages.success(request, _("The blueprint has been published."))
    return redirect("blueprints:detail", slug=blueprint.slug)


@role_required(OFFICE)
@require_POST
def blueprint_withdraw(request, slug):
    blueprint = scoped_object_or_404(selectors.managed_blueprints(request.user), slug=slug)
    services.blueprint_withdraw(blueprint=blueprint, by=request.user)
    messages.success(request, _("The blueprint has been withdrawn; only your office sees it."))
    return redirect("blueprints:detail", slug=blueprint.slug)


# ------------------------------------------------------------------------------- files


@role_required(OFFICE)
def file_add(request, slug):
    blueprint = scoped_object_or_404(selectors.managed_blueprints(request.user), slug=slug)
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.blueprint_file_add(
                blueprint=blueprint,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["upload"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors_to(form, error)
        else:
            messages.success(request, _("The file has been added."))
            return redirect("blueprints:detail", slug=blueprint.slug)
    return render(
        request,
        "blueprints/file_form.html",
        {"form": form, "blueprint": blueprint, "blueprint_file": None},
    )


@role_required(OFFICE)
def version_add(request, slug, file_id):
    blueprint = scoped_object_or_404(selectors.managed_blueprints(request.user), slug=slug)
    blueprint_file = scoped_object_or_404(
        BlueprintFile.objects.filter(blueprint=blueprint), pk=file_id
    )
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.blueprint_file_version_add(
                blueprint_file=blueprint_file,
                upload=form.cleaned_data["upload"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors_to(form, error)
        else:
            messages.success(request, _("The new version has been added."))
            return redirect("blueprints:detail", slug=blueprint.slug)
    return render(
        request,
        "blueprints/file_form.html",
        {"form": form, "blueprint": blueprint, "blueprint_file": blueprint_file},
    )


def _apply_errors_to(form, error):
    """A refused upload's message belongs to the file field; a refused title to its own."""
    if hasattr(error, "error_dict"):
        _apply_errors(form, error)
    else:
        form.add_error("upload", error)


@login_required
@require_POST
def handbook_start(request):
    """A PDF of the chosen blueprints (one, from its page, or several, from the list),
    made as a job; its page shows the progress and offers the file."""
    values = request.POST.getlist("ids")
    if any(not ids_from([value]) for value in values):
        raise Http404  # something that is no id
    ids = ids_from(values)
    if not ids or len(ids) > handbook.MAX_BLUEPRINTS:
        messages.error(
            request,
            _("Choose between one and %(n)s blueprints for the handbook.")
            % {"n": handbook.MAX_BLUEPRINTS},
        )
        return redirect("blueprints:list")
    visible = set(
        selectors.visible_blueprints(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if visible != set(ids):
        raise Http404  # someone else's draft, or nothing at all: the same answer
    job = jobs.job_start(kind=handbook.KIND, by=request.user, payload={"ids": ids})
    return redirect("job_detail", public_id=job.public_id)


def _send(version):
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    services.download_count(version=version)
    # FileResponse writes Content-Disposition itself: the display name as a quoted ASCII
    # fallback and as RFC 5987 filename*, so no character of it can end the header.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=version.display_name,
        content_type=version.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def file_download(request, slug, file_id):
    try:
        version = selectors.latest_version_for_download(request.user, slug=slug, file_id=file_id)
    except BlueprintFileVersion.DoesNotExist:
        raise Http404 from None
    return _send(version)


@require_GET
def version_download(request, slug, version_id):
    try:
        version = selectors.version_for_download(request.user, slug=slug, version_id=version_id)
    except BlueprintFileVersion.DoesNotExist:
        raise Http404 from None
    return _send(version)
