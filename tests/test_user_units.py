"""The office links users to their units (tasks/views.py, the users' page)."""

from __future__ import annotations

from django.contrib.auth.models import User

from tasks.models import Membership, Unit
from tests.helpers import client_for


def test_the_office_links_a_user_to_units(
    office: User, head_center: User, units: dict[str, Unit]
) -> None:
    client = client_for(office)
    listing = client.get("/nhiem-vu/nguoi-dung/").content.decode()
    assert "head_center" in listing
    assert "Lãnh đạo phòng, đơn vị" in listing
    response = client.post(
        f"/nhiem-vu/nguoi-dung/{head_center.pk}/don-vi/",
        {"units": [units["office"].pk, units["center"].pk]},
    )
    assert response.status_code == 302
    assert set(
        Membership.objects.filter(user=head_center).values_list("unit__name", flat=True)
    ) == {"Văn phòng Sở", "Trung tâm TTKT& UDKHCN"}
