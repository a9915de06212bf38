"""The rows of the office's long lists, written in Python (see `pioneer.row_html`): the
same HTML the templates wrote, with links and words made once per page."""

from django.utils.html import format_html
from django.utils.translation import gettext as _

from cohorts.models import InterestRegistration, Participation
from pioneer.row_html import date_formatter, esc, join, labels, number, url_maker

_PARTICIPATION_ROW = (
    '<tr class="kern-table__row">'
    '<td class="kern-table__cell pio-select pio-no-print"><div class="kern-form-check">'
    '<input class="kern-form-check__checkbox" type="checkbox" name="selected" value="{pk}"'
    ' id="select-participation-{pk}"{checked}>'
    '<label class="kern-label kern-sr-only" for="select-participation-{pk}">{select}</label>'
    "</div></td>"
    '<th scope="row" class="kern-table__cell"><a class="kern-link" href="{url}">{name}</a>'
    "{badge}</th>"
    '<td class="kern-table__cell">{side}</td>'
    '<td class="kern-table__cell">{organisation}</td>'
    '<td class="kern-table__cell">{position}</td>'
    '<td class="kern-table__cell">{state}</td>'
    '<td class="kern-table__cell">{signed_in}</td>'
    "</tr>"
)


def participation_rows(cohort, participations, select_page):
    """The rows of a cohort's participant list (templates/cohorts/participation_list.html)."""
    day = date_formatter("SHORT_DATE_FORMAT")
    detail = url_maker("cohorts:participation_detail", cohort.pk)
    select = _("Select %(name)s")
    held = format_html(
        ' <span class="kern-badge kern-badge--warning kern-badge--small">'
        '<span class="kern-label">{}</span></span>',
        _("invitation held"),
    )
    not_taken_up = format_html(
        ' <span class="kern-badge kern-badge--info kern-badge--small">'
        '<span class="kern-label">{}</span></span>',
        _("invitation not taken up"),
    )
    not_yet = esc(_("not yet"))
    checked = " checked" if select_page else ""
    # `get_FOO_display` builds a dict of the choices per call (0.1 ms); once here.
    sides = labels(Participation.Side.choices)
    states = labels(Participation.State.choices)
    rows = []
    for p in participations:
        user = p.user
        name = user.name or user.email
        last_login = user.last_login
        rows.append(
            _PARTICIPATION_ROW.format(
                pk=p.pk,
                checked=checked,
                select=esc(select % {"name": name}),
                url=esc(detail(p.pk)),
                name=esc(name),
                badge=held if p.invitation_held else ("" if last_login else not_taken_up),
                side=sides.get(p.side) or esc(p.side),
                organisation=esc(p.organisation),
                position=esc(p.position),
                state=states.get(p.state) or esc(p.state),
                signed_in=esc(day(last_login)) if last_login else not_yet,
            )
        )
    return join(rows)


_REGISTRATION_ROW = (
    '<tr class="kern-table__row">'
    '<td class="kern-table__cell pio-select pio-no-print"><div class="kern-form-check">'
    '<input class="kern-form-check__checkbox" type="checkbox" name="selected" value="{pk}"'
    ' id="select-registration-{pk}"{checked}>'
    '<label class="kern-label kern-sr-only" for="select-registration-{pk}">{select}</label>'
    "</div></td>"
    '<th scope="row" class="kern-table__cell"><a class="kern-link" href="{url}">{name}</a>'
    '<br><span class="kern-body--small">{contact}</span></th>'
    '<td class="kern-table__cell">{kind}{ministry}</td>'
    "{cohort}"
    '<td class="kern-table__cell">{state}{badge}{decided}</td>'
    '<td class="kern-table__cell kern-table__cell--numeric">{host}</td>'
    '<td class="kern-table__cell kern-table__cell--numeric">{send}</td>'
    '<td class="kern-table__cell">{received}</td>'
    '<td class="kern-table__cell kern-table__cell--numeric">{notes}</td>'
    "</tr>"
)


def registration_rows(registrations, select_page, with_cohort):
    """The rows of the review queue and of a cohort's registrations tab
    (templates/cohorts/_registration_table.html)."""
    from pioneer.row_html import kept_url_maker, text

    day = date_formatter("SHORT_DATE_FORMAT")
    detail = kept_url_maker("cohorts:registration_detail")
    select = _("Select %(name)s")
    badges = {
        InterestRegistration.State.UNCONFIRMED: (
            ' <span class="kern-badge kern-badge--warning kern-badge--small">'
            f'<span class="kern-label">{text(_("link not confirmed"))}</span></span>'
        ),
        InterestRegistration.State.CONFIRMED: (
            ' <span class="kern-badge kern-badge--info kern-badge--small">'
            f'<span class="kern-label">{text(_("to review"))}</span></span>'
        ),
    }
    kinds = labels(InterestRegistration._meta.get_field("organisation_kind").choices)
    states = labels(InterestRegistration.State.choices)
    checked = " checked" if select_page else ""
    rows = []
    for r in registrations:
        name = r.organisation_name
        ministry = r.parent_ministry
        decided = ""
        if r.decided_by:
            decided = (
                f'<br><span class="kern-body--small">{text(str(r.decided_by))}, '
                f"{text(day(r.decided_at))}</span>"
            )
        rows.append(
            _REGISTRATION_ROW.format(
                pk=r.pk,
                checked=checked,
                select=text(select % {"name": name}),
                url=text(detail(r.pk)),
                name=text(name),
                contact=text(r.contact_name),
                kind=kinds.get(r.organisation_kind) or text(r.organisation_kind),
                ministry=f" ({text(str(ministry))})" if ministry else "",
                cohort=(
                    f'<td class="kern-table__cell">{text(r.cohort.title)}</td>'
                    if with_cohort
                    else ""
                ),
                state=states.get(r.state) or text(r.state),
                badge=badges.get(r.state, ""),
                decided=decided,
                host=text(number(r.places_host)),
                send=text(number(r.places_send)),
                received=text(day(r.created_at)),
                notes=text(number(r.note_count)),
            )
        )
    return join(rows)


def programme_cohort_rows(programme, cohorts):
    """The cohorts table of a programme's page (templates/cohorts/programme_cohorts.html)."""
    day = date_formatter("SHORT_DATE_FORMAT")
    from cohorts.selectors import status_label

    detail = url_maker("cohorts:cohort_detail")
    no_dates = esc(_("no dates yet"))
    status = {}
    rows = []
    for cohort in cohorts:
        if cohort.state not in status:
            status[cohort.state] = status_label(programme, cohort.state)
        if cohort.start_date:
            period = f"{esc(day(cohort.start_date))} – {esc(day(cohort.end_date) or '…')}"
        else:
            period = no_dates
        # str.format with each value escaped, as format_html did (a third of its cost).
        rows.append(
            _PROGRAMME_COHORT_ROW.format(
                esc(detail(cohort.pk)),
                esc(cohort.title),
                esc(status[cohort.state]),
                period,
                esc(number(cohort.registration_count)),
            )
        )
    return join(rows)


_PROGRAMME_COHORT_ROW = (
    '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">'
    '<a class="kern-link" href="{}">{}</a></th>'
    '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
    '<td class="kern-table__cell kern-table__cell--numeric">{}</td></tr>'
)


def import_preview_rows(rows):
    """The rows of an import's preview (templates/cohorts/participation_import_preview.html):
    plain dicts the check stored in the job."""
    new, exists = esc(_("new")), esc(_("exists"))
    yes, no = esc(_("yes")), esc(_("no"))
    # str.format with each value escaped (what format_html did per row, at a third of
    # the cost: 50 rows a page).
    return join(
        _IMPORT_PREVIEW_ROW.format(
            esc(number(row.get("line", ""))),
            esc(row.get("name", "")),
            esc(row.get("email", "")),
            esc(row.get("organisation_name", "")),
            new if row.get("account") == "new" else exists,
            yes if row.get("invited") else no,
        )
        for row in rows
    )


_IMPORT_PREVIEW_ROW = (
    '<tr class="kern-table__row"><td class="kern-table__cell">{}</td>'
    '<th scope="row" class="kern-table__cell">{}</th>'
    '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
    '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td></tr>'
)


def partner_registration_rows(registrations):
    """The rows of a partner contact's registrations of interest
    (templates/cohorts/registration_list_partner.html)."""
    day = date_formatter("SHORT_DATE_FORMAT")
    detail = url_maker("cohorts:registration_detail")
    states = labels(InterestRegistration.State.choices)
    return join(
        format_html(
            '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">'
            '<a class="kern-link" href="{}">{}</a></th>'
            '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
            '<td class="kern-table__cell">{}</td></tr>',
            detail(r.pk),
            r.cohort,
            r.organisation_name,
            states.get(r.state, r.state),
            day(r.created_at),
        )
        for r in registrations
    )


def partner_people_rows(people):
    """The rows of a partner contact's people
    (templates/cohorts/participation_partner_list.html), from `PartnerPeopleRow`s."""
    sides = labels(Participation.Side.choices)
    states = labels(Participation.State.choices)
    return join(
        format_html(
            '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">{}</th>'
            '<td class="kern-table__cell">{}: {}</td><td class="kern-table__cell">{}</td>'
            '<td class="kern-table__cell">{}</td><td class="kern-table__cell">{}</td>'
            '<td class="kern-table__cell">{}</td></tr>',
            p.name or p.email,
            p.programme,
            p.cohort,
            p.organisation,
            sides.get(p.side, p.side),
            p.position,
            states.get(p.state, p.state),
        )
        for p in people
    )


def partner_people_items(people):
    """The list items of the partner's home's people panel
    (templates/cohorts/panel_partner_people.html), from `PartnerPersonRow`s."""
    sides = labels(Participation.Side.choices)
    states = labels(Participation.State.choices)
    return join(
        format_html(
            "\n          <li>{} ({}): {}, {}, {}</li>\n        ",
            p.name or p.email,
            p.organisation_short or p.organisation,
            p.cohort,
            sides.get(p.side, p.side),
            states.get(p.state, p.state),
        )
        for p in people
    )


_FIGURE_CARD = (
    '<div class="kern-card"><div class="kern-card__container">'
    '<div class="kern-card__header"><h3 class="kern-title" id="figure-{key}">{title}</h3></div>'
    '<div class="kern-card__body">{body}</div></div></div>'
)
_FIGURE_TABLE = (
    '<div class="kern-table-responsive" tabindex="0" role="region"'
    ' aria-labelledby="figure-{key}">'
    '<table class="kern-table kern-table--small" aria-labelledby="figure-{key}">'
    '<thead class="kern-table__header"><tr class="kern-table__row">'
    '<th scope="col" class="kern-table__header">{group}</th>'
    '<th scope="col" class="kern-table__header kern-table__header--numeric">{number}</th>'
    '</tr></thead><tbody class="kern-table__body">{rows}</tbody>'
    '<tfoot class="kern-table__footer"><tr class="kern-table__row">'
    '<th scope="row" class="kern-table__cell">{total_label}</th>'
    '<td class="kern-table__cell kern-table__cell--numeric">{total}</td></tr></tfoot>'
    "</table></div>"
)
_FIGURE_ROW = (
    '<tr class="kern-table__row"><th scope="row" class="kern-table__cell">{label}</th>'
    '<td class="kern-table__cell kern-table__cell--numeric">{count}</td></tr>'
)


def figure_cards(figures):
    """The overview's figures (cohorts.hooks.Figure), a card with a small table each
    (templates/cohorts/cohort_detail.html): some 40 rows the template wrote cell by cell."""
    words = {
        "group": esc(_("Group")),
        "number": esc(_("Number")),
        "total_label": esc(_("Total")),
    }
    none_yet = format_html("<p>{}</p>", _("None yet."))
    cards = []
    for figure in figures:
        key = esc(figure.key)
        title = esc(figure.title)
        if figure.url:
            title = format_html('<a class="kern-link" href="{}">{}</a>', figure.url, title)
        if figure.rows:
            rows = []
            for row in figure.rows:
                label = esc(row.label)
                if row.url and row.count:
                    label = format_html('<a class="kern-link" href="{}">{}</a>', row.url, label)
                rows.append(_FIGURE_ROW.format(label=label, count=esc(number(row.count))))
            body = _FIGURE_TABLE.format(
                key=key, rows="".join(rows), total=esc(number(figure.total)), **words
            )
        else:
            body = none_yet
        cards.append(_FIGURE_CARD.format(key=key, title=title, body=body))
    return join(cards)


def partner_office_html(offices):
    """`{% include "cohorts/_partner_office.html" %}` for each of `offices` (the entries of
    `selectors.with_office_emails`): who, for which of the partner's organisations, and
    the addresses of its members. A list of safe strings."""
    found = []
    for office in offices:
        partners = office["partners"]
        names = "None" if partners is None else ", ".join(esc(name) for name in partners)
        works = _("The programme office of %(office)s works with you") % {
            "office": esc(office["organisation"].name)
        }
        html = f"\n<p>{works} ({names}).</p>\n"
        if office["emails"]:
            items = "".join(
                format_html('<li><a class="kern-link" href="mailto:{}">{}</a></li>', e, e)
                for e in office["emails"]
            )
            html += f'\n  <ul class="kern-list">\n  {items}\n  </ul>\n'
        found.append(join([html, "\n"]))
    return found


def partner_office_sections(offices):
    """The offices of templates/cohorts/partner_offices.html, each a section."""
    return join(
        format_html(
            '\n    <section class="kern-stack-sm" aria-labelledby="office-{}">\n'
            '      <h2 class="kern-heading-small" id="office-{}">{}</h2>\n'
            "      {}\n    </section>\n  ",
            office["organisation"].pk,
            office["organisation"].pk,
            office["organisation"].name,
            html,
        )
        for office, html in zip(offices, partner_office_html(offices), strict=True)
    )


def partner_office_items(offices):
    """The offices of the partner's home's panel (templates/cohorts/panel_partner_office.html)."""
    return join(f"\n        {html}\n      " for html in partner_office_html(offices))


def partner_registration_items(registrations):
    """The list items of the partner's home's panel of their registrations of interest
    (templates/cohorts/panel_partner_registrations.html): each one's cohort, linked, and
    its state."""
    detail = url_maker("cohorts:registration_detail")
    states = labels(InterestRegistration.State.choices)
    return join(
        f'\n          <li><a class="kern-link" href="{esc(detail(r.pk))}">{esc(r.cohort)}</a>: '
        f"{states.get(r.state) or esc(r.get_state_display())}</li>\n        "
        for r in registrations
    )


def participant_cohort_items(participations):
    """The list items of the participant's home's panel of their cohorts
    (templates/cohorts/panel_participant_cohorts.html): programme and cohort, dates,
    state and side. A person has a cohort or two: each date is formatted as the
    template's filter does, without a formatter's month names made first."""
    from django.utils.formats import date_format

    no_dates = esc(_("no dates yet"))
    status = esc(_("your status:"))
    items = []
    for p in participations:
        cohort = p.cohort
        if cohort.start_date:
            end = esc(date_format(cohort.end_date, "DATE_FORMAT")) if cohort.end_date else "…"
            dates = f"{esc(date_format(cohort.start_date, 'DATE_FORMAT'))} – {end}"
        else:
            dates = no_dates
        items.append(
            f"\n          <li>\n            <strong>{esc(cohort.programme.name)} – "
            f"{esc(cohort.title)}</strong>:\n            {dates};\n            {status} "
            f"{esc(p.get_state_display())} ({esc(p.get_side_display())})\n          </li>\n        "
        )
    return join(items)


def note_items(notes):
    """The items of a registration's notes (templates/cohorts/registration_detail.html's
    loop, with its whitespace): `notes` as `selectors.registration_notes` gives them."""
    from pioneer.row_html import text

    when = date_formatter("SHORT_DATETIME_FORMAT")
    items = []
    for note in notes:
        author = "–" if note["author_id"] is None else note["author__name"] or note["author__email"]
        # `|linebreaksbr`: the line ends made "\n" (escaping leaves them alone), then <br>.
        body = text(note["text"]).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
        items.append(
            f"\n          <li><strong>{text(author)}, {text(when(note['created_at']))}:</strong> "
            f"{body}</li>\n        "
        )
    return join(items)


def candidate_items(candidates):
    """The items of a registration's organisations with a similar name
    (templates/cohorts/registration_detail.html's loop, with its whitespace): organisations
    with their `current_contacts` (`pioneer.selectors.organisations_resembling`)."""
    from pioneer.models import Organisation
    from pioneer.row_html import text

    kinds = labels(Organisation.Kind.choices)
    contacts_label = text(_("Current partner contacts"))
    none = text(_("none"))
    items = []
    for org in candidates:
        short = f", {text(org.short_name)}" if org.short_name else ""
        contacts = ", ".join(
            f"{text(person.name or person.email)} &lt;{text(person.email)}&gt;"
            for person in org.current_contacts
        )
        items.append(
            f"\n          <li><strong>{text(org.name)}</strong> "
            f"({kinds.get(org.kind) or text(org.kind)}{short}).\n"
            f"            {contacts_label}: {contacts or none}</li>\n        "
        )
    return join(items)
