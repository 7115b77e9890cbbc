"""The province's result table (criteria/appraisal_import.py): appraised, final and
survey scores with the council's note, imported all or nothing, in the browser and on
the command line."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.urls import reverse

from criteria.appraisal_import import appraisal_import
from criteria.models import Criterion, Plan
from parplan.tables import TableImportError
from reports.figures import plan_figures
from tests.helpers import client_for

D = Decimal
RESULTS = (
    "KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CCHC NĂM 2023 (bảng thử)\n"
    "STT\tTiêu chí\tĐiểm tối đa\tĐiểm tự đánh giá\tĐiểm thẩm định\t"
    "Điểm sau giải trình\tÝ kiến của Hội đồng\n"
    "1\tCÔNG TÁC CHỈ ĐẠO\t\t\t\t\t\n"
    "1.1.1\tTuyên truyền\t2\t1,5\t1,25\t\tThiếu minh chứng quý IV\n"
    "1.2.1\tTriển khai\t0,5\t0,5\t0,375\t0,5\tĐã giải trình\n"
)


def scores(plan: Plan, code: str) -> tuple[object, ...]:
    c = Criterion.objects.get(plan=plan, code=code)
    return (c.appraised_score, c.final_score, c.appraisal_note)


def test_the_results_are_entered_and_the_forecast_follows_them(
    seed_plan: Plan,
) -> None:
    report = appraisal_import(plan=seed_plan, data=RESULTS.encode(), filename="kq.tsv")
    assert report.updated == ["1.1.1", "1.2.1"]
    assert scores(seed_plan, "1.1.1") == (D("1.25"), None, "Thiếu minh chứng quý IV")
    assert scores(seed_plan, "1.2.1") == (D("0.375"), D("0.5"), "Đã giải trình")
    rows = {r.code: r for r in plan_figures(plan=seed_plan).rows}
    assert (rows["1.1.1"].forecast, rows["1.1.1"].forecast_source) == (
        D("1.25"),
        "appraised",
    )
    assert rows["1.2.1"].forecast == D("0.5")  # the final score counts


def test_importing_the_same_results_again_changes_nothing(seed_plan: Plan) -> None:
    appraisal_import(plan=seed_plan, data=RESULTS.encode(), filename="kq.tsv")
    version = Criterion.objects.get(plan=seed_plan, code="1.1.1").version
    again = appraisal_import(plan=seed_plan, data=RESULTS.encode(), filename="kq.tsv")
    assert again.updated == [] and again.unchanged == ["1.1.1", "1.2.1"]
    assert Criterion.objects.get(plan=seed_plan, code="1.1.1").version == version


def test_a_code_written_with_leading_zeros_finds_its_criterion(
    seed_plan: Plan,
) -> None:
    data = "STT\tĐiểm thẩm định\n01.1.01\t1,25\n".encode()
    report = appraisal_import(plan=seed_plan, data=data, filename="kq.tsv")
    assert report.updated == ["1.1.1"]
    assert scores(seed_plan, "1.1.1")[0] == D("1.25")


def test_an_empty_cell_never_erases_a_result(seed_plan: Plan) -> None:
    appraisal_import(plan=seed_plan, data=RESULTS.encode(), filename="kq.tsv")
    later = "STT\tĐiểm thẩm định\tĐiểm sau giải trình\n1.1.1\t\t1,5\n"
    appraisal_import(plan=seed_plan, data=later.encode(), filename="kq.tsv")
    assert scores(seed_plan, "1.1.1") == (
        D("1.25"),
        D("1.5"),
        "Thiếu minh chứng quý IV",
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("1.1.1\t2,5\n", "ngoài khoảng 0 đến điểm chuẩn 2"),
        ("9.9\t1\n", "tiêu chí 9.9 không có trong kế hoạch"),
        ("1.1.1\thai\n", "“hai” không phải là số"),
        ("1.1.1\t1\n1.1.1\t1\n", "Dòng 4, cột “STT”: mã 1.1.1 trùng với dòng 3"),
        ("1.1.1\t1\n01.01.1\t1\n", "Dòng 4, cột “STT”: mã 1.1.1 trùng với dòng 3"),
        ("1.1.1\t1,2345\n", "quá 3 chữ số thập phân"),
    ],
)
def test_a_bad_row_is_refused_with_its_reason_and_nothing_is_written(
    seed_plan: Plan, rows: str, message: str
) -> None:
    data = ("STT\tĐiểm thẩm định\n1.2.1\t0,25\n" + rows).encode()
    with pytest.raises(TableImportError) as caught:
        appraisal_import(plan=seed_plan, data=data, filename="kq.tsv")
    assert message in str(caught.value)
    assert scores(seed_plan, "1.2.1")[0] is None  # the good row was not written


def test_a_survey_score_goes_only_to_a_survey_criterion(seed_plan: Plan) -> None:
    data = "STT\tĐiểm điều tra XHH\n4.1.1\t1,5\n".encode()
    with pytest.raises(TableImportError, match="chấm bằng thẩm định"):
        appraisal_import(plan=seed_plan, data=data, filename="kq.tsv")
    Criterion.objects.filter(plan=seed_plan, code="4.1.1").update(method="survey")
    appraisal_import(plan=seed_plan, data=data, filename="kq.tsv")
    assert Criterion.objects.get(plan=seed_plan, code="4.1.1").survey_score == D("1.5")


def test_a_file_without_a_score_column_is_explained(seed_plan: Plan) -> None:
    with pytest.raises(TableImportError, match="Không tìm thấy dòng tiêu đề"):
        appraisal_import(
            plan=seed_plan, data=b"STT\tTieu chi\n1\tA\n", filename="x.tsv"
        )


def test_the_office_previews_and_confirms_the_results_in_the_browser(
    seed_plan: Plan, office: User, tmp_path: object
) -> None:
    client = client_for(office)
    upload = io.BytesIO(RESULTS.encode())
    upload.name = "ket-qua.tsv"
    response = client.post(
        reverse("criteria-appraisal-import"), {"plan": seed_plan.pk, "file": upload}
    )
    assert response.status_code == 200
    assert "Tiêu chí cập nhật: 2" in response.content.decode()
    assert scores(seed_plan, "1.1.1")[0] is None  # a preview writes nothing
    token = response.context["staged"].token
    response = client.post(
        reverse("criteria-appraisal-import-confirm"), {"token": token}
    )
    assert response.status_code == 302
    assert scores(seed_plan, "1.1.1")[0] == D("1.25")


def test_a_confirmation_is_refused_when_a_criterion_changed_since_its_preview(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    upload = io.BytesIO(RESULTS.encode())
    upload.name = "ket-qua.tsv"
    response = client.post(
        reverse("criteria-appraisal-import"), {"plan": seed_plan.pk, "file": upload}
    )
    token = response.context["staged"].token
    Criterion.objects.filter(plan=seed_plan, code="1.1.1").update(
        appraised_score=D("0.5"), version=F("version") + 1
    )
    response = client.post(
        reverse("criteria-appraisal-import-confirm"), {"token": token}
    )
    assert response.status_code == 409
    assert "Tiêu chí 1.1.1 đã được sửa, thêm hoặc xóa" in response.content.decode()
    assert scores(seed_plan, "1.1.1")[0] == D("0.5")  # the newer score is kept


@pytest.mark.parametrize("role", ["director", "viewer", "head_office"])
def test_only_the_office_imports_results(
    seed_plan: Plan, role: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(role)
    response = client_for(user).get(reverse("criteria-appraisal-import"))
    assert response.status_code == 403


def test_the_command_imports_the_results_and_refuses_a_bad_file(
    seed_plan: Plan, tmp_path: object
) -> None:
    path = tmp_path / "kq.tsv"  # type: ignore[operator]
    path.write_text(RESULTS, encoding="utf-8")
    out = io.StringIO()
    call_command("import_appraisal", str(path), "--year", "2023", stdout=out)
    assert "Tiêu chí đã cập nhật: 2" in out.getvalue()
    bad = tmp_path / "xau.tsv"  # type: ignore[operator]
    bad.write_text("STT\tĐiểm thẩm định\n9.9\t1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="chưa ghi gì"):
        call_command("import_appraisal", str(bad), "--year", "2023")
