"""The office's tandem board: the filter "agreement awaiting confirmation" finds exactly
the tandems whose current or next agreement lacks a confirmation of its current version
(a paper signature counts), each row shows its agreement's state with a link, the
dashboard counts them in one query, and the board's queries stay flat."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from cohorts.models import Cohort
from cohorts.selectors import cohort_dashboard
from tandems import agreements, selectors, services
from tandems.models import Tandem
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
