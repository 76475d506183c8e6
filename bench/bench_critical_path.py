"""Critical path of a large plan: CPM on 5,000 tasks, against a plain topological sort of the same graph.

Builds a random plan (each task depends on up to three earlier ones, with all four dependency types and
lags from -2 to 5 working days) and prints, as p50 over the repeats, in ms and as a ratio to the baseline
measured in the same run (a plain topological sort of the same graph with the standard library's
graphlib):

- `cpm.schedule`: forward and backward pass, total float (projects.schedule.cpm, pure computation);
- the critical-path use case (`projects.schedule.reports.critical_path`): load the tasks and dependencies
  from a SQLite file built by the migrations, compute, convert to dates;
- `GET /api/v1/projects/<id>/critical-path` through the app (Flask test client: token check, the use
  case, JSON of every task's dates and float);
- a slip (`projects.schedule.tasks.update_task`): the first task gets longer, every dependant is
  rescheduled, the moved tasks written and one projects.task.rescheduled event recorded per moved task.

    .venv/bin/python bench/bench_critical_path.py [--tasks 5000] [--repeat 9] [--seed 7]
"""

from __future__ import annotations

import argparse
import graphlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import crmkit
from crmkit import migrations
from crmkit.testing.auth import make_token_factory
from crmkit.types import utcnow
from projects.app import create_app
from projects.cli import MIGRATIONS_DIR
from projects.projects import service as projects
from projects.schedule import cpm, reports, tasks
from projects.schedule.models import Dependency, Task
from projects.schedule.service import reschedule

ADMIN = crmkit.Principal(subject="bench", username="bench", roles=frozenset({"admin"}))


def random_plan(count: int, seed: int) -> tuple[dict[str, int], list[cpm.Link]]:
    rng = random.Random(seed)
    durations = {f"t{n}": rng.choice((0, 1, 2, 3, 5, 8)) for n in range(count)}
    links = []
    for n in range(1, count):
        for predecessor in rng.sample(range(max(0, n - 50), n), min(n, rng.randint(1, 3))):
            kind = rng.choice(cpm.TYPES)
            links.append(cpm.Link(f"t{predecessor}", f"t{n}", kind, rng.randint(-2, 5)))
    return durations, links


def p50_ms(action: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def topological_sort(durations: dict[str, int], links: list[cpm.Link]) -> list[str]:
    graph: dict[str, set[str]] = {task: set() for task in durations}
    for link in links:
        graph[link.successor].add(link.predecessor)
    return list(graphlib.TopologicalSorter(graph).static_order())


def seed_database(url: str, durations: dict[str, int], links: list[cpm.Link]) -> tuple[crmkit.Database, str]:
    migrations.upgrade(MIGRATIONS_DIR, url)
    database = crmkit.Database(url)
    data = {"name": "Bench", "start_date": date(2026, 3, 2), "currency": "EUR"}
    project = projects.create_project(uow=database.uow(), data=data, actor=ADMIN)
    now, start = utcnow(), date(2026, 3, 2)
    ids = {name: f"{n:032x}" for n, name in enumerate(durations)}
    with database.uow() as uow:
        uow.session.add_all(
            Task(
                id=ids[name],
                project_id=project.id,
                position=n,
                name=name,
                is_milestone=days == 0,
                duration_days=days,
                effort_hours=Decimal(8 * days),
                progress_percent=0,
                planned_start=start,
                planned_finish=start,
                created_at=now,
                updated_at=now,
            )
            for n, (name, days) in enumerate(durations.items())
        )
        uow.flush()
        uow.session.add_all(
            Dependency(
                project_id=project.id,
                predecessor_id=ids[link.predecessor],
                successor_id=ids[link.successor],
                type=link.type,
                lag_days=link.lag,
                created_at=now,
            )
            for link in links
        )
        uow.flush()
        reschedule(uow.session, projects.load_project(uow.session, project.id), [])
        uow.commit()
    return database, project.id


def http_get(folder: Path, database_url: str, path: str) -> Callable[[], Any]:
    """A request through the service's app (test client) with a valid token; fails loudly unless 200."""
    tokens = make_token_factory(folder)
    env = {"CRM_DATA_DIR": str(folder), "DATABASE_URL": database_url, "JWT_JWKS_URL": tokens.jwks_url}
    client = create_app(crmkit.ServiceSettings.from_env("projects", env=env, testing=True)).test_client()
    headers = tokens.headers("admin", sub="bench")

    def get() -> None:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.status_code

    return get


def slip(database: crmkit.Database, task_id: str, days: int) -> None:
    task = tasks.get_task(uow=database.uow(), task_id=task_id)
    data = {"duration_days": days}
    tasks.update_task(
        uow=database.uow(), task_id=task_id, data=data, expected_version=task.version, actor=ADMIN
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    durations, links = random_plan(args.tasks, args.seed)
    baseline = p50_ms(lambda: topological_sort(durations, links), args.repeat)
    computed = p50_ms(lambda: cpm.schedule(durations, links), args.repeat)
    plan = cpm.schedule(durations, links)
    with tempfile.TemporaryDirectory() as folder:
        database, project_id = seed_database(f"sqlite:///{Path(folder) / 'projects.db'}", durations, links)
        use_case = p50_ms(
            lambda: reports.critical_path(uow=database.uow(), project_id=project_id), args.repeat
        )
        url = f"/api/v1/projects/{project_id}/critical-path"
        over_http = p50_ms(http_get(Path(folder), database.url, url), args.repeat)
        first = f"{0:032x}"
        lengths = iter(range(10, 10 + args.repeat * 2))
        slipped = p50_ms(lambda: slip(database, first, next(lengths)), max(3, args.repeat // 3))
        database.dispose()
    print(
        f"plan: {args.tasks} tasks, {len(links)} dependencies, {len(plan.critical())} critical, "
        f"finish after {plan.finish} working days (p50 of {args.repeat} runs)"
    )
    print(f"{'case':<64}{'p50 ms':>10}{'x baseline':>12}")
    rows = [
        ("baseline: graphlib topological sort (same graph)", baseline),
        ("cpm.schedule: forward + backward pass, float", computed),
        ("GET critical-path use case (SQLite load + CPM + dates)", use_case),
        ("GET /projects/<id>/critical-path (app: auth, use case, JSON)", over_http),
        ("slip the first task: reschedule, write, events", slipped),
    ]
    for name, value in rows:
        print(f"{name:<64}{value:>10.1f}{value / baseline:>12.1f}")


if __name__ == "__main__":
    main()
