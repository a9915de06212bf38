"""The session engine: Django's database sessions, read with one plain statement.

Every signed-in request reads its session before anything else. Django's store reads it
through the ORM (`Session.objects.get(...)`), whose queryset building and compiling cost
about 0.3 ms of Python for a statement PostgreSQL answers in 0.2 ms. This store reads the
same row with the same conditions (the key, not expired) as a fixed statement; writing,
deleting and clearing expired sessions are Django's own.

Sessions stay in the database on purpose: a session ended by signing out must stay ended,
which a cache in front of the table could not promise through a Redis outage.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseStore):
    def _session_data_from_db(self):
        """The stored (encoded) data of this session if it exists and has not expired;
        else None, and the key is forgotten (as Django's store does)."""
        key = self.session_key
        if key is not None:
            connection = connections[router.db_for_read(self.model)]
            quote = connection.ops.quote_name
            table = quote(self.model._meta.db_table)
            data, key_column, expiry = (
                quote(n) for n in ("session_data", "session_key", "expire_date")
            )
            # Only this model's quoted names go into the text; the key is a parameter.
            sql = f"SELECT {data} FROM {table} WHERE {key_column} = %s AND {expiry} > %s"  # noqa: S608
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            with connection.cursor() as cursor:
                cursor.execute(sql, [key, now])
                row = cursor.fetchone()
            if row is not None:
                return row[0]
        self._session_key = None
        return None

    def load(self):
        data = self._session_data_from_db()
        return self.decode(data) if data is not None else {}
