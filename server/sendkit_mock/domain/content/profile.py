"""How each campaign and mailbox behaves, drawn once from the seed: engagement odds, pace and history.

Nothing public shows these numbers; the ranges are what cold-email tools commonly report (opens 30-60 %,
replies 1-7 %, bounces under 3 % for a healthy mailbox). A mailbox's DNS records and status raise its
bounces and lower its opens, so an unhealthy mailbox shows it in the data as well as in its health.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from ..world import Campaign, Mailbox
from .series import Propensity

WORLD_DAY = date(2026, 4, 17).toordinal()  # the day the fixtures describe; see `Timing`
DNS_BOUNCE = {"pass": 0.0, "warning": 0.01, "missing": 0.02, "fail": 0.04}
STATUS_BOUNCE = {"error": 0.06, "failed": 0.08, "suspended": 0.06, "warming_up": 0.004}


@dataclass(frozen=True, slots=True)
class Timing:
    """Where a campaign's sending sits in absolute days, around the fixtures' day (2026-04-17).

    An active campaign launched before that day and keeps sending; a completed one finished its leads
    shortly before it (an archived one long before); a paused one stopped a few days before it, part of
    the way through its leads; a draft never sent.
    """

    launch: int  # active: the first sending day
    finish: int  # completed, archived: the day after the last step's last send; paused: the pause day
    share_done: float  # paused: the share of its leads reached before the pause


@dataclass(frozen=True, slots=True)
class CampaignProfile:
    pace: float  # the share of its daily capacity a campaign uses on a sending day
    survival: tuple[float, ...]  # per step: the share of leads still in the sequence
    odds: tuple[Propensity, ...]  # per step, before the mailbox's own effect
    timing: Timing
    key: int


def campaign_profile(seed: int | str, campaign: Campaign) -> CampaignProfile:
    rng = random.Random(f"sendkit-mock/content/{seed}/campaign/{campaign.id}")
    opens, replies = rng.uniform(0.32, 0.62), rng.uniform(0.012, 0.07)
    click, positive = rng.uniform(0.06, 0.22), rng.uniform(0.25, 0.6)
    unsubscribe, bounce = rng.uniform(0.002, 0.012), rng.uniform(0.004, 0.025)
    survival, odds = [1.0], []
    for step in range(len(campaign.sequence)):
        if step:
            survival.append(survival[-1] * rng.uniform(0.6, 0.85))
        fade = rng.uniform(0.72, 0.92) ** step
        replies_now = replies * rng.uniform(0.55, 1.05) ** step
        odds.append(Propensity(bounce, opens * fade, click, replies_now, positive, unsubscribe))
    timing = Timing(
        launch=WORLD_DAY - rng.randint(45, 420),
        finish=WORLD_DAY - (rng.randint(90, 300) if campaign.status == "archived" else rng.randint(3, 75)),
        share_done=rng.uniform(0.35, 0.9),
    )
    if campaign.status == "paused":
        timing = Timing(timing.launch, WORLD_DAY - rng.randint(4, 40), timing.share_done)
    return CampaignProfile(rng.uniform(0.8, 1.0), tuple(survival), tuple(odds), timing, rng.getrandbits(64))


def through_mailbox(odds: Propensity, mailbox: Mailbox) -> Propensity:
    """A step's odds when sent from this mailbox: weak DNS or a failing status bounce more, open less."""
    extra = sum(DNS_BOUNCE.get(state, 0.0) for state in mailbox.dns.values())
    extra += STATUS_BOUNCE.get(mailbox.status, 0.0)
    bounce = min(0.5, odds.bounce + extra)
    return Propensity(
        bounce,
        odds.open * max(0.3, 1.0 - 3.0 * extra),
        odds.click,
        odds.reply,
        odds.positive,
        odds.unsubscribe,
    )


def share_weight(seed: int | str, campaign: Campaign, mailbox: Mailbox) -> float:
    """How much of a mailbox's daily limit a campaign gets against the other campaigns sending from it."""
    jitter = random.Random(f"sendkit-mock/content/{seed}/share/{campaign.id}/{mailbox.id}").uniform(0.6, 1.4)
    return jitter * math.sqrt(campaign.leads + 1)
