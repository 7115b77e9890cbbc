from __future__ import annotations

from django.contrib import admin

from parplan.admin_readonly import ReadOnlyAdmin
from reports.models import CriterionCrosswalk, PeerRank, ReminderLog


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


@admin.register(CriterionCrosswalk)
class CriterionCrosswalkAdmin(ReadOnlyAdmin):
    """The crosswalk a plan was created with (``plan_next_year``, the page
    “Lập kế hoạch năm N+1”); changing it would change what the years compare."""

    list_display = ("plan", "old_code", "new_code")
    list_filter = ("plan",)
    list_select_related = ("plan",)
