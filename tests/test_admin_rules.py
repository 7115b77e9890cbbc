"""The admin keeps the app's rules: no page can 500 on ordinary input, progress
reports and evidence are read-only there, its saves bump versions like the pages'
(so a form opened before is refused, and a stale admin form too), its exports escape
formula-like texts, and its imports leave no temporary file behind."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from criteria.models import Criterion, Organization, Plan, SelfAssessment
from parplan.uploads import staging_dir
from reports.self_assessment_steps import self_assessment_submit
from tasks.models import Evidence, ProgressUpdate, Task, TaskUnit, Unit
from tasks.progress import progress_record
from tests.helpers import SEED_FILE, client_for


@pytest.fixture(autouse=True)
def _staging_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")


@pytest.fixture
def staff(office: User) -> Client:
    office.is_staff = True
    office.save()
    return client_for(office)


@pytest.fixture
def reported(seed_plan: Plan, office: User, units: dict[str, Unit]) -> ProgressUpdate:
    part = TaskUnit.objects.filter(unit=units["office"]).first()
    assert part is not None
    return progress_record(
        part=part,
        user=office,
        status="in_progress",
        percent=40,
        note="Đã họp",
        expected_version=part.version,
    )


def admin_pages() -> list[str]:
    urls = []
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[first.pk]))
        if hasattr(model_admin, "get_export_resource_classes"):
            urls.append(reverse("admin:{}_{}_export".format(*info)))
            urls.append(reverse("admin:{}_{}_import".format(*info)))
    return urls


@pytest.mark.parametrize("who", ["superuser", "office"])
def test_every_admin_page_answers_without_a_server_error(
    request: pytest.FixtureRequest, reported: ProgressUpdate, who: str
) -> None:
    if who == "superuser":
        client = Client()
        client.force_login(User.objects.create_superuser("root", "r@example.com", "x"))
    else:
        client = request.getfixturevalue("staff")
    for url in admin_pages():
        status = client.get(url).status_code
        assert status in {200, 302, 403}, (url, status)


def test_the_office_cannot_rewrite_or_delete_a_progress_report(
    staff: Client, reported: ProgressUpdate
) -> None:
    change = reverse("admin:tasks_progressupdate_change", args=[reported.pk])
    delete = reverse("admin:tasks_progressupdate_delete", args=[reported.pk])
    page = staff.get(change)
    assert page.status_code == 200 and 'name="percent"' not in page.content.decode()
    staff.post(change, {"percent": "100", "note": "Đã xong", "part": reported.part_id})
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    reported.refresh_from_db()
    assert (reported.percent, reported.note) == (40, "Đã họp")
    assert staff.get(reverse("admin:tasks_progressupdate_add")).status_code == 403


def test_the_self_assessments_steps_and_appeals_are_read_only_in_the_admin(
    staff: Client, seed_plan: Plan, office: User
) -> None:
    self_assessment_submit(plan=seed_plan, user=office, missing=[])
    assessment = SelfAssessment.objects.get(plan=seed_plan)
    step = assessment.steps.get()
    for url in (
        reverse("admin:criteria_selfassessment_change", args=[assessment.pk]),
        reverse("admin:criteria_selfassessmentstep_change", args=[step.pk]),
        reverse("admin:criteria_selfassessmentstep_changelist"),
        reverse("admin:criteria_appeal_changelist"),
        reverse("admin:reports_reminderlog_changelist"),
    ):
        page = staff.get(url)
        assert page.status_code == 200, url
        assert 'name="_save"' not in page.content.decode(), url
    change = reverse("admin:criteria_selfassessment_change", args=[assessment.pk])
    assert staff.post(change, {"state": "approved", "edition": 1}).status_code == 403
    delete = reverse("admin:criteria_selfassessment_delete", args=[assessment.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert staff.get(reverse("admin:criteria_appeal_add")).status_code == 403
    assessment.refresh_from_db()
    assert assessment.state == "submitted"


def test_evidence_is_read_only_in_the_admin(staff: Client, seed_plan: Plan) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    assert staff.get(reverse("admin:tasks_evidence_add")).status_code == 403
    page = staff.get(reverse("admin:criteria_criterion_change", args=[criterion.pk]))
    assert 'name="evidence-__prefix__-file"' not in page.content.decode()
    assert Evidence.objects.count() == 0


def test_a_duplicate_unit_name_is_a_form_error(
    staff: Client, organization: Organization, units: dict[str, Unit]
) -> None:
    response = staff.post(
        reverse("admin:tasks_unit_add"),
        {
            "organization": organization.pk,
            "name": "văn phòng  sở",
            "position": "3",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "membership_set-TOTAL_FORMS": "0",
            "membership_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Cơ quan đã có phòng, đơn vị" in response.content.decode()
    assert Unit.objects.filter(organization=organization).count() == 2


def criterion_form(criterion: Criterion, version: int, title: str) -> dict[str, str]:
    data = {
        "plan": str(criterion.plan_id),
        "parent": str(criterion.parent_id or ""),
        "code": criterion.code,
        "title": title,
        "method": criterion.method,
        "applicable": "on",
        "loaded_version": str(version),
    }
    for prefix in ("tasks", "evidence"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    for field in ("max_score", "baseline_score", "target_score"):
        value = getattr(criterion, field)
        data[field] = "" if value is None else str(value)
    return data


def test_an_admin_save_bumps_the_version_and_a_stale_admin_form_is_refused(
    staff: Client, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    opened = criterion.version
    url = reverse("admin:criteria_criterion_change", args=[criterion.pk])
    first = staff.post(url, criterion_form(criterion, opened, "Tên mới"))
    assert first.status_code == 302, first.content.decode()[:3000]
    criterion.refresh_from_db()
    assert (criterion.title, criterion.version) == ("Tên mới", opened + 1)
    stale = staff.post(url, criterion_form(criterion, opened, "Tên cũ hơn"))
    assert stale.status_code == 200
    assert "đã được người khác thay đổi" in stale.content.decode()
    criterion.refresh_from_db()
    assert criterion.title == "Tên mới"


def test_the_exports_write_formula_like_texts_as_text(
    staff: Client, seed_plan: Plan
) -> None:
    task = Task.objects.filter(criterion__plan=seed_plan).first()
    assert task is not None
    Task.objects.filter(pk=task.pk).update(text="=cmd|'/C calc'!A0")
    for model in ("tasks/task", "criteria/criterion"):
        url = f"/admin/{model}/export/"
        form = staff.get(url).content.decode()
        columns = set(re.findall(r'name="(\w+resource_\w+)"', form))
        data = {"format": "0", "resource": "0"} | dict.fromkeys(columns, "on")
        response = staff.post(url, data)
        assert response.status_code == 200, model
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        texts = [c.value for row in sheet.iter_rows() for c in row if c.value]
        assert not any(str(t).startswith("=") for t in texts), model
        if model == "tasks/task":
            assert "'=cmd|'/C calc'!A0" in texts


def admin_import(client: Client, plan: Plan) -> object:
    upload = SimpleUploadedFile(SEED_FILE.name, SEED_FILE.read_bytes())
    return client.post(
        "/admin/criteria/criterion/import/",
        {"plan": plan.pk, "format": 2, "resource": 0, "import_file": upload},
    )


def test_an_admin_import_leaves_no_temporary_file_and_abandoned_ones_are_purged(
    staff: Client, organization: Organization
) -> None:
    plan = Plan.objects.create(
        organization=organization, year=2023, baseline_year=2022, title="Kế hoạch"
    )
    preview = admin_import(staff, plan)
    assert len(list(staging_dir().glob("*.admin-upload"))) == 1
    confirm = preview.context["confirm_form"]  # type: ignore[attr-defined]
    staff.post("/admin/criteria/criterion/process_import/", confirm.initial)
    assert list(staging_dir().glob("*")) == []
    admin_import(staff, plan)  # previewed, never confirmed
    (abandoned,) = staging_dir().glob("*.admin-upload")
    call_command("purge_staged_imports", stdout=io.StringIO())
    assert abandoned.exists()  # not an hour old yet
    old = time.time() - 61 * 60
    os.utime(abandoned, (old, old))
    out = io.StringIO()
    call_command("purge_staged_imports", stdout=out)
    assert not abandoned.exists() and "1" in out.getvalue()


def test_a_confirmation_cannot_name_a_file_outside_the_staging_folder(
    staff: Client, organization: Organization, tmp_path: Path
) -> None:
    plan = Plan.objects.create(
        organization=organization, year=2023, baseline_year=2022, title="Kế hoạch"
    )
    victim = tmp_path / "victim.txt"
    victim.write_text("giữ nguyên")
    confirm = admin_import(staff, plan).context["confirm_form"]  # type: ignore[attr-defined]
    data = dict(confirm.initial) | {"import_file_name": str(victim)}
    response = staff.post("/admin/criteria/criterion/process_import/", data)
    assert response.status_code == 403
    assert victim.read_text() == "giữ nguyên"
    assert Criterion.objects.filter(plan=plan).count() == 0
