"""Timestamps rendered by PostgreSQL in exactly the text DRF's ``DateTimeField`` produces."""

from django.db.models import CharField, Func


class DrfTimestampText(Func):
    """``created_at`` as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` in UTC, the way ``datetime.isoformat`` writes it.

    A page of 50 messages spent most of its time turning each timestamp into a Python ``datetime``
    (Django's time-zone loader is pure Python) only to turn it back into this text. PostgreSQL does it
    in C instead. Fractional seconds are left out when zero, as ``isoformat`` does.
    ``tests/messaging/test_timestamps.py`` proves the texts are equal.
    """

    output_field = CharField()
    arity = 1
    template = (
        "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        " || CASE to_char(%(expressions)s, 'US') WHEN '000000' THEN ''"
        " ELSE to_char(%(expressions)s, '.US') END || 'Z'"
    )

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError("DrfTimestampText is PostgreSQL only; format in Python elsewhere")

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)
