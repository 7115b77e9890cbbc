from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parplan.roles import Role, user_roles

# (URL name, label, roles that see it).
NAV = [
    (
        "reports-dashboard",
        _("Tổng quan"),
        {Role.DIRECTOR, Role.OFFICE, Role.UNIT_HEAD, Role.VIEWER},
    ),
    (
        "reports-tree",
        _("Kế hoạch"),
        {Role.DIRECTOR, Role.OFFICE, Role.UNIT_HEAD, Role.VIEWER},
    ),
    ("tasks-mine", _("Nhiệm vụ của đơn vị"), {Role.UNIT_HEAD}),
    ("tasks-list", _("Nhiệm vụ"), {Role.OFFICE, Role.DIRECTOR}),
    (
        "tasks-review-list",
        _("Giao ban quý"),
        {Role.OFFICE, Role.DIRECTOR, Role.UNIT_HEAD},
    ),
    ("tasks-import", _("Nhập từ Excel"), {Role.OFFICE}),
    ("reports-ranking", _("Bảng xếp hạng"), {Role.DIRECTOR, Role.OFFICE, Role.VIEWER}),
    ("reports-exports", _("Xuất Excel"), {Role.DIRECTOR, Role.OFFICE, Role.VIEWER}),
    ("tasks-users", _("Người dùng"), {Role.OFFICE}),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    roles = user_roles(request.user) if hasattr(request, "user") else frozenset()
    items = [
        {"url": reverse(url_name), "label": label, "active": False}
        for url_name, label, allowed in NAV
        if roles & allowed
    ]
    # One item is highlighted: the one whose address is the longest start of the
    # page's (``/nhiem-vu/cua-don-vi/`` is "Nhiệm vụ của đơn vị", not also
    # "Nhiệm vụ").
    path = getattr(request, "path", "")
    matching = [item for item in items if path.startswith(str(item["url"]))]
    if matching:
        max(matching, key=lambda item: len(str(item["url"])))["active"] = True
    return {"nav_items": items, "user_roles": roles}
