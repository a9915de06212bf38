"""Signal receivers of the core."""

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.dispatch import receiver


@receiver(password_reset, dispatch_uid="pioneer.verify_email_on_password_reset")
def verify_email_on_password_reset(sender, request, user, **kwargs):
    """Following a password link proves the person reads that mailbox.

    Invited people set their first password this way; without this, mandatory e-mail
    verification would stop them at their first login and send yet another e-mail.
    """
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=not has_primary
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
