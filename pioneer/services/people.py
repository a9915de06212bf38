"""People: roles, invitations and their preferences.

Functions are keyword-only, named <entity>_<verb>, atomic, and say their side effects.
"""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pioneer.access import (
    check_may_act_for,
    check_own_office,
)
from pioneer.models import Role, User
from pioneer.rules import forget_roles
from pioneer.services.notifications import notification_schedule


@transaction.atomic
def role_grant(*, user, kind, by, organisation=None):
    """Give a user a role (idempotent: granting it again changes nothing). No side effects.

    Raises ValidationError (nothing saved) for an unknown kind, an office or partner
    role without an organisation, or an organisation `by` may not grant it for: office
    roles only for `by`'s own organisations, partner roles only for organisations `by`'s
    office may act for. Participants and evaluators act for no organisation.
    """
    return _role_grant(user=user, kind=kind, organisation=organisation, by=by)[0]


def _role_grant(*, user, kind, organisation, by):
    if kind not in Role.ORGANISATION_BOUND:
        organisation = None
    elif kind == Role.Kind.PROGRAMME_OFFICE:
        check_own_office(by, organisation)
    else:
        check_may_act_for(by, organisation)
    role = Role(user=user, kind=kind, organisation=organisation)
    # Uniqueness is not an error here (granting twice is allowed); everything else is.
    role.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            role, created = Role.objects.get_or_create(
                user=user, kind=kind, organisation=organisation
            )
    except IntegrityError:  # a concurrent grant won the race; the role exists
        role, created = Role.objects.get(user=user, kind=kind, organisation=organisation), False
    forget_roles(user)
    return role, created


@transaction.atomic
def role_revoke(*, user, kind, organisation=None):
    """Take a role away (nothing happens if the user does not hold it). No side effects."""
    if kind not in Role.ORGANISATION_BOUND:
        organisation = None
    Role.objects.filter(user=user, kind=kind, organisation=organisation).delete()
    forget_roles(user)


class Invited(tuple):
    """What `user_invite` returns: (user, created), and `queued`, whether an e-mail was
    actually put in the ledger now (not when the person held the role already, nor when
    they were sent the same e-mail today), so that a message tells the truth."""

    def __new__(cls, user, created, queued):
        invited = super().__new__(cls, (user, created))
        invited.queued = queued
        return invited


@transaction.atomic
def user_invite(*, email, name, language, kind, by, organisation=None):
    """Create (or find) a person, give them a role and tell them by e-mail.

    - a new person, or one who has never set a password: the `account.invitation`
      e-mail with a link to set a password (valid for PASSWORD_RESET_TIMEOUT, three days);
    - a person who already has a password: it is left alone; the `account.role_granted`
      e-mail tells them about the new role (nothing is sent if they held it already).

    Raises ValidationError (nothing saved) for an invalid address or role, or an
    organisation `by` may not grant the role for (see `role_grant`). Returns
    (user, created), with `.queued` (see `Invited`). Side effects: schedules the
    notification for now; the e-mail goes out after commit (inline without a broker).
    The ledger holds one row per key and day, so inviting the same person twice on one
    day sends one e-mail.
    """
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, name=name, language=language)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address invited twice at once: theirs stands
            user, created = User.objects.get(email__iexact=email), False
    role, role_created = _role_grant(user=user, kind=kind, organisation=organisation, by=by)
    queued = False
    if user.has_usable_password():
        if role_created:
            _row, queued = notification_schedule(
                kind="account.role_granted", target=role, recipient=user, due_at=timezone.now()
            )
    else:
        _row, queued = notification_schedule(
            kind="account.invitation", target=user, recipient=user, due_at=timezone.now()
        )
    return Invited(user, created, queued)


def invitation_link(user):
    """A password-set link for an invited person: allauth's password-reset key.

    The key is made when the e-mail is sent and expires after PASSWORD_RESET_TIMEOUT
    (three days); it stops working as soon as a password is set or the person signs in,
    because the key hashes the password and the last login.
    """
    key = default_token_generator.make_token(user)
    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )


@transaction.atomic
def user_set_language(*, user, language):
    """Remember a person's language for pages, e-mails and documents."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
