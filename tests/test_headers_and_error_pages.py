"""Headers every page carries (the Content-Security-Policy, no caching of plan data)
and the Vietnamese error pages in the site's layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse

from criteria.models import Plan
from parplan.error_views import server_error
from tests.helpers import client_for

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {
        name: values
        for name, *values in (
            part.split() for part in header.split(";") if part.strip()
        )
    }


def test_every_page_has_a_policy_that_allows_only_the_sites_own_scripts(
    client: Client, office: User, seed_plan: Plan
) -> None:
    office.is_staff = True
    office.save()
    signed_in = client_for(office)
    for response in [
        client.get(reverse("login")),
        signed_in.get(reverse("reports-tree")),
        signed_in.get(reverse("reports-dashboard")),
        signed_in.get("/admin/criteria/criterion/"),
        signed_in.get("/khong-co-trang-nay/"),
    ]:
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_script_style_or_handler() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not inline_script.search(text), path
        assert "<style" not in text, path
        assert not handler.search(text), path
        assert "javascript:" not in text, path


@pytest.mark.parametrize(
    "url_name", ["reports-export-plan", "reports-export-self-assessment"]
)
def test_workbook_downloads_are_not_kept_by_any_cache(
    office: User, seed_plan: Plan, url_name: str
) -> None:
    response = client_for(office).get(reverse(url_name, args=[seed_plan.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_plan_pages_are_not_kept_by_any_cache(office: User, seed_plan: Plan) -> None:
    client = client_for(office)
    for url in [reverse("reports-tree"), reverse("reports-dashboard")]:
        assert client.get(url)["Cache-Control"] == "private, no-store"


def test_a_refusal_is_a_vietnamese_page_in_the_sites_layout(
    outsider: User, seed_plan: Plan
) -> None:
    response = client_for(outsider).get(reverse("reports-tree"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Không có quyền truy cập" in page
    assert 'class="topbar"' in page
    assert "403 Forbidden" not in page


def test_a_missing_page_is_a_vietnamese_page_in_the_sites_layout(
    office: User,
) -> None:
    response = client_for(office).get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page
    assert 'class="topbar"' in page


def test_a_server_error_is_a_vietnamese_page_in_the_sites_layout() -> None:
    # Django renders 500.html without a request or context processors.
    page = loader.get_template("500.html").render()
    assert "Lỗi máy chủ" in page
    assert 'class="topbar"' in page


def test_a_stale_form_token_is_a_vietnamese_page(office: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.content.decode()


def test_a_refusal_names_the_missing_right_and_links_to_ones_own_page(
    head_center: User, seed_plan: Plan
) -> None:
    response = client_for(head_center).get(reverse("tasks-import"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Không có quyền truy cập" in page
    assert 'id="missing-right"' in page
    assert "Văn phòng Sở" in page.split('id="missing-right"')[1].split("</p>")[0]
    # The menu of the person's role, and the way back to their own page.
    assert reverse("tasks-mine") in page.split('id="back-link"')[0].rsplit("<a", 1)[1]
    assert 'class="nav"' in page


def test_a_refusal_of_someone_without_a_role_says_a_role_is_missing(
    outsider: User, seed_plan: Plan
) -> None:
    page = client_for(outsider).get(reverse("reports-tree")).content.decode()
    assert "chưa có vai trò nào" in page


def test_a_refusal_is_in_english_when_english_is_chosen(
    head_center: User, seed_plan: Plan
) -> None:
    client = client_for(head_center)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("tasks-import"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Access denied" in page
    assert "Không có quyền truy cập" not in page
    assert "Back to your page" in page


def test_a_missing_page_links_back_to_ones_own_page(director: User) -> None:
    page = client_for(director).get("/khong-co-trang-nay/").content.decode()
    assert f'href="{reverse("reports-dashboard")}" id="back-link"' in page


def test_an_expired_form_page_has_the_sites_menu(office: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="nav"' in page
    assert 'id="back-link"' in page


def test_the_server_error_page_asks_nothing_of_the_database() -> None:
    # No database fixture: any query would raise here.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Lỗi máy chủ" in response.content.decode()


def test_the_favicon_is_served_and_linked_from_every_page(
    client: Client, office: User, seed_plan: Plan
) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    page = client_for(office).get(reverse("reports-tree")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page


def test_a_bad_request_is_a_vietnamese_page_in_the_sites_layout(
    office: User, seed_plan: Plan
) -> None:
    # A multipart body without its boundary: Django refuses it as a bad request.
    response = client_for(office).generic(
        "POST",
        reverse("tasks-import"),
        b"x",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Yêu cầu không hợp lệ" in page
    assert 'class="nav"' in page
