"""The appendix import: the plan's table (STT | Lĩnh vực, tiêu chí | Điểm chuẩn |
Điểm <năm> đạt được | Mục tiêu năm <năm> | Nhiệm vụ, giải pháp | Đơn vị chủ trì)
read from the document a department really has, checked as a whole, then written
through ``AppendixResource`` in one transaction. The command, the admin and the
browser import all call ``appendix_import``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from criteria.models import (
    CODE_RE,
    Criterion,
    Organization,
    Plan,
    code_sort_key,
    parent_code,
)
from parplan.scores import ScoreParseError, format_decimal, parse_score
from parplan.spreadsheets import (
    SourceRow,
    TableError,
    cell_text,
    find_header,
    is_column_numbering,
    match_header,
    norm,
    read_rows,
)

COLUMNS = [
    "code",
    "title",
    "max_score",
    "baseline_score",
    "target_score",
    "task",
    "lead",
]
REQUIRED_COLUMNS = ["code", "title", "max_score", "baseline_score", "target_score"]
SCORE_COLUMNS = ["max_score", "baseline_score", "target_score"]
DATASET_HEADERS = [
    "source_row",
    "code",
    "title",
    "max_score",
    "baseline_score",
    "target_score",
    "tasks",
]


def column_labels() -> dict[str, str]:
    return {
        "code": _("STT"),
        "title": _("Lĩnh vực, tiêu chí"),
        "max_score": _("Điểm chuẩn"),
        "baseline_score": _("Điểm năm trước đạt được"),
        "target_score": _("Mục tiêu"),
        "task": _("Nhiệm vụ, giải pháp"),
        "lead": _("Đơn vị chủ trì"),
    }


def _is_code(t: str) -> bool:
    return t in {"stt", "tt", "số tt", "số thứ tự", "mã", "mã số"} or t.startswith(
        "stt"
    )


def _is_max(t: str) -> bool:
    return "điểm chuẩn" in t or "điểm tối đa" in t


def _is_baseline(t: str) -> bool:
    return "mục tiêu" not in t and (
        "đạt được" in t
        or "năm trước" in t
        or bool(re.search(r"điểm\s*(năm\s*)?\d{4}", t))
    )


def _is_target(t: str) -> bool:
    return "mục tiêu" in t


def _is_task(t: str) -> bool:
    return "nhiệm vụ" in t or "giải pháp" in t


def _is_lead(t: str) -> bool:
    return "chủ trì" in t or t in {"đơn vị", "đơn vị thực hiện"}


def _is_title(t: str) -> bool:
    return ("lĩnh vực" in t or "tiêu chí" in t or "nội dung" in t) and "điểm" not in t


MATCHERS = {
    "code": _is_code,
    "max_score": _is_max,
    "target_score": _is_target,
    "baseline_score": _is_baseline,
    "task": _is_task,
    "lead": _is_lead,
    "title": _is_title,
}

_TOTAL_ROW = re.compile(r"^(tổng|cộng)(\s|$|:)")
_YEAR = re.compile(r"(19|20)\d{2}")


@dataclass
class Problem:
    """One reason the import cannot go on, placed where the user can find it."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("Dòng %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("cột “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class AppendixImportError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class TaskRow:
    text: str
    lead: str


@dataclass
class CriterionRow:
    source_row: int
    code: str
    title: str
    scores: dict[str, Decimal | None]
    tasks: list[TaskRow] = field(default_factory=list)
    # Score cells holding a formula whose result the file did not save.
    uncomputed: list[str] = field(default_factory=list)
    # Score cells already reported as unreadable (not numbers).
    unreadable: list[str] = field(default_factory=list)


@dataclass
class AppendixTable:
    """The appendix as read: criteria in code order, with what the header said."""

    kind: str
    header_row: int
    rows: list[CriterionRow]
    has_tasks: bool
    baseline_year: int | None
    target_year: int | None
    notices: list[str] = field(default_factory=list)

    def dataset(self) -> tablib.Dataset:
        data = tablib.Dataset(headers=DATASET_HEADERS)
        for row in self.rows:
            tasks = [(t.text, t.lead) for t in row.tasks] if self.has_tasks else None
            data.append(
                [
                    row.source_row,
                    row.code,
                    row.title,
                    row.scores["max_score"],
                    row.scores["baseline_score"],
                    row.scores["target_score"],
                    tasks,
                ]
            )
        return data


def appendix_parse(
    *,
    data: bytes,
    filename: str,
    year: int | None = None,
    existing_codes: set[str] = frozenset(),
) -> AppendixTable:
    """Read and check the whole appendix. Raises AppendixImportError with every problem."""
    try:
        kind, source = read_rows(data, filename)
    except TableError as exc:
        raise AppendixImportError([Problem(str(exc))]) from exc
    header = find_header(
        source, MATCHERS, REQUIRED_COLUMNS, search_rows=None if kind == "text" else 30
    )
    if header is None:
        raise AppendixImportError([_layout_problem(source, filename)])
    labels = column_labels() | header.labels
    problems: list[Problem] = []
    target_year = _year_in(header.labels.get("target_score", ""))
    baseline_year = _year_in(header.labels.get("baseline_score", ""))
    if year is not None and target_year is not None and target_year != year:
        problems.append(
            Problem(
                _(
                    "Bảng ghi mục tiêu năm %(file)s nhưng đang nhập cho kế hoạch năm %(year)s."
                )
                % {"file": target_year, "year": year},
                header.row_number,
                labels["target_score"],
            )
        )

    rows: list[CriterionRow] = []
    notices: list[str] = []
    seen: dict[str, int] = {}
    after_header = [r for r in source if r.number > header.row_number]
    last_table_row = max(
        (
            r.number
            for r in after_header
            if len([c for c in r.cells if cell_text(c)]) >= 2
        ),
        default=header.row_number,
    )
    for src in after_header:
        if src.number > last_table_row:
            break  # prose after the table (signatures, notes) is not part of it
        cells = {role: _cell(src, index) for role, index in header.columns.items()}
        texts = {role: cell_text(value) for role, value in cells.items()}
        for role, index in header.columns.items():
            if index in src.formulas and role not in SCORE_COLUMNS:
                texts[role] = src.formulas[index]  # reported below; not imported
        formula_problems = _formula_problems(src, header.columns, labels)
        problems.extend(formula_problems)
        if formula_problems and header.columns["code"] in src.formulas:
            continue  # the row cannot be placed; its formula is reported
        if not any(cell_text(c) for c in src.cells):
            continue
        repeat = match_header(src, MATCHERS)
        if (repeat and len(repeat.columns) >= 4) or is_column_numbering(src.cells):
            continue  # header repeated at a page break, or the row of column numbers
        code = texts["code"].rstrip(".").strip()
        if not code:
            title = norm(texts["title"])
            if title and _TOTAL_ROW.match(title):
                notices.append(
                    _("Dòng %(row)s (dòng tổng) được bỏ qua: PAR Plan tự tính tổng.")
                    % {"row": src.number}
                )
                continue
            if not title and texts.get("task") and rows:
                # An empty lead cell below a task is a merged cell: the same lead.
                lead = texts.get("lead", "")
                if not lead:
                    lead = rows[-1].tasks[-1].lead if rows[-1].tasks else ""
                rows[-1].tasks.append(TaskRow(texts["task"], _lead_text(lead)))
                continue
            if len([c for c in src.cells if cell_text(c)]) < 2 and kind == "text":
                continue  # a stray line of prose inside a pasted document
            problems.append(
                Problem(_("thiếu STT (mã tiêu chí)."), src.number, labels["code"])
            )
            continue
        if not CODE_RE.match(code):
            problems.append(
                Problem(
                    _("“%(code)s” không phải mã tiêu chí dạng 1, 1.2 hoặc 1.2.3.")
                    % {"code": texts["code"]},
                    src.number,
                    labels["code"],
                )
            )
            continue
        if code in seen:
            problems.append(
                Problem(
                    _("mã %(code)s trùng với dòng %(first)s.")
                    % {"code": code, "first": seen[code]},
                    src.number,
                    labels["code"],
                )
            )
            continue
        seen[code] = src.number
        if not texts["title"]:
            problems.append(
                Problem(_("thiếu tên lĩnh vực, tiêu chí."), src.number, labels["title"])
            )
        scores: dict[str, Decimal | None] = {}
        unreadable: list[str] = []
        for role in SCORE_COLUMNS:
            try:
                scores[role] = parse_score(cells[role])
            except ScoreParseError as exc:
                problems.append(Problem(f"{exc}.", src.number, labels[role]))
                scores[role] = None
                unreadable.append(role)
                continue
            if scores[role] is not None and scores[role] < 0:
                problems.append(
                    Problem(
                        _("điểm không được âm (%(value)s).")
                        % {"value": format_decimal(scores[role])},
                        src.number,
                        labels[role],
                    )
                )
        tasks = (
            [TaskRow(texts["task"], _lead_text(texts.get("lead", "")))]
            if texts.get("task")
            else []
        )
        if not texts.get("task") and texts.get("lead"):
            problems.append(
                Problem(
                    _("có đơn vị chủ trì nhưng thiếu nhiệm vụ."),
                    src.number,
                    labels["task"],
                )
            )
        uncomputed = [
            role
            for role in SCORE_COLUMNS
            if header.columns.get(role) in src.formulas and cells[role] is None
        ]
        rows.append(
            CriterionRow(
                src.number,
                code,
                texts["title"],
                scores,
                tasks,
                uncomputed=uncomputed,
                unreadable=unreadable,
            )
        )

    if not rows and not problems:
        problems.append(
            Problem(
                _("Bảng không có dòng tiêu chí nào dưới dòng tiêu đề."),
                header.row_number,
            )
        )
    problems.extend(_check_tree(rows, labels, existing_codes, notices))
    if problems:
        raise AppendixImportError(problems)
    rows.sort(key=lambda r: code_sort_key(r.code))
    return AppendixTable(
        kind=kind,
        header_row=header.row_number,
        rows=rows,
        has_tasks="task" in header.columns,
        baseline_year=baseline_year,
        target_year=target_year,
        notices=notices,
    )


def _formula_problems(
    src: SourceRow, columns: dict[str, int], labels: dict[str, str]
) -> list[Problem]:
    """A formula where the table has text is refused: PAR Plan stores what people
    read, and a formula copied from elsewhere (``=HYPERLINK(…)``) is not that."""
    problems = []
    for role, index in columns.items():
        if role in SCORE_COLUMNS or index not in src.formulas:
            continue
        formula = src.formulas[index]
        if len(formula) > 60:
            formula = formula[:57] + "…"
        problems.append(
            Problem(
                _(
                    "ô chứa công thức “%(formula)s”; cột này chỉ nhận chữ. Hãy dán lại "
                    "dạng giá trị (Paste Special → Values) rồi nhập lại."
                )
                % {"formula": formula},
                src.number,
                labels[role],
            )
        )
    return problems


# What a lead cell holds to say "no lead unit" where an empty cell would read as a
# merged cell (the plan workbook writes it on a task's continuation row).
NO_LEAD = "—"
_NO_LEAD_MARKS = {"—", "–", "-", "chưa giao"}


def _lead_text(lead: str) -> str:
    return "" if norm(lead) in _NO_LEAD_MARKS else lead


def _cell(row: SourceRow, index: int) -> object:
    return row.cells[index] if index < len(row.cells) else None


def _year_in(text: str) -> int | None:
    match = _YEAR.search(text)
    return int(match.group(0)) if match else None


def _layout_problem(source: list[SourceRow], filename: str) -> Problem:
    best = None
    for row in source[:200]:
        header = match_header(row, MATCHERS)
        if header and (best is None or len(header.columns) > len(best.columns)):
            best = header
    labels = column_labels()
    if best is None or len(best.columns) < 2:
        return Problem(
            _(
                "Không tìm thấy dòng tiêu đề của bảng phụ lục trong “%(name)s”. Bảng cần các cột: "
                "%(columns)s."
            )
            % {"name": filename, "columns": ", ".join(labels[c] for c in COLUMNS)}
        )
    missing = [labels[c] for c in REQUIRED_COLUMNS if c not in best.columns]
    return Problem(
        _("Dòng tiêu đề thiếu cột: %(missing)s.") % {"missing": ", ".join(missing)},
        best.row_number,
    )


def _check_tree(
    rows: list[CriterionRow],
    labels: dict[str, str],
    existing: set[str],
    notices: list[str],
) -> list[Problem]:
    problems: list[Problem] = []
    codes = {r.code for r in rows}
    children: dict[str, list[CriterionRow]] = {}
    for row in rows:
        parent = parent_code(row.code)
        if parent is None:
            continue
        if parent not in codes and parent not in existing:
            problems.append(
                Problem(
                    _("mã %(code)s thiếu dòng cha %(parent)s.")
                    % {"code": row.code, "parent": parent},
                    row.source_row,
                    labels["code"],
                )
            )
        children.setdefault(parent, []).append(row)
    for row in rows:
        if row.code in children:
            typed = {k: v for k, v in row.scores.items() if v is not None}
            if typed:
                notices.append(
                    _(
                        "Dòng %(row)s (%(code)s) là dòng tiêu đề: điểm ghi ở dòng này được bỏ qua, "
                        "PAR Plan dùng tổng các tiêu chí con."
                    )
                    % {"row": row.source_row, "code": row.code}
                )
            row.scores = dict.fromkeys(SCORE_COLUMNS)
            continue
        for role in SCORE_COLUMNS:
            if role in row.unreadable:
                continue  # already reported: not a number
            if role in row.uncomputed:
                problems.append(
                    Problem(
                        _(
                            "ô có công thức nhưng tệp không lưu kết quả tính; hãy mở tệp "
                            "bằng Excel, lưu lại rồi nhập lại."
                        ),
                        row.source_row,
                        labels[role],
                    )
                )
            elif row.scores[role] is None:
                problems.append(
                    Problem(
                        _("tiêu chí không có tiêu chí con phải có điểm."),
                        row.source_row,
                        labels[role],
                    )
                )
        maximum = row.scores["max_score"]
        if maximum is None:
            continue
        for role in ("baseline_score", "target_score"):
            value = row.scores[role]
            if value is not None and value > maximum:
                problems.append(
                    Problem(
                        _("%(value)s vượt điểm chuẩn %(max)s.")
                        % {
                            "value": format_decimal(value),
                            "max": format_decimal(maximum),
                        },
                        row.source_row,
                        labels[role],
                    )
                )
    problems.sort(key=lambda p: p.row or 0)
    return problems


@dataclass
class ImportReport:
    plan: Plan
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # in the plan, not in the file
    tasks_created: int = 0
    tasks_updated: int = 0
    tasks_unchanged: int = 0
    units_created: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rows: list[CriterionRow] = field(default_factory=list)  # as read, in code order

    def preview(self) -> list[tuple[CriterionRow, str]]:
        """Each row of the file with what the import does to it, for the preview."""
        created, updated = set(self.created), set(self.updated)
        return [
            (
                row,
                "created"
                if row.code in created
                else "updated"
                if row.code in updated
                else "unchanged",
            )
            for row in self.rows
        ]

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.tasks_created or self.tasks_updated
        )


def appendix_import(
    *,
    organization: Organization,
    year: int,
    data: bytes,
    filename: str,
    dry_run: bool = False,
) -> ImportReport:
    """Create or update ``organization``'s plan of ``year`` from an appendix file.

    All or nothing: any problem raises AppendixImportError and the database is left as
    it was. With ``dry_run`` the report says what would change and nothing is kept.
    """
    from criteria.resources import AppendixResource

    plan = Plan.objects.filter(organization=organization, year=year).first()
    existing = (
        set(Criterion.objects.filter(plan=plan).values_list("code", flat=True))
        if plan
        else set()
    )
    table = appendix_parse(
        data=data, filename=filename, year=year, existing_codes=existing
    )
    with transaction.atomic():
        if plan is None:
            plan = Plan.objects.create(
                organization=organization,
                year=year,
                baseline_year=table.baseline_year or year - 1,
                title=_(
                    "Kế hoạch cải thiện, nâng cao Chỉ số cải cách hành chính năm %(year)s"
                )
                % {"year": year},
            )
        resource = AppendixResource(plan=plan)
        result = resource.import_data(
            table.dataset(),
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        problems = resource.problems_from(result)
        if problems:
            transaction.set_rollback(True)
            raise AppendixImportError(problems)
        report = ImportReport(
            plan=plan, dry_run=dry_run, notices=table.notices, rows=table.rows
        )
        resource.fill_report(result, report)
        in_file = {r.code for r in table.rows}
        report.kept = sorted(existing - in_file, key=code_sort_key)
        if dry_run:
            transaction.set_rollback(True)
    return report
