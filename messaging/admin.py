"""Admin for inspecting and moderating messages, kept fast on tables of millions of rows."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

from messaging.models import Message

PREVIEW_LENGTH = 80


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered table from PostgreSQL's statistics instead of ``COUNT(*)`` on every page.

    A filtered or searched list still gets an exact count: those are narrow and served by indexes.
    """

    @cached_property
    def count(self) -> int:
        query = self.object_list.query
        if connection.vendor == "postgresql" and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [query.model._meta.db_table]
                )
                row = cursor.fetchone()
            # reltuples is -1 before the first ANALYZE; fall back to counting then.
            if row and row[0] >= 0:
                return row[0]
        return super().count


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "sender", "created_at", "preview"]
    list_display_links = ["id", "preview"]
    search_fields = ["sender", "content"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    readonly_fields = ["id", "sender", "content", "created_at"]
    fields = readonly_fields
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description="content")
    def preview(self, message: Message) -> str:
        if len(message.content) <= PREVIEW_LENGTH:
            return message.content
        return message.content[: PREVIEW_LENGTH - 1] + "…"

    def has_add_permission(self, request) -> bool:
        # Messages arrive through the API only; the admin inspects and deletes, it does not author.
        return False
