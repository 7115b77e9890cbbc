"""The ranking page: every role reads the year's table, the office edits or imports it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from criteria.models import Plan
from reports.models import PeerRank, table_stamp
from tests.helpers import client_for

D = Decimal
URL = "/bao-cao/xep-hang/"


@pytest.fixture
def table(seed_plan: Plan) -> list[PeerRank]:
    rows = [
        PeerRank(year=2022, name="Đơn vị thử A", index=D("90.125"), rank=1, position=1),
        PeerRank(
            year=2022,
            name=seed_plan.organization.name,
            index=D("80"),
            rank=2,
            position=2,
            organization=seed_plan.organization,
        ),
    ]
    for row in rows:
        row.save()
    return rows


def management(forms: int, initial: int, year: int = 2022) -> dict[str, str]:
    rows = PeerRank.objects.filter(year=year).order_by("position", "name")
    return {
        "stamp": table_stamp(rows),
        "rows-TOTAL_FORMS": str(forms),
        "rows-INITIAL_FORMS": str(initial),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.parametrize("who", ["office", "head_office", "director", "viewer"])
def test_every_role_reads_the_baseline_years_table(
    request: pytest.FixtureRequest, table: list[PeerRank], who: str
) -> None:
    html = client_for(request.getfixturevalue(who)).get(URL).content.decode()
    assert "Bảng xếp hạng Chỉ số CCHC năm 2022" in html
    assert "90,125" in html
    assert 'class="depth-1 own-row"' in html


def test_an_outsider_is_refused(table: list[PeerRank], outsider: User) -> None:
    assert client_for(outsider).get(URL).status_code == 403


def test_only_the_office_sees_the_edit_and_import_forms(
    table: list[PeerRank], office: User, director: User
) -> None:
    assert "Lưu bảng xếp hạng" in client_for(office).get(URL).content.decode()
    assert "Lưu bảng xếp hạng" not in client_for(director).get(URL).content.decode()


def test_a_director_cannot_post_changes(table: list[PeerRank], director: User) -> None:
    response = client_for(director).post(URL, {"action": "save", "year": "2022"})
    assert response.status_code == 403


def test_an_empty_year_says_the_table_is_never_invented(
    seed_plan: Plan, viewer: User
) -> None:
    html = client_for(viewer).get(URL).content.decode()
    assert "Chưa có bảng xếp hạng năm 2022" in html
    assert "PAR Plan không tự tạo bảng này" in html


def test_the_office_edits_the_table_and_marks_its_own_row(
    table: list[PeerRank], office: User, seed_plan: Plan
) -> None:
    a, own = table
    data = management(3, 2) | {
        "action": "save",
        "year": "2022",
        "rows-0-id": str(a.pk),
        "rows-0-position": "1",
        "rows-0-name": "Đơn vị thử A",
        "rows-0-index": "91,5",
        "rows-0-rank": "1",
        "rows-0-is_self": "on",
        "rows-1-id": str(own.pk),
        "rows-1-position": "2",
        "rows-1-name": own.name,
        "rows-1-index": "80",
        "rows-1-rank": "3",
        "rows-2-name": "Đơn vị thử B",
        "rows-2-score": "85,25",
        "rows-2-rank": "2",
    }
    response = client_for(office).post(URL, data)
    assert response.status_code == 302
    a.refresh_from_db()
    own.refresh_from_db()
    assert a.index == D("91.5") and a.organization == seed_plan.organization
    assert own.organization is None and own.rank == 3
    # The new row goes by its index (85,25 %), between 91,5 and 80.
    b = PeerRank.objects.get(name="Đơn vị thử B")
    assert (b.year, b.score, b.position, b.rank) == (2022, D("85.25"), 2, 2)
    own.refresh_from_db()
    assert own.position == 3


def test_two_rows_marked_as_the_organization_are_refused(
    table: list[PeerRank], office: User
) -> None:
    a, own = table
    data = management(2, 2) | {
        "action": "save",
        "year": "2022",
        "rows-0-id": str(a.pk),
        "rows-0-position": "1",
        "rows-0-name": a.name,
        "rows-0-index": "90",
        "rows-0-is_self": "on",
        "rows-1-id": str(own.pk),
        "rows-1-position": "2",
        "rows-1-name": own.name,
        "rows-1-index": "x",
        "rows-1-is_self": "on",
    }
    response = client_for(office).post(URL, data)
    assert response.status_code == 200
    assert "không phải là số" in response.content.decode()
    data["rows-1-index"] = "80"
    response = client_for(office).post(URL, data)
    assert "Chỉ một dòng được đánh dấu là cơ quan." in response.content.decode()
    a.refresh_from_db()
    assert a.index == D("90.125")


def test_a_stale_table_form_is_refused_and_nothing_is_overwritten(
    table: list[PeerRank], office: User
) -> None:
    stale = management(2, 2)
    PeerRank.objects.filter(pk=table[0].pk).update(index=D("91"))  # another save
    data = {
        **stale,
        **{
            f"rows-{i}-{k}": v
            for i, row in enumerate(table)
            for k, v in {
                "id": row.pk,
                "position": row.position,
                "name": row.name,
                "index": "50",
                "rank": row.rank or "",
            }.items()
        },
    }
    response = client_for(office).post(URL, data)
    assert response.status_code == 409
    assert "đã được người khác sửa" in response.content.decode()
    assert PeerRank.objects.get(pk=table[0].pk).index == D("91")
    assert PeerRank.objects.get(pk=table[1].pk).index == D("80")


def test_a_score_above_the_full_scale_is_refused(
    table: list[PeerRank], office: User
) -> None:
    data = management(3, 2)
    for i, row in enumerate(table):
        data.update(
            {
                f"rows-{i}-id": row.pk,
                f"rows-{i}-position": row.position,
                f"rows-{i}-name": row.name,
                f"rows-{i}-index": str(row.index).replace(".", ","),
            }
        )
    data.update({"rows-2-name": "Đơn vị mới", "rows-2-score": "120"})
    response = client_for(office).post(URL, data)
    assert "Điểm 120 vượt thang điểm 100" in response.content.decode()
    assert not PeerRank.objects.filter(name="Đơn vị mới").exists()


def _table_data(table: list[PeerRank], forms: int) -> dict[str, object]:
    data: dict[str, object] = management(forms, len(table)) | {"year": "2022"}
    for i, row in enumerate(table):
        data.update(
            {
                f"rows-{i}-id": row.pk,
                f"rows-{i}-position": row.position,
                f"rows-{i}-name": row.name,
                f"rows-{i}-index": str(row.index).replace(".", ","),
                f"rows-{i}-rank": row.rank or "",
            }
        )
    return data


def test_blank_rows_of_the_editor_are_blank(
    table: list[PeerRank], office: User
) -> None:
    html = client_for(office).get(URL).content.decode()
    assert 'name="rows-2-position" class="short"' in html
    assert 'name="rows-2-position" value="0"' not in html
    assert 'name="rows-1-position" value="2"' in html


def test_a_new_row_without_a_rank_is_placed_and_ranked_by_its_index(
    table: list[PeerRank], office: User
) -> None:
    data = _table_data(table, 3) | {"rows-2-name": "Đơn vị mới", "rows-2-index": "95"}
    response = client_for(office).post(URL, data)
    assert response.status_code == 302
    new = PeerRank.objects.get(name="Đơn vị mới")
    assert (new.position, new.rank, new.rank_computed) == (1, 1, True)
    # The published ranks of the other rows are kept as typed.
    ranks = list(
        PeerRank.objects.filter(year=2022)
        .order_by("position")
        .values_list("name", "rank", "rank_computed")
    )
    assert ranks[1:] == [("Đơn vị thử A", 1, False), (table[1].name, 2, False)]
    html = client_for(office).get(URL).content.decode()
    assert html.index("Đơn vị mới") < html.index("Đơn vị thử A")


def test_a_new_row_at_an_equal_index_shares_the_computed_rank(
    table: list[PeerRank], office: User
) -> None:
    data = _table_data(table, 3) | {"rows-2-name": "Đơn vị mới", "rows-2-index": "80"}
    assert client_for(office).post(URL, data).status_code == 302
    new = PeerRank.objects.get(name="Đơn vị mới")
    # 80 % like the organization (rank 2): equal indices share, never a tie-break.
    assert (new.position, new.rank, new.rank_computed) == (3, 2, True)


def test_a_refused_save_lists_the_rows_with_errors_at_the_top(
    table: list[PeerRank], office: User
) -> None:
    data = _table_data(table, 3) | {
        "rows-1-index": "x",
        "rows-2-name": "Đơn vị mới",
        "rows-2-score": "120",
    }
    response = client_for(office).post(URL, data)
    html = response.content.decode()
    summary = html.split('id="ranking-errors"')[1].split("</section>")[0]
    assert "2 dòng có lỗi" in summary
    assert 'href="#edit-row-2"' in summary and 'href="#edit-row-3"' in summary
    assert "Điểm 120 vượt thang điểm 100" in summary
    assert html.index('id="ranking-errors"') < html.index('id="ranking-table"')
    assert not PeerRank.objects.filter(name="Đơn vị mới").exists()
