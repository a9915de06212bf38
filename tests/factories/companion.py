"""Factories for the companion app.

EventFactory(cohort=...)                   a planned workshop in two weeks (in person)
participant_in(cohort)                     a participant (role and participation) of the cohort
register(event, participation)             a registration through the service (as SYSTEM)
"""

from datetime import timedelta

import factory
from django.utils import timezone

from cohorts.models import Participation
from companion.models import Event, Series
from tests.factories.cohorts import CohortFactory
from tests.factories.core import RoleFactory, UserFactory


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Lernreise {n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    cohort = factory.SubFactory(CohortFactory)
    kind = Event.Kind.WORKSHOP
    title = factory.Sequence(lambda n: f"Workshop {n}")
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=14)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=6))
    format = Event.Format.IN_PERSON
    venue = "Haus der Brandenburgisch-Preußischen Geschichte"
    address = "Am Neuen Markt 9, 14467 Potsdam"


def participant_in(cohort, **user_fields):
    user = UserFactory(**user_fields)
    RoleFactory(user=user, kind="participant")
    return Participation.objects.create(
        cohort=cohort,
        user=user,
        organisation=cohort.programme.organisation,
        side=Participation.Side.ADMINISTRATION,
        state=Participation.State.ACTIVE,
    )


def register(event, participation):
    from companion import services  # here: factories stay importable without the app's rules
    from pioneer.access import SYSTEM

    return services.registration_create(event=event, participation=participation, by=SYSTEM)
