from __future__ import annotations

from django.urls import path

from criteria import appeal_views, appraisal_views, calendar_views, plan_views, views
from criteria.criteria_set import views as criteria_set_views

urlpatterns = [
    # criteria-
    path("ke-hoach/tieu-chi/moi/", views.create, name="criteria-create"),
    path("ke-hoach/tieu-chi/<int:pk>/sua/", views.edit, name="criteria-edit"),
    path("ke-hoach/tieu-chi/<int:pk>/xoa/", views.delete, name="criteria-delete"),
    path(
        "ke-hoach/tieu-chi/<int:pk>/tu-cham/",
        views.self_score,
        name="criteria-self-score",
    ),
    path(
        "ke-hoach/tieu-chi/<int:pk>/tham-dinh/",
        views.layers,
        name="criteria-layers",
    ),
    path(
        "ke-hoach/tieu-chi/<int:pk>/cach-cham/",
        views.scoring,
        name="criteria-scoring",
    ),
    # criteria- a plan's self-assessment settings
    path(
        "ke-hoach/<int:pk>/thiet-lap-tu-danh-gia/",
        plan_views.plan_settings,
        name="criteria-plan-settings",
    ),
    # criteria- giải trình, kiến nghị
    path("ke-hoach/giai-trinh/", appeal_views.appeals, name="criteria-appeals"),
    path(
        "ke-hoach/tieu-chi/<int:pk>/giai-trinh/",
        appeal_views.appeal,
        name="criteria-appeal",
    ),
    # criteria- a plan year's PAR calendar
    path(
        "ke-hoach/<int:pk>/lich/",
        calendar_views.plan_calendar,
        name="criteria-plan-calendar",
    ),
    # criteria- the province's result table
    path(
        "ke-hoach/tham-dinh/nhap/",
        appraisal_views.VIEWS.upload,
        name="criteria-appraisal-import",
    ),
    path(
        "ke-hoach/tham-dinh/nhap/xac-nhan/",
        appraisal_views.VIEWS.confirm,
        name="criteria-appraisal-import-confirm",
    ),
    path(
        "ke-hoach/tham-dinh/nhap/huy/",
        appraisal_views.VIEWS.cancel,
        name="criteria-appraisal-import-cancel",
    ),
    # criteria- the province's criteria set
    path(
        "ke-hoach/bo-tieu-chi/nhap/",
        criteria_set_views.VIEWS.upload,
        name="criteria-set-import",
    ),
    path(
        "ke-hoach/bo-tieu-chi/nhap/xac-nhan/",
        criteria_set_views.VIEWS.confirm,
        name="criteria-set-import-confirm",
    ),
    path(
        "ke-hoach/bo-tieu-chi/nhap/huy/",
        criteria_set_views.VIEWS.cancel,
        name="criteria-set-import-cancel",
    ),
]
