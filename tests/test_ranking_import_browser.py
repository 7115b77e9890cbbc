"""The ranking table imported in the browser: a preview, then a confirmation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from criteria.models import Organization, Plan
from demo.setup import RANKING_DEMO_FILE, RANKING_DEMO_SELF
from parplan.roles import Role
from parplan.uploads import SESSION_PREFIX, staging_dir
from reports import ranking
from reports.models import PeerRank
from tasks.models import Unit
from tests.helpers import FIXTURES, ORG_NAME, client_for, make_user

D = Decimal
IMPORT = "reports-ranking-import"
CONFIRM = "reports-ranking-import-confirm"
CANCEL = "reports-ranking-import-cancel"

GOOD = (
    "STT;Tên đơn vị;Chỉ số (%);Xếp hạng;Xếp loại\n"
    "1;Đơn vị thử A;90,125;1;\n"
    f"2;{ORG_NAME};85,123;;Tốt\n"
    "3;Đơn vị thử C;70;;\n"
)


@pytest.fixture(autouse=True)
def _staging_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")


@pytest.fixture
def table(seed_plan: Plan) -> list[PeerRank]:
    rows = [
        PeerRank(year=2022, name="Đơn vị thử A", index=D("90.125"), rank=1, position=1),
        PeerRank(
            year=2022,
            name=ORG_NAME,
            index=D("80"),
            rank=2,
            position=2,
            organization=seed_plan.organization,
        ),
        PeerRank(year=2022, name="Đơn vị thử B", index=D("75.5"), rank=3, position=3),
    ]
    for row in rows:
        row.save()
    return rows


def table_state() -> list[tuple[object, ...]]:
    return list(
        PeerRank.objects.order_by("year", "position").values_list(
            "year",
            "name",
            "score",
            "index",
            "rank",
            "band",
            "organization_id",
            "source",
        )
    )


def upload(
    client: Client, text: str = GOOD, name: str = "xh.csv", **extra: str
) -> object:
    data = {"year": "2022", "file": SimpleUploadedFile(name, text.encode())} | extra
    return client.post(reverse(IMPORT), data)


def token_of(client: Client) -> str:
    return client.session[SESSION_PREFIX + "ranking"]["token"]


def staged_files() -> list[Path]:
    return list(staging_dir().glob("*.upload"))


# Rights -------------------------------------------------------------------------------


def test_the_ranking_page_offers_the_office_an_upload_that_goes_to_the_preview(
    table: list[PeerRank], office: User
) -> None:
    html = client_for(office).get("/bao-cao/xep-hang/?year=2022").content.decode()
    assert f'action="{reverse(IMPORT)}"' in html
    assert 'type="file"' in html
    assert "Xem trước" in html


def test_office_staff_see_the_import_page(office: User) -> None:
    response = client_for(office).get(reverse(IMPORT) + "?year=2022")
    assert response.status_code == 200
    assert "Nhập bảng xếp hạng" in response.content.decode()
    assert response.context["form"].initial["year"] == 2022


@pytest.mark.parametrize(
    "who", ["viewer", "director", "head_office", "head_center", "outsider"]
)
def test_only_office_staff_may_import_a_ranking(
    request: pytest.FixtureRequest, table: list[PeerRank], who: str
) -> None:
    client = client_for(request.getfixturevalue(who))
    before = table_state()
    assert client.get(reverse(IMPORT)).status_code == 403
    assert upload(client).status_code == 403
    assert SESSION_PREFIX + "ranking" not in client.session
    assert client.post(reverse(CONFIRM), {"token": "x"}).status_code == 403
    assert client.post(reverse(CANCEL)).status_code == 403
    assert table_state() == before
    assert staged_files() == []


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
    table: list[PeerRank],
) -> None:
    for name in (IMPORT, CONFIRM, CANCEL):
        response = Client().post(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_upload_is_protected_against_cross_site_requests(
    table: list[PeerRank], office: User
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    assert upload(client).status_code == 403
    assert SESSION_PREFIX + "ranking" not in client.session


# Preview, confirm, cancel -------------------------------------------------------------


def test_the_preview_shows_the_table_as_read_and_what_it_replaces_and_writes_nothing(
    table: list[PeerRank], office: User
) -> None:
    client = client_for(office)
    before = table_state()
    response = upload(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xem trước bảng xếp hạng" in html
    assert "Đơn vị trong tệp: 3" in html
    assert "Bảng hiện có của năm này: 3 đơn vị, sẽ được thay thế toàn bộ." in html
    assert "Đơn vị thêm mới: 1" in html
    assert "Đơn vị thay đổi: 1" in html
    assert "Đơn vị không đổi: 1" in html
    assert "Đơn vị bị bỏ khỏi bảng: 1" in html
    assert "85,123" in html and "85.123" not in html
    assert "90,125" in html
    assert f"Dòng của cơ quan: {ORG_NAME}" in html
    outcomes = {c.row.name: c for c in response.context["changes"].rows}
    assert outcomes["Đơn vị thử A"].outcome == "unchanged"
    assert outcomes[ORG_NAME].outcome == "changed"
    assert outcomes[ORG_NAME].fields == ["Chỉ số (%)", "Xếp loại"]
    assert outcomes["Đơn vị thử C"].outcome == "added"
    assert [r.name for r in response.context["changes"].removed] == ["Đơn vị thử B"]
    removed = html[html.index('id="removed-rows"') :]
    assert "Đơn vị thử B" in removed
    # Ranks the file leaves empty are computed and marked so.
    assert html.count('class="badge muted computed-rank"') == 2
    own_row = html[html.index('class="outcome-changed depth-1 own-row"') :]
    assert own_row.index(ORG_NAME) < own_row.index("</tr>")
    assert "Xác nhận nhập" in html and "Hủy" in html
    assert table_state() == before
    assert len(staged_files()) == 1


def test_confirming_writes_exactly_the_previewed_table(
    table: list[PeerRank], office: User, seed_plan: Plan
) -> None:
    client = client_for(office)
    upload(client, source="251/QĐ-UBND ngày 01/3/2023")
    token = token_of(client)
    response = client.post(reverse(CONFIRM), {"token": token}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/bao-cao/xep-hang/?year=2022"
    assert "Đã nhập 3 đơn vị vào bảng xếp hạng năm 2022." in html
    assert table_state() == [
        (
            2022,
            "Đơn vị thử A",
            None,
            D("90.125"),
            1,
            "",
            None,
            "251/QĐ-UBND ngày 01/3/2023",
        ),
        (
            2022,
            ORG_NAME,
            None,
            D("85.123"),
            2,
            "Tốt",
            seed_plan.organization.pk,
            "251/QĐ-UBND ngày 01/3/2023",
        ),
        (
            2022,
            "Đơn vị thử C",
            None,
            D("70"),
            3,
            "",
            None,
            "251/QĐ-UBND ngày 01/3/2023",
        ),
    ]
    assert staged_files() == []
    assert SESSION_PREFIX + "ranking" not in client.session


def test_a_preview_can_be_confirmed_only_once(
    table: list[PeerRank], office: User
) -> None:
    client = client_for(office)
    upload(client)
    token = token_of(client)
    client.post(reverse(CONFIRM), {"token": token})
    PeerRank.objects.filter(name="Đơn vị thử C").update(index=D("71"))
    before = table_state()
    response = client.post(reverse(CONFIRM), {"token": token}, follow=True)
    assert "Bản xem trước không còn hoặc đã được dùng" in response.content.decode()
    assert table_state() == before


def test_cancelling_discards_the_file_and_writes_nothing(
    table: list[PeerRank], office: User
) -> None:
    client = client_for(office)
    before = table_state()
    upload(client)
    token = token_of(client)
    response = client.post(reverse(CANCEL), {"year": "2022"}, follow=True)
    assert response.redirect_chain[-1][0] == "/bao-cao/xep-hang/?year=2022"
    assert "Đã hủy nhập; không có gì được ghi." in response.content.decode()
    assert staged_files() == []
    response = client.post(reverse(CONFIRM), {"token": token}, follow=True)
    assert "Bản xem trước không còn hoặc đã được dùng" in response.content.decode()
    assert table_state() == before


def test_a_file_changed_after_the_preview_is_refused(
    table: list[PeerRank], office: User
) -> None:
    client = client_for(office)
    before = table_state()
    upload(client)
    token = token_of(client)
    (staging_dir() / f"{token}.upload").write_bytes(
        "Tên đơn vị;Chỉ số (%)\nĐơn vị lạ;99\n".encode()
    )
    response = client.post(reverse(CONFIRM), {"token": token}, follow=True)
    assert "Tệp đã thay đổi kể từ khi xem trước" in response.content.decode()
    assert table_state() == before


def test_another_users_preview_cannot_be_confirmed(
    table: list[PeerRank], office: User
) -> None:
    first = client_for(office)
    upload(first)
    token = token_of(first)
    other = client_for(make_user("office2", Role.OFFICE))
    before = table_state()
    response = other.post(reverse(CONFIRM), {"token": token}, follow=True)
    assert "Bản xem trước không còn" in response.content.decode()
    assert table_state() == before
    # The owner still may.
    first.post(reverse(CONFIRM), {"token": token})
    assert PeerRank.objects.filter(name="Đơn vị thử C").exists()


def test_a_session_given_to_another_user_cannot_confirm(
    table: list[PeerRank], office: User
) -> None:
    client = client_for(office)
    upload(client)
    token = token_of(client)
    session = client.session
    session[SESSION_PREFIX + "ranking"]["user_id"] = office.pk + 1000
    session.save()
    before = table_state()
    response = client.post(reverse(CONFIRM), {"token": token}, follow=True)
    assert "Bản xem trước này không phải của bạn." in response.content.decode()
    assert table_state() == before


def test_a_bad_file_shows_each_problem_with_row_and_column_and_writes_nothing(
    table: list[PeerRank], office: User
) -> None:
    client = client_for(office)
    before = table_state()
    text = (
        "Tên đơn vị;Chỉ số (%);Xếp hạng\n"
        "Đơn vị X;abc;1\n"
        "Đơn vị Y;120;2\n"
        "Đơn vị X;80;hai\n"
    )
    response = upload(client, text, "sai.csv")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tệp “sai.csv” có 5 lỗi; chưa ghi gì: bảng xếp hạng giữ nguyên." in html
    problems = [(p.row, p.column, p.message) for p in response.context["problems"]]
    assert problems == [
        (2, "Chỉ số (%)", "“abc” không phải là số."),
        (2, "Chỉ số (%)", "thiếu điểm hoặc chỉ số của đơn vị."),
        (3, "Chỉ số (%)", "120 vượt quá 100."),
        (4, "Xếp hạng", "“hai” không phải là thứ hạng (số nguyên dương)."),
        (4, "Tên đơn vị", "đơn vị “Đơn vị X” trùng với dòng 2."),
    ]
    assert '<td data-label="Lý do">120 vượt quá 100.</td>' in html
    assert "Xác nhận nhập" not in html
    assert table_state() == before
    assert SESSION_PREFIX + "ranking" not in client.session
    assert staged_files() == []


def test_a_file_without_a_ranking_header_is_explained(
    table: list[PeerRank], office: User
) -> None:
    response = upload(client_for(office), "a;b\n1;2\n", "khac.csv")
    assert "Không tìm thấy dòng tiêu đề của bảng xếp hạng trong “khac.csv”" in (
        response.content.decode()
    )
    assert len(table_state()) == 3


def test_a_failure_at_confirmation_writes_nothing(
    table: list[PeerRank], office: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(office)
    upload(client)
    token = token_of(client)
    rows_insert = ranking._rows_insert

    def concurrent_import(rows: list[tuple[ranking._Value, ...]]) -> None:
        # Another office user's import of the same year commits first.
        PeerRank.objects.create(year=2022, name=str(rows[-1][1]), index=D("1"))
        rows_insert(rows)

    monkeypatch.setattr(ranking, "_rows_insert", concurrent_import)
    before = table_state()
    response = client.post(reverse(CONFIRM), {"token": token})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Không nhập được “xh.csv”. Chưa ghi gì: bảng xếp hạng giữ nguyên." in html
    assert "Bảng xếp hạng năm 2022 vừa được thay đổi cùng lúc" in html
    assert table_state() == before
    assert staged_files() == []
    assert SESSION_PREFIX + "ranking" not in client.session


def test_an_upload_over_the_limit_is_refused(
    table: list[PeerRank], office: User, settings: object
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client = client_for(office)
    response = upload(client, "x" * (2 * 1024 * 1024), "lon.csv")
    assert response.status_code == 413
    assert "Tệp lớn hơn giới hạn 1 MB." in response.content.decode()
    response = upload(client, "x" * (1024 * 1024 + 10), "lon.csv")
    assert response.status_code == 400
    assert "Tệp lớn hơn giới hạn 1 MB." in response.content.decode()
    assert len(table_state()) == 3
    assert staged_files() == []


def test_a_new_years_table_is_created_only_on_confirmation(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    response = upload(client, GOOD, year="2024")
    assert "Bảng hiện có của năm này: 0 đơn vị" in response.content.decode()
    assert "Đơn vị thêm mới: 3" in response.content.decode()
    assert not PeerRank.objects.exists()
    client.post(reverse(CONFIRM), {"token": token_of(client)})
    assert PeerRank.objects.filter(year=2024).count() == 3


def test_the_rows_organization_is_the_uploaders_own_among_several(
    seed_plan: Plan,
) -> None:
    """Two departments start from 2022: the office of the second one imports the
    table, and it is its own organization whose row the import looks for."""
    other = Organization.objects.create(name="Sở Tư pháp tỉnh Đắk Nông")
    office_unit = Unit.objects.create(
        organization=other, name="Văn phòng Sở Tư pháp", is_office=True
    )
    Plan.objects.create(
        organization=other, year=2023, baseline_year=2022, title="Kế hoạch STP"
    )
    Plan.objects.create(  # the first department's newer plan from 2022
        organization=seed_plan.organization,
        year=2024,
        baseline_year=2022,
        title="Kế hoạch 2024",
    )
    client = client_for(make_user("office_b", Role.OFFICE, office_unit))
    upload(client, GOOD.replace(ORG_NAME, other.name))
    staged = client.session[SESSION_PREFIX + "ranking"]
    assert staged["meta"]["organization"] == other.pk


# Our own row ------------------------------------------------------------------------

WITHOUT_US = (
    "STT;Tên đơn vị;Chỉ số (%);Xếp hạng;Xếp loại\n"
    "1;Đơn vị thử A;90,125;1;\n"
    "2;Sở KH&CN;85,123;2;Tốt\n"
)


def test_a_preview_without_our_row_cannot_be_confirmed_and_says_why(
    table: list[PeerRank], office: User
) -> None:
    client = client_for(office)
    html = upload(client, WITHOUT_US).content.decode()
    refused = html.split('id="confirm-refused"')[1].split("</p>")[0]
    assert f"không nhận ra dòng của “{ORG_NAME}”" in refused
    assert 'disabled aria-describedby="confirm-refused"' in html
    # The page names its own field, not the command line's option.
    assert "--self" not in html
    assert "Tên đơn vị của cơ quan trong bảng" in html
    # Posting the confirmation anyway writes nothing.
    before = table_state()
    response = client.post(reverse(CONFIRM), {"token": token_of(client)})
    assert response.status_code == 409
    assert table_state() == before


def test_a_preview_without_our_row_says_so_once_as_the_refusal(
    table: list[PeerRank], office: User
) -> None:
    html = upload(client_for(office), WITHOUT_US).content.decode()
    assert html.count("nhận ra dòng của") == 1
    assert html.count('id="confirm-refused"') == 1
    assert "message-warning" not in html


def test_choosing_our_row_in_the_preview_reads_the_file_again_and_allows_confirm(
    table: list[PeerRank], office: User, seed_plan: Plan
) -> None:
    client = client_for(office)
    upload(client, WITHOUT_US)
    response = client.post(
        reverse("reports-ranking-import-reread"),
        {"token": token_of(client), "self_name": "Sở KH&CN"},
    )
    html = response.content.decode()
    assert 'id="confirm-refused"' not in html
    assert "Dòng của cơ quan: Sở KH&amp;CN" in html
    client.post(reverse(CONFIRM), {"token": token_of(client)})
    own = PeerRank.objects.get(year=2022, organization=seed_plan.organization)
    assert own.name == "Sở KH&CN"


def test_an_unknown_name_typed_in_the_upload_names_the_pages_field(
    table: list[PeerRank], office: User
) -> None:
    html = upload(client_for(office), GOOD, self_name="Không có").content.decode()
    assert "Không có đơn vị “Không có”" in html
    assert "Tên đơn vị của cơ quan trong bảng" in html
    assert "--self" not in html


def test_the_demos_own_ranking_file_finds_the_demo_organizations_row(
    seed_plan: Plan, office: User
) -> None:
    data = (FIXTURES / RANKING_DEMO_FILE).read_text(encoding="utf-8")
    html = upload(client_for(office), data, name=RANKING_DEMO_FILE).content.decode()
    assert f"Dòng của cơ quan: {RANKING_DEMO_SELF}" in html
    assert 'id="confirm-refused"' not in html
