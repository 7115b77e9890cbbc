"""The plan's version: one number that moves in the same transaction as any write to a
row the engine reads (``reports.figures.plan_figures``), so that figures cached under
``(plan, version)`` can never be stale.

The number is moved by database triggers, not by Python: a trigger fires for
``save()``, ``QuerySet.update()``, ``bulk_create()``, ``bulk_update()``, the delete
collector's raw deletes and raw SQL alike, so no write path can skip it. The
triggers are installed by the migrations of the app owning each table
(``criteria`` 0011 and 0012, ``tasks`` 0006, ``reports`` 0005) from the SQL built here:
on PostgreSQL one statement-level trigger per table and event (a bulk write moves
the number once), on SQLite row-level triggers (the only kind it has).

Each move sets the number to ``max(number + 1, the clock in microseconds)``: it only
grows, and it never comes back to a number used before — not after a restore of an
older backup, nor after the database is re-created under a cache (Redis) that
outlived it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# On PostgreSQL a transaction moves the slot its id falls in, so that posts on
# different tasks rarely wait for one another's commit (measured in
# bench/version_contention.py: one row per plan halved the posts per second of four
# concurrent writers); SQLite's writers queue anyway and use slot 0.
SLOTS = 16


class PlanVersion(models.Model):
    """``SLOTS`` rows per plan, created with the plan by a trigger; read together
    with ``plan_version_of``."""

    plan = models.ForeignKey(
        "criteria.Plan",
        on_delete=models.CASCADE,
        related_name="figures_versions",
        verbose_name=_("kế hoạch"),
    )
    slot = models.PositiveSmallIntegerField(_("ô"))
    number = models.BigIntegerField(_("phiên bản số liệu"))

    class Meta:
        verbose_name = _("phiên bản số liệu của kế hoạch")
        verbose_name_plural = _("phiên bản số liệu của kế hoạch")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "slot"], name="plan_version_one_row_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.slot}: {self.number}"


def plan_version_of(*, plan_id: int) -> str | None:
    """The plan's version in one query: its slots' numbers in slot order (each only
    grows, so the string never comes back); ``None`` when the plan has no rows (then
    nothing may be cached for it)."""
    numbers = (
        PlanVersion.objects.filter(plan_id=plan_id)
        .order_by("slot")
        .values_list("number", flat=True)
    )
    return ".".join(str(n) for n in numbers) or None


VERSION_TABLE = "criteria_planversion"


@dataclass(frozen=True)
class Watched:
    """A table whose writes move the version of the plans ``plans`` selects:
    ``plans`` is a SELECT of plan ids from the written rows, named ``r`` in
    ``{rows}``; ``columns`` are the rows' columns it reads."""

    table: str
    columns: tuple[str, ...]
    plans: str


CRITERIA_WATCHED = (
    Watched("criteria_criterion", ("plan_id",), "SELECT r.plan_id FROM {rows} r"),
)
PLAN_WATCHED = Watched("criteria_plan", ("id",), "SELECT r.id FROM {rows} r")
# an appeal's text and outcome are shown on the dashboard with the figures, even
# while pending (no score moves then)
APPEALS_WATCHED = (
    Watched(
        "criteria_appeal",
        ("criterion_id",),
        "SELECT c.plan_id FROM {rows} r"
        " JOIN criteria_criterion c ON c.id = r.criterion_id",
    ),
)
TASKS_WATCHED = (
    Watched(
        "tasks_task",
        ("criterion_id",),
        "SELECT c.plan_id FROM {rows} r"
        " JOIN criteria_criterion c ON c.id = r.criterion_id",
    ),
    Watched(
        "tasks_taskunit",
        ("task_id",),
        "SELECT c.plan_id FROM {rows} r JOIN tasks_task t ON t.id = r.task_id"
        " JOIN criteria_criterion c ON c.id = t.criterion_id",
    ),
    # a unit's name and position are shown with its parts, on every plan of its
    # organization
    Watched(
        "tasks_unit",
        ("organization_id",),
        "SELECT p.id FROM {rows} r"
        " JOIN criteria_plan p ON p.organization_id = r.organization_id",
    ),
)
# a ranking table of a year is the baseline of every plan whose baseline year it is
REPORTS_WATCHED = (
    Watched(
        "reports_peerrank",
        ("year",),
        "SELECT p.id FROM {rows} r JOIN criteria_plan p ON p.baseline_year = r.year",
    ),
)

_NOW_US = {
    "postgresql": "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint",
    "sqlite": "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)",
}
_GREATEST = {"postgresql": "GREATEST", "sqlite": "MAX"}
EVENTS = ("INSERT", "UPDATE", "DELETE")


_SLOT = {"postgresql": f"txid_current() % {SLOTS}", "sqlite": "0"}


def _bump(vendor: str, plans: str) -> str:
    return (
        f"UPDATE {VERSION_TABLE} SET number = {_GREATEST[vendor]}(number + 1, "
        f"{_NOW_US[vendor]}) WHERE slot = {_SLOT[vendor]} AND plan_id IN ({plans})"
    )


def _sqlite_rows(watched: Watched, side: str) -> str:
    columns = ", ".join(f"{side}.{c} AS {c}" for c in watched.columns)
    return f"(SELECT {columns})"


def _name(watched: Watched, event: str) -> str:
    return f"parplan_version_{watched.table}_{event.lower()}"


def triggers_sql(
    vendor: str, watched: Watched, *, events: tuple[str, ...] = EVENTS
) -> list[str]:
    """The statements that make writes to ``watched.table`` move the version."""
    if vendor == "sqlite":
        statements = []
        for event in events:
            sides = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}
            plans = " UNION ".join(
                watched.plans.format(rows=_sqlite_rows(watched, side))
                for side in sides[event]
            )
            statements.append(
                f"CREATE TRIGGER {_name(watched, event)} AFTER {event} ON "
                f"{watched.table} FOR EACH ROW BEGIN {_bump(vendor, plans)}; END"
            )
        return statements
    if vendor != "postgresql":
        return []
    function = f"parplan_version_{watched.table}"
    new = watched.plans.format(rows="new_rows")
    old = watched.plans.format(rows="old_rows")
    statements = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        f" IF TG_OP = 'INSERT' THEN {_bump(vendor, new)};"
        f" ELSIF TG_OP = 'DELETE' THEN {_bump(vendor, old)};"
        f" ELSE {_bump(vendor, f'{new} UNION {old}')};"
        " END IF; RETURN NULL; END $$"
    ]
    referencing = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }
    for event in events:
        statements.append(
            f"CREATE TRIGGER {_name(watched, event)} AFTER {event} ON {watched.table}"
            f" REFERENCING {referencing[event]} FOR EACH STATEMENT"
            f" EXECUTE FUNCTION {function}()"
        )
    return statements


def plan_created_sql(vendor: str) -> list[str]:
    """A new plan gets its version row in the INSERT that creates it."""
    if vendor == "sqlite":
        return [
            "CREATE TRIGGER parplan_version_plan_created AFTER INSERT ON criteria_plan"
            f" FOR EACH ROW BEGIN INSERT INTO {VERSION_TABLE} (plan_id, slot, number)"
            f" WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s"
            f" WHERE n < {SLOTS - 1}) SELECT NEW.id, n, {_NOW_US[vendor]} FROM s; END"
        ]
    if vendor != "postgresql":
        return []
    return [
        "CREATE OR REPLACE FUNCTION parplan_version_plan_created() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        f" INSERT INTO {VERSION_TABLE} (plan_id, slot, number)"
        f" SELECT r.id, s, {_NOW_US[vendor]} FROM new_rows r,"
        f" generate_series(0, {SLOTS - 1}) s; RETURN NULL; END $$",
        "CREATE TRIGGER parplan_version_plan_created AFTER INSERT ON criteria_plan"
        " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
        " EXECUTE FUNCTION parplan_version_plan_created()",
    ]


def drop_sql(
    vendor: str, watched: Watched, *, events: tuple[str, ...] = EVENTS
) -> list[str]:
    statements = [
        f"DROP TRIGGER IF EXISTS {_name(watched, event)}"
        + (f" ON {watched.table}" if vendor == "postgresql" else "")
        for event in events
    ]
    if vendor == "postgresql":
        statements.append(f"DROP FUNCTION IF EXISTS parplan_version_{watched.table}()")
    return statements


def triggers_install(
    schema_editor: object,
    watched: tuple[Watched, ...],
    *,
    events: tuple[str, ...] = EVENTS,
) -> None:
    """For a migration's ``RunPython``: the triggers of ``watched`` on this database."""
    connection = schema_editor.connection  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for item in watched:
            for statement in triggers_sql(connection.vendor, item, events=events):
                cursor.execute(statement)


def triggers_remove(
    schema_editor: object,
    watched: tuple[Watched, ...],
    *,
    events: tuple[str, ...] = EVENTS,
) -> None:
    connection = schema_editor.connection  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for item in watched:
            for statement in drop_sql(connection.vendor, item, events=events):
                cursor.execute(statement)
