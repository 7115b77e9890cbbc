"""What the commands that work on a plan share: ``--organization`` (name or short
name, matched by ``criteria.organizations``) and ``--year``, the default when there is
exactly one organization, and the message that lists them when there are several; the
table imports into a year's plan (``PlanImportCommand``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from criteria.models import Organization, Plan
from criteria.organizations import (
    OrganizationAmbiguous,
    organization_find,
    organization_near,
)
from parplan.commands import TableImportCommand

ORGANIZATION_HELP = (
    "Tên hoặc tên viết tắt của cơ quan (mặc định: cơ quan duy nhất trong cơ sở dữ liệu)"
)


def organization_argument(parser: CommandParser) -> None:
    parser.add_argument("--organization", help=ORGANIZATION_HELP)


def _listing() -> str:
    names = [
        f"“{o.name}”" + (f" ({o.short_name})" if o.short_name else "")
        for o in Organization.objects.order_by("name")
    ]
    return "; ".join(names)


def _found(value: str) -> Organization | None:
    try:
        return organization_find(value)
    except OrganizationAmbiguous as exc:
        raise CommandError(str(exc)) from exc


def organization_option(value: str | None) -> Organization:
    """The organization ``--organization`` names, or the only one there is."""
    if value and value.strip():
        found = _found(value)
        if found is not None:
            return found
        near = organization_near(value)
        hint = f" Có phải “{near.name}”?" if near else ""
        listing = _listing()
        raise CommandError(
            f"Không có cơ quan “{value.strip()}”.{hint}"
            + (f" Các cơ quan đã có: {listing}." if listing and not near else "")
        )
    organizations = list(Organization.objects.all()[:2])
    if not organizations:
        raise CommandError(
            "Chưa có cơ quan nào. Hãy nạp kế hoạch bằng import_appendix "
            '--organization "Tên cơ quan" (hoặc ./dev up cho dữ liệu trình diễn).'
        )
    if len(organizations) > 1:
        raise CommandError(
            f"Có nhiều cơ quan; hãy chọn một bằng --organization: {_listing()}."
        )
    return organizations[0]


def organization_new_or_existing(value: str | None) -> Organization:
    """For a command that may create the organization with its plan: the one named
    (not saved yet when new), refusing a near-duplicate of an existing name."""
    if not (value and value.strip()):
        return organization_option(None)
    found = _found(value)
    if found is not None:
        return found
    near = organization_near(value)
    if near is not None:
        raise CommandError(
            f"“{value.strip()}” gần trùng với cơ quan đã có “{near.name}”. Nếu là "
            f'cùng cơ quan, hãy dùng --organization "{near.name}"; nếu khác, hãy ghi '
            "tên khác hẳn."
        )
    return Organization(name=" ".join(value.split()))


def plan_option(organization: Organization, year: int | None) -> Plan:
    """``organization``'s plan of ``year`` (its latest plan when None)."""
    plans = Plan.objects.filter(organization=organization).select_related(
        "organization"
    )
    plan = (plans.filter(year=year) if year else plans.order_by("-year")).first()
    if plan is None:
        years = sorted(plans.values_list("year", flat=True))
        have = (
            f" Các năm đã có: {', '.join(map(str, years))}."
            if years
            else " Chưa có kế hoạch nào."
        )
        what = f"năm {year}" if year else "nào"
        raise CommandError(f"Không có kế hoạch {what} của {organization.name}.{have}")
    return plan


class PlanImportCommand(TableImportCommand):
    """A table import into one year's plan of an organization, named by
    ``--organization`` (a new name creates it with the plan)."""

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--year", type=int, required=True, help="Năm kế hoạch, ví dụ 2023"
        )
        parser.add_argument(
            "--organization",
            help=ORGANIZATION_HELP + "; một tên mới tạo cơ quan mới cùng kế hoạch",
        )

    def organization(self, options: dict[str, Any]) -> Organization:
        return organization_new_or_existing(options["organization"])


def import_words(dry_run: bool) -> tuple[str, str]:
    """An import report's opening words and the verb of its counts."""
    if dry_run:
        return "Chạy thử (không ghi gì)", "sẽ"
    return "Đã nhập", "đã"
