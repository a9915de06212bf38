"""The core's notification kinds (pioneer.notifications registry)."""

from django.urls import reverse

from pioneer import notifications
from pioneer.services import invitation_link

notifications.register(
    "account.invitation",
    template="notifications/account_invitation",
    link=lambda user: invitation_link(user),
    secret_link=True,
)
notifications.register(
    "account.role_granted",
    template="notifications/account_role_granted",
    link=lambda user: reverse("home"),
)
