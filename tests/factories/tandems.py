"""Factories for the tandems app.

pair(cohort=None)                  an administration-side and an external participation
                                   of one cohort (a new running one when None), free
tandem(cohort=None, by=SYSTEM)     a proposed tandem made by the service (phases, milestones)
"""

from pioneer.access import SYSTEM
from tandems import services
from tests.factories.cohorts import CohortFactory, ParticipationFactory, external_participation


def pair(cohort=None, **fields):
    cohort = cohort or CohortFactory()
    administration = ParticipationFactory(cohort=cohort, **fields)
    external = external_participation(cohort, **fields)
    return administration, external


def tandem(cohort=None, by=SYSTEM, topic="Digitale Förderverfahren", **kwargs):
    administration, external = pair(cohort)
    return services.tandem_create(
        first=administration, second=external, by=by, topic=topic, **kwargs
    )
