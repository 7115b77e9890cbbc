"""The demo set-up (demo/setup.py, ``load_demo``): the seed plan and a user of every
role; its ranking table is illustrative, says so, and never replaces a real one."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command

from criteria.models import Criterion, Organization, Plan
from demo.setup import demo_load
from reports.models import PeerRank
from tasks.models import Membership
from tests.helpers import client_for


def test_load_demo_loads_the_seed_plan_and_a_user_of_every_role_and_can_run_twice(
    db: None,
) -> None:
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    plan = Plan.objects.get()
    assert plan.rank_goal == 2 and plan.baseline_year == 2022
    assert Criterion.objects.filter(plan=plan).count() == 24
    users = {u.username: u for u in User.objects.prefetch_related("groups")}
    assert {"admin", "vanphong", "trungtam", "phongqlkh", "giamdoc", "xem"} <= set(
        users
    )
    assert users["trungtam"].check_password("parplan-demo")
    assert (
        Membership.objects.get(user=users["trungtam"]).unit.name
        == "Trung tâm TTKT& UDKHCN"
    )
    assert "minh họa" in users["giamdoc"].get_full_name()


def test_the_demo_loads_an_illustrative_table_marked_as_such(db: None) -> None:
    demo_load(with_users=False)
    rows = list(PeerRank.objects.filter(year=2022))
    assert len(rows) == 19
    assert all("minh họa" in row.name for row in rows)
    assert all("minh họa" in row.source for row in rows)
    own = PeerRank.objects.get(organization__isnull=False)
    assert own.index == Decimal("82.15") and own.rank == 11
    # equal indices share a rank
    assert set(
        PeerRank.objects.filter(index=Decimal("85.73")).values_list("rank", flat=True)
    ) == {6}


def test_the_demo_never_replaces_a_real_table(db: None) -> None:
    PeerRank.objects.create(year=2022, name="Sở Nội vụ", index=Decimal("90"))
    demo_load(with_users=False)
    assert list(PeerRank.objects.values_list("name", flat=True)) == ["Sở Nội vụ"]


def test_the_dashboard_and_ranking_page_say_the_demo_table_is_illustrative(
    db: None,
) -> None:
    demo_load()
    director = User.objects.get(username="giamdoc")
    client = client_for(director)
    assert "dữ liệu minh họa" in client.get("/bao-cao/").content.decode()
    assert "dữ liệu minh họa" in client.get("/bao-cao/xep-hang/").content.decode()
    assert Organization.objects.count() == 1
