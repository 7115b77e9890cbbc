from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.commands import organization_argument, organization_option, plan_option
from parplan.scores import ScoreParseError, format_decimal, parse_decimal
from reports.figures import SCENARIO_KEYS, SCENARIO_LABELS
from reports.figures_cache import plan_figures_cached
from reports.ranking import ranking_is_illustrative
from reports.summaries import figures_as_dict, places_phrase


class Command(BaseCommand):
    help = (
        "In các số liệu của kế hoạch: điểm chuẩn, điểm năm cơ sở, mục tiêu, tự đánh giá, "
        "dự kiến theo tiến độ, dự báo, chỉ số và thứ hạng dự báo."
    )

    def create_parser(
        self, prog_name: str, subcommand: str, **kwargs: Any
    ) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # "--peer-change -1,5": argparse takes a value that starts with "-" for an
        # option unless it looks like a number the English way; a Vietnamese decimal
        # ("-1,5") is a number too.
        parser._negative_number_matcher = re.compile(r"^-\d+(?:[.,]\d+)?$|^-[.,]\d+$")
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, help="Năm kế hoạch (mặc định: kế hoạch mới nhất)"
        )
        organization_argument(parser)
        parser.add_argument(
            "--peer-change",
            default="0",
            help="Mức thay đổi chỉ số giả định chung của các đơn vị khác, ví dụ 1,5",
        )
        parser.add_argument("--json", action="store_true", help="In dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = plan_option(
            organization_option(options["organization"]), options["year"]
        )
        try:
            peer_change = parse_decimal(options["peer_change"], places=3) or Decimal(0)
        except ScoreParseError as exc:
            raise CommandError(f"--peer-change: {exc}.") from exc
        figures = plan_figures_cached(
            plan=plan, peer_change=peer_change, with_parts=False
        )
        data = figures_as_dict(figures)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.write_table(data)
        if ranking_is_illustrative(p.row for p in figures.ranking):
            self.stdout.write(
                self.style.WARNING(
                    "Bảng xếp hạng đang dùng là dữ liệu minh họa, không phải số liệu "
                    "công bố: chỉ số và thứ hạng trên chỉ để trình diễn."
                )
            )

    def write_table(self, data: dict[str, Any]) -> None:
        def num(value: str | None) -> str:
            return "–" if value is None else format_decimal(Decimal(value))

        plan = data["plan"]
        self.stdout.write(
            f"{plan['organization']} – kế hoạch năm {plan['year']} "
            f"(năm cơ sở {plan['baseline_year']}, thang điểm {num(plan['full_scale'])})"
        )
        columns = [
            ("standard", "Điểm tối đa"),
            ("baseline", "Năm trước"),
            ("target", "Mục tiêu"),
            ("expected", "Theo tiến độ"),
            ("forecast", "Dự báo"),
            ("gap", "Còn thiếu"),
            ("points_to_recover", "Cần lấy lại"),
        ]
        self.stdout.write(
            f"{'Lĩnh vực':<10}" + "".join(f"{label:>13}" for _key, label in columns)
        )
        rows = [*data["areas"].items(), ("Tổng", data["totals"])]
        for code, sums in rows:
            self.stdout.write(
                f"{code:<10}" + "".join(f"{num(sums[key]):>13}" for key, _l in columns)
            )
        totals = data["totals"]
        self.stdout.write(
            f"Tự đánh giá (đã chấm) {num(totals['self'])}; thẩm định (đã có) "
            f"{num(totals['appraised'])}; điều tra xã hội học {num(totals['survey'])}; "
            f"tự chấm cao hơn thẩm định {num(totals['self_minus_appraised'])}."
        )
        self.stdout.write("")
        if data["baseline_index"] is None:
            self.stdout.write(
                f"Chưa có bảng xếp hạng năm {plan['baseline_year']} có dòng của cơ quan: "
                "chưa tính được chỉ số và thứ hạng."
            )
            return
        self.stdout.write(
            f"Chỉ số năm cơ sở {num(data['baseline_index'])} %, hạng "
            f"{data['baseline_rank']}/{data['peers']}; các đơn vị khác thay đổi "
            f"{num(data['peer_change'])} điểm chỉ số."
        )
        self.stdout.write(f"{'Kịch bản':<24}{'Tổng điểm':>12}{'Chỉ số':>10}{'Hạng':>6}")
        for key in SCENARIO_KEYS:
            if key not in data["scenarios"]:
                continue  # the self-assessed scenario, before any self-assessment
            s = data["scenarios"][key]
            self.stdout.write(
                f"{SCENARIO_LABELS[key]!s:<24}{num(s['total']):>12}"
                f"{num(s['index']):>10}{s['rank']:>6}"
            )
        goal = "đạt" if data["goal_met"] else "chưa đạt"
        self.stdout.write(
            f"{places_phrase(data['places_gained']).capitalize()} theo dự báo;"
            f" mục tiêu tăng "
            f"{plan['rank_goal']} bậc: {goal}."
        )
        if data["points_needed"] is None:
            self.stdout.write("Không thể đạt mục tiêu xếp hạng bằng điểm.")
        else:
            self.stdout.write(
                f"Điểm cần tăng so với năm cơ sở để đạt mục tiêu: "
                f"{num(data['points_needed'])}."
            )
