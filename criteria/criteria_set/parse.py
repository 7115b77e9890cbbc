"""Reading the province's criteria set (bộ tiêu chí) of a year: STT | Lĩnh vực /
Tiêu chí / Tiêu chí thành phần | Điểm tối đa | Cách chấm điểm | Hình thức đánh giá
(or a column marking survey criteria) | Không áp dụng | Lý do — checked as a whole.

Codes are read as provinces write them: ``1``, ``1.1``, ``1.1.1`` (with or without
a trailing dot), or Roman numerals for areas (``I``, ``II``) with the criteria below
numbered either in full (``2.1``, ``2.1.1`` under ``II``) or from 1 in each area
(``1``, ``1.1`` under ``II`` are ``2.1``, ``2.1.1``). Where the numbering cannot be
read without guessing, the file is refused with the reason: a code seen twice, a
child whose parent is missing, a heading whose maximum is not the sum of its
children's, a total row that disagrees with the areas, a mix of numberings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from criteria.codes import code_sort_key
from criteria.criteria_set.columns import MATCHERS, REQUIRED, labels
from criteria.criteria_set.numbering import (
    RawRow,
    SetRow,
    codes_resolve,
    roman_value,
    tree_check,
)
from criteria.criteria_set.rules import rule_propose
from criteria.models import Criterion
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
from parplan.tables import Problem, TableImportError, is_total_row
from parplan.text import normalize_name

_ARABIC = re.compile(r"^\d{1,4}(\.\d{1,4})*$")
_SURVEY_WORDS = ("điều tra", "xhh", "sipas", "khảo sát", "đtxhh")
_APPRAISED_WORDS = ("thẩm định", "tự đánh giá", "tự chấm")
_NO = {"", "0", "-", "không", "k"}


@dataclass
class CriteriaSetTable:
    rows: list[SetRow]  # in code order
    total: Decimal  # the sum of the leaves' maxima
    has: set[str]  # the optional columns the file has
    notices: list[str] = field(default_factory=list)


def criteria_set_parse(*, data: bytes, filename: str) -> CriteriaSetTable:
    """Read and check the whole set. Raises TableImportError with every problem."""
    try:
        kind, source = read_rows(data, filename)
    except TableError as exc:
        raise TableImportError([Problem(str(exc))]) from exc
    names = labels()
    header = find_header(
        source, MATCHERS, REQUIRED, search_rows=None if kind == "text" else 30
    )
    if header is None:
        raise TableImportError(
            [
                Problem(
                    _(
                        "Không tìm thấy dòng tiêu đề của bộ tiêu chí trong “%(name)s”. "
                        "Bảng cần các cột %(code)s, %(title)s, %(max)s; có thể thêm "
                        "%(text)s, %(method)s, %(na)s và %(reason)s."
                    )
                    % {
                        "name": filename,
                        "code": names["code"],
                        "title": names["title"],
                        "max": names["max_score"],
                        "text": names["scoring_text"],
                        "method": names["method"],
                        "na": names["not_applicable"],
                        "reason": names["reason"],
                    }
                )
            ]
        )
    names |= header.labels
    columns = header.columns
    problems: list[Problem] = []
    raws: list[RawRow] = []
    totals: list[tuple[int, Decimal]] = []
    for src in source:
        if src.number <= header.row_number or not any(cell_text(c) for c in src.cells):
            continue
        repeat = match_header(src, MATCHERS)
        if (repeat and len(repeat.columns) >= 3) or is_column_numbering(src.cells):
            continue  # the header repeated at a page break, or the column numbers
        raw = _raw_read(src, columns, names, problems, raws, totals)
        if raw is not None:
            raws.append(raw)
    if not raws and not problems:
        problems.append(
            Problem(
                _("Bảng không có tiêu chí nào dưới dòng tiêu đề."), header.row_number
            )
        )
    rows = codes_resolve(raws, names, problems)
    if "reason" in columns and "not_applicable" not in columns:
        problems.append(
            Problem(
                _("có cột lý do nhưng không có cột “%(column)s” đánh dấu tiêu chí.")
                % {"column": names["not_applicable"]},
                header.row_number,
                names["reason"],
            )
        )
    total = tree_check(rows, names, problems)
    for number, written_total in totals:
        if not problems and written_total != total:
            problems.append(
                Problem(
                    _(
                        "dòng tổng ghi %(written)s điểm nhưng tổng điểm tối đa các "
                        "tiêu chí là %(sum)s."
                    )
                    % {
                        "written": format_decimal(written_total),
                        "sum": format_decimal(total),
                    },
                    number,
                    names["max_score"],
                )
            )
    if problems:
        raise TableImportError(sorted(problems, key=lambda p: p.row or 0))
    rows.sort(key=lambda r: code_sort_key(r.code))
    for row in rows:
        if (
            not row.is_heading
            and row.scoring_text
            and row.method != Criterion.Method.SURVEY
        ):
            row.rule = rule_propose(row.scoring_text, row.max_score)
    optional = {"scoring_text", "not_applicable", "reason"}
    has = {role for role in columns if role in optional}
    if "method" in columns or "survey" in columns:
        has.add("method")
    return CriteriaSetTable(rows=rows, total=total, has=has)


def _cell(src: SourceRow, index: int | None) -> object:
    if index is None or index >= len(src.cells):
        return None
    return src.cells[index]


def _raw_read(
    src: SourceRow,
    columns: dict[str, int],
    names: dict[str, str],
    problems: list[Problem],
    raws: list[RawRow],
    totals: list[tuple[int, Decimal]],
) -> RawRow | None:
    texts = {role: cell_text(_cell(src, i)) for role, i in columns.items()}
    if _formulas_refused(src, columns, names, problems):
        return None
    written = texts["code"].strip().rstrip(".").strip()
    try:
        maximum = parse_score(_cell(src, columns["max_score"]))
    except ScoreParseError as exc:
        problems.append(Problem(f"{exc}.", src.number, names["max_score"]))
        maximum = None
    if maximum is not None and maximum < 0:
        problems.append(
            Problem(
                _("điểm không được âm (%(value)s).")
                % {"value": format_decimal(maximum)},
                src.number,
                names["max_score"],
            )
        )
    title = texts["title"]
    if is_total_row(written) or (not written and title and is_total_row(title)):
        if maximum is not None:
            totals.append((src.number, maximum))
        return None
    if not written:
        guide = texts.get("scoring_text", "")
        others = [r for r, t in texts.items() if t and r != "scoring_text"]
        if guide and not others and raws and raws[-1].scoring_text is not None:
            # A merged code and title cell: the scoring text goes on over a row.
            raws[-1].scoring_text = f"{raws[-1].scoring_text}\n{guide}".strip()
            return None
        problems.append(
            Problem(_("thiếu STT (mã tiêu chí)."), src.number, names["code"])
        )
        return None
    roman = roman_value(written.upper()) if not written[0].isdigit() else None
    if roman is None and not _ARABIC.match(written):
        problems.append(
            Problem(
                _(
                    "“%(code)s” không phải mã tiêu chí dạng I, II (lĩnh vực) hoặc 1, "
                    "1.2, 1.2.3."
                )
                % {"code": texts["code"]},
                src.number,
                names["code"],
            )
        )
        return None
    if not texts["title"]:
        problems.append(
            Problem(_("thiếu tên lĩnh vực, tiêu chí."), src.number, names["title"])
        )
    applicable: bool | None = None
    if "not_applicable" in columns:
        applicable = normalize_name(texts["not_applicable"]) in _NO
    reason = texts.get("reason", "")
    if applicable is False and not reason:
        problems.append(
            Problem(
                _("tiêu chí không áp dụng cần ghi lý do."),
                src.number,
                names.get("reason", labels()["reason"]),
            )
        )
    return RawRow(
        src=src,
        written=written,
        roman=roman,
        title=texts["title"],
        max_score=maximum,
        method=_method_read(src, texts, columns, names, maximum, problems),
        applicable=applicable,
        reason=reason if applicable is False else "",
        scoring_text=texts["scoring_text"] if "scoring_text" in columns else None,
    )


def _formulas_refused(
    src: SourceRow,
    columns: dict[str, int],
    names: dict[str, str],
    problems: list[Problem],
) -> bool:
    """A formula where the set has text is refused (PAR Plan stores what people
    read; the row is then dropped), and so is a maximum whose formula result the
    file did not save (the row is kept, for its children)."""
    found = False
    for role, index in columns.items():
        if index not in src.formulas:
            continue
        if role == "max_score":
            if _cell(src, index) is None:
                problems.append(
                    Problem(
                        _(
                            "ô có công thức nhưng tệp không lưu kết quả tính; hãy mở tệp "
                            "bằng Excel, lưu lại rồi nhập lại."
                        ),
                        src.number,
                        names[role],
                    )
                )
            continue
        found = True
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
                names[role],
            )
        )
    return found


def _method_read(
    src: SourceRow,
    texts: dict[str, str],
    columns: dict[str, int],
    names: dict[str, str],
    maximum: Decimal | None,
    problems: list[Problem],
) -> str | None:
    """The row's method as written, None when the row says nothing (it then takes
    its heading's, or is appraised)."""
    if "method" in columns and texts["method"]:
        text = normalize_name(texts["method"])
        if any(w in text for w in _SURVEY_WORDS):
            return Criterion.Method.SURVEY
        if any(w in text for w in _APPRAISED_WORDS):
            return Criterion.Method.APPRAISED
        problems.append(
            Problem(
                _(
                    "“%(value)s” không phải hình thức đánh giá; ghi “Thẩm định” hoặc "
                    "“Điều tra XHH”."
                )
                % {"value": texts["method"]},
                src.number,
                names["method"],
            )
        )
        return None
    if "survey" in columns and normalize_name(texts["survey"]) not in _NO:
        try:
            marked = parse_score(_cell(src, columns["survey"]))
        except ScoreParseError:
            marked = None  # a mark (x, ✓): the row is scored by survey
        if marked is not None and maximum is not None and marked != maximum:
            problems.append(
                Problem(
                    _("điểm %(value)s khác điểm tối đa %(max)s của dòng.")
                    % {
                        "value": format_decimal(marked),
                        "max": format_decimal(maximum),
                    },
                    src.number,
                    names["survey"],
                )
            )
        return Criterion.Method.SURVEY
    return None
