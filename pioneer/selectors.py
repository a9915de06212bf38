"""Reads of the core, scoped to the person asking."""

from pioneer.models import Notification, Organisation, Role


def notifications_for(user):
    """What a person was told (sent notifications only), newest first."""
    return Notification.objects.filter(recipient=user, state=Notification.State.SENT).order_by(
        "-sent_at", "-id"
    )


def unread_count(user):
    return notifications_for(user).filter(read_at__isnull=True).count()


def office_organisations(user):
    return list(
        Organisation.objects.filter(
            roles__user=user, roles__kind=Role.Kind.PROGRAMME_OFFICE
        ).distinct()
    )
