"""The province's result table (kết quả thẩm định): for each criterion of a plan, the
council's appraised score, the final score after an explanation or appeal, the survey
score of a survey criterion, and the council's note — read from the file the office
receives, checked as a whole, and written all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from criteria.codes import CODE_RE, canonical_code
from criteria.models import Criterion, Plan
from criteria.plan_mark import plan_changes
from parplan.preview_db import preview_alias
from parplan.scores import ScoreParseError, format_decimal, parse_score
from parplan.spreadsheets import (
    SourceRow,
    TableError,
    cell_text,
    find_header,
    is_column_numbering,
    match_header,
    read_rows,
)
from parplan.tables import FirstSeen, Problem, TableImportError, is_position_header

SCORES = ("appraised_score", "final_score", "survey_score")


def _is_code(t: str) -> bool:
    return is_position_header(t) or t in {"mã", "mã số", "mã tiêu chí"}


def _is_final(t: str) -> bool:
    return "giải trình" in t or "phúc khảo" in t or "cuối cùng" in t


def _is_appraised(t: str) -> bool:
    return "thẩm định" in t and not _is_final(t) and "ý kiến" not in t


def _is_survey(t: str) -> bool:
    return "điều tra" in t or "xhh" in t or "xã hội học" in t


def _is_note(t: str) -> bool:
    return any(w in t for w in ("ghi chú", "ý kiến", "nhận xét", "lý do"))


MATCHERS = {
    "code": _is_code,
    "final_score": _is_final,
    "survey_score": _is_survey,
    "appraised_score": _is_appraised,
    "note": _is_note,
}


def labels() -> dict[str, str]:
    return {
        "code": _("STT"),
        "appraised_score": _("Điểm thẩm định"),
        "final_score": _("Điểm sau giải trình, phúc khảo"),
        "survey_score": _("Điểm điều tra xã hội học"),
        "note": _("Ý kiến của Hội đồng thẩm định"),
    }


@dataclass
class AppraisalRow:
    source_row: int
    code: str
    scores: dict[str, Decimal | None]
    note: str | None  # None: the file has no note column


@dataclass
class AppraisalReport:
    plan: Plan
    dry_run: bool
    rows: list[AppraisalRow]
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def appraisal_parse(
    *, data: bytes, filename: str, criteria: dict[str, Criterion]
) -> tuple[list[AppraisalRow], list[str]]:
    """Read and check the result table against the plan's ``criteria`` (by code).
    Raises TableImportError with every problem."""
    try:
        kind, source = read_rows(data, filename)
    except TableError as exc:
        raise TableImportError([Problem(str(exc))]) from exc
    names = labels()
    header = find_header(
        source, MATCHERS, ["code"], search_rows=None if kind == "text" else 30
    )
    if header is None or not set(header.columns) & set(SCORES):
        raise TableImportError(
            [
                Problem(
                    _(
                        "Không tìm thấy dòng tiêu đề của bảng kết quả thẩm định trong "
                        "“%(name)s”. Bảng cần cột %(code)s và ít nhất một cột %(a)s, %(f)s "
                        "hoặc %(s)s; có thể thêm cột %(note)s."
                    )
                    % {
                        "name": filename,
                        "code": names["code"],
                        "a": names["appraised_score"],
                        "f": names["final_score"],
                        "s": names["survey_score"],
                        "note": names["note"],
                    }
                )
            ]
        )
    names |= header.labels
    problems: list[Problem] = []
    notices: list[str] = []
    rows: list[AppraisalRow] = []
    seen = FirstSeen()
    for src in source:
        if src.number <= header.row_number or not any(cell_text(c) for c in src.cells):
            continue
        repeat = match_header(src, MATCHERS)
        if (repeat and len(repeat.columns) >= 3) or is_column_numbering(src.cells):
            continue
        row = _row_read(src, header.columns, names, criteria, seen, problems, notices)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(
            Problem(
                _("Bảng không có dòng điểm nào dưới dòng tiêu đề."), header.row_number
            )
        )
    if problems:
        raise TableImportError(sorted(problems, key=lambda p: p.row or 0))
    return rows, notices


def _cell(src: SourceRow, index: int | None) -> object:
    if index is None or index >= len(src.cells):
        return None
    return src.cells[index]


def _row_read(
    src: SourceRow,
    columns: dict[str, int],
    names: dict[str, str],
    criteria: dict[str, Criterion],
    seen: FirstSeen,
    problems: list[Problem],
    notices: list[str],
) -> AppraisalRow | None:
    code = cell_text(_cell(src, columns["code"])).rstrip(".").strip()
    scores: dict[str, Decimal | None] = {}
    for role in SCORES:
        try:
            scores[role] = parse_score(_cell(src, columns.get(role)))
        except ScoreParseError as exc:
            problems.append(Problem(f"{exc}.", src.number, names[role]))
            scores[role] = None
    note = cell_text(_cell(src, columns["note"])) if "note" in columns else None
    if not code:
        if any(v is not None for v in scores.values()):
            problems.append(Problem(_("thiếu STT (mã tiêu chí)."), src.number))
        return None  # a title or total row
    if not CODE_RE.match(code):
        problems.append(
            Problem(
                _("“%(code)s” không phải mã tiêu chí dạng 1, 1.2 hoặc 1.2.3.")
                % {"code": code},
                src.number,
                names["code"],
            )
        )
        return None
    code = canonical_code(code)
    criterion = criteria.get(code)
    if criterion is None:
        problems.append(
            Problem(
                _("tiêu chí %(code)s không có trong kế hoạch.") % {"code": code},
                src.number,
                names["code"],
            )
        )
        return None
    first = seen.duplicate_of(code, src.number)
    if first is not None:
        problems.append(
            Problem(
                _("mã %(code)s trùng với dòng %(first)s.")
                % {"code": code, "first": first},
                src.number,
                names["code"],
            )
        )
        return None
    if criterion.max_score is None:
        if any(v is not None for v in scores.values()):
            notices.append(
                _(
                    "Dòng %(row)s (%(code)s) là dòng tiêu đề: điểm ghi ở dòng này được bỏ "
                    "qua, PAR Plan dùng tổng các tiêu chí con."
                )
                % {"row": src.number, "code": code}
            )
        return None
    for role, value in scores.items():
        if value is not None and not 0 <= value <= criterion.max_score:
            problems.append(
                Problem(
                    _("%(value)s ngoài khoảng 0 đến điểm chuẩn %(max)s.")
                    % {
                        "value": format_decimal(value),
                        "max": format_decimal(criterion.max_score),
                    },
                    src.number,
                    names[role],
                )
            )
    survey = criterion.method == Criterion.Method.SURVEY
    wrong = [
        r for r in SCORES if scores[r] is not None and (r == "survey_score") != survey
    ]
    for role in wrong:
        problems.append(
            Problem(
                _(
                    "tiêu chí %(code)s chấm bằng điều tra xã hội học: chỉ nhận điểm điều tra."
                )
                % {"code": code}
                if survey
                else _(
                    "tiêu chí %(code)s chấm bằng thẩm định: không nhận điểm điều tra "
                    "(đổi cách đánh giá của tiêu chí trước nếu cần)."
                )
                % {"code": code},
                src.number,
                names[role],
            )
        )
    return AppraisalRow(src.number, code, scores, note)


def appraisal_import(
    *,
    plan: Plan,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    previewed: dict[str, Any] | None = None,
) -> AppraisalReport:
    """Enter the province's results into ``plan``'s criteria, all or nothing: any
    problem raises TableImportError and nothing is written. A changed criterion's
    version is bumped, so a form opened before the import is seen as stale.
    ``previewed`` (``plan_mark`` taken at the preview) refuses the import, naming
    the criteria, if the plan changed since; the plan's row is locked first, so two
    imports into one plan run one after the other."""
    criteria = {c.code: c for c in Criterion.objects.filter(plan=plan)}
    rows, notices = appraisal_parse(data=data, filename=filename, criteria=criteria)
    report = AppraisalReport(plan=plan, dry_run=dry_run, rows=rows, notices=notices)
    with transaction.atomic(using=preview_alias()):
        list(Plan.objects.select_for_update().filter(pk=plan.pk).values("pk"))
        if previewed is not None:
            changes = plan_changes(plan=plan, year=plan.year, mark=previewed)
            if changes:
                raise TableImportError([Problem(change) for change in changes])
        # Read again under the lock: what is written starts from the rows as they are.
        criteria = {c.code: c for c in Criterion.objects.filter(plan=plan)}
        for row in rows:
            criterion = criteria[row.code]
            # An empty cell is "no result yet": it never erases what is stored.
            values: dict[str, object] = {
                role: value for role, value in row.scores.items() if value is not None
            }
            if row.note:
                values["appraisal_note"] = row.note
            if all(getattr(criterion, k) == v for k, v in values.items()):
                report.unchanged.append(row.code)
                continue
            for name, value in values.items():
                setattr(criterion, name, value)
            criterion.version += 1
            criterion.save()
            report.updated.append(row.code)
        if dry_run:
            transaction.set_rollback(True, using=preview_alias())
    return report
