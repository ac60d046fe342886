"""The campaignPerformance section: one entry per covered campaign, shaped like SendKit's campaign
analytics (`campaign`, `stats`, `rates`, `stepStats` with 0-based steps) [C], plus the best step."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..world import Campaign, Workspace
from .coverage import Coverage
from .measure import Measurement
from .stats import Stats


def campaign_performance(coverage: Coverage, measured: Measurement) -> list[dict[str, Any]]:
    return [
        campaign_entry(workspace, campaign, measured.steps(campaign))
        for workspace, campaign in coverage.campaigns
    ]


def campaign_entry(workspace: Workspace, campaign: Campaign, steps: list[Stats]) -> dict[str, Any]:
    stats = Stats.total(steps)
    return {
        "campaign": {"id": campaign.id, "name": campaign.name, "status": campaign.status},
        "workspace": {"id": workspace.id, "name": workspace.name},
        "stats": stats.to_json(),
        "rates": stats.rates().to_json(),
        "stepStats": [
            {"step": index, "subject": step.subject, **counts.to_json(), "rates": counts.rates().to_json()}
            for index, (step, counts) in enumerate(zip(campaign.sequence, steps, strict=True))
        ],
        "bestStep": best_step(campaign, steps),
    }


def best_step(campaign: Campaign, steps: list[Stats]) -> dict[str, Any] | None:
    """The step with the highest reply rate (replies over delivered, compared exactly); more replies, then
    the earlier step, break ties. None when no step drew a reply."""
    replying = [i for i, s in enumerate(steps) if s.replied > 0]
    if not replying:
        return None

    def strength(i: int) -> tuple[Fraction, int, int]:
        return Fraction(steps[i].replied, steps[i].delivered), steps[i].replied, -i

    best = max(replying, key=strength)
    return {
        "step": best,
        "subject": campaign.sequence[best].subject,
        "replyRate": steps[best].rates().reply,
        "replied": steps[best].replied,
    }
