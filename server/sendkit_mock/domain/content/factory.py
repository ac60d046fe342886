"""`ContentFactory(world, seed)(report)`: the `data` of a ready report, with only its enabled sections.

Pure: the same world, seed and report give the same dict, byte for byte once serialised; nothing reads
the clock (the report's creation instant stands for "now") and nothing does I/O. Faker is one instance
per report, seeded from the seed and the report id. GET /v1/reports/{id} asks again on every read, so the
last results are kept in a small LRU keyed by everything the data depends on, and handed out as they are
(no copy per read): it is read-only, and a change raises TypeError instead of altering every later answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from faker import Faker

from ..readonly import frozen
from ..reports import Report
from ..world import World
from .activity import Activity
from .calendar import ReportWindow
from .campaigns import campaign_performance
from .coverage import coverage_of
from .mailboxes import mailbox_health
from .measure import measure
from .summary import executive_summary

Json = dict[str, Any]


class ContentFactory:
    def __init__(self, world: World, seed: int | str, *, cache_size: int = 256) -> None:
        self._world = world
        self._seed = seed
        self._activity = Activity(world, seed)
        self._cache: OrderedDict[Hashable, Json] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def __call__(self, report: Report) -> Json:
        key = _key(report)
        with self._lock:
            data = self._cache.get(key)
            if data is not None:
                self._cache.move_to_end(key)
        if data is None:
            data = frozen(self.build(report))
            with self._lock:
                self._cache[key] = data
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return data

    def build(self, report: Report) -> Json:
        coverage = coverage_of(self._world, report)
        window = ReportWindow.of(report.period, report.timeline.created)
        current = measure(self._activity, coverage, window.current.days)
        mailboxes = mailbox_health(coverage, current, self._activity, window.today)
        data: Json = {}
        if report.sections.executive_summary:
            previous = measure(self._activity, coverage, window.previous.days)
            fake = Faker("en_US")
            fake.seed_instance(f"sendkit-mock/content/{self._seed}/{report.id}")
            data["executiveSummary"] = executive_summary(
                report, coverage, window, (current, previous), mailboxes, fake
            )
        if report.sections.campaign_performance:
            data["campaignPerformance"] = campaign_performance(coverage, current)
        if report.sections.mailbox_health:
            data["mailboxHealth"] = [entry.to_json() for entry in mailboxes]
        return data


def _key(report: Report) -> Hashable:
    """What `build` reads of a report; the title, recipients and lifecycle outcome change nothing."""
    period = report.period
    return (
        report.id,
        report.report_type,
        report.workspace_id,
        report.user_id,
        report.campaign_ids,
        (period.start, period.end, period.start_text, period.end_text),
        report.sections,
        report.timeline.created,
    )
