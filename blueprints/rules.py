"""Who may do what in the blueprints app (django-rules predicates). Deny by default.

Reading a published blueprint needs no permission (a "signed-in" one needs a sign-in);
writing, publishing, withdrawing and uploading files are for the programme office of the
organisation that publishes it.
"""

import rules

from pioneer.rules import is_office_of, is_programme_office


@rules.predicate
def publishes(user, blueprint):
    """The user works in the programme office of the blueprint's publishing organisation."""
    return blueprint is not None and is_office_of(user, blueprint.organisation_id)


rules.add_perm("blueprints.manage_blueprint", publishes)
rules.add_perm("blueprints.add_blueprint", is_programme_office)
