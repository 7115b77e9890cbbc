"""Ranking tables as provinces publish them (reports/ranking_read.py, the projection in
reports/figures.py): each layout is built here, and the expected index, baseline rank,
rank after a score change and points needed for +2 places are computed in the test
from the rule of domain.md, not by the code under test."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from criteria.models import Plan
from parplan.tables import TableImportError
from reports.figures import plan_figures
from reports.models import PeerRank
from reports.ranking import ranking_import

D = Decimal
ORG_ROW = "Sở Khoa học và Công nghệ"


# The rule, written again for the tests --------------------------------------------


def index_after(base: Decimal, change: Decimal, maximum: Decimal) -> Decimal:
    value = (base + change * 100 / maximum).quantize(D("0.001"), ROUND_HALF_UP)
    return min(max(value, D(0)), D(100))


def rank_in(index: Decimal, peers: list[Decimal], winners: list[Decimal] = ()) -> int:
    """1 + peers strictly above; a published tie-break counts those at an equal index."""
    return 1 + sum(p > index for p in peers) + sum(w == index for w in winners)


def points_needed(
    base: Decimal,
    rank: int,
    peers: list[Decimal],
    maximum: Decimal,
    winners: list[Decimal] = (),
) -> Decimal:
    change = D(0)
    while rank_in(index_after(base, change, maximum), peers, winners) > rank - 2:
        change += D("0.01")
    return change


def xlsx(rows: list[list[object]], percent_column: int | None = None) -> bytes:
    """A workbook whose ``percent_column`` number cells are formatted 0.00%; a row
    of one text is a title merged over the first columns."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    width = max(len(r) for r in rows)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(number, column, value)
            if column == percent_column and isinstance(value, float):
                cell.number_format = "0.00%"
        if len(row) == 1:
            sheet.merge_cells(
                start_row=number, start_column=1, end_row=number, end_column=width
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Maxima per unit, index as a formatted fraction, blocks, no rank -------------------

DEPARTMENTS = [  # name, maximum, appraised score
    ("Sở Tư pháp", "100", "92.5"),
    ("Sở Nội vụ", "100", "90.02"),
    ("Sở Tài chính", "96.5", "88"),
    (ORG_ROW, "96.5", "84.37"),
    ("Sở Y tế", "100", "86.1"),
    ("Ban Dân tộc", "71.5", "60"),
    ("Sở Xây dựng", "100", "89"),
]
DISTRICTS = [
    ("UBND huyện Cư Jút", "100", "95"),
    ("UBND huyện Krông Nô", "100", "88.5"),
    ("UBND thành phố Gia Nghĩa", "100", "91"),
]


def shown_percent(score: str, maximum: str) -> Decimal:
    """The index as the sheet shows it: the fraction formatted 0.00%."""
    return (D(score) / D(maximum) * 100).quantize(D("0.01"), ROUND_HALF_UP)


def maxima_table() -> bytes:
    header = ["STT", "TÊN CƠ QUAN", "Điểm tối đa", "Điểm thẩm định", "Tỷ lệ đạt"]
    rows: list[list[object]] = [
        ["KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2022 (bảng thử)"],
        [],
        [*header, "Xếp loại"],
    ]
    for title, units in (
        ("I. Các sở, ban, ngành", DEPARTMENTS),
        ("II. UBND huyện, thị xã, thành phố", DISTRICTS),
    ):
        rows.append([title])
        for number, (name, maximum, score) in enumerate(units, start=1):
            fraction = float(D(score) / D(maximum))
            band = "Tốt" if fraction >= 0.9 else "Khá"
            rows.append([number, name, float(maximum), float(score), fraction, band])
    return xlsx(rows, percent_column=5)


def test_a_table_of_maxima_scores_and_formatted_rates_is_read_by_meaning(
    seed_plan: Plan,
) -> None:
    report = ranking_import(
        year=2022,
        data=maxima_table(),
        filename="xh.xlsx",
        organization=seed_plan.organization,
    )
    roles = {c.label: c.role for c in report.columns}
    assert roles == {
        "STT": "position",
        "TÊN CƠ QUAN": "name",
        "Điểm tối đa": "max_score",
        "Điểm thẩm định": "score",
        "Tỷ lệ đạt": "index",
        "Xếp loại": "band",
    }
    own = PeerRank.objects.get(organization=seed_plan.organization)
    assert (own.max_score, own.score, own.index) == (D("96.5"), D("84.37"), D("87.43"))
    assert own.block == "I. Các sở, ban, ngành"
    assert report.blocks == [
        "I. Các sở, ban, ngành",
        "II. UBND huyện, thị xã, thành phố",
    ]

    peers = [shown_percent(s, m) for n, m, s in DEPARTMENTS if n != ORG_ROW]
    base = shown_percent("84.37", "96.5")
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_index == base == D("87.43")
    assert figures.baseline_rank == rank_in(base, peers) == 5
    assert figures.peer_count == len(DEPARTMENTS)  # the districts are not peers
    assert (figures.block, figures.scale) == ("I. Các sở, ban, ngành", D("96.5"))
    target = figures.scenarios["target"]
    change = figures.totals.target - figures.totals.baseline
    assert target.index == index_after(base, change, D("96.5"))
    assert target.rank == rank_in(target.index, peers)
    assert figures.points_needed == points_needed(base, 5, peers, D("96.5"))
    assert figures.points_needed == D("2.50")


def test_the_units_of_another_block_are_ranked_apart(seed_plan: Plan) -> None:
    ranking_import(
        year=2022,
        data=maxima_table(),
        filename="xh.xlsx",
        organization=seed_plan.organization,
    )
    ranks = dict(PeerRank.objects.values_list("name", "rank"))
    # Computed within each block: the best district is 1st of its own block.
    assert ranks["UBND huyện Cư Jút"] == 1
    assert ranks["Sở Tư pháp"] == 1
    assert ranks[ORG_ROW] == 5
    assert PeerRank.objects.filter(rank_computed=True).count() == 10


# Percentages in every form -----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "cell"),
    [("Chỉ số (%)", "96,85"), ("Chỉ số", "96,85%"), ("Tỷ lệ đạt (%)", "96,85 %")],
)
def test_a_percentage_typed_as_text_reads_as_the_percent(
    seed_plan: Plan, header: str, cell: str
) -> None:
    data = f"STT;Tên đơn vị;{header}\n1;{ORG_ROW};{cell}\n2;Sở Y tế;90\n"
    report = ranking_import(year=2022, data=data.encode(), filename="xh.csv")
    assert [r.index for r in report.rows] == [D("96.85"), D("90")]


def test_a_fraction_formatted_as_a_percentage_reads_as_shown(seed_plan: Plan) -> None:
    data = xlsx(
        [
            ["STT", "Tên đơn vị", "Chỉ số"],
            [1, ORG_ROW, 0.9685],
            [2, "Sở Y tế", 0.874285],
        ],
        percent_column=3,
    )
    report = ranking_import(year=2022, data=data, filename="xh.xlsx")
    assert [r.index for r in report.rows] == [D("96.85"), D("87.43")]


def test_fractions_that_are_not_formatted_as_percentages_are_refused(
    seed_plan: Plan,
) -> None:
    data = xlsx([["STT", "Tên đơn vị", "Chỉ số"], [1, ORG_ROW, 0.9685], [2, "B", 0.9]])
    with pytest.raises(TableImportError) as caught:
        ranking_import(year=2022, data=data, filename="xh.xlsx")
    assert "tỷ lệ dạng thập phân" in str(caught.value)
    assert not PeerRank.objects.exists()


# Groups with their own header, merged titles, ranks restarting -----------------------

GROUPS = [
    (
        "Khối cơ quan Trung ương",
        [("Cục Thuế tỉnh", "95.1"), ("Kho bạc Nhà nước", "93")],
    ),
    (
        "Khối sở, ban, ngành",
        [("Sở A", "91"), ("Sở B", "89.5"), (ORG_ROW, "88.2"), ("Sở C", "85")],
    ),
    ("Khối UBND cấp huyện", [("Huyện X", "94"), ("Huyện Y", "80")]),
]


def groups_table() -> bytes:
    header = [
        "Thứ tự xếp hạng",
        "Tên cơ quan, đơn vị",
        "Tổng điểm",
        "Điểm đánh giá trực tiếp",
        "Điểm điều tra XHH",
    ]
    rows: list[list[object]] = [["BẢNG XẾP HẠNG (thử)"]]
    for title, units in GROUPS:
        rows += [[title], header]
        for rank, (name, total) in enumerate(units, start=1):
            survey = D("30")
            rows.append([rank, name, float(total), float(D(total) - survey), 30.0])
    return xlsx(rows)


def test_a_table_in_groups_ranks_each_group_on_its_own(seed_plan: Plan) -> None:
    report = ranking_import(
        year=2022,
        data=groups_table(),
        filename="xh.xlsx",
        organization=seed_plan.organization,
    )
    assert report.own_block == "Khối sở, ban, ngành"
    assert (report.own_rank, report.own_rank_computed) == (3, 3)
    own = PeerRank.objects.get(organization=seed_plan.organization)
    assert (own.score, own.direct_score, own.survey_score) == (
        D("88.2"),
        D("58.2"),
        D("30"),
    )
    peers = [D(t) for n, t in GROUPS[1][1] if n != ORG_ROW]
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_rank == 3
    assert figures.scenarios["baseline"].rank == 3
    assert figures.scenarios["baseline"].places_gained == 0
    assert figures.peer_count == 4
    # Sở A was above at a higher index: reaching 91 exactly shares its rank.
    assert figures.points_needed == points_needed(D("88.2"), 3, peers, D(100))
    assert figures.points_needed == D("2.80")


# Ties -------------------------------------------------------------------------------


def test_a_computed_rank_is_never_a_tie_break(seed_plan: Plan) -> None:
    data = (
        "Tên đơn vị;Chỉ số (%)\n"
        "Sở A;90,5\nSở B;85,99\nSở C;80,25\n"
        f"{ORG_ROW};80,25\nSở D;70\n"
    )
    ranking_import(
        year=2022,
        data=data.encode(),
        filename="xh.csv",
        organization=seed_plan.organization,
    )
    peers = [D("90.5"), D("85.99"), D("80.25"), D("70")]
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_rank == 3 == rank_in(D("80.25"), peers)
    assert figures.points_needed == points_needed(D("80.25"), 3, peers, D(100))
    assert figures.points_needed == D("10.25")


def test_a_published_tie_break_holds_between_those_two_units_only(
    seed_plan: Plan,
) -> None:
    rows = [
        ("Sở A", "95", 1),
        ("Sở B", "90.02", 2),
        (ORG_ROW, "90.02", 3),
        ("Sở C", "88", 4),
    ]
    for position, (name, index, rank) in enumerate(rows, start=1):
        PeerRank.objects.create(
            year=2022,
            name=name,
            index=D(index),
            rank=rank,
            position=position,
            organization=seed_plan.organization if name == ORG_ROW else None,
        )
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_rank == 3
    assert figures.scenarios["baseline"].rank == 3  # not +1: B keeps its tie-break
    peers = [D("95"), D("90.02"), D("88")]
    # The goal is rank 1: Sở A, above at a higher index, is shared at exactly 95.
    expected = points_needed(D("90.02"), 3, peers, D(100), winners=[D("90.02")])
    assert figures.points_needed == expected == D("4.98")


# Refused rather than guessed --------------------------------------------------------


def test_a_comma_csv_with_unquoted_decimal_commas_is_refused(seed_plan: Plan) -> None:
    data = "STT,Tên đơn vị,Chỉ số\n1,Sở Tư pháp,88,75\n2,Sở Y tế,80\n"
    with pytest.raises(TableImportError) as caught:
        ranking_import(year=2022, data=data.encode(), filename="xh.csv")
    assert "Dòng 2" in str(caught.value)
    assert "nhiều ô hơn dòng tiêu đề" in str(caught.value)


def test_an_index_that_disagrees_with_score_over_maximum_is_refused(
    seed_plan: Plan,
) -> None:
    data = "STT;Tên đơn vị;Điểm tối đa;Điểm đạt được;Chỉ số (%)\n1;Sở Y tế;96,5;84,37;84,37\n"
    with pytest.raises(TableImportError) as caught:
        ranking_import(year=2022, data=data.encode(), filename="xh.csv")
    assert "Dòng 2" in str(caught.value)
    assert "không khớp" in str(caught.value)


def test_two_candidate_score_columns_are_refused_naming_both(seed_plan: Plan) -> None:
    data = "STT;Tên đơn vị;Điểm thẩm định;Tổng điểm\n1;Sở Y tế;80;82\n"
    with pytest.raises(TableImportError) as caught:
        ranking_import(year=2022, data=data.encode(), filename="xh.csv")
    assert "“Điểm thẩm định”, “Tổng điểm”" in str(caught.value)


def test_a_table_of_ranks_only_is_refused(seed_plan: Plan) -> None:
    data = "STT;Tên đơn vị;Xếp hạng\n1;Sở Y tế;1\n"
    with pytest.raises(TableImportError, match="không dự báo được"):
        ranking_import(year=2022, data=data.encode(), filename="xh.csv")


def test_the_office_chooses_a_columns_role_and_imports_what_it_chose(
    seed_plan: Plan, office: User, client: Client
) -> None:
    client.force_login(office)
    data = (
        f"STT;Tên đơn vị;Điểm thẩm định;Tổng điểm\n1;{ORG_ROW};80;82\n2;Sở Y tế;70;75\n"
    )
    upload = io.BytesIO(data.encode())
    upload.name = "xh.csv"
    response = client.post(
        reverse("reports-ranking-import"),
        {"year": 2022, "file": upload, "self_name": "", "source": ""},
    )
    assert response.status_code == 200
    assert "đều có thể là" in response.content.decode()
    token = response.context["staged"].token
    # Read "Điểm thẩm định" as nothing: "Tổng điểm" is the score.
    response = client.post(
        reverse("reports-ranking-import-reread"), {"token": token, "role-2": ""}
    )
    assert response.status_code == 200
    assert [r.score for r in response.context["report"].rows] == [D("82"), D("75")]
    assert not PeerRank.objects.exists()  # a preview writes nothing
    token = response.context["staged"].token
    response = client.post(reverse("reports-ranking-import-confirm"), {"token": token})
    assert response.status_code == 302
    assert dict(PeerRank.objects.values_list("name", "score")) == {
        ORG_ROW: D("82"),
        "Sở Y tế": D("75"),
    }


# Three decimals where the province publishes them ------------------------------------


def test_three_decimals_are_shown_on_the_dashboard_and_in_the_json(
    seed_plan: Plan, director: User, client: Client
) -> None:
    data = f"Tên đơn vị;Chỉ số (%)\nSở A;91,5\n{ORG_ROW};89,729\nSở B;80\n"
    ranking_import(
        year=2022,
        data=data.encode(),
        filename="xh.csv",
        organization=seed_plan.organization,
    )
    out = io.StringIO()
    call_command("projection", "--year", "2023", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["baseline_index"] == "89.729"
    assert figures["block"] == ""
    assert figures["scale"] == "100.00"
    client.force_login(director)
    page = client.get(reverse("reports-dashboard")).content.decode()
    assert 'data-figure="baseline_index">89,729</a>' in page
