"""Measures what the plan's version costs concurrent progress posts on PostgreSQL.

``DATABASE_URL=postgres://… python -m bench.version_contention`` builds a synthetic
plan, then posts progress from several threads at once on different parts, with the
version's triggers on (every post moves one counter row per plan, which it holds
until it commits) and off (what a version derived from the rows' own timestamps
would cost the writers: nothing); and the read each design costs a page: the counter
row, or max(updated_at) and counts over the plan's criteria, tasks and parts. Prints
JSON. (A derived version is not safe anyway: a transaction that commits after a
later one leaves max(updated_at) where it was, and ``QuerySet.update()`` does not
set ``updated_at``.)"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parplan.settings")
    django.setup()
    from django.db import connection, connections

    from criteria.plan_version import plan_version_of
    from demo.synthetic import synthetic_plan_build
    from tasks.models import TaskUnit
    from tasks.progress import progress_record

    assert connection.vendor == "postgresql", "run it with a PostgreSQL DATABASE_URL"
    threads, posts = int(sys.argv[1]) if len(sys.argv) > 1 else 4, 60
    built = synthetic_plan_build(
        criteria=2000, tasks=10000, updates=0, year=2035, seed=2035, replace=True
    )
    plan = built.plan
    part_ids = list(
        TaskUnit.objects.filter(task__criterion__plan=plan)
        .order_by("pk")
        .values_list("pk", flat=True)[: threads * posts * 2]
    )

    def post_all(ids: list[int], times: list[float]) -> None:
        for pk in ids:
            part = TaskUnit.objects.get(pk=pk)
            start = time.perf_counter()
            progress_record(
                part=part,
                user=None,
                status="in_progress",
                percent=(part.percent + 7) % 100,
                note="",
                expected_version=part.version,
            )
            times.append(time.perf_counter() - start)
        connections.close_all()

    def run(offset: int) -> dict[str, float]:
        per_thread: list[list[float]] = [[] for _ in range(threads)]
        workers = [
            threading.Thread(
                target=post_all,
                args=(
                    part_ids[offset + i * posts : offset + (i + 1) * posts],
                    per_thread[i],
                ),
            )
            for i in range(threads)
        ]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - start
        every = sorted(t for ts in per_thread for t in ts)
        return {
            "posts_per_s": round(len(every) / wall, 1),
            "p50_ms": round(statistics.median(every) * 1000, 2),
            "p95_ms": round(every[int(len(every) * 0.95)] * 1000, 2),
        }

    def toggle(on: bool) -> None:
        with connection.cursor() as cursor:
            for table in ("tasks_taskunit", "tasks_task", "criteria_criterion"):
                verb = "ENABLE" if on else "DISABLE"
                cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER USER")

    def read_time(sql: str, params: list[int]) -> float:
        times = []
        for _ in range(30):
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
            times.append(time.perf_counter() - start)
        return round(statistics.median(times) * 1000, 3)

    derived = (
        "SELECT (SELECT max(updated_at) FROM criteria_criterion WHERE plan_id = %s),"
        " (SELECT count(*) FROM criteria_criterion WHERE plan_id = %s),"
        " (SELECT max(t.updated_at) FROM tasks_task t JOIN criteria_criterion c"
        "  ON c.id = t.criterion_id WHERE c.plan_id = %s),"
        " (SELECT count(*) FROM tasks_task t JOIN criteria_criterion c"
        "  ON c.id = t.criterion_id WHERE c.plan_id = %s),"
        " (SELECT max(u.updated_at) FROM tasks_taskunit u JOIN tasks_task t"
        "  ON t.id = u.task_id JOIN criteria_criterion c ON c.id = t.criterion_id"
        "  WHERE c.plan_id = %s),"
        " (SELECT count(*) FROM tasks_taskunit u JOIN tasks_task t"
        "  ON t.id = u.task_id JOIN criteria_criterion c ON c.id = t.criterion_id"
        "  WHERE c.plan_id = %s)"
    )
    results: dict[str, object] = {"threads": threads, "posts_per_thread": posts}
    run(0)  # warm-up
    toggle(False)
    results["triggers_off"] = run(threads * posts // 2)
    toggle(True)
    results["counter_row"] = run(threads * posts)
    before = plan_version_of(plan_id=plan.pk)
    results["version_moved"] = before is not None
    results["read_counter_ms"] = read_time(
        "SELECT number FROM criteria_planversion WHERE plan_id = %s", [plan.pk]
    )
    results["read_derived_ms"] = read_time(derived, [plan.pk] * 6)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
