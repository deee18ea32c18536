"""Querysets that reuse compiled SQL return exactly what Django's own path returns, and reuse it only when safe."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.query import ValuesIterable
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

from messaging import compiled_sql
from messaging.compiled_sql import reuse_compiled_sql
from messaging.models import Message
from messaging.selectors import _rows, message_list

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
SENDERS = ["alice", "bob", "carol"]
START = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@pytest.fixture
def messages():
    Message.objects.bulk_create(
        Message(sender=SENDERS[n % 3], content=f"message {n}", created_at=START + timedelta(seconds=n, microseconds=n))
        for n in range(20)
    )
    return list(Message.objects.order_by("id").values_list("id", flat=True))


@pytest.fixture
def template():
    """The list's own rows, reusing SQL in a cache of their own, so no test sees another's compiled shapes."""
    return reuse_compiled_sql(_rows(connection.vendor))


@pytest.fixture
def compilations(monkeypatch):
    """How many times Django compiled a SELECT."""
    calls = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self.query)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return calls


def _django(queryset):
    """The same queryset evaluated by Django's own values() path."""
    plain = queryset.all()
    plain._iterable_class = ValuesIterable
    return list(plain)


def _pages(queryset, ids):
    """Every shape the list endpoint builds: filters, both orders, cursor positions, offsets, page sizes."""
    middle = ids[len(ids) // 2]
    for sender, after, ordering, position, window in itertools.product(
        [None, "bob"], [None, ids[3]], ["-id", "id"], [None, ("lt", middle), ("gt", middle)], [(0, 6), (2, 5), (0, 51)]
    ):
        page = queryset
        if sender is not None:
            page = page.filter(sender=sender)
        if after is not None:
            page = page.filter(id__gt=after)
        page = page.order_by(ordering)
        if position is not None:
            # As DRF's cursor pagination writes it: the position is the cursor's text.
            page = page.filter(**{f"id__{position[0]}": str(position[1])})
        yield page[window[0] : window[1]]


def test_every_page_shape_returns_what_django_returns(template, messages):
    for page in _pages(template, messages):
        expected = _django(page)
        assert list(page) == expected
        assert list(page.all()) == expected  # the second time from the kept SQL, where it is reused


@pytest.mark.skipif(not ON_POSTGRESQL, reason="on SQLite the rows need Django's converters, so nothing is reused")
def test_each_shape_is_compiled_once(template, messages, compilations):
    shapes = list(_pages(template, messages))
    for page in shapes:
        list(page)
    first_round = len(compilations)

    for page in _pages(template, messages):
        list(page)

    # Some pages share a shape: "after" and a cursor position past it are both an id__gt filter.
    assert 0 < first_round <= len(shapes)
    assert len(compilations) == first_round


@pytest.mark.skipif(not ON_POSTGRESQL, reason="on SQLite the rows need Django's converters, so nothing is reused")
def test_the_list_endpoint_compiles_a_page_shape_once(api, messages, compilations):
    _rows(connection.vendor).query.sql_template.compiled.clear()
    first = api.get("/messages", {"page_size": 5})
    deeper = api.get(first.json()["next"])
    compiled_after_two_pages = len(compilations)

    again = api.get(first.json()["next"])
    further = api.get(deeper.json()["next"])

    assert again.json() == deeper.json()
    assert [row["id"] for row in further.json()["results"]] == messages[-11:-16:-1]
    assert len(compilations) == compiled_after_two_pages


OTHER_QUERIES = {
    "exclude": lambda rows: rows.exclude(sender="bob")[:5],
    "or": lambda rows: rows.filter(Q(sender="bob") | Q(sender="carol"))[:5],
    "in": lambda rows: rows.filter(sender__in=["bob", "carol"])[:5],
    "gte": lambda rows: rows.filter(id__gte=3)[:5],
    "startswith": lambda rows: rows.filter(sender__startswith="b")[:5],
    "null": lambda rows: rows.filter(sender=None)[:5],
    "past-bigint": lambda rows: rows.filter(id__lt=2**63)[:5],
    "none": lambda rows: rows.none()[:5],
    "distinct": lambda rows: rows.distinct()[:5],
    "other-values": lambda rows: rows.values("id")[:5],
    "annotate": lambda rows: rows.annotate(n=Q(sender="bob"))[:5],
    "reverse": lambda rows: rows.reverse()[:5],
    "unsliced": lambda rows: rows,
}


@pytest.mark.parametrize("derive", OTHER_QUERIES.values(), ids=OTHER_QUERIES.keys())
def test_other_queries_go_through_django(template, messages, derive):
    query = derive(template.order_by("-id"))

    assert list(query) == _django(query)
    assert _reused_shapes(query) == []


def test_two_orderings_are_a_shape_too(template, messages):
    query = template.filter(sender="bob").order_by("sender", "-id")[1:4]

    assert list(query) == _django(query) == list(query.all())
    assert len(_reused_shapes(query)) == (1 if ON_POSTGRESQL else 0)


def _reused_shapes(query):
    return [key for key, sql in query.query.sql_template.compiled.items() if sql is not compiled_sql.NOT_REUSABLE]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="on SQLite the rows need Django's converters, so nothing is reused")
def test_kept_shapes_are_bounded(template, messages, monkeypatch):
    monkeypatch.setattr(compiled_sql, "MAX_SHAPES", 3)
    for size in range(2, 8):
        assert list(template.order_by("-id")[:size]) == _django(template.order_by("-id")[:size])

    assert len(template.query.sql_template.compiled) == 3


def _django_filter(queryset, **kwargs):
    """The same filter through Django's own resolution of the keyword."""
    return QuerySet.filter(queryset, **kwargs)


@pytest.fixture
def resolutions(monkeypatch):
    """How many times Django resolved a filter keyword."""
    calls = []
    build_filter = Query.build_filter

    def counting(self, filter_expr, *args, **kwargs):
        calls.append(filter_expr)
        return build_filter(self, filter_expr, *args, **kwargs)

    monkeypatch.setattr(Query, "build_filter", counting)
    return calls


FILTERS = [
    {"id__lt": "12"},
    {"id__lt": 7},
    {"id__gt": "3"},
    {"sender": "bob"},
    {"sender__startswith": "b"},
    {"content__in": ["message 1", "message 2"]},
]


@pytest.mark.parametrize("kwargs", FILTERS, ids=str)
def test_a_filter_builds_the_query_django_builds(template, messages, kwargs):
    for base in (template, template.order_by("-id"), template.filter(sender="carol").order_by("id")):
        [(name, value)] = kwargs.items()
        base.filter(**{name: value})  # the first filter of a keyword goes through Django
        filtered = base.filter(**kwargs)
        expected = _django_filter(base, **kwargs)

        assert vars(filtered.query) == vars(expected.query)
        assert str(filtered.query) == str(expected.query)
        assert list(filtered[:5]) == _django(expected[:5])


def test_a_keyword_is_resolved_once_per_value_type(template, messages, resolutions):
    pages = [template.order_by("-id").filter(id__lt=str(position))[:3] for position in messages[5:]]
    pages += [template.filter(sender=sender)[:3] for sender in SENDERS]

    assert [list(page) for page in pages] == [_django(page) for page in pages]
    assert [expr for expr, *_ in resolutions] == ["id__lt", "sender"]


@pytest.mark.parametrize(
    "derive",
    [
        lambda rows: rows.filter(id__lt=3, sender="bob"),
        lambda rows: rows.filter(Q(sender="bob")),
        lambda rows: rows.filter(sender=None),
        lambda rows: rows.filter(id__lt=3.5),
        lambda rows: rows.exclude(sender="bob"),
    ],
    ids=["two-keywords", "q-object", "none", "float", "exclude"],
)
def test_other_filters_are_resolved_by_django_every_time(template, messages, resolutions, derive):
    derive(template)
    resolved_once = len(resolutions)

    query = derive(template)

    assert len(resolutions) == 2 * resolved_once
    assert vars(query.query) == vars(derive(template.all()).query)


def test_a_bad_value_is_refused_as_django_refuses_it(template):
    template.filter(id__lt="1")
    with pytest.raises(ValueError, match=r"Field 'id' expected a number but got 'abc'\."):
        template.filter(id__lt="abc")


def test_a_sliced_query_still_cannot_be_filtered(template):
    template.filter(id__lt="1")
    with pytest.raises(TypeError, match=r"Cannot filter a query once a slice has been taken\."):
        template[:5].filter(id__lt="2")


def test_a_recipe_that_does_not_rebuild_djangos_query_is_not_kept(template, messages, monkeypatch, resolutions):
    add_q = Query.add_q

    def add_q_and_mark(self, q_object):
        add_q(self, q_object)
        self.marked = True  # something Django's filter did that the recipe does not

    monkeypatch.setattr(Query, "add_q", add_q_and_mark)
    for position in messages[3:6]:
        query = template.filter(id__lt=position)
        assert query.query.marked

    assert len(resolutions) == 3
    assert template.query.sql_template.filters[("id__lt", int)] is compiled_sql.NOT_REUSABLE_FILTER


def test_message_list_reuses_compiled_sql():
    assert message_list(sender="bob", after=1)._iterable_class is compiled_sql.CompiledSqlValuesIterable


@pytest.mark.parametrize(
    "names", [(), ("id",), ("id", "sender", "content", "created_at_text"), ("it's", 'a "b"', "c\\d\n")]
)
def test_a_row_maker_builds_what_dict_of_zip_builds(names):
    values = tuple(range(len(names)))

    row = compiled_sql.row_maker(names)(values)

    assert list(row.items()) == list(zip(names, values, strict=True))
