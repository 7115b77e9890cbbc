from __future__ import annotations

from django.contrib import admin

from reports.models import PeerRank


@admin.register(PeerRank)
class PeerRankAdmin(admin.ModelAdmin):
    list_display = ["year", "rank", "name", "index", "score", "band", "organization"]
    list_display_links = ["name"]
    list_filter = ["year"]
    search_fields = ["name", "source"]
    ordering = ["-year", "position", "name"]
