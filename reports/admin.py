from __future__ import annotations

from django.contrib import admin

from parplan.admin_readonly import ReadOnlyAdmin
from reports.models import PeerRank, ReminderLog


@admin.register(PeerRank)
class PeerRankAdmin(admin.ModelAdmin):
    list_display = ["year", "rank", "name", "index", "score", "band", "organization"]
    list_display_links = ["name"]
    list_filter = ["year"]
    search_fields = ["name", "source"]
    ordering = ["-year", "position", "name"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    """What ``send_reminders`` sent: to whom, of which kind, for which day."""

    list_display = ("user", "kind", "day", "items", "sent_at")
    list_filter = ("kind", "day")
    list_select_related = ("user",)
