"""What a page filtered on a status costs at 100 and at 100,000 stored reports, on the embedded store and on
Redis: the service's own call (`service.page`, what `GET /v1/reports?status=...` runs), timed side by side.

    python bench/status_index.py [--reports 100000] [--samples 300]

For each store: one session filled with `--reports` reports (through the store, each with a timeline of its
own: most finished, some processing, some queued), one with 100 alike; the clock moved on so that statuses
have changed since the reports were written; then pages of 25, alternating between the two sessions so that
noise falls on both alike. Prints the items on each page, the median microseconds per page and the ratio
n / 100 (issue 29's bar: <= 1.5x), and the one-time cost of moving the index past every transition at once.
Starts its own redis-server (as bench/workers.py does).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from workers import start_redis  # noqa: E402

from sendkit_mock.domain.auth import Scope  # noqa: E402
from sendkit_mock.domain.lifecycle import FAILED, READY, Timeline  # noqa: E402
from sendkit_mock.domain.periods import resolve_period  # noqa: E402
from sendkit_mock.domain.reports import Report, Sections  # noqa: E402

SCOPE = Scope("workspace", "a" * 24)
START = datetime(2026, 4, 17, 10, tzinfo=UTC)
PERIOD = resolve_period(None, None, START.date())
FILTERS = [("ready", None), ("processing", None), ("queued", "campaign"), ("failed", "workspace")]


def reports(n: int, draw: random.Random) -> list[Report]:
    made = []
    for seq in range(1, n + 1):
        created = START + timedelta(milliseconds=seq * 10)
        starts = created + timedelta(seconds=draw.choice([1, 1, 1, 2000]))
        finishes = starts + timedelta(seconds=draw.choice([3, 3, 3, 4000]))
        made.append(Report(id=f"{seq:024x}", seq=seq, scope=SCOPE, workspace_id=SCOPE.id, user_id="c" * 24,
                           title=f"R{seq}", report_type=draw.choice(["campaign", "workspace"]), campaign_ids=(),
                           period=PERIOD, sections=Sections(), recipient_ids=(),
                           timeline=Timeline(created, starts, finishes, FAILED if draw.random() < 0.1 else READY)))
    return made


def store_for(kind: str, n: int, url: str | None, name: str) -> Any:
    if kind == "memory":
        from sendkit_mock.stores.memory import InMemoryReportStore

        return InMemoryReportStore(max(n, 100) + 1)
    from sendkit_mock.stores.redis import RedisStores

    stores = dataclasses.replace(RedisStores.connect(url or ""), max_reports=max(n, 100) + 1)
    return stores(name).reports


def measure(kind: str, n: int, samples: int, url: str | None) -> dict[str, Any]:
    small, big = store_for(kind, 100, url, "small"), store_for(kind, n, url, "big")
    t0 = time.perf_counter()
    for store, count in ((small, 100), (big, n)):
        for report in reports(count, random.Random(count)):
            store.add(report)
    fill_s = time.perf_counter() - t0
    now = START + timedelta(milliseconds=n * 10 + 60_000)  # most finished, the slow ones still running
    t0 = time.perf_counter()
    big.page(SCOPE, cursor=None, limit=25, status="ready", now=now)
    settle_ms = (time.perf_counter() - t0) * 1e3
    out: dict[str, Any] = {"fill_s": fill_s, "settle_ms": settle_ms, "rows": []}
    for status, facet in FILTERS:
        times: dict[str, list[float]] = {"small": [], "big": []}
        items: dict[str, int] = {}
        for i in range(-5, samples):
            for side, store in (("small", small), ("big", big)):
                t0 = time.perf_counter()
                page = store.page(SCOPE, cursor=None, limit=25, status=status, facet=facet, now=now)
                if i >= 0:
                    times[side].append((time.perf_counter() - t0) * 1e6)
                items[side] = len(page.items)
                assert all(r.status(now) == status for r in page.items)
        total = big.page(SCOPE, cursor=None, limit=1, status=status, facet=facet, now=now).total
        out["rows"].append((status, facet, total, items["small"], items["big"], statistics.median(times["small"]),
                            statistics.median(times["big"])))
    for store in (small, big):
        store.clear()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        redis_process, port = start_redis(Path(directory))
        try:
            for kind in ("memory", "redis"):
                found = measure(kind, args.reports, args.samples, f"redis://127.0.0.1:{port}/0?prefix=bench")
                print(f"{kind}: filled 100 + {args.reports:,} in {found['fill_s']:.1f} s; the first status page "
                      f"after the clock moved past them: {found['settle_ms']:.0f} ms (once)")
                print(f"  {'filter':<36} {'matches at n':>12} {'items at 100 / n':>16} {'us at 100':>10} "
                      f"{'us at n':>10} {'n / 100':>8}")
                for status, facet, total, few, many, small, big in found["rows"]:
                    label = f"status={status}" + (f"&reportType={facet}" if facet else "")
                    print(f"  {label:<36} {total:>12,} {f'{few} / {many}':>16} {small:>10.1f} {big:>10.1f} "
                          f"{big / small:>7.2f}x")
                print("  (a filter that matches fewer than 25 of the 100 reports fills a shorter page there: its "
                      "ratio counts the extra items, not a scan)")
        finally:
            redis_process.terminate()
            redis_process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
