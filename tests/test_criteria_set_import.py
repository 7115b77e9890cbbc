"""The province's criteria set (criteria/criteria_set/): the layouts provinces write,
the refusals, all or nothing, re-import, the engine on a whole set, the appendix
attached to it, the browser and the command."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from criteria.criteria_set.load import criteria_set_import
from criteria.models import Criterion, Organization, Plan, ScoringRule
from parplan.roles import Role
from parplan.tables import TableImportError
from reports.figures import plan_figures
from reports.models import PeerRank
from tasks.appendix.load import appendix_import
from tasks.models import Task
from tests.helpers import FIXTURES, SEED_FILE, browser_login, client_for, make_user
from tests.workbooks import database_state

D = Decimal
SET_FILE = FIXTURES / "bo_tieu_chi_2023_minh_hoa.csv"

HEADER = "STT\tNội dung\tĐiểm tối đa\tCách chấm\n"
DOTTED = (
    "BỘ TIÊU CHÍ NĂM 2023\n"
    "\n"
    "Mã tiêu chí\tLĩnh vực/Tiêu chí/Tiêu chí thành phần\tĐiểm chuẩn\t"
    "Phương pháp chấm\tThẩm định / Điều tra XHH\n"
    "1.\tCHỈ ĐẠO ĐIỀU HÀNH\t3\t\t\n"
    "1.1.\tKế hoạch CCHC\t2\t\t\n"
    "1.1.1.\tBan hành kế hoạch\t1\tĐạt: 1; Không đạt: 0\tThẩm định\n"
    "1.1.2.\tThực hiện kế hoạch\t1\tTheo mức độ hoàn thành\t\n"
    "Mã tiêu chí\tLĩnh vực/Tiêu chí/Tiêu chí thành phần\tĐiểm chuẩn\t"
    "Phương pháp chấm\tThẩm định / Điều tra XHH\n"
    "1.2\tBáo cáo\t1\tKịp thời: 1; Không kịp thời: 0,5; Không báo cáo: 0\t\n"
    "2\tHÀI LÒNG\t\t\tĐiều tra XHH\n"
    "2.1\tHài lòng về TTHC\t1,5\t\t\n"
    "Tổng cộng\t\t4,5\t\t\n"
)


def org(db: None) -> Organization:
    return Organization.objects.create(name="Sở Thử nghiệm", short_name="STN")


@pytest.fixture
def organization_only(db: None) -> Organization:
    return org(db)


def run(
    organization: Organization, text: str, name: str = "bo.tsv", **kw: object
) -> object:
    return criteria_set_import(
        organization=organization,
        year=2023,
        data=text.encode(),
        filename=name,
        **kw,  # type: ignore[arg-type]
    )


def tree(plan: Plan) -> dict[str, tuple[object, ...]]:
    return {
        c.code: (c.title, c.max_score, c.method, c.applicable)
        for c in Criterion.objects.filter(plan=plan)
    }


def refused(organization: Organization, text: str, name: str = "bo.tsv") -> str:
    with pytest.raises(TableImportError) as caught:
        run(organization, text, name)
    return str(caught.value)


# Layouts ------------------------------------------------------------------------------


def test_dotted_codes_with_title_rows_and_a_repeated_header_import(
    organization_only: Organization,
) -> None:
    report = run(organization_only, DOTTED)
    plan = report.plan  # type: ignore[attr-defined]
    assert tree(plan) == {
        "1": ("CHỈ ĐẠO ĐIỀU HÀNH", None, "appraised", True),
        "1.1": ("Kế hoạch CCHC", None, "appraised", True),
        "1.1.1": ("Ban hành kế hoạch", D("1"), "appraised", True),
        "1.1.2": ("Thực hiện kế hoạch", D("1"), "appraised", True),
        "1.2": ("Báo cáo", D("1"), "appraised", True),
        "2": ("HÀI LÒNG", None, "survey", True),
        "2.1": ("Hài lòng về TTHC", D("1.5"), "survey", True),
    }
    assert plan.full_scale == D("4.5") and plan.criteria_set_name == "bo.tsv"
    c = Criterion.objects.get(plan=plan, code="1.1.2")
    assert c.scoring_text == "Theo mức độ hoàn thành"
    assert not ScoringRule.objects.filter(criterion=c).exists()  # prose: text only
    rules = {
        r.criterion.code: (r.kind, r.levels)
        for r in ScoringRule.objects.select_related("criterion")
    }
    assert rules == {
        "1.1.1": ("pass_fail", ""),
        "1.2": ("options", "Kịp thời: 1; Không kịp thời: 0,5; Không báo cáo: 0"),
    }


def test_roman_areas_with_criteria_numbered_from_one_in_each_area(
    organization_only: Organization,
) -> None:
    text = (
        HEADER + "I\tCHỈ ĐẠO\t\t\n"
        "1\tKế hoạch\t\t\n"
        "1.1\tBan hành\t0,5\t\n"
        "1.2\tThực hiện\t0,25\t\n"
        "II.\tTHỂ CHẾ\t1\t\n"
        "1\tRà soát\t1\t\n"
    )
    plan = run(organization_only, text).plan  # type: ignore[attr-defined]
    assert sorted(tree(plan)) == ["1", "1.1", "1.1.1", "1.1.2", "2", "2.1"]
    assert tree(plan)["2.1"] == ("Rà soát", D("1"), "appraised", True)


def test_roman_areas_with_criteria_numbered_in_full(
    organization_only: Organization,
) -> None:
    text = (
        HEADER
        + "I\tCHỈ ĐẠO\t\t\n1.1\tKế hoạch\t1\t\nII\tTHỂ CHẾ\t\t\n2.1\tRà soát\t1\t\n"
    )
    plan = run(organization_only, text).plan  # type: ignore[attr-defined]
    assert sorted(tree(plan)) == ["1", "1.1", "2", "2.1"]


def test_codes_written_with_leading_zeros_are_stored_without_them(
    organization_only: Organization,
) -> None:
    text = HEADER + "01\tCHỈ ĐẠO\t\t\n01.1\tKế hoạch\t1\t\n01.02\tBáo cáo\t1\t\n"
    plan = run(organization_only, text).plan  # type: ignore[attr-defined]
    assert sorted(tree(plan)) == ["1", "1.1", "1.2"]
    areas = HEADER + "I\tCHỈ ĐẠO\t\t\n01\tKế hoạch\t1\t\n"
    other = Organization.objects.create(name="Sở Thử nghiệm hai", short_name="STH")
    plan = run(other, areas).plan  # type: ignore[attr-defined]
    assert sorted(tree(plan)) == ["1", "1.1"]


def test_a_csv_with_decimal_commas_and_numbers_as_text_imports(
    organization_only: Organization,
) -> None:
    text = (
        "STT;Tiêu chí;Thang điểm;Hình thức đánh giá;Không áp dụng;Lý do\n"
        "1;Lĩnh vực một;;;;\n"
        '1.1;Tiêu chí a;"0,375";;;\n'
        "1.2;Tiêu chí b; 1,125 ;Điều tra XHH;x;Không có TTHC\n"
    )
    plan = run(organization_only, text, "bo.csv").plan  # type: ignore[attr-defined]
    assert tree(plan)["1.1"] == ("Tiêu chí a", D("0.375"), "appraised", True)
    b = Criterion.objects.get(plan=plan, code="1.2")
    assert (b.max_score, b.method, b.applicable, b.not_applicable_reason) == (
        D("1.125"),
        "survey",
        False,
        "Không có TTHC",
    )


def test_an_xlsx_with_merged_cells_imports(organization_only: Organization) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["BỘ TIÊU CHÍ"])
    ws.append(["STT", "Lĩnh vực, tiêu chí", "Điểm tối đa", "Hướng dẫn chấm điểm"])
    ws.append(["I", "CHỈ ĐẠO", None, None])
    ws.append([1, "Tuyên truyền", 2.0, "- Đạt: 2 điểm"])
    ws.append([None, None, None, "- Không đạt: 0 điểm"])  # merged code and title
    ws.append(["II", "THỂ CHẾ", None, None])
    ws.append([1, "Rà soát", "1,5", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = criteria_set_import(
        organization=organization_only,
        year=2023,
        data=buffer.getvalue(),
        filename="bo.xlsx",
    ).plan
    c = Criterion.objects.get(plan=plan, code="1.1")
    assert c.scoring_text == "- Đạt: 2 điểm\n- Không đạt: 0 điểm"
    assert c.scoring_rule.kind == "pass_fail"
    assert tree(plan)["2.1"][1] == D("1.5")


# Refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "1\tA\t\t\n1.1\tB\t1\t\n1.1\tC\t1\t\n",
            "Dòng 4, cột “STT”: mã 1.1 trùng với dòng 3.",
        ),
        (
            "1\tA\t\t\n1.1\tB\t1\t\n1.01\tC\t1\t\n",
            "Dòng 4, cột “STT”: mã 1.01 trùng với dòng 3.",
        ),
        (
            "1\tA\t\t\n1.1.1\tB\t1\t\n",
            "Dòng 3, cột “STT”: mã 1.1.1 thiếu dòng cha 1.1.",
        ),
        (
            "1\tA\t3\t\n1.1\tB\t1\t\n1.2\tC\t1,5\t\n",
            "Dòng 2, cột “Điểm tối đa”: điểm tối đa 3 của 1 khác tổng điểm tối đa "
            "các tiêu chí con (2,5).",
        ),
        (
            "1\tA\t\t\n1.1\tB\t\t\n",
            "Dòng 3, cột “Điểm tối đa”: tiêu chí không có tiêu chí con phải có điểm "
            "tối đa.",
        ),
        (
            "1\tA\t\t\n1.1\tB\thai\t\n",
            "Dòng 3, cột “Điểm tối đa”: “hai” không phải là số.",
        ),
        (
            "1\tA\t\t\na)\tB\t1\t\n",
            "Dòng 3, cột “STT”: “a)” không phải mã tiêu chí dạng I, II (lĩnh vực) hoặc "
            "1, 1.2, 1.2.3.",
        ),
        ("1\tA\t\t\n\tB\t1\t\n", "Dòng 3, cột “STT”: thiếu STT (mã tiêu chí)."),
        (
            "1\tA\t\t\n1.1\tB\t1\t\nTổng cộng\t\t2\t\n",
            "Dòng 4, cột “Điểm tối đa”: dòng tổng ghi 2 điểm nhưng tổng điểm tối đa "
            "các tiêu chí là 1.",
        ),
        (
            "1.1\tB\t1\t\nI\tA\t\t\n",
            "Dòng 2, cột “STT”: mã 1.1 đứng trước lĩnh vực đầu tiên (I); không rõ thuộc "
            "lĩnh vực nào.",
        ),
        (
            "I\tA\t\t\n2.1\tB\t1\t\n",
            "Dòng 3, cột “STT”: mã 2.1 dưới lĩnh vực I: không rõ cách đánh số (mã đầy "
            "đủ phải bắt đầu bằng 1., mã trong lĩnh vực phải có tiêu chí 1, 2 …).",
        ),
    ],
)
def test_an_ambiguous_or_broken_set_is_refused_with_its_reason(
    organization_only: Organization, rows: str, message: str
) -> None:
    assert message in refused(organization_only, HEADER + rows)
    assert not Plan.objects.exists()  # nothing written, not even the plan


def test_a_not_applicable_criterion_needs_its_reason(
    organization_only: Organization,
) -> None:
    text = (
        "STT\tTiêu chí\tĐiểm tối đa\tKhông áp dụng\tLý do\n1\tA\t\t\t\n1.1\tB\t1\tx\t\n"
    )
    assert "Dòng 3, cột “Lý do”: tiêu chí không áp dụng cần ghi lý do." in refused(
        organization_only, text
    )


def test_a_file_without_the_columns_is_explained(
    organization_only: Organization,
) -> None:
    message = refused(organization_only, "Mã\tTên\n1\tA\n", "x.tsv")
    assert message.startswith(
        "Không tìm thấy dòng tiêu đề của bộ tiêu chí trong “x.tsv”. Bảng cần các cột "
        "STT, Lĩnh vực, tiêu chí, Điểm tối đa"
    )


def test_one_bad_row_refuses_the_whole_file(organization_only: Organization) -> None:
    run(organization_only, DOTTED)
    before = database_state()
    bad = DOTTED.replace("1.1.2.\tThực hiện kế hoạch\t1", "1.1.2.\tThực hiện\tmột")
    bad = bad.replace("Ban hành kế hoạch", "Ban hành kế hoạch (sửa)")
    assert "không phải là số" in refused(organization_only, bad)
    assert database_state() == before


# Re-import ----------------------------------------------------------------------------


def test_importing_the_same_set_again_changes_nothing(
    organization_only: Organization,
) -> None:
    run(organization_only, DOTTED)
    before = database_state()
    again = run(organization_only, DOTTED)
    assert again.created == [] and again.updated == []  # type: ignore[attr-defined]
    assert not again.changed  # type: ignore[attr-defined]
    assert database_state() == before


def test_an_updated_set_reports_old_and_new_titles_and_maxima(
    organization_only: Organization,
) -> None:
    plan = run(organization_only, DOTTED).plan  # type: ignore[attr-defined]
    version = Criterion.objects.get(plan=plan, code="1.2").version
    updated = (
        DOTTED.replace("1.2\tBáo cáo\t1", "1.2\tBáo cáo định kỳ\t1,5")
        .replace("1.\tCHỈ ĐẠO ĐIỀU HÀNH\t3", "1.\tCHỈ ĐẠO ĐIỀU HÀNH\t3,5")
        .replace("Tổng cộng\t\t4,5", "Tổng cộng\t\t5")
    )
    preview = run(organization_only, updated, dry_run=True)
    changes = [(c.code, c.field, c.old, c.new) for c in preview.changes]  # type: ignore[attr-defined]
    assert changes == [
        ("1.2", "Tên", "Báo cáo", "Báo cáo định kỳ"),
        ("1.2", "Điểm tối đa", "1", "1,5"),
    ]
    assert preview.full_scale == (D("4.5"), D("5"))  # type: ignore[attr-defined]
    assert tree(plan)["1.2"][0] == "Báo cáo"  # a preview writes nothing
    run(organization_only, updated)
    c = Criterion.objects.get(plan=plan, code="1.2")
    assert (c.title, c.max_score, c.version) == (
        "Báo cáo định kỳ",
        D("1.5"),
        version + 1,
    )


def test_a_criterion_gone_from_the_set_is_removed_only_when_nothing_hangs_on_it(
    organization_only: Organization,
) -> None:
    plan = run(organization_only, DOTTED).plan  # type: ignore[attr-defined]
    without = DOTTED.replace(
        "1.1.2.\tThực hiện kế hoạch\t1\tTheo mức độ hoàn thành\t\n", ""
    )
    without = without.replace("1.1.\tKế hoạch CCHC\t2", "1.1.\tKế hoạch CCHC\t1")
    without = without.replace("1.\tCHỈ ĐẠO ĐIỀU HÀNH\t3", "1.\tCHỈ ĐẠO ĐIỀU HÀNH\t2")
    without = without.replace("Tổng cộng\t\t4,5", "Tổng cộng\t\t3,5")
    Task.objects.create(
        criterion=Criterion.objects.get(plan=plan, code="1.1.2"),
        position=1,
        text="Việc",
    )
    before = database_state()
    assert (
        "tiêu chí 1.1.2 “Thực hiện kế hoạch” của kế hoạch không có trong bộ tiêu chí "
        "mới nhưng đã có nhiệm vụ, tài liệu hoặc điểm"
    ) in refused(organization_only, without)
    assert database_state() == before
    Task.objects.all().delete()
    report = run(organization_only, without)
    assert report.removed == ["1.1.2"]  # type: ignore[attr-defined]
    assert "1.1.2" not in tree(plan)


def test_a_lower_maximum_under_a_score_already_entered_is_refused(
    organization_only: Organization,
) -> None:
    plan = run(organization_only, DOTTED).plan  # type: ignore[attr-defined]
    Criterion.objects.filter(plan=plan, code="1.2").update(self_score=D("1"))
    lower = (
        DOTTED.replace("1.2\tBáo cáo\t1", "1.2\tBáo cáo\t0,5")
        .replace("1.\tCHỈ ĐẠO ĐIỀU HÀNH\t3", "1.\tCHỈ ĐẠO ĐIỀU HÀNH\t2,5")
        .replace("Tổng cộng\t\t4,5", "Tổng cộng\t\t4")
    )
    assert (
        "Dòng 9, cột “Điểm tối đa”: tiêu chí 1.2 đã có điểm 1, vượt điểm tối đa mới 0,5."
    ) in refused(organization_only, lower)


# The whole set, the engine and the appendix -------------------------------------------


def full_set(organization: Organization) -> Plan:
    return criteria_set_import(
        organization=organization,
        year=2023,
        data=SET_FILE.read_bytes(),
        filename=SET_FILE.name,
    ).plan


def test_the_sample_set_imports_eight_areas_with_survey_and_not_applicable_criteria(
    organization_only: Organization,
) -> None:
    report = criteria_set_import(
        organization=organization_only,
        year=2023,
        data=SET_FILE.read_bytes(),
        filename=SET_FILE.name,
    )
    plan = report.plan
    criteria = Criterion.objects.filter(plan=plan)
    assert criteria.filter(depth=1).count() == 8
    assert len(report.created) == criteria.count() == 70
    assert (report.survey, report.not_applicable) == (5, 1)
    assert plan.full_scale == D("100")
    na = criteria.get(code="3.4")
    assert (na.applicable, na.not_applicable_reason) == (
        False,
        "Sở không có thủ tục hành chính liên thông giữa các cấp",
    )
    assert set(criteria.filter(method="survey").values_list("code", flat=True)) == {
        "8",
        "8.1",
        "8.1.1",
        "8.1.2",
        "8.1.3",
        "8.1.4",
        "8.2",
    }
    assert ScoringRule.objects.filter(criterion__plan=plan).count() == 37


def test_the_engine_uses_the_applicable_maximum_of_the_whole_set(
    organization_only: Organization,
) -> None:
    plan = full_set(organization_only)
    PeerRank.objects.create(
        year=2022,
        name=organization_only.name,
        organization=organization_only,
        index=D("80"),
        rank=2,
        position=2,
    )
    PeerRank.objects.create(year=2022, name="Sở A", index=D("80.5"), rank=1, position=1)
    PeerRank.objects.create(year=2022, name="Sở B", index=D("79"), rank=3, position=3)
    criteria = Criterion.objects.filter(plan=plan)
    criteria.filter(code="8.1.1").update(survey_score=D("7.5"))
    criteria.filter(code="1.3").update(self_score=D("1.5"))
    criteria.filter(code="3.4").update(self_score=D("1"))  # not applicable: ignored
    figures = plan_figures(plan=plan)
    assert figures.totals.max_score == D("99")
    assert figures.scale == D("99")
    assert figures.totals.scored == 47  # 48 leaves, one not applicable
    assert figures.totals.forecast == D("9")
    areas = {a.code: (a.max_score, a.forecast) for a in figures.areas}
    assert areas["3"] == (D("8"), D("0"))
    assert areas["8"] == (D("45"), D("7.5"))
    forecast = figures.scenarios["forecast"]
    # 80 + 9 ÷ 99 × 100 = 89,091
    assert (forecast.index, forecast.rank, forecast.places_gained) == (
        D("89.091"),
        1,
        1,
    )


def test_the_appendix_after_the_set_attaches_baseline_target_and_tasks(
    organization_only: Organization,
) -> None:
    plan = full_set(organization_only)
    ids = dict(Criterion.objects.filter(plan=plan).values_list("code", "pk"))
    report = appendix_import(
        organization=organization_only,
        year=2023,
        data=SEED_FILE.read_bytes(),
        filename=SEED_FILE.name,
    )
    assert report.created == []
    assert dict(Criterion.objects.filter(plan=plan).values_list("code", "pk")) == ids
    c = Criterion.objects.get(plan=plan, code="4.1.1")
    assert (c.max_score, c.baseline_score, c.target_score) == (D("2"), D("0"), D("2"))
    assert c.tasks.count() == 1
    assert Task.objects.filter(criterion__plan=plan).count() == 13
    figures = plan_figures(plan=plan)
    assert (figures.totals.baseline, figures.totals.target) == (D("1.65"), D("15"))
    assert figures.totals.max_score == D("99")
    again = appendix_import(
        organization=organization_only,
        year=2023,
        data=SEED_FILE.read_bytes(),
        filename=SEED_FILE.name,
    )
    assert not again.changed


def test_an_appendix_that_contradicts_the_set_is_refused_naming_the_row(
    organization_only: Organization,
) -> None:
    full_set(organization_only)
    before = database_state()
    seed = SEED_FILE.read_text(encoding="utf-8")
    bad = seed.replace(
        "4.3\tAn toàn thông tin mạng\t0,5\t0\t0,5",
        "4.3\tAn toàn thông tin mạng\t1\t0\t1",
    )
    assert bad != seed
    with pytest.raises(TableImportError) as caught:
        appendix_import(
            organization=organization_only,
            year=2023,
            data=bad.encode(),
            filename="pl.txt",
        )
    assert (
        "cột “Điểm chuẩn”: điểm chuẩn 1 khác điểm tối đa 0,5 của tiêu chí 4.3 trong bộ "
        "tiêu chí."
    ) in str(caught.value)
    assert database_state() == before


def test_an_appendix_row_outside_the_set_is_refused_and_a_reworded_title_is_kept(
    organization_only: Organization,
) -> None:
    plan = full_set(organization_only)
    text = (
        "STT\tLĩnh vực, tiêu chí\tĐiểm chuẩn\tĐiểm 2022 đạt được\tMục tiêu năm 2023\n"
        "4\tchính quyền điện tử\t\t\t\n"
        "4.3\t  An toàn thông tin  MẠNG. \t0,5\t0\t0,5\n"
    )
    report = appendix_import(
        organization=organization_only, year=2023, data=text.encode(), filename="a.tsv"
    )
    assert (
        Criterion.objects.get(plan=plan, code="4.3").title == "An toàn thông tin mạng"
    )
    assert [n for n in report.notices if "(4.3)" in n] == []  # only normalisation
    assert any("Dòng 2 (4)" in n for n in report.notices)  # reworded: set's kept
    outside = text + "4.9\tNgoài bộ\t1\t0\t1\n"
    with pytest.raises(
        TableImportError, match=r"tiêu chí 4\.9 không có trong bộ tiêu chí năm 2023"
    ):
        appendix_import(
            organization=organization_only,
            year=2023,
            data=outside.encode(),
            filename="a.tsv",
        )


# Browser, command ---------------------------------------------------------------------


def upload(client: Client, organization: Organization, text: str) -> object:
    data = io.BytesIO(text.encode())
    data.name = "bo.tsv"
    return client.post(
        reverse("criteria-set-import"),
        {"organization": organization.pk, "year": 2023, "file": data},
    )


def test_the_office_previews_and_confirms_a_set_in_the_browser(
    organization_only: Organization, db: None
) -> None:
    office = make_user("office", Role.OFFICE)
    client = client_for(office)
    response = upload(client, organization_only, DOTTED)
    page = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Tiêu chí tạo mới: 7" in page
    assert "Đề xuất cách chấm" in page
    assert not Plan.objects.exists()
    token = response.context["staged"].token  # type: ignore[attr-defined]
    response = client.post(reverse("criteria-set-import-confirm"), {"token": token})
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Criterion.objects.count() == 7


def test_a_confirmation_is_refused_when_the_plan_changed_since_its_preview(
    organization_only: Organization, db: None
) -> None:
    office = make_user("office", Role.OFFICE)
    first, second = client_for(office), client_for(office)
    tokens = [
        upload(c, organization_only, DOTTED).context["staged"].token  # type: ignore[attr-defined]
        for c in (first, second)
    ]
    confirm = reverse("criteria-set-import-confirm")
    assert first.post(confirm, {"token": tokens[0]}).status_code == 302
    late = second.post(confirm, {"token": tokens[1]})
    assert late.status_code == 409
    assert "đã được tạo (bởi một lần nhập khác)" in late.content.decode()
    assert Plan.objects.count() == 1 and Criterion.objects.count() == 7


@pytest.mark.parametrize("who", ["director", "viewer", "head_office", "outsider"])
def test_only_the_office_imports_a_set(
    request: pytest.FixtureRequest, organization: Organization, who: str
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("criteria-set-import")).status_code == 403
    assert upload(client, organization, DOTTED).status_code == 403  # type: ignore[attr-defined]
    assert not Plan.objects.exists()


def test_the_appendix_import_page_links_to_the_set(office: User) -> None:
    page = client_for(office).get(reverse("tasks-import")).content.decode()
    assert reverse("criteria-set-import") in page


@pytest.mark.parametrize("size", [1, 4])
def test_the_preview_runs_a_fixed_number_of_queries(
    organization_only: Organization,
    django_assert_num_queries: object,
    size: int,
) -> None:
    rows = "".join(
        f"{a}\tLĩnh vực {a}\t\t\n"
        + "".join(
            f"{a}.{c}\tTiêu chí {a}.{c}\t1\tĐạt: 1; Không đạt: 0\n"
            for c in range(1, 4 * size)
        )
        for a in range(1, 2 * size + 1)
    )
    run(organization_only, HEADER + rows)  # the plan exists: the preview compares
    office = make_user("office", Role.OFFICE)
    client = client_for(office)
    client.get(reverse("criteria-set-import"))
    # Session, user, groups; the form's latest plan and organization, the organization
    # of the upload; the plan, its criteria, their tasks and evidence, their rules;
    # the session saved with the staged file (savepoint, update, release); the mark
    # of the plan as it was previewed (the plan, its criteria's and tasks' versions).
    with django_assert_num_queries(15):  # type: ignore[operator]
        response = upload(client, organization_only, HEADER + rows)
    assert response.status_code == 200  # type: ignore[attr-defined]


def test_the_command_imports_a_set_and_refuses_a_bad_one(
    organization_only: Organization, tmp_path: object
) -> None:
    out = io.StringIO()
    call_command(
        "import_criteria_set",
        str(SET_FILE),
        "--year",
        "2023",
        "--organization",
        "STN",
        stdout=out,
    )
    assert "Tiêu chí: 70 đã tạo" in out.getvalue()
    assert "5 chấm bằng điều tra xã hội học, 1 không áp dụng" in out.getvalue()
    out = io.StringIO()
    call_command("import_criteria_set", str(SET_FILE), "--year", "2023", stdout=out)
    assert "0 đã tạo, 0 đã cập nhật, 70 không đổi" in out.getvalue()
    bad = tmp_path / "xau.tsv"  # type: ignore[operator]
    bad.write_text(HEADER + "1\tA\t\t\n1.1.1\tB\t1\t\n", encoding="utf-8")
    with pytest.raises(CommandError, match="chưa ghi gì"):
        call_command("import_criteria_set", str(bad), "--year", "2023")


def test_the_office_imports_the_sample_set_in_the_browser(
    page: object, organization: Organization, office: User
) -> None:
    browser_login(page, "office")
    page.goto(page.base_url + reverse("tasks-import"))  # type: ignore[attr-defined]
    page.click("#criteria-set-link a")  # type: ignore[attr-defined]
    page.set_input_files("input[type=file]", str(SET_FILE))  # type: ignore[attr-defined]
    page.fill("#id_year", "2023")  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#import-rows")  # type: ignore[attr-defined]
    assert "Tiêu chí tạo mới: 70" in page.inner_text("#import-summary")  # type: ignore[attr-defined]
    page.click("text=Xác nhận nhập")  # type: ignore[attr-defined]
    page.wait_for_load_state("domcontentloaded")  # type: ignore[attr-defined]
    assert Criterion.objects.filter(plan__organization=organization).count() == 70


def test_a_column_marking_survey_criteria_is_read(
    organization_only: Organization,
) -> None:
    text = (
        "STT\tTiêu chí\tĐiểm tối đa\tĐiều tra XHH\n"
        "1\tA\t\t\n1.1\tB\t1\t\n1.2\tC\t2\tx\n1.3\tD\t0,5\t0,5\n"
    )
    plan = run(organization_only, text).plan  # type: ignore[attr-defined]
    methods = {code: row[2] for code, row in tree(plan).items()}
    assert methods == {
        "1": "appraised",
        "1.1": "appraised",
        "1.2": "survey",
        "1.3": "survey",
    }
    wrong = text.replace("1.3\tD\t0,5\t0,5", "1.3\tD\t0,5\t0,25")
    assert "Dòng 5, cột “Điều tra XHH”: điểm 0,25 khác điểm tối đa 0,5 của dòng." in (
        refused(organization_only, wrong)
    )


@pytest.mark.parametrize(
    ("text", "maximum", "proposed"),
    [
        ("Đạt: 1; Không đạt: 0", "1", ("pass_fail", "")),
        ("Đạt: 0,5; Không đạt: 0", "1", ("options", "Đạt: 0,5; Không đạt: 0")),
        (
            "- Trên 90%: 2 điểm\n- Từ 70% đến 90%: 1 điểm\n- Dưới 70%: 0 điểm",
            "2",
            ("steps", "Trên 90%: 2; Từ 70% đến 90%: 1; Dưới 70%: 0"),
        ),
        ("4: 0,5; 3: 0,375; 2: 0,25", "0.5", ("ladder", "4: 0,5; 3: 0,375; 2: 0,25")),
        (
            "Hoàn thành tốt: 75% số điểm; Hoàn thành: 50% số điểm",
            "2",
            ("options", "Hoàn thành tốt: 75% số điểm; Hoàn thành: 50% số điểm"),
        ),
        ("Trừ 0,25 điểm mỗi văn bản trễ hạn", "1", ("deduction", "0.250")),
        ("0,5 điểm mỗi quy chế, tối đa 2 điểm", "2", ("per_item", "0.500/2.000")),
        (
            "Tỷ lệ văn bản điện tử × điểm tối đa; đạt tối đa từ 90%",
            "2",
            ("ratio", "90.000"),
        ),
        ("Kịp thời: 3; Không kịp thời: 0", "1", None),  # above the maximum
        ("Có đủ hồ sơ: 1 điểm. Không đủ: 0 điểm", "1", None),  # prose
        ("Theo mức độ hoàn thành", "1", None),
    ],
)
def test_a_rule_is_proposed_only_where_the_text_is_one_the_rules_read(
    text: str, maximum: str, proposed: tuple[str, str] | None
) -> None:
    from criteria.criteria_set.rules import rule_propose

    rule = rule_propose(text, D(maximum))
    if proposed is None:
        assert rule is None
        return
    assert rule is not None
    detail = rule.levels
    if rule.per_failure is not None:
        detail = str(rule.per_failure)
    if rule.per_item is not None:
        detail = f"{rule.per_item}/{rule.cap}"
    if rule.full_at is not None:
        detail = f"{rule.full_at:f}"
    assert (rule.kind, detail) == proposed


def test_the_scoring_text_shows_on_the_criterion_and_scoring_pages(
    organization: Organization, office: User
) -> None:
    plan = full_set(organization)
    c = Criterion.objects.get(plan=plan, code="1.5.2")
    client = client_for(office)
    for url in (
        c.get_absolute_url(),
        reverse("criteria-scoring", args=[c.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Hướng dẫn chấm điểm (bộ tiêu chí)" in page
        assert "có báo cáo chậm so với yêu cầu thì không có điểm" in page


def test_the_set_after_the_appendix_keeps_its_baseline_target_and_tasks(
    seed_plan: Plan,
) -> None:
    before = {
        c.code: (c.pk, c.baseline_score, c.target_score, c.tasks.count())
        for c in Criterion.objects.filter(plan=seed_plan)
    }
    report = criteria_set_import(
        organization=seed_plan.organization,
        year=2023,
        data=SET_FILE.read_bytes(),
        filename=SET_FILE.name,
    )
    assert report.plan == seed_plan
    assert (len(report.created), len(report.updated)) == (70 - 24, 13)
    assert {c.field for c in report.changes} == {"Cách chấm điểm"}  # the text only
    after = {
        c.code: (c.pk, c.baseline_score, c.target_score, c.tasks.count())
        for c in Criterion.objects.filter(plan=seed_plan, code__in=before)
    }
    assert after == before
    figures = plan_figures(plan=seed_plan)
    assert (figures.totals.baseline, figures.totals.target) == (D("1.65"), D("15"))
    assert figures.totals.max_score == D("99")


def test_formulas_are_read_by_their_saved_result_and_refused_where_text_is_expected(
    organization_only: Organization,
) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Tiêu chí", "Điểm tối đa"])
    ws.append(["1", "A", "=SUM(C3:C4)"])
    ws.append(["1.1", "B", 1])
    ws.append(["1.2", '=HYPERLINK("http://x","C")', 1])
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl saves no results: the maximum's formula is uncomputed
    with pytest.raises(TableImportError) as caught:
        criteria_set_import(
            organization=organization_only,
            year=2023,
            data=buffer.getvalue(),
            filename="bo.xlsx",
        )
    assert [str(p) for p in caught.value.problems] == [
        "Dòng 2, cột “Điểm tối đa”: ô có công thức nhưng tệp không lưu kết quả tính; "
        "hãy mở tệp bằng Excel, lưu lại rồi nhập lại.",
        'Dòng 4, cột “Tiêu chí”: ô chứa công thức “=HYPERLINK("http://x","C")”; '
        "cột này chỉ nhận chữ. Hãy dán lại dạng giá trị (Paste Special → Values) rồi "
        "nhập lại.",
    ]
