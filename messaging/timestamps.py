"""SQL that renders a timestamp column as DRF's ``DateTimeField`` renders it: ISO 8601 in UTC with a ``Z``.

``datetime.isoformat`` leaves the fraction out when it is zero, so both renderings do too. The database
writes the text in C, so a page's rows arrive in the API's shape without a ``datetime`` per row (see
docs/adr/0006-keyset-read-model.md).
"""

# Per database vendor, with ``{column}`` for the quoted column. SQLite holds Django's own text of the UTC
# time (``str(datetime)``: a space between date and time, the fraction only when not zero).
TIMESTAMP_TEXT_SQL = {
    "postgresql": (
        "replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
    ),
    "sqlite": "replace({column}, ' ', 'T') || 'Z'",
}


def timestamp_text_sql(vendor: str, column: str) -> str:
    """The SQL expression rendering the quoted ``column`` as API text on a ``vendor`` database."""
    try:
        template = TIMESTAMP_TEXT_SQL[vendor]
    except KeyError:
        raise NotImplementedError(f"no API timestamp text for {vendor} databases") from None
    return template.format(column=column)
