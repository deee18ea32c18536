"""The admin: inspecting and deleting messages, with the same behaviour on SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

import messaging.admin
import messaging.admin_counts
from messaging.admin_counts import MessagePaginator
from messaging.models import Message

pytestmark = pytest.mark.django_db

LIST = "/admin/messaging/message/"


def at(days_ago: float, *, sender: str = "carol", content: str = "an old one") -> Message:
    message = Message.objects.create(sender=sender, content=content)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return message


@pytest.fixture
def staff(admin_client):
    Message.objects.create(sender="alice", content="Hello from AWS! " * 10)
    Message.objects.create(sender="bob", content="short")
    return admin_client


def analyze() -> None:
    """Refresh PostgreSQL's statistics of the table, where the unfiltered count comes from."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE messaging_message")


def page_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_changelist_shows_sender_and_a_content_preview(staff):
    page = page_of(staff.get(LIST))

    assert "alice" in page
    assert "bob" in page
    assert "Hello from AWS! Hello from AWS!" in page
    assert "Hello from AWS! " * 10 not in page


def test_search_by_sender_prefix(staff):
    Message.objects.create(sender="bobby", content="another")

    page = page_of(staff.get(LIST, {"q": "bo"}))

    assert "short" in page
    assert "another" in page
    assert "alice" not in page


def test_search_by_words_in_the_content_in_any_case(staff):
    page = page_of(staff.get(LIST, {"q": "hello FROM"}))

    assert "alice" in page
    assert "bob" not in page


def test_every_search_term_must_match(staff):
    page = page_of(staff.get(LIST, {"q": "hello short"}))

    assert "alice" not in page
    assert "bob" not in page


def test_a_quoted_phrase_is_one_term(staff):
    assert "alice" in page_of(staff.get(LIST, {"q": '"from aws"'}))
    assert "alice" not in page_of(staff.get(LIST, {"q": '"aws from"'}))


def test_a_search_holding_a_nul_character_is_refused_without_an_error(staff):
    page = page_of(staff.get(LIST, {"q": "a\x00b"}))

    assert "Null characters are not allowed." in page


def test_a_term_too_short_for_the_content_index_searches_senders_only(staff):
    Message.objects.create(sender="dave", content="al is here")

    page = page_of(staff.get(LIST, {"q": "al"}))

    assert "Hello from AWS!" in page  # alice's
    assert "al is here" not in page
    assert "Searched senders only for al" in page


def test_date_range_includes_both_days(staff):
    at(3, content="three days ago")
    at(10, content="ten days ago")
    today = timezone.localdate()

    page = page_of(staff.get(LIST, {"created_from": today - datetime.timedelta(days=4), "created_to": today}))

    assert "three days ago" in page
    assert "ten days ago" not in page
    assert "short" in page


def test_date_range_with_one_end_open(staff):
    at(10, content="ten days ago")

    page = page_of(staff.get(LIST, {"created_to": timezone.localdate() - datetime.timedelta(days=5)}))

    assert "ten days ago" in page
    assert "short" not in page


def test_date_quick_links_filter_by_range(staff):
    at(10, content="ten days ago")

    page = page_of(staff.get(LIST, {"created_at__gte": (timezone.now() - datetime.timedelta(days=7)).isoformat()}))

    assert "short" in page
    assert "ten days ago" not in page
    assert "Past 7 days" in page


@pytest.mark.parametrize(
    "params",
    [
        {"created_from": "not a date"},
        {"created_from": "2026-02-02", "created_to": "2026-02-01"},
        {"created_at__gte": "\x00"},
        {"sender": "a\x00b"},
    ],
)
def test_a_bad_filter_value_is_refused_without_an_error(staff, params):
    response = staff.get(LIST, params)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_a_date_range_keeps_the_other_filters_in_its_form(staff):
    page = page_of(staff.get(LIST, {"sender": "bob", "p": "1"}))

    assert '<input type="hidden" name="sender" value="bob">' in page
    assert '<input type="hidden" name="p"' not in page


@pytest.mark.parametrize("bounds", [{"created_to": "9999-12-31"}, {"created_from": "0001-01-01"}])
def test_a_range_to_the_last_or_from_the_first_day_a_date_can_name_is_served(staff, bounds):
    page = page_of(staff.get(LIST, bounds))

    assert "short" in page


def test_a_filtered_list_is_newest_first(staff):
    at(2, content="two days ago")
    at(3, content="three days ago")

    page = page_of(staff.get(LIST, {"created_from": timezone.localdate() - datetime.timedelta(days=5)}))

    assert page.index("short") < page.index("two days ago") < page.index("three days ago")


@pytest.mark.parametrize(
    "lookup", [{"created_at__year": "2026"}, {"content__icontains": "hello"}, {"sender__contains": "li"}]
)
def test_lookups_the_admin_does_not_offer_are_refused(staff, lookup):
    assert staff.get(LIST, lookup).status_code == 400


def test_the_sender_filter_of_a_link_works(staff):
    page = page_of(staff.get(LIST, {"sender": "bob"}))

    assert "short" in page
    assert "alice" not in page


def test_columns_do_not_sort(staff):
    page = page_of(staff.get(LIST, {"o": "2"}))

    assert page.index("short") < page.index("Hello from AWS!")  # still newest first
    assert "sortable" not in page


def test_message_is_read_only_and_cannot_be_added(staff):
    message = Message.objects.first()

    detail = page_of(staff.get(f"{LIST}{message.id}/change/"))

    assert 'name="content"' not in detail
    assert staff.get(f"{LIST}add/").status_code == 403


def test_a_message_is_deleted_after_its_confirmation_page(staff):
    message = Message.objects.get(sender="bob")

    confirmation = page_of(staff.get(f"{LIST}{message.id}/delete/"))
    response = staff.post(f"{LIST}{message.id}/delete/", {"post": "yes"})

    assert "Are you sure" in confirmation
    assert response.status_code == 302
    assert not Message.objects.filter(pk=message.pk).exists()


def test_selected_messages_are_deleted_after_their_confirmation_page(staff):
    ids = list(Message.objects.values_list("pk", flat=True))
    action = {"action": "delete_selected", "_selected_action": ids}

    confirmation = page_of(staff.post(LIST, action))
    response = staff.post(LIST, {**action, "post": "yes"})

    assert "Are you sure" in confirmation
    assert response.status_code == 302
    assert not Message.objects.exists()


def test_deleting_more_than_the_limit_at_once_is_refused(staff, monkeypatch):
    monkeypatch.setattr(messaging.admin, "DELETE_SELECTED_LIMIT", 2)

    response = staff.post(
        LIST, {"action": "delete_selected", "select_across": "1", "_selected_action": ["1"]}, follow=True
    )

    assert "Select fewer than 2 messages" in page_of(response)
    assert Message.objects.count() == 2


def test_the_unfiltered_count_is_an_estimate_on_postgresql_and_exact_elsewhere(staff):
    analyze()

    page = page_of(staff.get(LIST))

    # reltuples after ANALYZE: an estimate, exact on a table this small.
    assert ("about 2 messages" if connection.vendor == "postgresql" else "2 messages") in page


def test_a_filtered_count_is_exact_up_to_the_limit(staff):
    page = page_of(staff.get(LIST, {"q": "bob"}))

    assert "1 result" in page
    assert "1 message" in page


def test_a_filtered_count_past_the_limit_says_more_than(staff, monkeypatch):
    monkeypatch.setattr(MessagePaginator, "count_limit", 3)
    Message.objects.bulk_create(Message(sender="erin", content=f"note {n}") for n in range(5))

    page = page_of(staff.get(LIST, {"q": "erin"}))

    assert "more than 3 results" in page
    assert "more than 3 messages; pages show the newest 3" in page


def test_pages_stop_at_the_paging_limit(monkeypatch):
    monkeypatch.setattr(MessagePaginator, "paged_rows_limit", 4)
    Message.objects.bulk_create(Message(sender="s", content="c") for _ in range(10))
    analyze()

    paginator = MessagePaginator(Message.objects.order_by("-id"), 2)

    assert paginator.num_pages == 2
    assert paginator.result_count.value == 10
    assert "pages show the newest 4" in paginator.summary


def test_a_list_is_never_longer_than_a_page_whatever_the_count_says(staff, monkeypatch):
    # As an estimate from statistics older than a bulk load would say.
    monkeypatch.setattr(messaging.admin_counts, "table_estimate", lambda queryset: 1)
    Message.objects.bulk_create(Message(sender="erin", content=f"note {n}") for n in range(60))

    page = page_of(staff.get(LIST))

    assert page.count('class="action-select"') == messaging.admin.MessageAdmin.list_per_page


def test_selecting_every_message_is_offered_only_when_every_one_was_counted(staff, monkeypatch):
    Message.objects.create(sender="carol", content="third")
    monkeypatch.setattr(messaging.admin.MessageAdmin, "list_per_page", 1)
    all_three = {"created_from": timezone.localdate() - datetime.timedelta(days=1)}

    counted = page_of(staff.get(LIST, all_three))
    monkeypatch.setattr(MessagePaginator, "count_limit", 2)
    bounded = page_of(staff.get(LIST, all_three))

    assert "Select all 3 messages" in counted
    assert "more than 2 messages" in bounded
    assert "Select all 2 messages" not in bounded
