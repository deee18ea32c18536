"""Admin for inspecting and moderating messages, kept fast on tables of millions of rows.

Every query a page of it sends is served by an index: see docs/admin.md for what it offers at scale and
docs/adr/0012-admin-at-scale.md for why it is built this way.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as stock_delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from messaging.admin_counts import MessagePaginator, bounded_count
from messaging.admin_filters import CreatedBetweenFilter
from messaging.admin_search import message_search
from messaging.models import Message

PREVIEW_LENGTH = 80
# The URL parameters of the date filters; a list narrowed by date is ordered by date.
DATE_PARAMETERS = frozenset({"created_at__gte", "created_at__lt", *CreatedBetweenFilter.parameter_names})
# The filters the admin's own links and forms set; any other lookup in the URL is refused (400), since an
# arbitrary lookup (a substring of a sender, the month of a date) is a scan of the whole table.
ALLOWED_LOOKUPS = DATE_PARAMETERS | {"sender"}
# One "delete selected" removes fewer messages than this, "select all" included: its confirmation page
# lists every one.
DELETE_SELECTED_LIMIT = MessagePaginator.count_limit


class MessageChangeList(ChangeList):
    """The message list without column sorting (each order pairs with the filter its index serves), and
    never longer than a page or "show all" allows, whatever the count says."""

    def get_ordering_field(self, field_name):
        return None

    def get_results(self, request):
        super().get_results(request)
        # Django lists the whole result unsliced when its count fits on one page (or under "show all"); an
        # estimate made before a bulk load would then fetch the whole table.
        if not self.multi_page or self.show_all:
            limit = self.list_max_show_all if self.show_all and self.can_show_all else self.list_per_page
            self.result_list = self.result_list[:limit]


@admin.action(permissions=["delete"], description="Delete selected messages")
def delete_selected(modeladmin, request, queryset):
    """Django's own deletion with its confirmation page, refused beyond DELETE_SELECTED_LIMIT messages."""
    if bounded_count(queryset, DELETE_SELECTED_LIMIT).value >= DELETE_SELECTED_LIMIT:
        modeladmin.message_user(
            request,
            f"Select fewer than {DELETE_SELECTED_LIMIT:,} messages to delete at once; narrow the list first.",
            messages.ERROR,
        )
        return None
    return stock_delete_selected(modeladmin, request, queryset)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "sender", "created", "preview"]
    # One link a row: the stock admin resolves each link's URL again to keep the list's filters in it.
    list_display_links = ["id"]
    list_filter = [("created_at", admin.DateFieldListFilter), CreatedBetweenFilter]
    # What message_search does, in the stock admin's terms.
    search_fields = ["sender__startswith", "content__icontains"]
    search_help_text = (
        "Senders starting with each word (case-sensitive), or messages containing it in any case when it has "
        "at least three letters or digits in a row."
    )
    readonly_fields = ["id", "sender", "content", "created_at"]
    fields = readonly_fields
    paginator = MessagePaginator
    # The stock admin would count the whole table for "(N total)" and for facets on every page.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    sortable_by = ()
    actions = [delete_selected]
    list_per_page = 50

    @admin.display(description="created at")
    def created(self, message: Message) -> str:
        # To the second, which moderators compare, and without the localized date format's cost on each row.
        return timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="content")
    def preview(self, message: Message) -> str:
        if len(message.content) <= PREVIEW_LENGTH:
            return message.content
        return message.content[: PREVIEW_LENGTH - 1] + "…"

    def action_checkbox(self, obj):
        # The stock checkbox goes through the form widget renderer, row by row: a fifth of the list's CPU
        # time. The same markup, written out.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            gettext("Select this object for an action - {}").format(obj),
        )

    def has_add_permission(self, request) -> bool:
        # Messages arrive through the API only; the admin inspects and deletes, it does not author.
        return False

    def get_changelist(self, request, **kwargs):
        return MessageChangeList

    def get_ordering(self, request):
        # Newest first either way, by the index the filter uses: a date range walks created_at's index;
        # otherwise the primary key (a sender filter: its (sender, -id) index). Ordering by id under a date
        # range would make PostgreSQL walk the primary key from the newest row until it reached the range.
        if DATE_PARAMETERS & request.GET.keys():
            return ["-created_at", "-id"]
        return ["-id"]

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if "\x00" in value:
            # PostgreSQL text cannot hold NUL, so the query would fail: answer as to any bad filter value.
            raise IncorrectLookupParameters(f"{lookup} holds a NUL character")
        return lookup in ALLOWED_LOOKUPS

    def get_search_results(self, request, queryset, search_term):
        queryset, senders_only = message_search(queryset, search_term)
        if senders_only:
            self.message_user(
                request,
                f"Searched senders only for {', '.join(senders_only)}: content is searched for words with at least "
                "three letters or digits in a row.",
                messages.INFO,
            )
        return queryset, False
