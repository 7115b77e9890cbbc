"""An appendix imported into a plan that already holds the province's criteria set
(``criteria.criteria_set``): its rows attach baseline, target and tasks to the set's
criteria, matched by code, and never redefine them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from criteria.codes import parent_code
from criteria.models import Criterion, Plan
from parplan.scores import format_decimal
from parplan.tables import Problem, TableImportError
from parplan.text import normalize_name
from tasks.appendix.columns import column_labels
from tasks.appendix.parse import CriterionRow


def set_attach(*, plan: Plan, rows: list[CriterionRow], notices: list[str]) -> None:
    """Fit an appendix to the criteria set the plan already holds: each row names a
    criterion of the set by its code, keeps the set's title (a notice says where the
    appendix words it otherwise) and must agree with its maximum. Raises
    TableImportError naming every row that does not."""
    criteria = {c.code: c for c in Criterion.objects.filter(plan=plan)}
    parents = {parent_code(code) for code in criteria}
    labels = column_labels()
    problems: list[Problem] = []
    for row in rows:
        criterion = criteria.get(row.code)
        if criterion is None:
            problems.append(
                Problem(
                    _(
                        "tiêu chí %(code)s không có trong bộ tiêu chí năm %(year)s của "
                        "kế hoạch."
                    )
                    % {"code": row.code, "year": plan.year},
                    row.source_row,
                    labels["code"],
                )
            )
            continue
        if normalize_name(row.title).rstrip(".:") != normalize_name(
            criterion.title
        ).rstrip(".:"):
            notices.append(
                _(
                    "Dòng %(row)s (%(code)s): phụ lục ghi “%(title)s”; giữ tên trong bộ "
                    "tiêu chí “%(set)s”."
                )
                % {
                    "row": row.source_row,
                    "code": row.code,
                    "title": row.title,
                    "set": criterion.title,
                }
            )
        row.title = criterion.title
        maximum = row.scores["max_score"]
        if maximum is not None and row.code in parents:
            problems.append(
                Problem(
                    _(
                        "tiêu chí %(code)s có tiêu chí con trong bộ tiêu chí; hãy ghi "
                        "điểm cho từng tiêu chí con."
                    )
                    % {"code": row.code},
                    row.source_row,
                    labels["max_score"],
                )
            )
        elif maximum is not None and maximum != criterion.max_score:
            problems.append(
                Problem(
                    _(
                        "điểm chuẩn %(value)s khác điểm tối đa %(max)s của tiêu chí "
                        "%(code)s trong bộ tiêu chí."
                    )
                    % {
                        "value": format_decimal(maximum),
                        "max": format_decimal(criterion.max_score),
                        "code": row.code,
                    },
                    row.source_row,
                    labels["max_score"],
                )
            )
    if problems:
        raise TableImportError(problems)
