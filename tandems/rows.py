"""The tandem board's rows written in Python (see `pioneer.row_html`): the same HTML
templates/tandems/board.html wrote, with the links and the words made once per page."""

from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.translation import gettext as _

from pioneer.row_html import date_formatter, esc, join, kept_url_maker, labels, number, text
from tandems.agreements import board_agreement
from tandems.models import HospitationPhase, Tandem

_ROW = (
    '<tr class="kern-table__row">'
    '<th scope="row" class="kern-table__cell"><a class="kern-link" href="{url}">'
    "{administration} &amp; {external}</a>"
    '<br><span class="kern-body--small">{administration_organisation} · '
    "{external_organisation}{topic}</span></th>"
    '<td class="kern-table__cell">{state}{confirmations}{ended}</td>'
    '<td class="kern-table__cell"><ul class="kern-list">{phases}</ul></td>'
    '<td class="kern-table__cell">{agreement}</td>'
    '<td class="kern-table__cell kern-table__cell--numeric">{overdue}</td>'
    "</tr>"
)

_PHASE = (
    "<li><strong>{label}</strong>: {start} – {end}; {guest_line}{contact} · "
    '<a class="kern-link" href="{url}">{agreement_label}</a></li>'
)

_SMALL = '<br><span class="kern-body--small">{}</span>'
_BADGE = (
    '<span class="kern-badge kern-badge--{}">'
    '<span class="kern-label kern-label--small">{}</span></span>'
)


def board_rows(cohort, tandems, phases, people):
    """The rows (`selectors.board_rows`) with their phases (`selectors.board_phases`) and
    people (`selectors.board_people`)."""
    detail = kept_url_maker("tandems:detail", cohort.pk)
    agreement_url = kept_url_maker("tandems:agreement")
    day = date_formatter("SHORT_DATE_FORMAT")
    states = labels(Tandem.State.choices)
    numbers = labels(HospitationPhase.Number.choices)
    guest_line = _("%(guest)s is the guest at %(host)s")
    agreement_label = _("Agreement, phase %(number)s")
    phase_label = _("Phase %(number)s")
    count_label = _("%(confirmed)s of %(parties)s confirmed")
    host_contact = text(_("host contact"))
    paper = _BADGE.format("success", text(_("signed on paper")))
    confirmed = _BADGE.format("success", text(_("confirmed")))
    by_tandem = {}
    for phase in phases:
        by_tandem.setdefault(phase["tandem_id"], []).append(phase)
    rows = []
    for t in tandems:
        first, second = people[t["administration_id"]], people[t["external_id"]]
        administration = text(first["name"] or first["email"])
        external = text(second["name"] or second["email"])
        items = []
        own = by_tandem.get(t["pk"], [])
        for phase in own:
            label = phase["host_contact_name"]
            if phase["host_contact_id"]:
                label = phase["contact_name"] or phase["contact_email"]
            phase["url"] = url = text(agreement_url(phase["pk"]))
            guest = phase["guest"]
            number_ = phase["number"]
            items.append(
                _PHASE.format(
                    label=numbers.get(number_) or text(number_),
                    start=day(phase["start"]),
                    end=day(phase["end"]),
                    # The translated sentence as the template's `|safe` wrote it, its
                    # values escaped.
                    guest_line=guest_line
                    % {
                        "guest": text(guest["name"] or guest["email"]),
                        "host": text(phase["host_short"] or phase["host_name"]),
                    },
                    contact=f" ({host_contact}: {text(label)})" if label else "",
                    url=url,
                    agreement_label=text(agreement_label % {"number": number_}),
                )
            )
        agreement = board_agreement(t["state"], {phase["number"]: phase for phase in own})
        t["agreement"] = agreement
        if agreement:
            if agreement["paper"]:
                badge = paper
            elif agreement["complete"]:
                badge = confirmed
            else:
                badge = _BADGE.format(
                    "warning",
                    text(
                        count_label
                        % {"confirmed": agreement["confirmed"], "parties": agreement["parties"]}
                    ),
                )
            agreement = (
                f'<a class="kern-link" href="{agreement["phase"]["url"]}">'
                f"{text(phase_label % {'number': agreement['phase']['number']})}</a><br>{badge}"
            )
        confirmations = ""
        if t["state"] == Tandem.State.PROPOSED:
            confirmations = _SMALL.format(
                f"{'✓' if t['administration_confirmed_at'] else '…'} {administration}, "
                f"{'✓' if t['external_confirmed_at'] else '…'} {external}"
            )
        overdue = t["overdue"]
        rows.append(
            _ROW.format(
                url=text(detail(t["pk"])),
                administration=administration,
                external=external,
                administration_organisation=text(first["short"] or first["organisation_name"]),
                external_organisation=text(second["short"] or second["organisation_name"]),
                topic=f" · {text(t['topic'])}" if t["topic"] else "",
                state=states.get(t["state"]) or text(t["state"]),
                confirmations=confirmations,
                ended=_SMALL.format(text(t["ended_reason"])) if t["ended_reason"] else "",
                phases="".join(items),
                agreement=agreement or "–",
                overdue=_BADGE.format("danger", text(number(overdue))) if overdue else "0",
            )
        )
    return join(rows)


def dated_rows(rows):
    """Each dated row (`tandems.timeline.dated_list`) with its HTML as `html`: what
    templates/tandems/_dated_row.html wrote per row, the words and formats found once."""
    day = date_formatter("SHORT_DATE_FORMAT")
    moment = date_formatter("SHORT_DATETIME_FORMAT")
    kinds = {
        "phase": esc(_("Phase")),
        "milestone": esc(_("Milestone")),
        "event": esc(_("Event")),
    }
    called_off = format_html(" – <strong>{}</strong>", _("called off"))
    done = format_html(" – {}", _("done"))
    tentative = format_html(" – {}", _("not yet confirmed"))
    for row in rows:
        item = row["item"]
        if row["timed"]:
            when = moment(item.start)
        elif row["last"] != row["first"]:
            when = f"{day(row['first'])} – {day(row['last'])}"
        else:
            when = day(row["first"])
        if item.kind == "event" and item.url:
            title = format_html('<a class="kern-link" href="{}">{}</a>', item.url, item.title)
        else:
            title = esc(item.title)
        if item.cancelled:
            state = called_off
        elif item.done:
            state = done
        elif item.tentative and item.kind != "event":
            state = tentative
        else:
            state = ""
        row["html"] = join(
            (
                f'<span class="pio-dates__when">{esc(when)}</span>\n',
                f'<span class="pio-dates__kind">{kinds.get(item.kind, "")}:</span>\n',
                f"{title}{state}\n",
            )
        )
    return rows


_PAIR_ROW = (
    '\n          <tr class="kern-table__row">\n'
    '            <td class="kern-table__cell"><div class="kern-form-check">'
    '<input type="checkbox" class="kern-form-check__checkbox" name="pairs" value="{value}"'
    ' id="id_pairs_{index}" checked><label class="kern-label" for="id_pairs_{index}">'
    '<span class="kern-sr-only">{accept}</span></label></div></td>\n'
    '            <th scope="row" class="kern-table__cell">{administration}<br>'
    '<span class="kern-body--small">{administration_organisation}</span></th>\n'
    '            <td class="kern-table__cell">{external}<br>'
    '<span class="kern-body--small">{external_organisation}</span></td>\n'
    '            <td class="kern-table__cell kern-table__cell--numeric">{score}</td>\n'
    '            <td class="kern-table__cell"><ul class="kern-list">{reasons}</ul></td>\n'
    "          </tr>\n        "
)


def _reasons(fit):
    return "".join(f"<li>{esc(reason.text)}</li>" for reason in fit.reasons)


def assignment_rows(assignment):
    """The rows of the matching page's assignment (templates/tandems/matching.html)."""
    accept = _("Accept %(a)s and %(b)s")
    no_topics = format_html("<li>{}</li>", _("No shared topics; they can pair."))
    rows = []
    for index, row in enumerate(assignment):
        fit = row["fit"]
        a, b = fit.administration, fit.external
        rows.append(
            _PAIR_ROW.format(
                value=esc(row["value"]),
                index=index,
                accept=accept % {"a": esc(a.label), "b": esc(b.label)},
                administration=esc(a.label),
                administration_organisation=esc(a.organisation),
                external=esc(b.label),
                external_organisation=esc(b.organisation),
                score=esc(floatformat(fit.score, 0)),
                reasons=_reasons(fit) or no_topics,
            )
        )
    return join(rows)


def suggestion_items(people):
    """Each person's suggestions on the matching page (templates/tandems/matching.html)."""
    points = _("%(score)s points")
    nobody = format_html("<p>{}</p>", _("Nobody left may be paired with this person."))
    items = []
    for person in people:
        profile = person["profile"]
        if person["suggestions"]:
            entries = []
            for fit in person["suggestions"]:
                other = fit.external if fit.administration.id == profile.id else fit.administration
                entries.append(
                    "\n            <li>"
                    f"{esc(other.label)} ({esc(other.organisation)}): "
                    f"{points % {'score': esc(floatformat(fit.score, 0))}}\n"
                    f'              <ul class="kern-list">{_reasons(fit)}</ul></li>\n          '
                )
            body = (
                f'\n        <ol class="kern-list">\n          {"".join(entries)}'
                "\n        </ol>\n        "
            )
        else:
            body = nobody
        items.append(
            "\n      <details>\n"
            f"        <summary>{esc(profile.label)} ({esc(person['side'])}, "
            f"{esc(profile.organisation)})</summary>\n"
            f"        {body}\n"
            "      </details>\n    "
        )
    return join(items)
