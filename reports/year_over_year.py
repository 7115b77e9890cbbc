"""An organization's consecutive years side by side: each criterion (matched by
code) and area with its score of every year and the change from the year before,
and each year's index and rank.

A year's score of a criterion is its forecast (``reports.figures``): the best
score known, appraised before self-assessed before progress. A year's index and
rank are those the province published for it (its ``PeerRank`` table of that year,
the organization's own row) where there is one, else the engine's projection.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from criteria.codes import code_sort_key
from criteria.models import Organization, Plan
from reports.figures import PlanFigures
from reports.figures_cache import plan_figures_cached
from reports.models import CriterionCrosswalk, PeerRank
from reports.rules import index_of


@dataclass
class YearFigures:
    """One year's totals, index and rank."""

    plan: Plan
    total: Decimal
    max_score: Decimal
    index: Decimal | None
    rank: int | None
    published: bool  # index and rank from the province's table, not projected

    @property
    def year(self) -> int:
        return self.plan.year


@dataclass
class YearCell:
    score: Decimal | None  # None: the criterion is not in that year's plan
    change: Decimal | None  # from the year before, when both have a score
    code: str = ""  # its code that year, when it differs from the row's


@dataclass
class ComparedRow:
    code: str
    title: str
    depth: int
    is_area: bool
    cells: list[YearCell]
    key: str = ""  # the row's own key: its code, or code@year for one ended early


@dataclass
class YearOverYear:
    organization: Organization
    years: list[YearFigures]
    rows: list[ComparedRow]

    @property
    def areas(self) -> list[ComparedRow]:
        return [row for row in self.rows if row.is_area]


def _published(row: PeerRank, plan: Plan) -> Decimal | None:
    return index_of(
        index=row.index, score=row.score, full_scale=row.max_score or plan.full_scale
    )


def year_over_year(*, plans: list[Plan]) -> YearOverYear:
    """Compare ``plans`` (one organization's, any order) year by year.

    A criterion renamed or moved is followed through the crosswalk kept on the
    later plan (``CriterionCrosswalk``): its row has the latest year's code, and a
    year's cell says the code it had then.

    Costs, per plan, the engine's four queries, one query for the published tables
    of every year and one for the crosswalks, whatever the number of criteria and
    tasks.
    """
    plans = sorted(plans, key=lambda p: p.year)
    organization = plans[0].organization
    own_rows = {
        row.year: row
        for row in PeerRank.objects.filter(
            organization=organization, year__in=[p.year for p in plans]
        ).filter(Q(table_of=None) | Q(table_of=organization))
    }
    all_figures: list[PlanFigures] = [
        plan_figures_cached(plan=plan, with_parts=False) for plan in plans
    ]
    years = []
    for plan, figures in zip(plans, all_figures, strict=True):
        own = own_rows.get(plan.year)
        published = own is not None and _published(own, plan) is not None
        if own is not None and published:
            index, rank = _published(own, plan), own.rank
        else:
            index, rank = figures.projected.index, figures.projected.rank
        years.append(
            YearFigures(
                plan=plan,
                total=figures.totals.forecast,
                max_score=figures.scale,
                index=index,
                rank=rank,
                published=published,
            )
        )

    keys = _keys(plans, all_figures)
    titles: dict[str, tuple[str, str, int]] = {}
    scores: list[dict[str, tuple[str, Decimal | None]]] = []
    for figures, year_keys in zip(all_figures, keys, strict=True):
        year_scores: dict[str, tuple[str, Decimal | None]] = {}
        for row in figures.rows:
            key = year_keys[row.code]
            titles[key] = (row.code, row.title, row.depth)  # the latest wording
            year_scores[key] = (row.code, row.forecast if row.applicable else None)
        scores.append(year_scores)
    rows = []
    for key in sorted(titles, key=lambda k: (code_sort_key(titles[k][0]), k)):
        code, title, depth = titles[key]
        cells: list[YearCell] = []
        previous: Decimal | None = None
        for year_scores in scores:
            then, score = year_scores.get(key, ("", None))
            change = (
                score - previous if score is not None and previous is not None else None
            )
            cells.append(
                YearCell(score=score, change=change, code=then if then != code else "")
            )
            previous = score
        rows.append(
            ComparedRow(
                code=code,
                title=title,
                depth=depth,
                is_area=depth == 1,
                cells=cells,
                key=key,
            )
        )
    return YearOverYear(organization=organization, years=years, rows=rows)


def _keys(plans: list[Plan], all_figures: list[PlanFigures]) -> list[dict[str, str]]:
    """Each year's codes → the key of their row: the code in the latest year the
    criterion reaches through the crosswalks; a criterion that ends earlier, whose
    code a renamed one took over, keeps a key of its own."""
    walks: dict[int, dict[str, str]] = {}
    for link in CriterionCrosswalk.objects.filter(plan__in=plans):
        walks.setdefault(link.plan_id, {})[link.old_code] = link.new_code
    keys: list[dict[str, str]] = [{} for _plan in plans]
    later: dict[str, str] = {}  # the following year's codes → their keys
    for index in range(len(plans) - 1, -1, -1):
        walk = walks.get(plans[index + 1].pk, {}) if index + 1 < len(plans) else {}
        taken = set(walk.values())
        for row in all_figures[index].rows:
            code = row.code
            if code in walk:
                key = later.get(walk[code], walk[code])
            elif code in taken:
                key = f"{code}@{plans[index].year}"
            else:
                key = later.get(code, code)
            keys[index][code] = key
        later = keys[index]
    return keys
