"""Reading the appendix: the plan's table (STT | Lĩnh vực, tiêu chí | Điểm chuẩn |
Điểm <năm> đạt được | Mục tiêu năm <năm> | Nhiệm vụ, giải pháp | Đơn vị chủ trì) as
the document a department really has, checked as a whole before anything is written.

``appendix_parse`` goes in steps: read the file's rows and find the header
(``_header_find``), read each row below it (``_row_read``: skipped, a further task of
the criterion above, or a criterion), then check the tree (``_tree_check``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from criteria.codes import CODE_RE, canonical_code, code_sort_key, parent_code
from parplan.scores import ScoreParseError, format_decimal, parse_score
from parplan.spreadsheets import (
    Header,
    SourceRow,
    TableError,
    cell_text,
    find_header,
    is_column_numbering,
    match_header,
    read_rows,
)
from parplan.tables import FirstSeen, Problem, TableImportError, is_total_row
from tasks.appendix.columns import (
    COLUMNS,
    MATCHERS,
    REQUIRED_COLUMNS,
    SCORE_COLUMNS,
    column_labels,
)
from tasks.appendix.task_cells import TaskRow, task_read

_YEAR = re.compile(r"(19|20)\d{2}")


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
    # Header cells of columns the importer does not read: their data is not imported.
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class _Reading:
    """What reading the rows below the header collects."""

    kind: str
    header: Header
    labels: dict[str, str]
    rows: list[CriterionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    seen: FirstSeen = field(default_factory=FirstSeen)
    year: int | None = None  # the plan's, for a due date written without one


def appendix_parse(
    *,
    data: bytes,
    filename: str,
    year: int | None = None,
    existing_codes: set[str] | frozenset[str] = frozenset(),
) -> AppendixTable:
    """Read and check the whole appendix. Raises TableImportError with every problem."""
    kind, source, header = _header_find(data, filename)
    reading = _Reading(kind, header, column_labels() | header.labels)
    target_year = _year_in(header.labels.get("target_score", ""))
    baseline_year = _year_in(header.labels.get("baseline_score", ""))
    if year is not None and target_year is not None and target_year != year:
        reading.problems.append(
            Problem(
                _(
                    "Bảng ghi mục tiêu năm %(file)s nhưng đang nhập cho kế hoạch năm %(year)s."
                )
                % {"file": target_year, "year": year},
                header.row_number,
                reading.labels["target_score"],
            )
        )
    reading.year = year or target_year
    if year is not None and baseline_year is not None and baseline_year >= year:
        reading.problems.append(
            Problem(
                _(
                    "Cột ghi điểm đạt được năm %(file)s, không trước năm kế hoạch %(year)s."
                )
                % {"file": baseline_year, "year": year},
                header.row_number,
                reading.labels["baseline_score"],
            )
        )
    for src in _table_rows(source, header):
        _row_read(reading, src)
    if not reading.rows and not reading.problems:
        reading.problems.append(
            Problem(
                _("Bảng không có dòng tiêu chí nào dưới dòng tiêu đề."),
                header.row_number,
            )
        )
    reading.problems.extend(
        _tree_check(reading.rows, reading.labels, existing_codes, reading.notices)
    )
    if reading.problems:
        raise TableImportError(reading.problems)
    reading.rows.sort(key=lambda r: code_sort_key(r.code))
    return AppendixTable(
        kind=kind,
        header_row=header.row_number,
        rows=reading.rows,
        has_tasks="task" in header.columns,
        baseline_year=baseline_year,
        target_year=target_year,
        notices=reading.notices,
        ignored_columns=_ignored_columns(source, header),
    )


def _ignored_columns(source: list[SourceRow], header: Header) -> list[str]:
    """The header's cells that name no column the importer reads."""
    row = next(r for r in source if r.number == header.row_number)
    known = set(header.columns.values())
    return [
        cell_text(cell)
        for index, cell in enumerate(row.cells)
        if cell_text(cell) and index not in known
    ]


def _header_find(data: bytes, filename: str) -> tuple[str, list[SourceRow], Header]:
    """The file's kind, its rows and the appendix's header row."""
    try:
        kind, source = read_rows(data, filename)
    except TableError as exc:
        raise TableImportError([Problem(str(exc))]) from exc
    header = find_header(
        source, MATCHERS, REQUIRED_COLUMNS, search_rows=None if kind == "text" else 30
    )
    if header is None:
        raise TableImportError([_layout_problem(source, filename)])
    return kind, source, header


def _table_rows(source: list[SourceRow], header: Header) -> list[SourceRow]:
    """The rows below the header, up to the last with two filled cells: prose after
    the table (signatures, notes) is not part of it."""
    below = [r for r in source if r.number > header.row_number]
    last = max(
        (r.number for r in below if len([c for c in r.cells if cell_text(c)]) >= 2),
        default=header.row_number,
    )
    return [r for r in below if r.number <= last]


def _row_read(reading: _Reading, src: SourceRow) -> None:
    """Read one row: skipped, a further task of the criterion above, or a criterion."""
    header, labels = reading.header, reading.labels
    cells = {role: _cell(src, index) for role, index in header.columns.items()}
    texts = {role: cell_text(value) for role, value in cells.items()}
    for role, index in header.columns.items():
        if index in src.formulas and role not in SCORE_COLUMNS:
            texts[role] = src.formulas[index]  # reported below; not imported
    formula_problems = _formula_problems(src, header.columns, labels)
    reading.problems.extend(formula_problems)
    if formula_problems and header.columns["code"] in src.formulas:
        return  # the row cannot be placed; its formula is reported
    if not any(cell_text(c) for c in src.cells):
        return
    repeat = match_header(src, MATCHERS)
    if (repeat and len(repeat.columns) >= 4) or is_column_numbering(src.cells):
        return  # header repeated at a page break, or the row of column numbers
    code = texts["code"].rstrip(".").strip()
    if not code:
        _uncoded_row_read(reading, src, cells, texts)
        return
    if not CODE_RE.match(code):
        reading.problems.append(
            Problem(
                _("“%(code)s” không phải mã tiêu chí dạng 1, 1.2 hoặc 1.2.3.")
                % {"code": texts["code"]},
                src.number,
                labels["code"],
            )
        )
        return
    code = canonical_code(code)
    first = reading.seen.duplicate_of(code, src.number)
    if first is not None:
        reading.problems.append(
            Problem(
                _("mã %(code)s trùng với dòng %(first)s.")
                % {"code": texts["code"], "first": first},
                src.number,
                labels["code"],
            )
        )
        return
    reading.rows.append(_criterion_read(reading, src, code, cells, texts))


def _uncoded_row_read(
    reading: _Reading, src: SourceRow, cells: dict[str, object], texts: dict[str, str]
) -> None:
    """A row without STT: a total row, a further task of the criterion above (its
    cells merged), a stray line of a pasted document, or a mistake."""
    title = texts["title"]
    if title and is_total_row(title):
        reading.notices.append(
            _("Dòng %(row)s (dòng tổng) được bỏ qua: PAR Plan tự tính tổng.")
            % {"row": src.number}
        )
        return
    if not title and texts.get("task") and reading.rows:
        # An empty cell below a task is a merged cell: the value above.
        above = reading.rows[-1]
        previous = above.tasks[-1] if above.tasks else TaskRow("", "")
        task = _task_read(reading, src, cells, texts, previous)
        if task is not None:
            above.tasks.append(task)
        return
    if len([c for c in src.cells if cell_text(c)]) < 2 and reading.kind == "text":
        return  # a stray line of prose inside a pasted document
    reading.problems.append(
        Problem(_("thiếu STT (mã tiêu chí)."), src.number, reading.labels["code"])
    )


def _criterion_read(
    reading: _Reading,
    src: SourceRow,
    code: str,
    cells: dict[str, object],
    texts: dict[str, str],
) -> CriterionRow:
    labels, problems = reading.labels, reading.problems
    if not texts["title"]:
        problems.append(
            Problem(_("thiếu tên lĩnh vực, tiêu chí."), src.number, labels["title"])
        )
    scores: dict[str, Decimal | None] = {}
    unreadable: list[str] = []
    for role in SCORE_COLUMNS:
        try:
            value = parse_score(cells[role])
        except ScoreParseError as exc:
            problems.append(Problem(f"{exc}.", src.number, labels[role]))
            scores[role] = None
            unreadable.append(role)
            continue
        scores[role] = value
        if value is not None and value < 0:
            problems.append(
                Problem(
                    _("điểm không được âm (%(value)s).")
                    % {"value": format_decimal(value)},
                    src.number,
                    labels[role],
                )
            )
    tasks = []
    if texts.get("task"):
        task = _task_read(reading, src, cells, texts, None)
        tasks = [task] if task is not None else []
    elif texts.get("lead"):
        problems.append(
            Problem(
                _("có đơn vị chủ trì nhưng thiếu nhiệm vụ."),
                src.number,
                labels["task"],
            )
        )
    else:
        for role in ("support", "due", "output"):
            if texts.get(role):
                problems.append(
                    Problem(
                        _("có “%(column)s” nhưng thiếu nhiệm vụ.")
                        % {"column": labels[role]},
                        src.number,
                        labels["task"],
                    )
                )
    uncomputed = [
        role
        for role in SCORE_COLUMNS
        if reading.header.columns.get(role) in src.formulas and cells[role] is None
    ]
    return CriterionRow(
        src.number,
        code,
        texts["title"],
        scores,
        tasks,
        uncomputed=uncomputed,
        unreadable=unreadable,
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


def _task_read(
    reading: _Reading,
    src: SourceRow,
    cells: dict[str, object],
    texts: dict[str, str],
    above: TaskRow | None,
) -> TaskRow | None:
    """The row's task, None (its problem recorded) when a cell cannot be read."""
    task = task_read(
        row=src.number,
        cells=cells,
        texts=texts,
        labels=reading.labels,
        year=reading.year,
        above=above,
    )
    if isinstance(task, Problem):
        reading.problems.append(task)
        return None
    return task


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


def _tree_check(
    rows: list[CriterionRow],
    labels: dict[str, str],
    existing: set[str] | frozenset[str],
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
