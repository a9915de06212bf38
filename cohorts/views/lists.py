"""The office's lists: the review queue of registrations (all cohorts, and one cohort's
registrations tab) and a cohort's participant list, with what they share:

- sortable columns (`pioneer.tables`: a whitelist of sort keys, aria-sort, id last);
- a default view of what needs action, and "show all" (`?show=all`). The default is
  "needs action" only while no filter is chosen: a filter (a link from the overview's
  figures, say) shows everything it matches;
- filters in a disclosure with the active ones as removable chips; a value that does not
  parse is ignored with a message, never an error page;
- a selection for bulk actions: those that send e-mail or change a state go through a
  confirmation page that says what will happen first (`cohorts.services.bulk`); exports
  of the selection stream (CSV) or run as a job (XLSX);
- print views for the file (a registration; all people of the filtered list, streamed).

Each list page costs the same number of queries for 1 row as for 50: the rows of the page,
the page's own figures (note counts) for those rows only, and the count: without a filter
(or, in the review queue, with one cohort's alone) a count kept under the change token of
cohorts.figures, as are a cohort's people counted per group (the participant list's
organisations and held invitations). With such a count, the review queue's page of rows
is kept written under the same token (`_kept_rows`): no query for it until a write.
"""

from collections.abc import Sequence

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.http import Http404, HttpResponseNotAllowed, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cohorts import figures, people_page, selectors
from cohorts.forms import ParticipationBulkStateForm, ParticipationFilter, RegistrationFilter
from cohorts.models import Cohort, InterestRegistration, Participation, RegistrationNote
from cohorts.services import bulk, exports
from cohorts.views import rows as row_html
from cohorts.views._shared import OFFICE, PARTNER, cohort_frame, office_cohort
from pioneer import compiled, fragments, jobs
from pioneer.models import Organisation, User
from pioneer.paging import narrow
from pioneer.permissions import require, role_required, scoped_object_or_404
from pioneer.row_html import sort_headers
from pioneer.tables import (
    RESET_WITH_FILTER,
    Chip,
    Column,
    SortableTable,
    bad_filters,
    filter_chips,
)
from pioneer.validators import ids_from

REGISTRATION_PAGE_SIZE = 25
# 25 a page as the review queue: what an office reads at once (the rest a page further).
PARTICIPATION_PAGE_SIZE = 25
SHOW_ACTION, SHOW_ALL = "action", "all"
# A selection is one page at most; more ids than this in a POST are not ours.
MAX_SELECTION = 200
# The print view renders this many people per piece of the streamed page.
PRINT_CHUNK = 200
PRINT_ROWS = "cohorts/_participation_print_rows.html"


def _show(params, filtered):
    value = params.get("show")
    if value in (SHOW_ACTION, SHOW_ALL):
        return value
    return SHOW_ALL if filtered else SHOW_ACTION


def _filter_form_html(filterset, kind):
    """The filter form kept rendered per its choices (the cohort's organisations, the
    office's cohorts): as nobody filled it in (the list as first shown), or filled in with
    values that are all among its choices (a link from the overview's figures, say), per
    those values. None for anything else, text in the search field above all: what a
    visitor typed never becomes a key (the page renders that form as it comes)."""
    form = filterset.form
    facts = filterset.blank_form_facts()
    if not form.is_bound:
        return fragments.form_html(form, kind, facts)
    if not form.is_valid():
        return None
    chosen = []
    for name, field in form.fields.items():
        # What the widget reads (the last of repeated values), as it renders it.
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if value in ("", None):
            continue
        if not isinstance(field, forms.ChoiceField):
            return None
        chosen.append((name, value))  # valid: one of the field's choices
    return fragments.cached_html(
        f"form:{kind}:chosen",
        (type(form).__qualname__, form.prefix, facts, tuple(chosen)),
        lambda: render_to_string("partials/crispy_form.html", {"form": form}),
    )


def _filters(request, filterset):
    """The chips of the filters in effect; a message naming the ignored ones."""
    bad = bad_filters(filterset.form)
    if bad:
        messages.warning(
            request,
            _("These filters had a value that could not be used; they are ignored: %(names)s.")
            % {"names": ", ".join(bad)},
        )
    return filter_chips(filterset.form, request.GET)


def _selected_ids(post):
    values = post.getlist("selected")[: MAX_SELECTION + 1]
    ids = ids_from(values, limit=MAX_SELECTION)
    if not ids and any(value.isdigit() and int(value) > 0 for value in values):
        raise Http404  # numbers past any row's id: nobody's, as an unknown id is
    return ids


def _back(url, post):
    """The list the selection came from, with its filters, sort and page (re-encoded:
    only ever a query string on our own address)."""
    query = QueryDict(post.get("query", ""), mutable=True)
    query.pop("select", None)
    encoded = query.urlencode()
    return f"{url}?{encoded}" if encoded else url


def _csv_response(stream, name):
    response = StreamingHttpResponse(stream, content_type=exports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- registrations ----------------------------------------------------------------------


def registration_columns(with_cohort, waiting_only=False):
    """`waiting_only`: the rows are of the waiting states alone (what needs action, or a
    filter on one of them), in which the rank's order is the states' own (confirmed
    before unconfirmed): sorted by the column itself, the rows come in the order of an
    index (`registration_waiting_idx`) that PostgreSQL walks a page at a time."""
    columns = [
        Column("organisation", _("Organisation"), ("organisation_name",)),
        Column("kind", _("Kind"), ("organisation_kind",)),
    ]
    if with_cohort:
        columns.append(Column("cohort", _("Cohort"), ("cohort__title",)))
    rank = "state" if waiting_only else selectors.REGISTRATION_STATE_RANK
    columns += [
        Column("state", _("State"), (rank, "created_at")),
        Column(
            "offered", _("Places offered"), ("places_host",), numeric=True, descending_first=True
        ),
        Column("sought", _("Places sought"), ("places_send",), numeric=True, descending_first=True),
        Column("received", _("Received"), ("created_at",), descending_first=True),
        Column("notes", _("Notes"), numeric=True),
    ]
    return columns


def _registration_table(request, queryset, *, count, cohort=None, cohort_rows=None, scope=None):
    """What the review queue and a cohort's registrations tab show (one partial), of the
    registrations `queryset()` gives;
    `cohort_rows`: the office's cohorts for the queue's cohort filter;
    `count(action, chosen)`: how many rows the filters in effect (`chosen`, by name) leave,
    those that need action or all, from counts kept under the change token of
    cohorts.figures, or None where those do not tell (the count is then a query);
    `scope`: (name, build, ids) where `build(**ids)` gives `queryset()` again: the page's
    rows are then read by SQL compiled once per process (`_kept_page`) while no filter
    but the queue's cohort is in effect and the count is kept."""
    # The registrations' queryset is built only when the page's rows come from it (not
    # for the kept page): the filters ask it for nothing before.
    filterset = RegistrationFilter(
        request.GET or None, queryset=InterestRegistration.objects.all(), cohorts=cohort_rows
    )
    kind = "cohorts.registration_filter"
    if not request.GET:
        # Nothing asked: no chips, nothing to report, no filter in effect; the filter's
        # form is not made (its HTML is kept), as on the participant list.
        chips, chosen, shown_filter = [], {}, _UnboundFilter
        filter_form_html = _blank_filter_form_html(filterset, kind)
    elif (chosen_cohort := _chosen_cohort_alone(request.GET, filterset)) is not None:
        # One of the office's cohorts and no other filter (a link from the office's
        # home, say): what the form would find, without making it.
        chips = [_cohort_chip(filterset, request.GET, chosen_cohort)]
        chosen, shown_filter = {"cohort": chosen_cohort}, _UnboundFilter
        filter_form_html = fragments.cached_html(
            f"form:{kind}:chosen",
            (
                f"{type(filterset).__name__}Form",
                filterset.form_prefix,
                filterset.blank_form_facts(),
                (("cohort", chosen_cohort),),
            ),
            lambda: render_to_string("partials/crispy_form.html", {"form": filterset.form}),
        )
    else:
        chips, shown_filter = _filters(request, filterset), filterset
        # The filters in effect (those with a chip).
        chosen = {
            name: value
            for name, value in getattr(filterset.form, "cleaned_data", {}).items()
            if value not in (None, "")
        }
        filter_form_html = _filter_form_html(filterset, kind)
    show = _show(request.GET, bool(chips))
    table = SortableTable(
        request.GET,
        registration_columns(
            with_cohort=cohort is None,
            waiting_only=show == SHOW_ACTION
            or chosen.get("state") in selectors.REGISTRATION_ACTION_STATES,
        ),
        default="state" if show == SHOW_ACTION else "-received",
    )
    kept = count(show == SHOW_ACTION, chosen)
    select_page = request.GET.get("select") == "page"
    with_cohort = cohort is None
    if scope is not None and kept is not None and chosen.keys() <= {"cohort"}:
        # The page of the kept count, its rows written once per state of what they show.
        page = Paginator(range(kept), REGISTRATION_PAGE_SIZE).get_page(request.GET.get("page"))
        rows_html = _kept_rows(scope, chosen, show, table, page, select_page, with_cohort)
        page.object_list = (
            _PageRows(lambda: _kept_page(scope, chosen, show, table, page), len(page))
            if rows_html
            else []
        )
    else:
        filterset.queryset = queryset()
        rows = filterset.qs
        if show == SHOW_ACTION:
            rows = selectors.registrations_needing_action(rows)
        paginator = Paginator(rows.order_by(*table.ordering), REGISTRATION_PAGE_SIZE)
        if kept is not None:
            paginator.count = kept  # not a count over the queue on each visit
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = selectors.registration_note_counts(_page_rows(narrow(page.object_list)))
        rows_html = row_html.registration_rows(page.object_list, select_page, with_cohort)
    return {
        "filter": shown_filter,
        "chips": chips,
        "filter_form_html": filter_form_html,
        "show": show,
        "table": table,
        "page": page,
        "rows": rows_html,
        "headers": sort_headers(request.GET, table.headers),
        "select_page": select_page,
        "query": request.GET.urlencode(),
    }


def _chosen_cohort_alone(params, filterset):
    """The cohort chosen in the review queue's filter when it is the only filter asked
    for and one of its choices (what the bound form would clean it to: the last value
    given, exactly a choice's key), else None: the form is then made as usual."""
    if "cohort" not in filterset.filters or any(
        name in params for name in filterset.filters if name != "cohort"
    ):
        return None
    value = params.get("cohort")
    if value is None or value not in {str(pk) for pk, _label in filterset._cohorts}:
        return None
    return value


def _cohort_chip(filterset, params, value):
    """`filter_chips` of a form whose one filter in effect is the cohort `value`."""
    query = params.copy()
    for key in ("cohort", *RESET_WITH_FILTER):
        query.pop(key, None)
    label = next(label for pk, label in filterset._cohorts if str(pk) == value)
    return Chip(filterset.filters["cohort"].label, label, f"?{query.urlencode()}")


def _page_rows(rows):
    """The page's registrations with what their rows show."""
    return (
        rows.select_related(None)
        .select_related("cohort", "parent_ministry", "decided_by")
        .only(*selectors.REGISTRATION_ROW_FIELDS)
    )


class _PageRows(Sequence):
    """The kept page's registrations (`_kept_page`), read only if something asks for them
    (the page itself asks only whether there are any: it shows their rows as kept)."""

    def __init__(self, read, length):
        self._read, self._length, self._rows = read, length, None

    def __len__(self):
        return self._length

    def __getitem__(self, index):
        if self._rows is None:
            self._rows = self._read()
        return self._rows[index]


def _kept_rows(scope, chosen, show, table, page, select_page, with_cohort):
    """The HTML of `page`'s rows (`_kept_page`'s registrations, as `registration_rows`
    writes them), kept (`pioneer.fragments`) under the change token of cohorts.figures,
    which every write of what they show replaces (a registration, its cohort, parent
    ministry and decider, and its notes, counted), and under the scope's ids, the view,
    order and page: the same rows for every visit until then, without their query (a
    join of four tables and a count of notes per row) or writing them (together a third
    of the page's CPU at N = 50). The ids are the cohort or the office's cohorts, so no
    one sees rows of another office's; nothing else of the visitor is in them."""
    name, _build, ids = scope
    bottom = (page.number - 1) * page.paginator.per_page
    return fragments.cached_html(
        "cohorts.registration_rows",
        (
            figures.token(),
            name,
            sorted(ids.items()),
            chosen.get("cohort"),
            show,
            table.key,
            table.descending,
            bottom,
            page.paginator.count,
            select_page,
            with_cohort,
        ),
        lambda: row_html.registration_rows(
            _kept_page(scope, chosen, show, table, page), select_page, with_cohort
        ),
        figures.SECONDS,
    )


def _kept_page(scope, chosen, show, table, page):
    """The rows of `page` (of `_registration_table`'s queryset, filtered by no more than
    the queue's cohort, in the table's order) as `_page_rows(narrow(page.object_list))`
    gives them, with their `note_count` (`selectors.registration_note_counts`) from the
    same query, by SQL compiled once per process and scope, view, order and page (the
    querysets cost about 1.5 ms of CPU to build on each visit, and the counts a query of
    their own). No query for an empty page."""
    name, build, ids = scope
    paginator = page.paginator
    bottom = (page.number - 1) * paginator.per_page
    top = bottom + paginator.per_page
    if top + paginator.orphans >= paginator.count:
        top = paginator.count
    if top <= bottom:
        return []
    if "cohort" in chosen:
        ids = {**ids, "chosen_cohort": int(chosen["cohort"])}
    ordering = table.ordering

    def rows(chosen_cohort=None, **markers):
        queryset = build(**markers)
        if chosen_cohort is not None:
            queryset = queryset.filter(cohort=chosen_cohort)
        if show == SHOW_ACTION:
            queryset = selectors.registrations_needing_action(queryset)
        return (
            _page_rows(narrow(queryset.order_by(*ordering)[bottom:top]))
            .annotate(note_count=selectors.registration_note_count())
            .values(*_PAGE_COLUMNS, "note_count")
        )

    key = ".".join(
        (name, "cohort" if "cohort" in chosen else "", show, table.key, str(table.descending))
    )
    found = compiled.values(f"cohorts.registration_page.{key}.{bottom}.{top}", rows, **ids)
    return [_page_row(row) for row in found]


# What a page's rows read (the registration's fields of `REGISTRATION_ROW_FIELDS`, its
# keys, and its cohort's, ministry's and decider's fields there): `_page_row` makes of
# them the instances `_page_rows` loads (the related rows deferred but for these fields).
_PAGE_MODELS = {
    None: InterestRegistration,
    "cohort": Cohort,
    "parent_ministry": Organisation,
    "decided_by": User,
}
_PAGE_FIELDS = {
    None: [
        "id",
        "cohort_id",
        "parent_ministry_id",
        "decided_by_id",
        *(name for name in selectors.REGISTRATION_ROW_FIELDS if "__" not in name),
    ],
    "cohort": ["id"],
    "parent_ministry": ["id"],
    "decided_by": ["id"],
}
for _name in selectors.REGISTRATION_ROW_FIELDS:
    if "__" in _name:
        _path, _field = _name.split("__")
        _PAGE_FIELDS[_path].append(_field)
# Model.from_db takes the values in the model's order of fields.
_PAGE_FIELDS = {
    path: [f.attname for f in _PAGE_MODELS[path]._meta.concrete_fields if f.attname in names]
    for path, names in _PAGE_FIELDS.items()
}
_PAGE_COLUMNS = [
    *_PAGE_FIELDS[None],
    *(f"{path}__{name}" for path, names in _PAGE_FIELDS.items() if path for name in names),
]


def _instance(model, db, names, values):
    """`model.from_db(db, names, values)`: the fields not named deferred, the instance as
    loaded from `db`. Made without Model.__init__ (a fifth of its CPU, which walks every
    field of the model) while no pre_init or post_init receiver wants to see it made."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(db, names, values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    state.adding, state.db = False, db
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


def _page_row(row):
    db = InterestRegistration.objects.db
    main = _PAGE_FIELDS[None]
    registration = _instance(InterestRegistration, db, main, [row[name] for name in main])
    for path in ("cohort", "parent_ministry", "decided_by"):
        names = _PAGE_FIELDS[path]
        related = None
        if row[f"{path}__id"] is not None:
            related = _instance(
                _PAGE_MODELS[path], db, names, [row[f"{path}__{name}"] for name in names]
            )
        InterestRegistration._meta.get_field(path).set_cached_value(registration, related)
    registration.note_count = row["note_count"]
    return registration


def _queue_count(user, cohort_ids, action, chosen):
    """The review queue's count from the kept counts: without a filter, or filtered by
    one of the office's cohorts alone (a valid choice is one of `cohort_ids`)."""
    if not chosen:
        return selectors.office_registration_count(user, cohort_ids, needing_action=action)
    if chosen.keys() == {"cohort"}:
        return selectors.cohort_registration_count(int(chosen["cohort"]), needing_action=action)
    return None


@role_required(OFFICE, PARTNER)
def registration_list(request):
    is_office = bool(selectors.office_organisation_ids(request.user))
    if not is_office:
        # Only what the rows show, by SQL compiled once per process (a KeptList).
        def render_page():
            registrations = selectors.partner_registration_list(request.user)
            page = Paginator(registrations, REGISTRATION_PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            return render_to_string(
                "cohorts/registration_list_partner_page.html",
                {"page": page, "rows": row_html.partner_registration_rows(page.object_list)},
                request=request,
            )

        # The page kept rendered per the organisations' state (pioneer.fragments): the
        # count, the page's rows and their writing only after a change.
        page_html = fragments.list_page_html(
            request,
            "cohorts.partner_registrations",
            selectors.partner_kept_facts(request.user),
            render_page,
            figures.SECONDS,
        )
        return render(request, "cohorts/registration_list_partner.html", {"page_html": page_html})
    # The office's cohorts, read once for the filter's options and the queue's rows: the
    # registrations of these cohorts are the office's (no join of cohorts and programmes
    # to plan in each of the page's queries).
    cohort_rows = selectors.office_cohort_rows(request.user)
    cohort_ids = [pk for pk, _programme, _title in cohort_rows]
    context = _registration_table(
        request,
        lambda: selectors.registrations_of_cohorts(cohort_ids),
        count=lambda action, chosen: _queue_count(request.user, cohort_ids, action, chosen),
        cohort_rows=cohort_rows,
        scope=(
            f"queue.{len(cohort_ids)}",
            lambda **markers: selectors.registrations_of_cohorts(list(markers.values())),
            {f"cohort{index:04d}": pk for index, pk in enumerate(cohort_ids)},
        ),
    )
    return render(request, "cohorts/registration_list.html", context)


@role_required(OFFICE)
def cohort_registrations(request, cohort_pk):
    """The registrations tab: the review queue for this cohort, inside its frame."""
    cohort = selectors.office_cohort_or_404(request.user, cohort_pk)
    owned = cohort.programme.organisation_id in selectors.office_organisation_ids(request.user)
    context = _registration_table(
        request,
        lambda: selectors.cohort_registrations(cohort, request.user),
        count=lambda action, chosen: (
            None
            if chosen
            else selectors.cohort_registration_count(cohort.pk, needing_action=action)
        ),
        cohort=cohort,
        scope=(
            ("cohort", selectors.registrations_of_cohort, {"cohort": cohort.pk})
            # (`cohort_registrations` gives none of another office's cohort.)
            if owned
            else None
        ),
    )
    return render(
        request,
        "cohorts/cohort_registrations.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            **context,
            **cohort_frame(request, cohort, "registrations"),
        },
    )


@role_required(OFFICE)
def registration_export(request, cohort_pk, fmt):
    """A cohort's registrations: CSV streams at once; XLSX is made by a job (POST)."""
    cohort = scoped_object_or_404(selectors.cohorts_for(request.user), pk=cohort_pk)
    rows = selectors.cohort_registrations(cohort, request.user)
    if fmt == "csv":
        return _csv_response(
            exports.registrations_csv_stream(rows),
            exports.filename(cohort, "csv", label=_("registrations")),
        )
    if fmt != "xlsx":
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    job = jobs.job_start(kind=exports.REGISTRATION_EXPORT_KIND, by=request.user, target=cohort)
    return redirect("job_detail", public_id=job.public_id)


@role_required(OFFICE)
@require_POST
def registration_bulk(request, cohort_pk=None):
    """An action on the selected registrations: export them, or (after a confirmation
    page that says what will happen) send their confirmation links again."""
    scope = selectors.registrations_for_office(request.user)
    cohort = None
    if cohort_pk is not None:
        cohort = scoped_object_or_404(selectors.cohorts_for(request.user), pk=cohort_pk)
        scope = scope.filter(cohort=cohort)
        back = _back(
            reverse("cohorts:cohort_registrations", kwargs={"cohort_pk": cohort.pk}), request.POST
        )
    else:
        back = _back(reverse("cohorts:registration_list"), request.POST)
    ids = _selected_ids(request.POST)
    chosen = list(scope.filter(pk__in=ids).order_by("organisation_name", "pk")) if ids else []
    if ids and not chosen:
        raise Http404  # none of them is this office's
    if not chosen:
        messages.error(request, _("Select at least one registration first."))
        return redirect(back)
    action = request.POST.get("action")
    selection = [r.pk for r in chosen]
    if action == "export_csv":
        return _csv_response(
            exports.registrations_csv_stream(scope.filter(pk__in=selection)),
            exports.filename(cohort, "csv", label=_("registrations")),
        )
    if action == "export_xlsx":
        job = jobs.job_start(
            kind=exports.REGISTRATION_EXPORT_KIND,
            by=request.user,
            target=cohort,
            payload={"ids": selection},
        )
        return redirect("job_detail", public_id=job.public_id)
    if action != "resend":
        messages.error(request, _("Choose what to do with the selected registrations."))
        return redirect(back)
    if request.POST.get("confirmed") == "1":
        outcome = bulk.registrations_resend_links(registrations=chosen, by=request.user)
        _report(
            request,
            outcome,
            ngettext(
                "%(count)s confirmation link has been scheduled.",
                "%(count)s confirmation links have been scheduled.",
                len(outcome.done),
            )
            % {"count": len(outcome.done)},
            ngettext(
                "%(count)s registration was skipped.",
                "%(count)s registrations were skipped.",
                len(outcome.skipped),
            ),
        )
        return redirect(back)
    plan = bulk.registrations_resend_plan(chosen)
    return _confirm_page(
        request,
        cohort=cohort,
        title=_("Send the confirmation links again"),
        lead=ngettext(
            "%(count)s e-mail will be sent: a new confirmation link to this contact. The "
            "previous link stops working.",
            "%(count)s e-mails will be sent: a new confirmation link to each of these "
            "contacts. Their previous links stop working.",
            len(plan.done),
        )
        % {"count": len(plan.done)},
        plan=plan,
        describe=lambda r: f"{r.organisation_name} ({r.contact_name}, {r.contact_email})",
        button=ngettext("Send %(count)s e-mail", "Send %(count)s e-mails", len(plan.done))
        % {"count": len(plan.done)},
        action_url=request.path,
        hidden={"action": "resend", "query": request.POST.get("query", "")},
        selection=selection,
        back=back,
    )


def _report(request, outcome, text, skipped_text):
    """The truth after an action: how many were done (`text`, formatted), how many
    skipped (`skipped_text`, with %(count)s)."""
    if outcome.skipped:
        text = f"{text} {skipped_text % {'count': len(outcome.skipped)}}"
    if outcome.done:
        messages.success(request, text)
    else:
        messages.warning(request, text)


def _confirm_page(
    request,
    *,
    cohort,
    title,
    lead,
    plan,
    describe,
    button,
    action_url,
    hidden,
    selection,
    back,
    form=None,
):
    return render(
        request,
        "cohorts/bulk_confirm.html",
        {
            "cohort": cohort,
            "title": title,
            "lead": lead,
            "will": [describe(obj) for obj in plan.done],
            "skipped": [(describe(obj), reason) for obj, reason in plan.skipped],
            "button": button,
            "action_url": action_url,
            "hidden": hidden,
            "selection": selection,
            "back": back,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@role_required(OFFICE)
def registration_print(request, pk):
    """One registration for the file: everything it says, its decision and the office's
    notes, on a page without navigation."""
    registration = scoped_object_or_404(selectors.registrations_for_office(request.user), pk=pk)
    require("cohorts.review_registration", request.user, registration)
    notes = RegistrationNote.objects.filter(registration=registration).select_related("author")
    return render(
        request,
        "cohorts/registration_print.html",
        {"registration": registration, "notes": notes, "printed_at": timezone.now()},
    )


# --- participants -----------------------------------------------------------------------


def participation_columns():
    return [
        # By the person's name as kept on the participation (`sort_name`, the same as
        # `user__name`): the cohort's index gives the page in this order.
        Column("name", _("Name"), ("sort_name", "user__email")),
        Column("side", _("Side"), ("side", "sort_name")),
        Column("organisation", _("Organisation"), ("organisation__name", "sort_name")),
        Column("position", _("Position"), ("position",)),
        Column("state", _("State"), (selectors.PARTICIPATION_STATE_RANK, "sort_name")),
        Column("signed_in", _("Last signed in"), ("user__last_login",), descending_first=True),
    ]


def _participation_filter(request, cohort, groups):
    filterset = ParticipationFilter(
        request.GET or None,
        queryset=selectors.participations_of(cohort),
        cohort=cohort,
        groups=groups,
    )
    chips = _filters(request, filterset)
    show = _show(request.GET, bool(chips))
    table = SortableTable(request.GET, participation_columns(), default="side")
    return filterset, chips, show, table


def _participation_rows(request, cohort, groups):
    filterset, chips, show, table = _participation_filter(request, cohort, groups)
    rows = filterset.qs
    if show == SHOW_ACTION:
        rows = selectors.participations_needing_action(cohort, rows)
    return filterset, chips, show, table, rows.order_by(*table.ordering)


class _BlankForm:
    errors = None


class _UnboundFilter:
    """What the list's controls read of a filter nobody filled in (`filter.form.errors`:
    none), without making its form (0.3 ms): its HTML is kept (`_blank_filter_form_html`),
    the form made only when the cache has lost it."""

    form = _BlankForm


def _blank_filter_form_html(filterset, kind):
    """`_filter_form_html` of an unbound filter, the form made only to render it."""
    facts = filterset.blank_form_facts()
    # The key `fragments.form_html` gives the form: django-filter names its form class
    # after the filter set ("ParticipationFilterForm"), its prefix the filter set's.
    return fragments.cached_html(
        f"form:{kind}",
        (f"{type(filterset).__name__}Form", filterset.form_prefix, facts),
        lambda: render_to_string("partials/crispy_form.html", {"form": filterset.form}),
    )


@role_required(OFFICE)
def participation_list(request, cohort_pk):
    cohort = office_cohort(request, cohort_pk)
    kind = "cohorts.participation_filter"
    if not request.GET:
        # Nothing asked: no chips, nothing to report, the list as first shown; the
        # filter's form is not made (its HTML is kept), and of the cohort's groups only
        # what this page shows is read (kept: `participation_list_facts`).
        facts = selectors.participation_list_facts(cohort)
        filterset = ParticipationFilter(
            None,
            queryset=Participation.objects.none(),
            cohort=cohort,
            groups=lambda: selectors.participation_groups(cohort),
            organisations_digest=facts["organisations"],
        )
        chips, show = [], SHOW_ACTION
        table = SortableTable(request.GET, participation_columns(), default="side")
        filter_form_html = _blank_filter_form_html(filterset, kind)
        shown_filter = _UnboundFilter
        count, held = facts["count_action"], facts["held"]
    else:
        # The cohort's people counted per group, kept (one query at most): the filter's
        # organisations, the held invitations and, without a filter, the list's count.
        groups = selectors.participation_groups(cohort)
        filterset, chips, show, table = _participation_filter(request, cohort, groups)
        filter_form_html = _filter_form_html(filterset, kind)
        shown_filter = filterset
        count = None
        held = selectors.held_invitations(groups)
    needing_action = show == SHOW_ACTION
    if not chips:
        # Without a filter the count is the kept groups' (no count over the cohort's
        # people joined with their accounts on each visit), and a page among the first
        # is read with SQL kept per process (cohorts.people_page).
        paginator = Paginator([], PARTICIPATION_PAGE_SIZE)
        paginator.count = (
            count
            if count is not None
            else selectors.participation_count(cohort, groups, needing_action=needing_action)
        )
        page = paginator.get_page(request.GET.get("page"))
        offset = (page.number - 1) * PARTICIPATION_PAGE_SIZE
        found = people_page.page_rows(
            cohort,
            table,
            needing_action=needing_action,
            offset=offset,
            size=PARTICIPATION_PAGE_SIZE,
        )
        if found is None:
            found = people_page.rows_queryset(cohort, table.ordering, needing_action)[
                offset : offset + PARTICIPATION_PAGE_SIZE
            ]
        page.object_list = found
    else:
        rows = filterset.qs
        if needing_action:
            rows = selectors.participations_needing_action(cohort, rows)
        paginator = Paginator(rows.order_by(*table.ordering), PARTICIPATION_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = page.object_list.only(*selectors.PARTICIPATION_ROW_FIELDS)
    select_page = request.GET.get("select") == "page"
    return render(
        request,
        "cohorts/participation_list.html",
        {
            "cohort": cohort,
            "filter": shown_filter,
            "chips": chips,
            "filter_form_html": filter_form_html,
            "show": show,
            "table": table,
            "page": page,
            "rows": row_html.participation_rows(cohort, page.object_list, select_page),
            "headers": sort_headers(request.GET, table.headers),
            "select_page": select_page,
            "query": request.GET.urlencode(),
            "filtered": bool(chips),
            "held": held,
            "states": Participation.State.choices,
            **cohort_frame(request, cohort, "participants"),
        },
    )


@role_required(OFFICE)
def participation_print(request, cohort_pk):
    """Every person of the (filtered, sorted) list for the file, on a page without
    navigation. Streamed in pieces of PRINT_CHUNK rows from one query, so a large cohort
    neither waits for the whole page nor holds it in memory."""
    cohort = office_cohort(request, cohort_pk)
    _filterset, chips, show, table, rows = _participation_rows(
        request, cohort, selectors.participation_groups(cohort)
    )
    language = translation.get_language()
    head = {
        "cohort": cohort,
        "chips": chips,
        "show": show,
        "table": table,
        "printed_at": timezone.now(),
        "back": _back(
            reverse("cohorts:participation_list", kwargs={"cohort_pk": cohort.pk}),
            {"query": request.GET.urlencode()},
        ),
    }

    def pieces():
        # The language of the request, also while the server sends the later pieces.
        with translation.override(language):
            yield render_to_string("cohorts/participation_print_head.html", head)
            chunk, count = [], 0
            for participation in rows.iterator(chunk_size=PRINT_CHUNK):
                chunk.append(participation)
                count += 1
                if len(chunk) == PRINT_CHUNK:
                    yield render_to_string(PRINT_ROWS, {"rows": chunk})
                    chunk = []
            if chunk:
                yield render_to_string(PRINT_ROWS, {"rows": chunk})
            yield render_to_string(
                "cohorts/participation_print_foot.html", {"count": count, "cohort": cohort}
            )

    response = StreamingHttpResponse(pieces(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@role_required(OFFICE)
@require_POST
def participation_bulk(request, cohort_pk):
    """An action on the selected people: export them, or (after a confirmation page that
    says what will happen) send their invitations again or move them to another state."""
    cohort = office_cohort(request, cohort_pk)
    scope = selectors.participations_of(cohort)
    back = _back(
        reverse("cohorts:participation_list", kwargs={"cohort_pk": cohort.pk}), request.POST
    )
    ids = _selected_ids(request.POST)
    chosen = list(scope.filter(pk__in=ids)) if ids else []
    if ids and not chosen:
        raise Http404
    if not chosen:
        messages.error(request, _("Select at least one person first."))
        return redirect(back)
    selection = [p.pk for p in chosen]
    action = request.POST.get("action")
    if action == "export_csv":
        return _csv_response(
            exports.participants_csv_stream(cohort, ids=selection),
            exports.filename(cohort, "csv"),
        )
    if action == "export_xlsx":
        job = jobs.job_start(
            kind=exports.EXPORT_KIND, by=request.user, target=cohort, payload={"ids": selection}
        )
        return redirect("job_detail", public_id=job.public_id)
    confirmed = request.POST.get("confirmed") == "1"
    common = {
        "cohort": cohort,
        "describe": lambda p: f"{p.user.name or p.user.email} ({p.organisation})",
        "action_url": request.path,
        "selection": selection,
        "back": back,
    }
    if action == "invite":
        if confirmed:
            outcome = bulk.participations_invite_again(participations=chosen, by=request.user)
            _report(
                request,
                outcome,
                ngettext(
                    "%(count)s invitation has been scheduled.",
                    "%(count)s invitations have been scheduled.",
                    len(outcome.done),
                )
                % {"count": len(outcome.done)},
                _skipped_people(outcome),
            )
            return redirect(back)
        plan = bulk.participations_invite_plan(chosen)
        return _confirm_page(
            request,
            title=_("Send the invitations again"),
            lead=ngettext(
                "%(count)s e-mail will be sent: a new invitation to set a password to this person.",
                "%(count)s e-mails will be sent: a new invitation to set a password to each "
                "of these people.",
                len(plan.done),
            )
            % {"count": len(plan.done)},
            plan=plan,
            button=ngettext("Send %(count)s e-mail", "Send %(count)s e-mails", len(plan.done))
            % {"count": len(plan.done)},
            hidden={"action": "invite", "query": request.POST.get("query", "")},
            **common,
        )
    if action == "state":
        form = ParticipationBulkStateForm(request.POST)
        form.is_valid()
        if "to_state" not in form.cleaned_data:
            messages.error(request, _("Choose the state the selected people move to."))
            return redirect(back)
        state = Participation.State(form.cleaned_data["to_state"])
        plan = bulk.participations_state_plan(chosen, state)
        reason = (form.cleaned_data.get("reason") or "").strip()
        needs_reason = state == Participation.State.WITHDRAWN
        if confirmed and needs_reason and not reason:
            form.add_error("reason", _("Please give the reason for the withdrawal."))
        elif confirmed:
            outcome = bulk.participations_set_state(
                participations=chosen, state=state, by=request.user, reason=reason
            )
            _report(
                request,
                outcome,
                ngettext(
                    "%(count)s person is now “%(state)s”.",
                    "%(count)s people are now “%(state)s”.",
                    len(outcome.done),
                )
                % {"count": len(outcome.done), "state": state.label},
                _skipped_people(outcome),
            )
            return redirect(back)
        return _confirm_page(
            request,
            title=_("Change the state"),
            lead=ngettext(
                "%(count)s person will move to “%(state)s”. No e-mail is sent.",
                "%(count)s people will move to “%(state)s”. No e-mail is sent.",
                len(plan.done),
            )
            % {"count": len(plan.done), "state": state.label},
            plan=plan,
            button=ngettext("Move %(count)s person", "Move %(count)s people", len(plan.done))
            % {"count": len(plan.done)},
            hidden={
                "action": "state",
                "to_state": state.value,
                "query": request.POST.get("query", ""),
            },
            form=form if needs_reason else None,
            **common,
        )
    messages.error(request, _("Choose what to do with the selected people."))
    return redirect(back)


def _skipped_people(outcome):
    return ngettext(
        "%(count)s person was skipped.", "%(count)s people were skipped.", len(outcome.skipped)
    )
