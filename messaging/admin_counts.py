"""The admin's result counts on a table of millions of rows: estimated or bounded, never a scan."""

from dataclasses import dataclass
from enum import Enum

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CountKind(Enum):
    EXACT = "exact"
    ESTIMATE = "estimate"
    MORE_THAN = "more_than"


@dataclass(frozen=True)
class ResultCount:
    """How many rows a list has: ``value`` exactly, about ``value``, or more than ``value``."""

    value: int
    kind: CountKind

    def label(self, noun: str) -> str:
        if self.kind is CountKind.ESTIMATE:
            return f"about {self.value:,} {noun}"
        if self.kind is CountKind.MORE_THAN:
            return f"more than {self.value:,} {noun}"
        return f"{self.value:,} {noun}"


def table_estimate(queryset: QuerySet) -> int | None:
    """The row count PostgreSQL's statistics hold for the table (kept by ANALYZE and autovacuum), or None
    where there are none: another database, or a table never analyzed (``reltuples`` is -1 then)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


def bounded_count(queryset: QuerySet, limit: int) -> ResultCount:
    """The exact count up to ``limit``; past it only "more than ``limit``", so that counting a large
    result reads ``limit`` + 1 of its rows, not all of them (``COUNT`` over a ``LIMIT`` subquery)."""
    counted = queryset[: limit + 1].count()
    if counted > limit:
        return ResultCount(limit, CountKind.MORE_THAN)
    return ResultCount(counted, CountKind.EXACT)


class MessagePaginator(Paginator):
    """Pages of a list that may hold millions of rows, with no count that reads them all.

    The unfiltered list is counted from the table's statistics; a filtered or searched one exactly up to
    ``count_limit`` rows and beyond that as "more than ``count_limit``". Pages reach ``paged_rows_limit``
    rows deep at most, because an OFFSET reads every row it skips: older rows are reached by narrowing the
    list (a date range, a sender), not by paging. ``count`` is what can be paged; ``result_count`` is what
    the page says.
    """

    count_limit = 1_000
    paged_rows_limit = 100_000

    @cached_property
    def result_count(self) -> ResultCount:
        if not self.object_list.query.where:
            estimate = table_estimate(self.object_list)
            if estimate is not None:
                return ResultCount(estimate, CountKind.ESTIMATE)
            if connections[self.object_list.db].vendor != "postgresql":
                # SQLite holds a developer's few rows: counting them is cheap and exact.
                return ResultCount(self.object_list.count(), CountKind.EXACT)
        return bounded_count(self.object_list, self.count_limit)

    @cached_property
    def count(self) -> int:
        return min(self.result_count.value, self.paged_rows_limit)

    @property
    def counts_every_row(self) -> bool:
        """Whether ``count`` is every row of the list: only then may the admin offer to select them all."""
        return self.result_count.kind is CountKind.EXACT and self.result_count.value == self.count

    @property
    def result_summary(self) -> str:
        """The search bar's count of a filtered list, e.g. "more than 1,000 results"."""
        exactly_one = self.result_count.kind is CountKind.EXACT and self.result_count.value == 1
        return self.result_count.label("result" if exactly_one else "results")

    @property
    def summary(self) -> str:
        """What the page says of the count, e.g. "about 1,000,000 messages; pages show the newest 100,000"."""
        opts = self.object_list.model._meta
        exactly_one = self.result_count.kind is CountKind.EXACT and self.result_count.value == 1
        text = self.result_count.label(opts.verbose_name if exactly_one else opts.verbose_name_plural)
        if self.result_count.kind is CountKind.MORE_THAN or self.result_count.value > self.count:
            text += f"; pages show the newest {self.count:,}: narrow the list by date, sender or search for the others"
        return text
