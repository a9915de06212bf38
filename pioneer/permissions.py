"""View helpers for the deny-by-default rule: role gates and owner-scoped lookups."""

from functools import wraps

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from pioneer.rules import roles_of


def role_required(*kinds):
    """Anonymous visitors go to the login; a signed-in user without one of the roles
    gets 403. Objects that are not the user's are still answered with 404 by
    `scoped_object_or_404`, so the two compose."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not roles_of(request.user).kinds & set(kinds):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def scoped_object_or_404(queryset, **lookups):
    """Fetch from a queryset that a selector already scoped to the user.

    Someone else's object answers 404, exactly like one that does not exist, so a
    stranger cannot learn that it exists.
    """
    return get_object_or_404(queryset, **lookups)


def require(perm, user, obj=None):
    """Raise PermissionDenied unless the rule registered for `perm` allows it.

    The rule itself (`rules.has_perm`), not `user.has_perm`: a technical administrator
    (superuser) is no programme office either.
    """
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied
