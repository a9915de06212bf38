"""Who may do what with the learning journal (django-rules), checked in the views after
the selectors have scoped: an entry that is not the person's own answers 404 before any
rule is asked. The programme office's page of shared entries is guarded by
`tandems.manage_tandems` (tandems.rules) and reads only `entries_shared_with_office`."""

import rules

from pioneer.rules import is_participant


@rules.predicate
def is_author(user, entry):
    return entry is not None and entry.participation.user_id == user.pk


rules.add_perm("tandems.keep_journal", is_participant)
rules.add_perm("tandems.change_journal_entry", is_participant & is_author)
