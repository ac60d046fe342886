"""A report's counts over one span of days, kept per stream so every total is a sum of the same parts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..world import Campaign, Workspace
from .activity import Activity
from .coverage import Coverage
from .stats import Stats


@dataclass(frozen=True, slots=True)
class Measurement:
    by_stream: dict[tuple[str, str], tuple[Stats, ...]]  # (campaign id, mailbox id) -> per step
    _steps: dict[str, list[Stats]] = field(default_factory=dict, init=False, repr=False)
    _mailboxes: dict[str, Stats] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for (campaign_id, mailbox_id), steps in self.by_stream.items():
            known = self._steps.get(campaign_id)
            self._steps[campaign_id] = (
                list(steps) if known is None else [a + b for a, b in zip(known, steps, strict=True)]
            )
            self._mailboxes[mailbox_id] = self._mailboxes.get(mailbox_id, Stats()) + Stats.total(steps)

    def steps(self, campaign: Campaign) -> list[Stats]:
        """Per step of the campaign's sequence; zeros for a campaign that sent nothing."""
        return self._steps.get(campaign.id) or [Stats() for _ in campaign.sequence]

    def campaign(self, campaign: Campaign) -> Stats:
        return Stats.total(self.steps(campaign))

    def campaigns(self, campaigns: Iterable[Campaign]) -> Stats:
        return Stats.total(self.campaign(c) for c in campaigns)

    def workspace(self, workspace: Workspace) -> Stats:
        return self.campaigns(workspace.campaigns)

    def mailbox(self, mailbox_id: str) -> Stats:
        return self._mailboxes.get(mailbox_id, Stats())


def measure(activity: Activity, coverage: Coverage, days: range) -> Measurement:
    """Every stream of every covered campaign over `days`."""
    return Measurement(
        {
            (stream.campaign_id, stream.mailbox_id): stream.totals(days)
            for _, campaign in coverage.campaigns
            for stream in activity.streams(campaign)
        }
    )
