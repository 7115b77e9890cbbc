from __future__ import annotations

from django.urls import path

from tasks import views

urlpatterns = [
    # tasks-
    path("", views.task_list, name="tasks-list"),
    path("cua-don-vi/", views.mine, name="tasks-mine"),
    path("moi/", views.create, name="tasks-create"),
    path("<int:pk>/", views.detail, name="tasks-detail"),
    path("<int:pk>/sua/", views.edit, name="tasks-edit"),
    path("<int:pk>/xoa/", views.delete, name="tasks-delete"),
    path("phan-viec/<int:pk>/cap-nhat/", views.part_update, name="tasks-part-update"),
    path("don-vi/<int:pk>/", views.unit_tasks, name="tasks-unit"),
    path("nguoi-dung/", views.users, name="tasks-users"),
    path("nguoi-dung/<int:pk>/don-vi/", views.user_units, name="tasks-user-units"),
]
