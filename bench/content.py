"""How long report content takes to build, per report type and period length (prints figures).

    python bench/content.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from sendkit_mock.domain.auth import Scope
from sendkit_mock.domain.content import ContentFactory
from sendkit_mock.domain.lifecycle import Lifecycle
from sendkit_mock.domain.periods import resolve_period
from sendkit_mock.domain.reports import Report, Sections
from sendkit_mock.domain.world import load_world
from sendkit_mock.resources import default_fixtures_path

WORLD = load_world(default_fixtures_path())
CREATED = datetime(2026, 4, 17, 10, tzinfo=UTC)
WS, USER = WORLD.workspaces[0], WORLD.users[0]


def report(kind: str, start: str, n: int) -> Report:
    rid = f"{n:024x}"
    org = kind == "organizational"
    return Report(
        id=rid, seq=n, scope=Scope("user", USER.id) if org else Scope("workspace", WS.id),
        workspace_id=None if org else WS.id, user_id=USER.id, title="bench", report_type=kind,
        campaign_ids=(WS.campaigns[0].id,) if kind == "campaign" else (),
        period=resolve_period(start, "2026-04-17", CREATED.date()), sections=Sections(), recipient_ids=(),
        timeline=Lifecycle().plan(rid, CREATED),
    )


def main() -> None:
    factory = ContentFactory(WORLD, 42)
    began = time.perf_counter()
    factory(report("workspace", "2026-01-01", 0))
    print(f"first report of a world (builds the daily series): {(time.perf_counter() - began) * 1000:.1f} ms")
    print(f"{'report':<16}{'period':>10}{'build (uncached) ms':>22}{'cached ms':>12}")
    n = 1
    for kind in ("campaign", "workspace", "organizational"):
        for start, label in (("2026-04-17", "1 day"), ("2026-01-01", "107 days"), ("2016-04-17", "10 years")):
            builds, cached = [], []
            for _ in range(50):
                n += 1
                r = report(kind, start, n)
                t0 = time.perf_counter()
                factory(r)
                t1 = time.perf_counter()
                factory(r)
                builds.append(t1 - t0)
                cached.append(time.perf_counter() - t1)
            build_ms, cached_ms = statistics.median(builds) * 1000, statistics.median(cached) * 1000
            print(f"{kind:<16}{label:>10}{build_ms:>22.2f}{cached_ms:>12.3f}")


if __name__ == "__main__":
    main()
