from __future__ import annotations

from django.urls import path

from tasks import evidence_views, mine_views, people_views, review_views, views
from tasks.appendix import views as appendix_views

urlpatterns = [
    # tasks-
    path("nhiem-vu/", views.task_list, name="tasks-list"),
    path("nhiem-vu/cua-don-vi/", mine_views.mine, name="tasks-mine"),
    path("nhiem-vu/moi/", views.create, name="tasks-create"),
    path("nhiem-vu/<int:pk>/", views.detail, name="tasks-detail"),
    path("nhiem-vu/<int:pk>/sua/", views.edit, name="tasks-edit"),
    path("nhiem-vu/<int:pk>/xoa/", views.delete, name="tasks-delete"),
    path(
        "nhiem-vu/phan-viec/<int:pk>/cap-nhat/",
        mine_views.part_update,
        name="tasks-part-update",
    ),
    path("nhiem-vu/don-vi/<int:pk>/", views.unit_tasks, name="tasks-unit"),
    path("nhiem-vu/nguoi-dung/", people_views.users, name="tasks-users"),
    path(
        "nhiem-vu/nguoi-dung/<int:pk>/don-vi/",
        people_views.user_units,
        name="tasks-user-units",
    ),
    path(
        "nhiem-vu/nguoi-dung/moi/",
        people_views.person_create,
        name="tasks-person-create",
    ),
    path(
        "nhiem-vu/nguoi-dung/<int:pk>/sua/",
        people_views.person_edit,
        name="tasks-person-edit",
    ),
    path(
        "nhiem-vu/nguoi-dung/<int:pk>/kich-hoat/",
        people_views.person_active,
        name="tasks-person-active",
    ),
    path(
        "nhiem-vu/nguoi-dung/<int:pk>/mat-khau-tam/",
        people_views.person_password,
        name="tasks-person-password",
    ),
    path("nhiem-vu/phong-don-vi/", people_views.units, name="tasks-units"),
    path(
        "nhiem-vu/phong-don-vi/<int:pk>/sua/",
        people_views.unit_edit,
        name="tasks-unit-edit",
    ),
    # tasks- evidence of criteria and progress reports
    path(
        "ke-hoach/tieu-chi/<int:pk>/tai-lieu/them/",
        evidence_views.evidence_add,
        name="tasks-evidence-add",
    ),
    path(
        "ke-hoach/tai-lieu/<int:pk>/sua/",
        evidence_views.evidence_edit,
        name="tasks-evidence-edit",
    ),
    path(
        "ke-hoach/tai-lieu/<int:pk>/xoa/",
        evidence_views.evidence_delete,
        name="tasks-evidence-delete",
    ),
    path(
        "ke-hoach/tai-lieu/<int:pk>/tep/",
        evidence_views.evidence_file,
        name="tasks-evidence-file",
    ),
    # tasks- quarterly reviews (giao ban quý)
    path("giao-ban/", review_views.review_list, name="tasks-review-list"),
    path(
        "giao-ban/ke-hoach/<int:plan_id>/",
        review_views.review_list,
        name="tasks-review-list-plan",
    ),
    path(
        "giao-ban/ke-hoach/<int:plan_id>/moi/",
        review_views.review_create,
        name="tasks-review-create",
    ),
    path("giao-ban/<int:pk>/sua/", review_views.review_edit, name="tasks-review-edit"),
    path(
        "giao-ban/<int:pk>/xoa/", review_views.review_delete, name="tasks-review-delete"
    ),
    # tasks- the appendix import
    path("ke-hoach/nhap/", appendix_views.VIEWS.upload, name="tasks-import"),
    path(
        "ke-hoach/nhap/xac-nhan/",
        appendix_views.VIEWS.confirm,
        name="tasks-import-confirm",
    ),
    path("ke-hoach/nhap/huy/", appendix_views.VIEWS.cancel, name="tasks-import-cancel"),
]
