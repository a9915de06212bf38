"""The office's tandem board: the filter "agreement awaiting confirmation" finds exactly
the tandems whose current or next agreement lacks a confirmation of its current version
(a paper signature counts), each row shows its agreement's state with a link, the
dashboard counts them in one query, and the board's queries stay flat."""

import copy

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _

from cohorts.models import Cohort
from cohorts.selectors import cohort_dashboard
from pioneer.row_html import date_formatter, esc, join, labels, number, url_maker
from tandems import agreements, selectors, services
from tandems.agreements import board_agreement
from tandems.models import HospitationPhase, Tandem
from tandems.rows import _BADGE, _PHASE, _ROW, _SMALL, board_rows
from tests.factories.cohorts import CohortFactory
from tests.factories.core import office_user, partner_user
from tests.factories.tandems import tandem
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

Party = agreements.Party
ALL = list(agreements.CHECKLIST)


def _client(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _agreed(cohort, topic):
    t = tandem(cohort, topic=topic)
    for user in (t.administration.user, t.external.user):
        services.tandem_confirm(tandem=t, by=user)
    return t


def _named(phase, office):
    """Both representatives with accounts, so that all three can confirm signed in."""
    host = partner_user(phase.host_organisation)
    sender = partner_user(phase.guest.organisation)
    agreements.phase_set_agreement(
        phase=phase,
        by=office,
        goals="Verfahren kennenlernen",
        host_contact=host,
        sender_contact=sender,
    )
    phase.refresh_from_db()
    return host, sender


def _confirm(phase, parties, host, sender):
    by = {Party.PERSON: phase.guest.user, Party.HOST: host, Party.SENDER: sender}
    for party in parties:
        agreements.agreement_confirm(phase=phase, party=party, by=by[party], checklist=ALL)


@pytest.fixture
def world():
    cohort = CohortFactory(state=Cohort.State.RUNNING)
    office = office_user(cohort.programme.organisation)
    made = {}
    for name in ("none", "two", "all", "paper", "changed", "next", "done"):
        t = _agreed(cohort, topic=f"Thema {name}")
        first, second = t.phases.order_by("number")
        host, sender = _named(first, office)
        made[name] = (t, first, second, host, sender)
    _t, phase, _s, host, sender = made["two"]
    _confirm(phase, [Party.PERSON, Party.HOST], host, sender)
    _t, phase, _s, host, sender = made["all"]
    _confirm(phase, agreements.PARTIES, host, sender)
    _t, phase, _s, host, sender = made["paper"]
    _confirm(phase, [Party.PERSON], host, sender)
    agreements.agreement_record_paper(phase=phase, by=office)
    _t, phase, _s, host, sender = made["changed"]
    _confirm(phase, agreements.PARTIES, host, sender)
    agreements.phase_set_agreement(
        phase=phase, by=office, goals="Andere Ziele", host_contact=host, sender_contact=sender
    )
    # In phase 1 with its agreement complete: the next phase's agreement is missing.
    t, phase, second, host, sender = made["next"]
    _confirm(phase, agreements.PARTIES, host, sender)
    Tandem.objects.filter(pk=t.pk).update(state=Tandem.State.PHASE_1)
    # Completed: nothing awaits confirmation any more.
    t = made["done"][0]
    Tandem.objects.filter(pk=t.pk).update(state=Tandem.State.COMPLETED)
    return {"cohort": cohort, "office": office, "made": made}


def _topics(queryset):
    return {t.topic.removeprefix("Thema ") for t in queryset}


def test_the_filter_finds_exactly_the_agreements_awaiting_confirmation(world):
    cohort = world["cohort"]
    found = selectors.filter_board(selectors.tandems_of(cohort), missing_agreement=True)
    assert _topics(found) == {"none", "two", "changed", "next"}
    assert selectors.agreements_missing_count(cohort) == 4
    # Without the filter, all of them.
    assert len(_topics(selectors.filter_board(selectors.tandems_of(cohort)))) == 7


def test_the_filter_on_the_page(world):
    url = reverse("tandems:board", args=[world["cohort"].pk])
    html = _client(world["office"]).get(url, {"agreement": "on"}).content.decode()
    assert "4 tandems" in html
    for name in ("none", "two", "changed", "next"):
        assert f"Thema {name}" in html
    for name in ("all", "paper", "done"):
        assert f"Thema {name}" not in html


def test_each_row_shows_its_agreement_with_a_link(world):
    url = reverse("tandems:board", args=[world["cohort"].pk])
    rows = {}
    response = _client(world["office"]).get(url)
    for t in response.context["tandems"]:
        rows[t["topic"].removeprefix("Thema ")] = t["agreement"]
    made = world["made"]
    assert rows["none"]["confirmed"] == 0 and not rows["none"]["complete"]
    assert rows["two"]["confirmed"] == 2 and not rows["two"]["complete"]
    assert rows["all"]["complete"] and not rows["all"]["paper"]
    assert rows["paper"]["complete"] and rows["paper"]["paper"]
    assert rows["changed"]["confirmed"] == 0
    assert rows["next"]["phase"]["pk"] == made["next"][2].pk  # phase 2, the next one
    assert rows["done"] is None
    html = response.content.decode()
    assert "2 of 3 confirmed" in html and "0 of 3 confirmed" in html
    assert "signed on paper" in html and ">confirmed<" in html
    for name in ("two", "all", "paper"):
        assert reverse("tandems:agreement", args=[made[name][1].pk]) in html
    german = _client(world["office"], "de").get(url).content.decode()
    assert "2 von 3 bestätigt" in german


def test_the_dashboard_counts_them_once(world, django_assert_num_queries):
    cohort = Cohort.objects.select_related("programme").get(pk=world["cohort"].pk)
    with translation.override("en"):
        dashboard = cohort_dashboard(cohort)
    item = next(i for i in dashboard["attention"] if i.key == "agreements_missing")
    assert item.count == 4
    assert item.url.endswith("?agreement=on")
    # The page counted them already: they are kept (cohorts.figures' change token).
    with django_assert_num_queries(0):
        counts, missing = selectors.dashboard_counts(cohort)
    assert missing == 4 and sum(counts.values()) == 7


def _counted(cohort):
    counts, missing = {}, 0
    for row in selectors._dashboard_counts(cohort.pk):
        counts[row["state"]] = row["n"]
        missing += row["missing"]
    return counts, missing


def test_the_kept_dashboard_counts_follow_every_change(world, django_capture_on_commit_callbacks):
    """Kept under cohorts.figures' change token, the counts are those of the moment after
    each kind of change the product makes: a confirmation, a new version of an agreement,
    a tandem made or ended, and the tandems moved on by their dates."""
    from datetime import date

    from pioneer.access import SYSTEM

    cohort = world["cohort"]
    office = world["office"]
    kept = selectors.dashboard_counts(cohort)
    assert kept == _counted(cohort)
    _t, two, _s, host, sender = world["made"]["two"]
    _t, complete, _s, host_all, sender_all = world["made"]["all"]
    steps = [
        lambda: _confirm(two, [Party.SENDER], host, sender),
        lambda: agreements.phase_set_agreement(
            phase=complete, by=office, goals="Neu", host_contact=host_all, sender_contact=sender_all
        ),
        lambda: tandem(cohort, topic="Neu"),
        lambda: services.tandem_end_early(
            tandem=world["made"]["none"][0], reason="Umzug", by=SYSTEM
        ),
        lambda: services.tandems_advance(today=date(2099, 1, 1)),
    ]
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            step()
        fresh = _counted(cohort)
        assert fresh != kept
        assert selectors.dashboard_counts(cohort) == fresh
        kept = fresh


def test_the_board_with_agreements_stays_flat(world):
    cohort = world["cohort"]
    office = world["office"]

    def make_rows(count):
        for index in range(count):
            t = _agreed(cohort, topic=f"Weitere {index}")
            first = t.phases.get(number=1)
            host, sender = _named(first, office)
            _confirm(first, [Party.PERSON, Party.HOST][: index % 3], host, sender)

    url = reverse("tandems:board", args=[cohort.pk])
    assert_flat_queries(_client(office), url, make_rows)
    assert_flat_queries(_client(office), url + "?agreement=on", lambda count: None)


def test_the_phase_dates_page_in_german_carries_iso_dates(world):
    t, first, second, _host, _sender = world["made"]["none"]
    url = reverse("tandems:dates", args=[world["cohort"].pk, t.pk])
    html = _client(world["office"], "de").get(url).content.decode()
    assert f'value="{first.start.isoformat()}"' in html
    assert f'value="{second.end.isoformat()}"' in html
    assert 'type="date"' in html


def test_a_row_names_its_people_and_host_contact_without_its_phases(world):
    """The board reads a tandem's people with its phases (their guests); a tandem without
    phases (the services always make both) still names both people."""
    t, first, _second, host, _sender = world["made"]["none"]
    url = reverse("tandems:board", args=[world["cohort"].pk])
    html = _client(world["office"]).get(url).content.decode()
    assert f"host contact: {escape(host.name)}" in html
    t.phases.all().delete()
    html = _client(world["office"]).get(url).content.decode()
    names = (escape(t.administration.user.name), escape(t.external.user.name))
    assert "{} &amp; {}".format(*names) in html


# --- the board's kept reads and its rows, held to the querysets and the first writing ---


def _person(name, email):
    """`{{ user }}`: the name, or the e-mail address without one."""
    return name or email


def _organisation(person):
    """`{{ organisation.short_name|default:organisation.name }}`."""
    return person["short"] or person["organisation_name"]


def _old_board_rows(cohort, tandems, phases, people):
    """tandems.rows.board_rows as it was written with format_html and esc (the reference)."""
    detail = url_maker("tandems:detail", cohort.pk)
    agreement_url = url_maker("tandems:agreement")
    day = date_formatter("SHORT_DATE_FORMAT")
    states = labels(Tandem.State.choices)
    numbers = labels(HospitationPhase.Number.choices)
    guest_line = _("%(guest)s is the guest at %(host)s")
    agreement_label = _("Agreement, phase %(number)s")
    phase_label = _("Phase %(number)s")
    count_label = _("%(confirmed)s of %(parties)s confirmed")
    host_contact = esc(_("host contact"))
    paper = format_html(_BADGE, "success", _("signed on paper"))
    confirmed = format_html(_BADGE, "success", _("confirmed"))
    by_tandem = {}
    for phase in phases:
        by_tandem.setdefault(phase["tandem_id"], []).append(phase)
    rows = []
    for t in tandems:
        first, second = people[t["administration_id"]], people[t["external_id"]]
        administration = esc(_person(first["name"], first["email"]))
        external = esc(_person(second["name"], second["email"]))
        items = []
        own = by_tandem.get(t["pk"], [])
        for phase in own:
            label = phase["host_contact_name"]
            if phase["host_contact_id"]:
                label = _person(phase["contact_name"], phase["contact_email"])
            phase["url"] = esc(agreement_url(phase["pk"]))
            guest = phase["guest"]
            items.append(
                _PHASE.format(
                    label=numbers.get(phase["number"]) or esc(phase["number"]),
                    start=day(phase["start"]),
                    end=day(phase["end"]),
                    # The translated sentence as the template's `|safe` wrote it, its
                    # values escaped.
                    guest_line=guest_line
                    % {
                        "guest": esc(_person(guest["name"], guest["email"])),
                        "host": esc(phase["host_short"] or phase["host_name"]),
                    },
                    contact=f" ({host_contact}: {esc(label)})" if label else "",
                    url=phase["url"],
                    agreement_label=esc(agreement_label % {"number": phase["number"]}),
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
                badge = format_html(
                    _BADGE,
                    "warning",
                    count_label
                    % {"confirmed": agreement["confirmed"], "parties": agreement["parties"]},
                )
            agreement = format_html(
                '<a class="kern-link" href="{}">{}</a><br>{}',
                agreement["phase"]["url"],
                phase_label % {"number": agreement["phase"]["number"]},
                badge,
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
                url=esc(detail(t["pk"])),
                administration=administration,
                external=external,
                administration_organisation=esc(_organisation(first)),
                external_organisation=esc(_organisation(second)),
                topic=f" · {esc(t['topic'])}" if t["topic"] else "",
                state=states.get(t["state"]) or esc(t["state"]),
                confirmations=confirmations,
                ended=_SMALL.format(esc(t["ended_reason"])) if t["ended_reason"] else "",
                phases="".join(items),
                agreement=agreement or "–",
                overdue=format_html(_BADGE, "danger", number(overdue)) if overdue else "0",
            )
        )
    return join(rows)


def _old_phases(tandem_ids):
    phases = list(selectors._board_phases(tandem_ids)) if tandem_ids else []
    for phase in phases:
        phase["guest"] = {
            "name": phase.pop("guest_name"),
            "email": phase.pop("guest_email"),
            "short": phase.pop("guest_short"),
            "organisation_name": phase.pop("guest_organisation"),
        }
    return phases


MARKED = 'O\'Brien <&> "Zoë"'


@pytest.fixture
def big_board(world):
    """The world's seven tandems and twenty more (two pages), names and topics with
    `<&"'`, one ended early, milestones overdue on some days and not on others."""
    cohort, office = world["cohort"], world["office"]
    for index in range(20):
        t = tandem(cohort, topic=f"{MARKED} {index}" if index % 2 else "")
        if index % 5 == 0:
            t.administration.user.name = f"{MARKED} {index}"
            t.administration.user.save()
            t.external.organisation.short_name = MARKED
            t.external.organisation.save()
        if index % 7 == 0:
            t.external.user.name = ""
            t.external.user.save()
        if index == 3:
            services.tandem_end_early(tandem=t, reason=MARKED, by=office)
        if index == 4:
            phase = t.phases.get(number=1)
            phase.host_contact_name = MARKED
            phase.save()
    return world


def test_the_boards_kept_reads_are_the_querysets(big_board):
    """The unfiltered board's page, its phases and its counts come from SQL compiled once
    per process: the same rows as the querysets, for each page, day and cohort."""
    from datetime import date, timedelta

    from django.utils import timezone

    cohort = big_board["cohort"]
    empty = CohortFactory(state=Cohort.State.RUNNING)
    today = timezone.localdate()
    overdue_seen = set()
    for day in (today, date(2000, 1, 1), today + timedelta(days=400)):
        base = selectors.tandems_of(cohort, today=day)
        ordered = selectors.board_order(base)
        for bottom, top in ((0, 20), (20, 40), (20, 27), (5, 6)):
            expected = selectors.board_rows(base, ordered[bottom:top])
            assert selectors.board_page(cohort, bottom, top, today=day) == expected
            overdue_seen.update(row["overdue"] for row in expected)
        assert selectors.board_page(empty, 0, 20, today=day) == []
    assert len(overdue_seen) > 1  # the day counts
    assert selectors.board_page(cohort, 0, 0) == []
    ids = [row["pk"] for row in selectors.board_page(cohort, 0, 27)]
    assert len(ids) == 27
    for chosen in (ids[:1], ids[:20], ids, ids[3:5], [ids[4], ids[1]]):
        assert selectors.board_phases(chosen) == _old_phases(chosen)
    assert selectors.board_phases([]) == []
    counts = selectors.tandem_counts(cohort)
    assert counts == {
        row["state"]: row["n"]
        for row in Tandem.objects.filter(cohort=cohort).values("state").annotate(n=Count("id"))
    }
    assert sum(counts.values()) == 27
    assert selectors.tandem_counts(empty) == {}


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_board_rows_are_those_first_written(big_board, language):
    """tandems.rows.board_rows writes what it wrote with format_html: each page, both
    languages, names and topics with `<&"'` escaped alike."""
    cohort = big_board["cohort"]
    seen = []
    with translation.override(language):
        for bottom, top in ((0, 20), (20, 27)):
            rows = selectors.board_page(cohort, bottom, top)
            phases = selectors.board_phases([row["pk"] for row in rows])
            people = {phase["guest_id"]: phase["guest"] for phase in phases}
            expected = _old_board_rows(
                cohort, copy.deepcopy(rows), copy.deepcopy(phases), copy.deepcopy(people)
            )
            written = board_rows(cohort, rows, phases, people)
            assert written == expected
            seen.append(written)
    seen = "".join(seen)
    assert "O&#x27;Brien &lt;&amp;&gt; &quot;Zoë&quot;" in seen  # names, topics, reasons


def test_the_board_page_by_page_without_and_with_a_filter(big_board):
    """The unfiltered board reads its page by the kept SQL, the filtered one by the
    querysets: the same rows for the same tandems, page by page."""
    url = reverse("tandems:board", args=[big_board["cohort"].pk])
    client = _client(big_board["office"])
    for page in ("1", "2", "99"):
        plain = client.get(url, {"page": page}).context
        filtered = client.get(url, {"page": page, "q": " "}).context
        everything = client.get(url, {"page": page, "state": ""}).context
        assert plain["page"].paginator.count == 27
        assert [t["pk"] for t in plain["tandems"]] == [t["pk"] for t in everything["tandems"]]
        assert plain["page"].number == filtered["page"].number
    second = client.get(url, {"page": "2"}).context
    assert len(second["tandems"]) == 7
