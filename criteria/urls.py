from __future__ import annotations

from django.urls import path

urlpatterns: list = []

# --- plan tree (issue 3) ---
from criteria import views as tree_views  # noqa: E402

urlpatterns += [
    # criteria-
    path("", tree_views.tree, name="criteria-tree"),
]
