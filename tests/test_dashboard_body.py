"""The dashboard's body cached under the plan's version (reports.dashboard_body): the
page it gives is the page computed, a write shows at once, nothing per request or
per person is inside it, and a failing cache renders it instead."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from criteria.models import Criterion, Plan
from criteria.plan_version import plan_version_of
from reports import dashboard_body, figures_cache
from reports.dashboard_body import dashboard_body_key
from tasks.models import Unit
from tests.helpers import REDIS_DOWN, client_for
from tests.test_dashboard import URL, peers_for

pytestmark = pytest.mark.redis

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def empty_cache(transactional_db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _page(client: Client, **query: str) -> str:
    response = client.get(URL, query)
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value="…"', response.content.decode())


def _main(page: str) -> str:
    """The page without its layout (menu, language, the person's name)."""
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _body_key(plan: Plan, peer_change: str = "0") -> str:
    version = plan_version_of(plan_id=plan.pk)
    assert version is not None
    return dashboard_body_key(
        plan_id=plan.pk,
        version=version,
        peer_change=Decimal(peer_change),
        today=timezone.localdate(),
    )


def test_the_cached_page_is_the_page_computed_without_a_cache(
    empty_cache: None, seed_plan: Plan, director: User
) -> None:
    peers_for(seed_plan)
    client = client_for(director)
    cold = _page(client, peer_change="0,5")
    warm = _page(client, peer_change="0,5")
    with override_settings(CACHES=NO_CACHE):
        computed = _page(client, peer_change="0,5")
    assert cache.get(_body_key(seed_plan, "0.5")) is not None
    assert cold == warm == computed


def test_a_warm_page_computes_no_figures(
    empty_cache: None,
    seed_plan: Plan,
    director: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_for(director)
    cold = _page(client)

    def refused(**kwargs: object) -> None:
        raise AssertionError("figures computed on a warm page")

    monkeypatch.setattr(dashboard_body, "dashboard_figures", refused)
    assert _page(client) == cold


def test_a_write_shows_on_the_next_page_at_once(
    empty_cache: None, seed_plan: Plan, director: User
) -> None:
    client = client_for(director)
    assert "Lĩnh vực đổi tên" not in _page(client)
    Criterion.objects.filter(plan=seed_plan, code="1").update(title="Lĩnh vực đổi tên")
    assert "Lĩnh vực đổi tên" in _page(client)


def test_a_pending_appeal_shows_on_the_next_page_at_once(
    empty_cache: None, seed_plan: Plan, director: User
) -> None:
    from criteria.appeals import appeal_save

    client = client_for(director)
    assert 'id="appeals"' not in _page(client)
    criterion = Criterion.objects.filter(
        plan=seed_plan, max_score__isnull=False
    ).first()
    assert criterion is not None
    Criterion.objects.filter(pk=criterion.pk).update(appraised_score=Decimal("0.25"))
    criterion.refresh_from_db()
    assert 'id="appeals"' not in _page(
        client
    )  # the score moved the version: cached again
    appeal_save(
        criterion=criterion,
        user=director,
        kind="appeal",
        text="Xin chấm lại",
        outcome="pending",
        final_score=None,
        expected_version=criterion.version,
    )
    page = _page(client)
    assert 'id="appeals"' in page and f">{criterion.code}</a>" in page


def test_the_body_holds_no_token_name_or_message_and_serves_every_role(
    empty_cache: None,
    seed_plan: Plan,
    director: User,
    viewer: User,
    head_office: User,
) -> None:
    User.objects.filter(pk=director.pk).update(first_name="Giám Đốc Thử")
    director_client = client_for(director)
    page = director_client.get(URL).content.decode()
    body = cache.get(_body_key(seed_plan))
    assert isinstance(body, dashboard_body.DashboardBody)
    for part in (body.figures, body.priorities):
        assert "csrfmiddlewaretoken" not in part
        assert "Giám Đốc Thử" not in part
        assert part in page
    assert "Giám Đốc Thử" in page and page.count("csrfmiddlewaretoken") == 2
    # every role is shown the same body; the layout around it is theirs
    pages = [_page(client_for(user)) for user in (director, viewer, head_office)]
    assert len({_main(p) for p in pages}) == 1
    assert len(set(pages)) == 3
    # the form's error is said around a cached body
    wrong = _page(director_client, peer_change="abc")
    assert "Đang tính với mức thay đổi 0." in wrong
    assert body.figures in wrong


def test_each_language_has_its_own_body(
    empty_cache: None, seed_plan: Plan, director: User
) -> None:
    client = client_for(director)
    vietnamese = _page(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _page(client)
    with override_settings(CACHES=NO_CACHE):
        computed = _page(client)
    assert "Điểm của kế hoạch" in vietnamese and "Plan scores" in english
    assert english == computed


def test_inside_a_transaction_nothing_is_cached(
    empty_cache: None, seed_plan: Plan, director: User
) -> None:
    client = client_for(director)
    with transaction.atomic():
        _page(client)
    assert cache.get(_body_key(seed_plan)) is None


def test_a_failing_cache_renders_the_page_as_computed(
    empty_cache: None,
    seed_plan: Plan,
    director: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = client_for(director)
    with override_settings(CACHES=NO_CACHE):
        computed = _page(client)
    with override_settings(CACHES=REDIS_DOWN), caplog.at_level(logging.WARNING):
        failing = _page(client)
    assert failing == computed
    assert "figures cache unavailable" in caplog.text


def test_the_key_names_the_version_and_the_codes_edition(
    empty_cache: None,
    seed_plan: Plan,
    units: dict[str, Unit],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _body_key(seed_plan)
    Unit.objects.filter(pk=units["office"].pk).update(name="Phòng mới")
    moved = _body_key(seed_plan)
    monkeypatch.setattr(figures_cache, "code_edition", lambda: "another deployment")
    deployed = _body_key(seed_plan)
    assert len({before, moved, deployed}) == 3


def test_the_edition_changes_with_a_template(
    tmp_path: Path, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>một</p>", encoding="utf-8")
    settings.BASE_DIR = tmp_path  # type: ignore[attr-defined]
    figures_cache.code_edition.cache_clear()
    try:
        first = figures_cache.code_edition()
        assert figures_cache.code_edition() == first  # read once per process
        template.write_text("<p>hai</p>", encoding="utf-8")
        figures_cache.code_edition.cache_clear()
        assert figures_cache.code_edition() != first
    finally:
        figures_cache.code_edition.cache_clear()
